/**
 * The rules for nicknames, room names, ids and texts, shared by client and relay.
 */
import { skeleton } from './confusables.js';
import { MAX_ID_LENGTH, MAX_NICKNAME_LENGTH, MAX_ROOM_LENGTH, MAX_TEXT_LENGTH } from './limits.js';
import { mixesScripts } from './scripts.js';

const ROOM = new RegExp(`^[A-Za-z0-9_-]{1,${MAX_ROOM_LENGTH}}$`);
const ID = new RegExp(`^[A-Za-z0-9_.:~-]{1,${MAX_ID_LENGTH}}$`);
// Letters, marks, numbers, punctuation, symbols and single plain spaces:
// no control, format (zero-width, bidi override), separator or private-use characters.
const NICK = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]+(?: [\p{L}\p{M}\p{N}\p{P}\p{S}]+)*$/u;
// Characters that render as nothing or as blank although their category allows them:
// every default-ignorable code point (variation selectors, the combining grapheme
// joiner, Khmer inherent vowels, Mongolian selectors, Hangul fillers, tags...)
// and the braille blank.
const BLANK = /[\p{Default_Ignorable_Code_Point}\u2800]/u;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Length in Unicode code points (what users see as characters, near enough). */
export function codePoints(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff || i + 1 === text.length) n++;
    else {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
      n++;
    }
  }
  return n;
}

/** Whether the string has no lone UTF-16 surrogate (so it encodes to UTF-8 unchanged). */
export function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

/**
 * Puts a nickname in the form the relay stores: NFC-normalized and trimmed.
 * Returns `null` when the result breaks the nickname rules: empty, longer than
 * {@link MAX_NICKNAME_LENGTH} code points, or holding control, zero-width,
 * bidi-override or other invisible (default-ignorable) characters, runs of
 * spaces, or a word whose letters mix scripts (`mixesScripts`: `Grаce` with
 * a Cyrillic `а`).
 *
 * @example
 * ```ts
 * normalizeNickname('  Ada ');      // 'Ada'
 * normalizeNickname('a\u202Eb');    // null (bidi override)
 * normalizeNickname('Gr\u0430ce');  // null (Latin and Cyrillic in one word)
 * ```
 */
export function normalizeNickname(nick: string): string | null {
  if (!isWellFormed(nick)) return null;
  const n = nick.normalize('NFC').trim();
  return n.length > 0 && codePoints(n) <= MAX_NICKNAME_LENGTH && NICK.test(n) && !BLANK.test(n) && !mixesScripts(n) ? n : null;
}

/**
 * The key under which nicknames are unique: two nicknames that differ only in
 * case, in a compatibility form (full-width letters) or in look-alike letters
 * of other scripts (the confusable skeleton, see `confusables.ts`) collide.
 * The name is case-folded (NFKC, lower case, NFKC) before its skeleton is taken.
 *
 * @example
 * ```ts
 * nicknameKey('Ada') === nicknameKey('ADA');       // true
 * nicknameKey('Ada') === nicknameKey('\u0430da');  // true: Cyrillic а
 * ```
 */
export function nicknameKey(nick: string): string {
  return skeleton(nick.normalize('NFKC').toLowerCase().normalize('NFKC'));
}

/**
 * Whether `room` is a valid room name: 1 to {@link MAX_ROOM_LENGTH} of `A-Z a-z 0-9 _ -`.
 *
 * @example
 * ```ts
 * isRoomName('lobby'); // true
 * isRoomName('a b');   // false
 * ```
 */
export function isRoomName(room: unknown): room is string {
  return typeof room === 'string' && ROOM.test(room);
}

/** Whether `id` is a valid `cid`, `qid` or relay id: 1 to {@link MAX_ID_LENGTH} of `A-Z a-z 0-9 _ . : ~ -`. */
export function isId(id: unknown): id is string {
  return typeof id === 'string' && ID.test(id);
}

/** Whether `text` is a valid message text: 1 to {@link MAX_TEXT_LENGTH} code points, well-formed. */
export function isText(text: unknown, max: number = MAX_TEXT_LENGTH): text is string {
  return typeof text === 'string' && text.length > 0 && text.length <= max * 2 && codePoints(text) <= max && isWellFormed(text);
}
