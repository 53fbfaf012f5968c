/**
 * The mixed-script rule of the nickname rules: within one word, letters come
 * from one script, as in the "highly restrictive" level of Unicode TS #39.
 * `Grаce` with a Cyrillic `а` is refused; `Ivan Иван` (one script per word)
 * and `Ada 李` are not. Digits, punctuation, symbols and combining marks
 * (scripts Common and Inherited) belong to every script.
 */

/**
 * The scripts told apart, each with a test for its letters. A letter of a
 * script not listed counts as one more script (`other`), so it never mixes
 * with a listed one; two unlisted scripts are not told from each other.
 */
const SCRIPTS: ReadonlyArray<readonly [string, RegExp]> = [
  ['Latin', /\p{Script=Latin}/u],
  ['Cyrillic', /\p{Script=Cyrillic}/u],
  ['Greek', /\p{Script=Greek}/u],
  ['Armenian', /\p{Script=Armenian}/u],
  ['Georgian', /\p{Script=Georgian}/u],
  ['Cherokee', /\p{Script=Cherokee}/u],
  ['Coptic', /\p{Script=Coptic}/u],
  ['Lisu', /\p{Script=Lisu}/u],
  ['Hebrew', /\p{Script=Hebrew}/u],
  ['Arabic', /\p{Script=Arabic}/u],
  ['Devanagari', /\p{Script=Devanagari}/u],
  ['Thai', /\p{Script=Thai}/u],
  ['Han', /\p{Script=Han}/u],
  ['Hiragana', /\p{Script=Hiragana}/u],
  ['Katakana', /\p{Script=Katakana}/u],
  ['Hangul', /\p{Script=Hangul}/u],
  ['Bopomofo', /\p{Script=Bopomofo}/u],
];

/** Letters that count for every script (Common and Inherited ones, such as some modifier letters). */
const ANY_SCRIPT = /[\p{Script=Common}\p{Script=Inherited}]/u;
const LETTER = /\p{L}/u;

/**
 * The sets of scripts one word may mix, as writing systems do: Japanese
 * (Han, Hiragana, Katakana), Chinese with Bopomofo, Korean (Han, Hangul),
 * each also with Latin.
 */
export const SCRIPT_MIXES_ALLOWED: ReadonlyArray<readonly string[]> = [
  ['Latin', 'Han', 'Hiragana', 'Katakana'],
  ['Latin', 'Han', 'Bopomofo'],
  ['Latin', 'Han', 'Hangul'],
];

function scriptOf(letter: string): string | undefined {
  if (!LETTER.test(letter) || ANY_SCRIPT.test(letter)) return undefined;
  for (const [name, test] of SCRIPTS) if (test.test(letter)) return name;
  return 'other';
}

/**
 * The scripts of a word's letters (Common and Inherited left out).
 *
 * @example
 * ```ts
 * scriptsOf('аda'); // Set { 'Cyrillic', 'Latin' }
 * ```
 */
export function scriptsOf(word: string): Set<string> {
  const found = new Set<string>();
  for (const ch of word) {
    const script = scriptOf(ch);
    if (script !== undefined) found.add(script);
  }
  return found;
}

/**
 * Whether some word of `name` (words are split at spaces) mixes letters of
 * scripts that no writing system mixes ({@link SCRIPT_MIXES_ALLOWED}).
 *
 * @example
 * ```ts
 * mixesScripts('Grаce');     // true: Latin and a Cyrillic а
 * mixesScripts('Ivan Иван'); // false: one script per word
 * mixesScripts('東京タワー'); // false: Han and Katakana
 * ```
 */
export function mixesScripts(name: string): boolean {
  for (const word of name.split(' ')) {
    const scripts = scriptsOf(word);
    if (scripts.size < 2) continue;
    if (!SCRIPT_MIXES_ALLOWED.some((allowed) => [...scripts].every((s) => allowed.includes(s)))) return true;
  }
  return false;
}
