/**
 * The app-level heartbeat that finds half-open sockets.
 */
import type { Clock } from './types.js';

/** The two controls of a {@link heartbeat}. */
export interface Heartbeat {
  /** (Re)arms the timer: ping after `delay` ms of silence (default: the interval). */
  start(delay?: number): void;
  /** Disarms the timer. */
  stop(): void;
}

/** The two durations a {@link heartbeat} reads, ms: as in `welcome.limits`. */
export interface HeartbeatTimes {
  /** Silence before a ping. */
  ping: number;
  /** Silence after a ping before the socket counts as dead. */
  pingTimeout: number;
}

/**
 * One timer: after `times().ping` ms without a frame it calls `ping`, and if no
 * frame comes within `times().pingTimeout` ms after that it calls `dead`. Every received
 * frame calls `start()` again, so a busy connection never pings. The times
 * are read at each start, so the relay's `welcome.limits` apply at once.
 *
 * @example
 * ```ts
 * const hb = heartbeat(clock, () => ({ ping: 20_000, pingTimeout: 10_000 }), () => socket.send('{"type":"ping"}'), () => reconnect());
 * socket.onmessage = () => hb.start();
 * hb.start(0); // check now (the page became visible again)
 * ```
 */
export function heartbeat(clock: Clock, times: () => HeartbeatTimes, ping: () => void, dead: () => void): Heartbeat {
  let timer: unknown;
  const stop = () => clock.clearTimeout(timer);
  return {
    start(delay = times().ping) {
      stop();
      timer = clock.setTimeout(() => {
        ping();
        timer = clock.setTimeout(dead, times().pingTimeout);
      }, delay);
    },
    stop,
  };
}
