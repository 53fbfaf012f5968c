/**
 * What a handler sees of the connection it answers (a {@link Peer} that
 * sessions can be attached to, and more): the connection layer's
 * `ChatConnection` implements this port, so handlers never import it.
 */
import type { DecodeError, ErrorCode, ServerMessage } from '@parley/protocol';
import type { Peer, Session } from '../sessions/session.js';
import type { RelayContext } from './context.js';

/**
 * @example
 * ```ts
 * export function handleLeave(conn: ChatPort, session: Session, m: Leave): void {
 *   conn.ctx.sessions.leave(session, m.room);
 *   conn.reply({ type: 'left', room: m.room });
 * }
 * ```
 */
export interface ChatPort extends Peer {
  /** The relay's parts. */
  readonly ctx: RelayContext;
  /** The session, once `welcome` was sent. */
  readonly session: Session | undefined;
  /** Whether the connection can still send and receive. */
  readonly open: boolean;
  /** The client's address, as the per-address limits count it. */
  readonly address: string;
  /** Sends an envelope to this connection only, right away (never held); answers its size in bytes. */
  reply(envelope: ServerMessage): number;
  /** The send-buffer cap: a reader whose buffer passes it is cut off. */
  readonly sendBufferBytes: number;
  /**
   * Writes out what is queued and resolves once the socket's send buffer
   * holds at most `bytes` (at once when the connection has closed): a long
   * answer written in parts waits here between them, at the reader's pace.
   */
  drained(bytes: number): Promise<void>;
  /** Sends an `error` envelope. */
  fail(code: ErrorCode, message: string, ref?: string): void;
  /** Refuses an invalid envelope (an `error`, and an abuse strike). */
  refuse(error: DecodeError): void;
  /** Holds broadcasts back while a multi-step answer (welcome or joined, then replay) is written. */
  hold(): void;
  /** Releases held broadcasts, skipping what the client has by `cursors` (room → `seq`, `''` → inbox `seq`). */
  release(cursors: ReadonlyMap<string, number>): void;
  /** The session is established (the hello timeout stops, the token's expiry is watched). */
  established(session: Session): void;
  /** Calls `fn` once the client shows it received everything sent so far (never when it closes first). */
  whenReceived(fn: () => void): void;
}
