/**
 * WebSocket-level heartbeat: the relay pings every socket each interval; a
 * socket that has neither answered the previous ping nor sent anything since
 * is declared dead. A dead peer is therefore dropped within two intervals.
 */
import type { WebSocket } from 'ws';

interface Beat {
  alive: boolean;
  onDead: () => void;
}

/**
 * @example
 * ```ts
 * const heartbeat = new Heartbeat(30_000);
 * heartbeat.track(ws, () => ws.terminate());
 * ```
 */
export class Heartbeat {
  private readonly sockets = new Map<WebSocket, Beat>();
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs: number) {
    this.timer = setInterval(() => this.tick(), intervalMs);
    this.timer.unref?.();
  }

  /** Watches a socket; `onDead` runs once when it stops answering. */
  track(ws: WebSocket, onDead: () => void): void {
    const beat: Beat = { alive: true, onDead };
    this.sockets.set(ws, beat);
    const alive = (): void => {
      beat.alive = true;
    };
    ws.on('pong', alive);
    ws.on('message', alive);
    ws.once('close', () => this.sockets.delete(ws));
  }

  /** Stops pinging (relay shutdown). */
  stop(): void {
    clearInterval(this.timer);
    this.sockets.clear();
  }

  private tick(): void {
    for (const [ws, beat] of this.sockets) {
      if (!beat.alive) {
        this.sockets.delete(ws);
        beat.onDead();
        continue;
      }
      beat.alive = false;
      try {
        ws.ping();
      } catch {
        // the socket is closing; its close event removes it
      }
    }
  }
}
