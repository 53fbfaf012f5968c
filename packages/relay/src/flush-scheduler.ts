/**
 * Coalesces writes: every socket written to during one event-loop turn is
 * flushed once, in a `setImmediate`, so all it received in that turn goes out
 * as one frame.
 */

/** Something with queued bytes to flush. */
export interface Flushable {
  flush(): void;
}

/**
 * @example
 * ```ts
 * const scheduler = new FlushScheduler((n) => metrics.observeFlush(n));
 * scheduler.mark(writer); // writer.flush() runs once, after this turn
 * ```
 */
export class FlushScheduler {
  private dirty = new Set<Flushable>();
  /** The other of two sets, swapped at each flush (no new set per flush); `undefined` while a flush iterates it. */
  private spare: Set<Flushable> | undefined = new Set();
  private scheduled: NodeJS.Immediate | undefined;
  private readonly afterFlush = new Set<() => void>();

  /** Queues `target` for the next flush. */
  mark(target: Flushable): void {
    this.dirty.add(target);
    this.scheduled ??= setImmediate(() => this.flushAll());
  }

  /** Runs `fn` once after the next flush (latency observation). */
  onceFlushed(fn: () => void): void {
    this.afterFlush.add(fn);
    this.scheduled ??= setImmediate(() => this.flushAll());
  }

  /** Flushes everything now (used at shutdown). */
  flushAll(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    const batch = this.dirty;
    this.dirty = this.spare ?? new Set();
    this.spare = undefined;
    try {
      for (const target of batch) target.flush();
    } finally {
      batch.clear();
      this.spare ??= batch;
    }
    if (this.afterFlush.size) {
      const fns = [...this.afterFlush];
      this.afterFlush.clear();
      for (const fn of fns) fn();
    }
  }

  /** Drops pending work (the relay is closed). */
  stop(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    this.dirty.clear();
    this.afterFlush.clear();
  }
}
