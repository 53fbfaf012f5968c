/**
 * WebSocket text frames made by the relay itself (RFC 6455 §5.2: final,
 * unmasked, opcode 1), so that a broadcast is framed once and every
 * recipient's socket is handed the very same bytes in one write, rather
 * than `ws` building a header and a two-buffer write per recipient.
 */

const FIN_TEXT = 0x81;
/** Payloads up to this length fit the 7-bit length field. */
const SHORT = 125;
/** Payloads up to this length fit the 16-bit extended length field. */
const MEDIUM = 0xffff;

/** Bytes of header in front of a `length`-byte payload. */
export function headerLength(length: number): number {
  return length <= SHORT ? 2 : length <= MEDIUM ? 4 : 10;
}

/** Writes the header for a `length`-byte payload at the start of `target`; returns where the payload starts. */
function writeHeader(target: Buffer, length: number): number {
  target[0] = FIN_TEXT;
  if (length <= SHORT) {
    target[1] = length;
    return 2;
  }
  if (length <= MEDIUM) {
    target[1] = 126;
    target.writeUInt16BE(length, 2);
    return 4;
  }
  target[1] = 127;
  target.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
  target.writeUInt32BE(length >>> 0, 6);
  return 10;
}

/**
 * One text frame carrying `payload` (UTF-8).
 *
 * @example
 * ```ts
 * const frame = textFrame(Buffer.from('{"type":"pong"}'));
 * socket.write(frame); // the raw TCP socket under an open WebSocket
 * ```
 */
export function textFrame(payload: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(headerLength(payload.length) + payload.length);
  payload.copy(frame, writeHeader(frame, payload.length));
  return frame;
}

/**
 * One text frame carrying `parts` joined by newlines, the protocol's batch
 * form (several envelopes in one frame), made in one allocation.
 *
 * @example
 * ```ts
 * const frame = joinedTextFrame([a.bytes, b.bytes]); // payload: a + '\n' + b
 * ```
 */
export function joinedTextFrame(parts: readonly Buffer[]): Buffer {
  let length = parts.length - 1;
  for (const part of parts) length += part.length;
  const frame = Buffer.allocUnsafe(headerLength(length) + length);
  let offset = writeHeader(frame, length);
  for (let i = 0; i < parts.length; i++) {
    if (i) frame[offset++] = 0x0a;
    offset += parts[i]!.copy(frame, offset);
  }
  return frame;
}
