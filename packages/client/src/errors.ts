/**
 * The error a failed `send`, `sendDirect`, `history` or `members` rejects with.
 */
import type { ClientErrorEvent } from './types.js';

/** An `Error` that carries the {@link ClientErrorEvent} fields: a stable `code` and the refused request's `ref`. */
export type ParleyError = Error & ClientErrorEvent;

/**
 * Makes the `Error` a failed request rejects with: `code` is a protocol `ErrorCode` from the relay (`not_in_room`,
 * `unknown_user`, `text_too_long`...) or one of the client's own
 * {@link ClientErrorCode}s (`outbox_full`, `closed`, `timeout`), `ref` the
 * `cid`/`qid` of the refused request. The client's own errors use the code as message
 * (`ref` comes before `message` so that they need not pass one).
 *
 * @example
 * ```ts
 * try {
 *   await client.sendDirect('grace', 'psst');
 * } catch (e) {
 *   if ((e as ParleyError).code === 'unknown_user') showOffline('grace');
 * }
 * ```
 */
export const parleyError = (code: string, ref?: string, message = code): ParleyError =>
  Object.assign(new Error(message), { code, ref });
