/**
 * What reading history costs, per client address: a token bucket counted
 * in messages, shared by every connection from the address. A `history`
 * page costs the messages it asks for, a `members` list a fixed amount, and
 * a replay (a resume, a `hello` or `join` with `since`) what it sent, after
 * the fact (the address may run into debt; its next reads wait until it is
 * repaid). So many connections from one address asking for large pages get
 * the same reading rate as one, and cannot take the relay's time from
 * everyone else. Nothing is kept for an address whose bucket is full.
 */

/** What a `members` list costs, in messages. */
export const MEMBERS_READ_COST = 50;
/** Addresses tracked past which full buckets are swept away at the next charge. */
const SWEEP_AT = 10_000;

interface Bucket {
  /** Messages that may be read now (negative: owed). */
  level: number;
  /** When `level` was last brought up to date, ms (monotonic). */
  at: number;
}

/**
 * @example
 * ```ts
 * const reads = new ReadBudget(2000, 1000);
 * if (!reads.take(conn.address, limit)) return conn.fail(ErrorCode.RateLimited, `Reading too fast; retry in ${reads.waitMs(conn.address, limit)} ms.`, m.qid);
 * reads.charge(conn.address, replayed); // after a replay
 * ```
 */
export class ReadBudget {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Addresses with a bucket that is not full. */
  get size(): number {
    return this.buckets.size;
  }

  /** Whether `address` may read `cost` messages now; if so they are spent. A cost larger than the burst is taken from a full bucket. */
  take(address: string, cost: number): boolean {
    const b = this.current(address);
    if (b.level < Math.min(cost, this.burst)) return false;
    this.spend(address, b, cost);
    return true;
  }

  /** Spends `cost` messages already read (a replay): the bucket may go into debt. */
  charge(address: string, cost: number): void {
    if (cost > 0) this.spend(address, this.current(address), cost);
  }

  /** How long until `address` may read `cost` messages, ms. */
  waitMs(address: string, cost: number): number {
    const missing = Math.min(cost, this.burst) - this.current(address).level;
    return missing <= 0 ? 0 : Math.ceil((missing / this.perSecond) * 1000);
  }

  /** Forgets every address (relay shutdown). */
  clear(): void {
    this.buckets.clear();
  }

  private current(address: string): Bucket {
    const now = this.now();
    const b = this.buckets.get(address);
    if (!b) return { level: this.burst, at: now };
    b.level = Math.min(this.burst, b.level + ((now - b.at) / 1000) * this.perSecond);
    b.at = now;
    return b;
  }

  private spend(address: string, b: Bucket, cost: number): void {
    b.level -= cost;
    if (!this.buckets.has(address)) {
      if (this.buckets.size >= SWEEP_AT) this.sweep();
      this.buckets.set(address, b);
    }
  }

  /** Drops the buckets that have filled up again: they hold nothing a fresh one would not. */
  private sweep(): void {
    for (const [address] of this.buckets) if (this.current(address).level >= this.burst) this.buckets.delete(address);
  }
}

/**
 * Heavy work (a history page, a member list, a page of a replay) takes
 * turns: one job per turn of the event loop, so that the I/O of everyone
 * else is handled between two of them, however many arrive at once.
 *
 * @example
 * ```ts
 * await ctx.turns.next(); // then read and write the page
 * ```
 */
export class Turns {
  private readonly waiting: Array<() => void> = [];
  private scheduled = false;
  private readonly run = (): void => {
    this.scheduled = false;
    this.waiting.shift()?.();
    // scheduled from within this turn's immediates: the next job runs in the next turn, after its I/O
    if (this.waiting.length) this.schedule();
  };

  /** Jobs waiting for their turn. */
  get size(): number {
    return this.waiting.length;
  }

  /** Resolves at this job's turn. */
  next(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.run);
  }
}
