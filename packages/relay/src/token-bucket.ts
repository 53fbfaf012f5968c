/** The default clock, one function for every bucket (not a bound function each). */
const clock = (): number => performance.now();

/**
 * A token bucket: up to `burst` envelopes at once, then `perSecond` on average.
 *
 * @example
 * ```ts
 * const bucket = new TokenBucket(30, 10);
 * if (!bucket.take()) refuse(ErrorCode.RateLimited);
 * ```
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    private readonly now: () => number = clock,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Takes one token; `false` when the bucket is empty (the envelope must be refused). */
  take(): boolean {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) * this.perSecond) / 1000);
    this.last = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
