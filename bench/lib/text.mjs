// The benchmark's message text: ~100 bytes that carry a marker, the send's
// sequence number and the sender's clock, so a receiver can count and time
// deliveries in any wire format without parsing JSON (the receiver's cost
// should not decide the result).
//
//   ~Bz~<seq>~<performance.now() at send, ms>~xxxxxxxx…   (TEXT_BYTES long)

/** Length of every benchmark text, in bytes (all ASCII). */
export const TEXT_BYTES = 100;
/** Marker that starts every benchmark text; nothing else on the wire contains it. */
export const MARK = '~Bz~';

const MARK_BUF = Buffer.from(MARK);
const TILDE = 0x7e;
const B = 0x42;
const Z = 0x7a;
const DOT = 0x2e;
const PAD = 'x'.repeat(TEXT_BYTES);

/** Builds the text for send number `seq` sent at `now` (ms). */
export function makeText(seq, now) {
  const head = `${MARK}${seq}~${now.toFixed(3)}~`;
  return head.length >= TEXT_BYTES ? head : head + PAD.slice(head.length);
}

/**
 * How many benchmark texts a received frame carries. Searches for one byte
 * ('~', found with memchr) and checks the rest of the marker by hand: a
 * multi-byte needle costs a search setup per call, which at millions of
 * texts a second made counting a fifth of the load generator's time. After a
 * marker it skips `length` bytes (the texts' length), so texts must be at
 * least that long.
 */
export function countTexts(buf, length = TEXT_BYTES) {
  let n = 0;
  let i = buf.indexOf(TILDE);
  while (i !== -1) {
    if (buf[i + 1] === B && buf[i + 2] === Z && buf[i + 3] === TILDE) {
      n++;
      i = buf.indexOf(TILDE, i + length);
    } else {
      i = buf.indexOf(TILDE, i + 1);
    }
  }
  return n;
}

/**
 * Calls `fn(seq, sentAt)` for every benchmark text in a received frame and
 * returns how many there were.
 */
export function forEachText(buf, fn) {
  let n = 0;
  let i = buf.indexOf(MARK_BUF);
  while (i !== -1) {
    n++;
    let j = i + MARK_BUF.length;
    let seq = 0;
    while (buf[j] !== TILDE) seq = seq * 10 + (buf[j++] - 48);
    j++;
    let whole = 0;
    while (buf[j] !== DOT && buf[j] !== TILDE) whole = whole * 10 + (buf[j++] - 48);
    let frac = 0;
    let scale = 1;
    if (buf[j] === DOT) {
      j++;
      while (buf[j] !== TILDE) { frac = frac * 10 + (buf[j++] - 48); scale *= 10; }
    }
    fn(seq, whole + frac / scale);
    i = buf.indexOf(MARK_BUF, j);
  }
  return n;
}
