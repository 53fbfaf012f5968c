/**
 * Closing a socket the same way everywhere: a close frame with a code and a
 * short reason, then a hard cut if the peer does not finish the close
 * handshake in time (a dead or stalled peer never will).
 */
import type { WebSocket } from 'ws';

/** How long a peer has to answer a close frame before its socket is destroyed, ms. */
export const CLOSE_GRACE_MS = 5000;
/** Longest close reason a close frame can carry, in UTF-8 bytes (RFC 6455 § 5.5). */
export const MAX_CLOSE_REASON_BYTES = 123;

/** Why a connection closed, as logs and the `parley_closes_total` metric name it. */
export type CloseLabel =
  | 'client'
  | 'going_away'
  | 'heartbeat'
  | 'slow_consumer'
  | 'hello_timeout'
  | 'rate_limited'
  | 'protocol_abuse'
  | 'replaced'
  | 'unsupported_protocol'
  | 'too_many_connections'
  | 'too_many_sessions'
  | 'relay_full'
  | 'auth_failed'
  | 'token_expired'
  | 'nickname_refused'
  | 'unavailable'
  | 'message_too_big'
  | 'invalid_payload'
  | 'protocol_error';

/**
 * The close label of a WebSocket-level error: `ws` closes the socket itself
 * (1009 for an oversized frame, 1007 for invalid UTF-8, 1002 otherwise).
 *
 * @example
 * ```ts
 * ws.on('error', (err) => (label = socketErrorLabel(err)));
 * ```
 */
export function socketErrorLabel(err: Error & { code?: string }): CloseLabel {
  if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') return 'message_too_big';
  if (err.code === 'WS_ERR_INVALID_UTF8') return 'invalid_payload';
  return 'protocol_error';
}

/**
 * Sends a close frame (reason cut to {@link MAX_CLOSE_REASON_BYTES}) and
 * destroys the socket if it is still open after {@link CLOSE_GRACE_MS}.
 *
 * @example
 * ```ts
 * closeSocket(ws, CloseCode.SlowConsumer, 'reading too slowly');
 * ```
 */
export function closeSocket(ws: WebSocket, code: number, reason: string, graceMs = CLOSE_GRACE_MS): void {
  let r = Buffer.from(reason);
  if (r.length > MAX_CLOSE_REASON_BYTES) r = r.subarray(0, MAX_CLOSE_REASON_BYTES);
  try {
    ws.close(code, r.toString('utf8').replace(/\uFFFD$/, ''));
  } catch {
    ws.terminate();
    return;
  }
  const timer = setTimeout(() => ws.terminate(), graceMs);
  timer.unref?.();
  ws.once('close', () => clearTimeout(timer));
}
