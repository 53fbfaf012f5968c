/**
 * The relay's connection clocks, one timer each for all connections:
 *
 * - The WebSocket heartbeat: every interval one sweep pings every watched
 *   socket; a socket that has neither answered the previous ping nor sent
 *   anything since is declared dead. A dead peer is therefore dropped within
 *   two intervals. The sweep yields to the event loop every
 *   {@link SWEEP_CHUNK} sockets, so tens of thousands of them never stall
 *   the relay for long.
 * - {@link Deadlines}: the hello timeout and token expiry of every
 *   connection under one timer.
 *
 * Nothing here allocates per connection beyond one map entry: the watched
 * connection carries its own `alive` flag, and the `pong` listener is one
 * function shared by every socket.
 */
import type { WebSocket } from 'ws';
import { Deadlines } from './deadlines.js';

/** Sockets pinged per event-loop turn during a sweep. */
export const SWEEP_CHUNK = 2000;

/** A connection the heartbeat watches. */
export interface Watched {
  /**
   * Whether the peer showed life since the last ping: the heartbeat sets it
   * on a pong, the connection on every frame it receives, the sweep clears it
   * when it pings.
   */
  alive: boolean;
  /** The peer answered nothing for a whole interval. Called once; the socket is no longer watched. */
  heartbeatLost(): void;
}

/**
 * @example
 * ```ts
 * const heartbeat = new Heartbeat(30_000);
 * heartbeat.watch(ws, conn);   // conn.alive = true on every frame; conn.heartbeatLost() when dead
 * heartbeat.forget(ws);        // when it closes
 * heartbeat.track(ws, () => ws.terminate()); // the same with a callback; forgotten on close
 * ```
 */
export class Heartbeat {
  /** Hello timeouts and token expiries. */
  readonly deadlines = new Deadlines();
  private readonly watched = new Map<WebSocket, Watched>();
  private readonly timer: NodeJS.Timeout;
  private sweep: IterableIterator<[WebSocket, Watched]> | undefined;
  private next: NodeJS.Immediate | undefined;
  private again = false;
  /** The `pong` (and, for tracked sockets, `message`) listener of every socket; `this` is the socket. */
  private readonly lively: (this: WebSocket) => void;
  /** The `close` listener of tracked sockets. */
  private readonly gone: (this: WebSocket) => void;

  constructor(intervalMs: number) {
    const watched = this.watched;
    this.lively = function (this: WebSocket) {
      const w = watched.get(this);
      if (w) w.alive = true;
    };
    this.gone = function (this: WebSocket) {
      watched.delete(this);
    };
    this.timer = setInterval(() => this.tick(), intervalMs);
    this.timer.unref?.();
  }

  /** Sockets watched. */
  get size(): number {
    return this.watched.size;
  }

  /**
   * Watches a connection that sets `w.alive` on every frame it receives and
   * calls {@link forget} when its socket closes.
   */
  watch(ws: WebSocket, w: Watched): void {
    w.alive = true;
    this.watched.set(ws, w);
    ws.on('pong', this.lively);
  }

  /** Stops watching a socket (it closed). */
  forget(ws: WebSocket): void {
    this.watched.delete(ws);
  }

  /** Watches a socket; `onDead` runs once when it stops answering. Forgotten when it closes. */
  track(ws: WebSocket, onDead: () => void): void {
    this.watch(ws, { alive: true, heartbeatLost: onDead });
    ws.on('message', this.lively);
    ws.on('close', this.gone);
  }

  /** Stops pinging and drops every deadline (relay shutdown). */
  stop(): void {
    clearInterval(this.timer);
    if (this.next) clearImmediate(this.next);
    this.next = undefined;
    this.sweep = undefined;
    this.watched.clear();
    this.deadlines.stop();
  }

  private tick(): void {
    if (this.sweep) {
      // the previous sweep has not finished (only with a tiny interval): start over when it has
      this.again = true;
      return;
    }
    this.sweep = this.watched.entries();
    this.step();
  }

  private step(): void {
    this.next = undefined;
    const sweep = this.sweep;
    if (!sweep) return;
    for (let n = 0; n < SWEEP_CHUNK; n++) {
      const r = sweep.next();
      if (r.done) {
        this.sweep = undefined;
        if (this.again) {
          this.again = false;
          this.tick();
        }
        return;
      }
      const [ws, w] = r.value;
      if (!w.alive) {
        this.watched.delete(ws);
        w.heartbeatLost();
        continue;
      }
      w.alive = false;
      try {
        ws.ping();
      } catch {
        // the socket is closing; it is forgotten when it closes
      }
    }
    this.next = setImmediate(() => this.step());
  }
}
