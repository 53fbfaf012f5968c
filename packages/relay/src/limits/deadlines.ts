/**
 * One timer for many deadlines (hello timeouts, token expiries): a binary
 * min-heap of due times under a single `setTimeout` armed for the earliest.
 * A connection costs one small entry while it has a deadline, instead of a
 * `Timeout` object, its closure and a libuv timer-list node each.
 */

/** Longest delay `setTimeout` accepts, ms. */
export const MAX_TIMER_MS = 2_147_483_647;

/** Something a {@link Deadlines} heap tells when its deadline passes. */
export interface Expiring<W extends string = string> {
  /** The deadline named `what` passed (called once, never before it was due). */
  expired(what: W): void;
}

/** A pending deadline; keep it to {@link Deadlines.cancel} it. */
export class Deadline<W extends string = string> {
  /** Position in the heap, -1 once fired or cancelled. */
  slot = -1;

  constructor(
    /** Due time, `performance.now()` ms. */
    readonly at: number,
    readonly target: Expiring<W>,
    readonly what: W,
  ) {}
}

/**
 * @example
 * ```ts
 * const deadlines = new Deadlines();
 * const d = deadlines.after(10_000, conn, 'hello_timeout'); // conn.expired('hello_timeout') in 10 s
 * deadlines.cancel(d); // hello arrived
 * ```
 */
export class Deadlines {
  private readonly heap: Deadline<string>[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** When the armed timer fires (`performance.now()` ms), `Infinity` when none is armed. */
  private timerAt = Infinity;
  private stopped = false;

  /** Pending deadlines. */
  get size(): number {
    return this.heap.length;
  }

  /** Calls `target.expired(what)` once, `ms` from now and never earlier, unless cancelled first. */
  after<W extends string>(ms: number, target: Expiring<W>, what: W): Deadline<W> {
    const d = new Deadline(performance.now() + Math.max(0, ms), target, what);
    if (this.stopped) return d;
    d.slot = this.heap.length;
    this.heap.push(d);
    this.up(d.slot);
    if (d.at < this.timerAt) this.arm();
    return d;
  }

  /** Forgets a deadline (nothing happens when it already fired or was cancelled). */
  cancel(d: Deadline<string> | undefined): void {
    if (!d || d.slot < 0) return;
    const heap = this.heap;
    const i = d.slot;
    d.slot = -1;
    const last = heap.pop()!;
    if (last !== d) {
      heap[i] = last;
      last.slot = i;
      this.down(i);
      this.up(last.slot);
    }
    if (heap.length === 0) this.disarm();
  }

  /** Drops every deadline and the timer (relay shutdown). */
  stop(): void {
    this.stopped = true;
    for (const d of this.heap) d.slot = -1;
    this.heap.length = 0;
    this.disarm();
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const heap = this.heap;
    try {
      // The timer may fire a little before the earliest is due (timers count from the loop's
      // cached clock): anything not yet due waits for the timer armed below.
      while (heap.length > 0 && heap[0]!.at <= performance.now()) {
        const d = heap[0]!;
        this.cancel(d);
        d.target.expired(d.what);
      }
    } finally {
      if (heap.length > 0 && !this.timer) this.arm();
    }
  }

  private arm(): void {
    this.disarm();
    if (this.stopped || this.heap.length === 0) return;
    const now = performance.now();
    const delay = Math.min(MAX_TIMER_MS, Math.max(1, Math.ceil(this.heap[0]!.at - now)));
    this.timerAt = now + delay;
    this.timer = setTimeout(() => this.fire(), delay);
    this.timer.unref?.();
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  private up(i: number): void {
    const heap = this.heap;
    const d = heap[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = heap[p]!;
      if (parent.at <= d.at) break;
      heap[i] = parent;
      parent.slot = i;
      i = p;
    }
    heap[i] = d;
    d.slot = i;
  }

  private down(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    const d = heap[i]!;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && heap[c + 1]!.at < heap[c]!.at) c++;
      const child = heap[c]!;
      if (d.at <= child.at) break;
      heap[i] = child;
      child.slot = i;
      i = c;
    }
    heap[i] = d;
    d.slot = i;
  }
}
