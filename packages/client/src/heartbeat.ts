/**
 * The app-level heartbeat that finds half-open sockets.
 */
import type { Clock } from './types.js';

/**
 * One timer: after `interval` ms without a frame it calls `ping`, and if no
 * frame comes within `timeout` ms after that it calls `dead`. Every received
 * frame calls {@link Heartbeat.start} again, so a busy connection never pings.
 *
 * @example
 * ```ts
 * const hb = new Heartbeat(clock, 20_000, 10_000, () => socket.send('{"type":"ping"}'), () => reconnect());
 * socket.onmessage = () => hb.start();
 * hb.start(0); // check now (the page became visible again)
 * ```
 */
export class Heartbeat {
  #timer: unknown;

  constructor(
    private clock: Clock,
    /** Silence before a ping, ms. */
    public interval: number,
    /** Silence after a ping before the socket counts as dead, ms. */
    public timeout: number,
    private ping: () => void,
    private dead: () => void,
  ) {}

  /** (Re)arms the timer: ping after `delay` ms of silence (default `interval`). */
  start(delay = this.interval): void {
    this.stop();
    this.#timer = this.clock.setTimeout(() => {
      this.ping();
      this.#timer = this.clock.setTimeout(this.dead, this.timeout);
    }, delay);
  }

  /** Disarms the timer. */
  stop(): void {
    this.clock.clearTimeout(this.#timer);
  }
}
