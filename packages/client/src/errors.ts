/**
 * The error a failed `send`, `sendDirect`, `history` or `members` rejects with.
 */
import type { ClientErrorEvent } from './types.js';

/**
 * An `Error` that carries a stable `code`: a protocol `ErrorCode` from the
 * relay (`not_in_room`, `unknown_user`, `text_too_long`...) or one of the
 * client's own {@link ClientErrorCode}s (`outbox_full`, `closed`, `timeout`),
 * and the `ref` (`cid` or `qid`) of the refused request.
 *
 * @example
 * ```ts
 * try {
 *   await client.sendDirect('grace', 'psst');
 * } catch (e) {
 *   if (e instanceof ParleyError && e.code === 'unknown_user') showOffline('grace');
 * }
 * ```
 */
export class ParleyError extends Error implements ClientErrorEvent {
  /** A protocol `ErrorCode` or a {@link ClientErrorCode}. */
  code: string;
  /** The `cid`/`qid` of the refused request. */
  ref?: string;

  constructor(code: string, message: string, ref?: string) {
    super(message);
    this.name = 'ParleyError';
    this.code = code;
    if (ref !== undefined) this.ref = ref;
  }
}
