/**
 * A clock the test moves by hand, for the client's `clock` option: no timer
 * fires until the test says so, so "nothing happens later" is checked by
 * looking at what is scheduled instead of by sleeping.
 */
import type { Clock } from '../src/index.js';

interface Timer {
  at: number;
  fn: () => void;
}

/** A {@link Clock} whose time moves only in {@link ManualClock.advance}. */
export class ManualClock implements Clock {
  private time = 1_000_000;
  private readonly timers = new Set<Timer>();

  now = (): number => this.time;

  setTimeout = (fn: () => void, ms: number): unknown => {
    const timer = { at: this.time + ms, fn };
    this.timers.add(timer);
    return timer;
  };

  clearTimeout = (handle: unknown): void => {
    this.timers.delete(handle as Timer);
  };

  /** How many timers are waiting to fire. */
  get pending(): number {
    return this.timers.size;
  }

  /** Moves time on by `ms`, firing every timer that falls due, in order (timers they set fire too when due). */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let first: Timer | undefined;
      for (const t of this.timers) if (t.at <= end && (!first || t.at < first.at)) first = t;
      if (!first) break;
      this.timers.delete(first);
      this.time = first.at;
      first.fn();
    }
    this.time = end;
  }
}
