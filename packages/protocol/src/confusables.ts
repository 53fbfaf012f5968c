/**
 * The confusable skeleton of a nickname, after the idea of Unicode TS #39:
 * letters of other scripts (and a few of Latin's own) that look like a Latin
 * letter or digit are replaced by it, so `аda` (Cyrillic `а`), `αda` (Greek)
 * and `ꓮꓓꓮ` (Lisu) have the skeleton of `ada`.
 *
 * Parley keeps its own compact table instead of the full confusables data
 * (some 6,000 mappings): it covers the look-alikes of the Latin letters in
 * Cyrillic, Greek, Armenian, Cherokee, Lisu, Coptic, Hebrew, Arabic and IPA,
 * and the digits and bars that pass for `o` and `l`. It is read after case
 * folding (a letter is listed by its capital when that is what looks Latin:
 * Cyrillic `в` maps to `b` for `В`), so it keeps nicknames case-insensitive.
 * `i`, `l`, `I`, `1` and `|` are one letter here: they look alike in many
 * sans-serif fonts. Look-alikes of more than one character (`rn` and `m`)
 * are not folded.
 *
 * The table is built on first use, so a bundle that never calls
 * {@link skeleton} carries only its source string.
 */

/**
 * The look-alikes of each skeleton letter, by the letter they fold to. A
 * capital stands for its lower-case form (the table is read after case
 * folding). Escapes name the code point where the glyph is easy to mistake.
 */
export const CONFUSABLES: Readonly<Record<string, string>> = {
  a: 'аα\u0251\uA4EE\u2C81\u237A\u13AA',
  b: 'вβьᏴ\uA4D0\u13CF',
  c: 'с\u2CA5\uA4DA\u13DF',
  d: 'ԁ\uA4D3\u13A0\u13E7',
  e: 'еε\u025B\uA4F0\u13AC',
  f: '\uA4DD',
  g: '\u0261\u0581\uA4D6\u13C0',
  h: 'нһ\u0570\uA4E7\u13BB\u13C2',
  j: 'ј\u0237\u03F3\uA4D9\u13AB',
  k: 'кκ\uA4D7\u13E6',
  l: 'i\u0131\u0269\u026Aіι\u04CF1|\u01C0\uA4F2\uA4E1\u13A5\u13DE\u05D5\u05DF\u0627\u0661',
  m: 'мμ\uA4DF\u13B7',
  n: 'пη\u0578\uA4E0',
  o: '0оο\u0585\u1D0F\u2C9F\uA4F3\u05E1',
  p: 'рρ\u2CA3\uA4D1\u13E2',
  q: 'ԛ\u0566',
  r: 'г\uA4E3\u13A1\u13D2',
  s: 'ѕ\uA4E2\u13DA',
  t: 'тτ\uA4D4\u13A2',
  u: 'υ\u057D\uA4F4',
  v: 'νѵ\uA4E6\u13D9',
  w: 'ԝѡ\uA4EA\u13B3',
  x: 'хχ\u2CAD\uA4EB',
  y: 'уүγ\u028F\uA4EC\u13A9',
  z: 'ζ\uA4DC\u13C3',
};

let table: Map<number, string> | undefined;

/**
 * The table as code point → skeleton letter. Throws when two entries fold to
 * one code point with different letters (a mistake in {@link CONFUSABLES}).
 */
function confusableTable(): Map<number, string> {
  if (table) return table;
  const map = new Map<number, string>();
  for (const [letter, alikes] of Object.entries(CONFUSABLES)) {
    for (const alike of alikes) {
      const cp = alike.toLowerCase().normalize('NFD').codePointAt(0)!;
      const before = map.get(cp);
      if (before !== undefined && before !== letter) throw new Error(`confusables: U+${cp.toString(16)} maps to both ${before} and ${letter}`);
      map.set(cp, letter);
    }
  }
  return (table = map);
}

/**
 * The confusable skeleton of a case-folded string: decomposed (NFD), each
 * look-alike replaced by its Latin letter, composed again (NFC). Marks are
 * kept: `é` and `e` stay apart. Case fold first (see `nicknameKey`).
 *
 * @example
 * ```ts
 * skeleton('аda') === skeleton('ada');  // true: Cyrillic а
 * skeleton('ıda');                      // 'lda': dotless ı, like i, is l
 * skeleton('adé') === skeleton('ade');  // false
 * ```
 */
export function skeleton(folded: string): string {
  const map = confusableTable();
  let out = '';
  for (const ch of folded.normalize('NFD')) out += map.get(ch.codePointAt(0)!) ?? ch;
  return out.normalize('NFC');
}
