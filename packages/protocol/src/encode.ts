/**
 * Turns envelopes into frames: the inverse of decoding.
 */
import type { Message } from './types.js';

/**
 * Encodes one envelope as JSON text. The result never contains a raw newline,
 * so encoded envelopes can be joined into a batch.
 *
 * @example
 * ```ts
 * socket.send(encode({ type: 'send', room: 'lobby', text: 'hi', cid: 'c1' }));
 * ```
 */
export function encode(message: Message): string {
  return JSON.stringify(message);
}

/**
 * Joins already-encoded envelopes into one batched frame (newline-separated).
 *
 * @example
 * ```ts
 * socket.send(encodeBatch([encode(a), encode(b)]));
 * ```
 */
export function encodeBatch(encoded: readonly string[]): string {
  return encoded.join('\n');
}
