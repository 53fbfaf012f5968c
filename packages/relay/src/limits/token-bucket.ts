/**
 * Token buckets: up to `burst` envelopes at once, then `perSecond` on
 * average. The state is one number, the time at which the bucket is full
 * again (GCRA's "theoretical arrival time", an exact equivalent of counting
 * fractional tokens), so a connection can keep it in a field of its own
 * ({@link takeToken}) instead of an object.
 */

/** The default clock, one function for every bucket (not a bound function each). */
const clock = (): number => performance.now();

/**
 * Takes one token from the bucket that is full at `fullAt` (ms, same clock as
 * `now`; at or before `now` means full). Answers the bucket's new `fullAt`,
 * or `-1` when it holds less than one token (the envelope must be refused;
 * the bucket is unchanged).
 *
 * @example
 * ```ts
 * const next = takeToken(this.fullAt, performance.now(), 30, 10);
 * if (next < 0) refuse(ErrorCode.RateLimited);
 * else this.fullAt = next;
 * ```
 */
export function takeToken(fullAt: number, now: number, burst: number, perSecond: number): number {
  const interval = 1000 / perSecond;
  const from = fullAt > now ? fullAt : now;
  // tokens held = burst - (from - now) / interval; one must be left to take
  if (from - now > (burst - 1) * interval) return -1;
  return from + interval;
}

/**
 * @example
 * ```ts
 * const bucket = new TokenBucket(30, 10);
 * if (!bucket.take()) refuse(ErrorCode.RateLimited);
 * ```
 */
export class TokenBucket {
  private state: number;

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    private readonly now: () => number = clock,
  ) {
    this.state = now();
  }

  /** When the bucket is full again (same clock as `now`; at or before now means full). */
  get fullAt(): number {
    return this.state;
  }

  /** Starts from a bucket that is full only at `fullAt` (when that is later than this one's; see RateDebts). */
  owe(fullAt: number): void {
    if (fullAt > this.state) this.state = fullAt;
  }

  /** Ms until {@link take} can succeed: 0 when the bucket holds a token now. */
  get waitMs(): number {
    const interval = 1000 / this.perSecond;
    return Math.max(0, this.state - (this.burst - 1) * interval - this.now());
  }

  /** Takes one token; `false` when the bucket is empty (the envelope must be refused). */
  take(): boolean {
    const next = takeToken(this.state, this.now(), this.burst, this.perSecond);
    if (next < 0) return false;
    this.state = next;
    return true;
  }
}
