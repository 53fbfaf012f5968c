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

/**
 * One timer: after `interval()` ms without a frame it calls `ping`, and if no
 * frame comes within `timeout()` ms after that it calls `dead`. Every received
 * frame calls `start()` again, so a busy connection never pings. The interval
 * and timeout are read at each start, so the relay's `welcome.limits` apply at once.
 *
 * @example
 * ```ts
 * const hb = heartbeat(clock, () => 20_000, () => 10_000, () => socket.send('{"type":"ping"}'), () => reconnect());
 * socket.onmessage = () => hb.start();
 * hb.start(0); // check now (the page became visible again)
 * ```
 */
export function heartbeat(clock: Clock, interval: () => number, timeout: () => number, ping: () => void, dead: () => void): Heartbeat {
  let timer: unknown;
  const stop = () => clock.clearTimeout(timer);
  return {
    start(delay = interval()) {
      stop();
      timer = clock.setTimeout(() => {
        ping();
        timer = clock.setTimeout(dead, timeout());
      }, delay);
    },
    stop,
  };
}
