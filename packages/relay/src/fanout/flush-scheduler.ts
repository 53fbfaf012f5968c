/**
 * Coalesces writes: every socket written to while the relay handles one I/O
 * event (a read from a socket or from Redis, with the promise jobs it starts)
 * is flushed once, right after, in a `process.nextTick`, so all it received
 * from that event goes out as one frame.
 *
 * Flushing there rather than in a later phase of the event loop
 * (`setImmediate`) means no other work can come between handling a message
 * and writing it: in particular not the garbage-collection tasks that V8
 * posts while a broadcast allocates, which, run before a `setImmediate`
 * flush, delayed one message in a hundred by milliseconds (docs/benchmarks.md).
 */

import { joinedTextFrame } from '../wire/ws-frame.js';
import type { Flushable } from './flushable.js';
import type { RoomBatch } from './room-batch.js';

/**
 * @example
 * ```ts
 * const scheduler = new FlushScheduler();
 * scheduler.mark(writer); // writer.flush() runs once, when this event's handling is done
 * ```
 */
export class FlushScheduler {
  /**
   * The room broadcast waiting for this flush, if any (at most one: see
   * {@link RoomBatch}). Writers read it to take its envelopes before anything
   * else they are sent; the broker sets and clears it.
   */
  batch: RoomBatch | null = null;
  /**
   * What to flush, in the order marked: `dirty[0..count)`. A writer marks
   * itself only when its queue goes from empty to not, so there are no
   * repeats to weed out; a plain array that keeps its capacity costs no
   * allocation per broadcast (a `Set` rebuilt its table every time).
   */
  private dirty: Array<Flushable | undefined> = [];
  private count = 0;
  /** The other of two arrays, swapped at each flush; `undefined` while a flush iterates it. */
  private spare: Array<Flushable | undefined> | undefined = [];
  private scheduled = false;
  private afterFlush: Array<() => void> = [];
  /** The last frame joined in this flush, and what it was joined from. */
  private lastParts: readonly Buffer[] | null = null;
  private lastFrame: Buffer | null = null;
  private readonly run = (): void => {
    if (this.scheduled) this.flushAll();
  };

  /** Queues `target` for the next flush. */
  mark(target: Flushable): void {
    this.dirty[this.count++] = target;
    this.schedule();
  }

  /** Runs `fn` once after the next flush (latency observation, delivery checks). */
  onceFlushed(fn: () => void): void {
    this.afterFlush.push(fn);
    this.schedule();
  }

  /**
   * `parts` joined into one text frame (see {@link joinedTextFrame}). The
   * members of a room get the same envelopes in the same order, so the
   * frame made for one is handed to the next whose queue holds the very
   * same buffers: a comparison per envelope instead of a copy per member.
   */
  joinedFrame(parts: readonly Buffer[]): Buffer {
    const last = this.lastParts;
    if (last !== null && last.length === parts.length) {
      let same = true;
      for (let i = 0; i < parts.length && same; i++) same = last[i] === parts[i];
      if (same) return this.lastFrame!;
    }
    this.lastParts = parts;
    return (this.lastFrame = joinedTextFrame(parts));
  }

  /** Flushes everything now (also used at shutdown). */
  flushAll(): void {
    this.scheduled = false;
    const marked = this.dirty;
    const n = this.count;
    this.dirty = this.spare ?? [];
    this.count = 0;
    this.spare = undefined;
    try {
      for (let i = 0; i < n; i++) marked[i]!.flush();
    } finally {
      marked.fill(undefined, 0, n);
      this.spare ??= marked;
      this.lastParts = this.lastFrame = null;
    }
    if (this.afterFlush.length) {
      const fns = this.afterFlush;
      this.afterFlush = [];
      for (const fn of fns) fn();
    }
  }

  /** Drops pending work (the relay is closed). */
  stop(): void {
    this.scheduled = false;
    this.batch = null;
    this.dirty.fill(undefined, 0, this.count);
    this.count = 0;
    this.afterFlush = [];
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    process.nextTick(this.run);
  }
}
