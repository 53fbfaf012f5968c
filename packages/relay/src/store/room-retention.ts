/**
 * Keeps the in-memory history of rooms bounded in number: a room nobody is
 * in (not even a session within its resume window) keeps its history for one
 * more resume window, then it is dropped. The default room is kept always.
 */
import type { Logger } from '../observability/logger.js';
import type { Store } from './store.js';

/**
 * @example
 * ```ts
 * const retention = new RoomRetention(store, 120_000, ['lobby'], log);
 * const rooms = new RoomRegistry((r) => retention.emptied(r), (r) => retention.occupied(r));
 * ```
 */
export class RoomRetention {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly keep: ReadonlySet<string>;

  constructor(
    private readonly store: Store,
    private readonly delayMs: number,
    keep: Iterable<string>,
    private readonly log: Logger,
    /** Most rooms waiting at once; one more drops the oldest waiting one at once. */
    private readonly maxPending = Infinity,
  ) {
    this.keep = new Set(keep);
  }

  /** Rooms whose history is waiting to be dropped. */
  get pending(): number {
    return this.timers.size;
  }

  /** The last session left `room`: drop its history after the delay. */
  emptied(room: string): void {
    if (this.keep.has(room) || this.timers.has(room)) return;
    if (this.timers.size >= this.maxPending) {
      // the oldest waiting room goes now: a client resuming into it is told with a gap
      const [oldest, timer] = this.timers.entries().next().value as [string, NodeJS.Timeout];
      clearTimeout(timer);
      this.drop(oldest);
    }
    const timer = setTimeout(() => this.drop(room), this.delayMs);
    timer.unref?.();
    this.timers.set(room, timer);
  }

  private drop(room: string): void {
    this.timers.delete(room);
    void Promise.resolve(this.store.dropRoom(room)).catch((err) => this.log.error({ err, room }, 'dropRoom failed'));
  }

  /** Someone is in `room` again: keep its history. */
  occupied(room: string): void {
    const timer = this.timers.get(room);
    if (timer) clearTimeout(timer);
    this.timers.delete(room);
  }

  /** Cancels every timer (relay shutdown). */
  stop(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
