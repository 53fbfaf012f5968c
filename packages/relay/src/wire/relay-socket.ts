/**
 * The relay's WebSocket class, given to `ws` through its documented
 * `WebSocket` server option: `ws`'s own socket with the relay's few
 * per-socket fields in it. Event listeners shared by every socket find
 * their connection through `this`, so a connection needs neither closures
 * of its own nor a side map from socket to connection.
 */
import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
import type { CloseLabel } from './closing.js';

/** What handles an accepted socket (a `/chat`, `/ws/<nickname>` or `/ws` connection). */
export interface Endpoint {
  /** Resolves when every frame received so far has been handled. */
  readonly idle: Promise<void>;
  /** Closes the connection; `label` names the reason in logs and metrics. */
  close(code: number, reason: string, label: CloseLabel): void;
  /**
   * The socket closed with `code`. When an endpoint has this method, the
   * gateway's `close` listener calls it (one listener per socket, not two).
   */
  socketClosed?(code: number): void;
}

/**
 * @example
 * ```ts
 * const wss = new WebSocketServer({ noServer: true, WebSocket: RelaySocket });
 * wss.handleUpgrade(req, socket, head, (ws) => { (ws as RelaySocket).wire = socket; (ws as RelaySocket).endpoint = new ChatConnection(ws, ctx); });
 * ```
 */
export class RelaySocket extends WebSocket {
  /** The endpoint handling this socket, once accepted. */
  endpoint: Endpoint | null = null;
  /** The peer's address, as the per-address limit counted it. */
  ip = '';
  /**
   * The TCP socket under this WebSocket, as handed to `handleUpgrade`. The
   * relay's writers put whole frames on it (see `SocketWriter`).
   */
  wire!: Duplex;
}
