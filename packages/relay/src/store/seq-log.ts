/**
 * A bounded log of sequenced items: a ring buffer that keeps the newest
 * `capacity` items, addressed by their `seq` (which grows by exactly one).
 */

/** Missed `seq`s that the log no longer holds, inclusive. */
export interface SeqGap {
  start: number;
  end: number;
}

/** What followed a cursor: a gap when the log no longer reaches back, then the items, oldest first. */
export interface SeqReplay<T> {
  gap?: SeqGap;
  items: T[];
}

/** A page of items, newest first, and whether older ones are retained. */
export interface SeqPage<T> {
  items: T[];
  more: boolean;
}

/**
 * @example
 * ```ts
 * const log = new SeqLog<{ seq: number }>(2);
 * log.push({ seq: log.nextSeq }); log.push({ seq: log.nextSeq }); log.push({ seq: log.nextSeq });
 * log.after(0); // { gap: { start: 1, end: 1 }, items: [{ seq: 2 }, { seq: 3 }] }
 * ```
 */
export class SeqLog<T extends { seq: number }> {
  private items: T[] = [];
  private start = 0;
  /** The newest `seq` ever pushed (0 when none). */
  lastSeq = 0;

  constructor(readonly capacity: number) {}

  /** The `seq` the next item must carry. */
  get nextSeq(): number {
    return this.lastSeq + 1;
  }

  /** The oldest retained `seq` (`lastSeq + 1` when empty). */
  get firstSeq(): number {
    return this.lastSeq - this.items.length + 1;
  }

  get size(): number {
    return this.items.length;
  }

  /** Appends an item carrying {@link nextSeq}; returns the item pushed out, if any. */
  push(item: T): T | undefined {
    if (item.seq !== this.nextSeq) throw new RangeError(`expected seq ${this.nextSeq}, got ${item.seq}`);
    this.lastSeq = item.seq;
    if (this.items.length < this.capacity) {
      this.items.push(item);
      return undefined;
    }
    const evicted = this.items[this.start];
    this.items[this.start] = item;
    this.start = (this.start + 1) % this.capacity;
    return evicted;
  }

  /**
   * Removes the oldest items, up to and including `seq`, and returns them
   * oldest first. What is left still runs without holes up to `lastSeq`, so
   * {@link after} reports the removed ones as a gap.
   */
  dropThrough(seq: number): T[] {
    const n = Math.min(Math.max(0, seq - this.firstSeq + 1), this.items.length);
    if (n === 0) return [];
    const ordered = this.items.slice(this.start).concat(this.items.slice(0, this.start));
    this.items = ordered.slice(n);
    this.start = 0;
    return ordered.slice(0, n);
  }

  /** Calls `fn` on every retained item, oldest first. */
  forEach(fn: (item: T) => void): void {
    for (let s = this.firstSeq; s <= this.lastSeq; s++) fn(this.at(s)!);
  }

  /** The item with this `seq`, if retained. */
  at(seq: number): T | undefined {
    const i = seq - this.firstSeq;
    if (i < 0 || i >= this.items.length) return undefined;
    return this.items[(this.start + i) % this.items.length];
  }

  /**
   * Everything after `since`, oldest first, with a gap when items between
   * `since` and the oldest retained one were dropped. A cursor beyond
   * `lastSeq` (from a log that was dropped and started over) gets everything.
   */
  after(since: number): SeqReplay<T> {
    const first = this.firstSeq;
    const from = since > this.lastSeq ? first : Math.max(since + 1, first);
    const items: T[] = [];
    for (let s = from; s <= this.lastSeq; s++) items.push(this.at(s)!);
    if (since <= this.lastSeq && since + 1 < first) return { gap: { start: since + 1, end: first - 1 }, items };
    return { items };
  }

  /** Up to `limit` items with a `seq` below `before` (default: the newest), newest first. */
  page(before: number | undefined, limit: number): SeqPage<T> {
    const top = Math.min(before === undefined ? this.lastSeq : before - 1, this.lastSeq);
    const bottom = Math.max(this.firstSeq, top - limit + 1);
    const items: T[] = [];
    for (let s = top; s >= bottom; s--) items.push(this.at(s)!);
    return { items, more: top >= this.firstSeq && bottom > this.firstSeq };
  }
}
