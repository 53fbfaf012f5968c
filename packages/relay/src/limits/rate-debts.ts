/**
 * The rate limit outlives the connection. Each connection has its own token
 * bucket, but a client that closes and reconnects must not get a fresh burst
 * each time: when a connection from an address ends with its bucket not yet
 * full again, the address keeps the bucket's state (when it will be full,
 * see {@link takeToken}), and the next connection from that address starts
 * its session with that bucket instead of a full one. Concurrent connections
 * from one address (users behind one NAT) still have a bucket each; only a
 * connection that follows a drained one inherits the drain, for at most
 * `rateBurst / ratePerSecond` seconds (3 s by default).
 *
 * Memory is bounded: an entry lives only until its bucket would be full, and
 * at most {@link MAX_RATE_DEBTS} addresses are remembered (the oldest entry
 * goes first).
 */
import type { takeToken } from './token-bucket.js';

/** Addresses whose drained buckets are remembered at once. */
export const MAX_RATE_DEBTS = 65_536;

/** Expired entries dropped, at most, on each {@link RateDebts.record}. */
const PRUNE_PER_RECORD = 4;

/**
 * @example
 * ```ts
 * const debts = new RateDebts();
 * debts.record('203.0.113.7', conn.bucketFullAt, performance.now()); // its socket closed
 * const fullAt = Math.max(performance.now(), debts.fullAt('203.0.113.7', performance.now())); // next connection
 * ```
 */
export class RateDebts {
  /** Address → when its bucket is full again; oldest write first. */
  private readonly debts = new Map<string, number>();

  constructor(private readonly max = MAX_RATE_DEBTS) {}

  /** Addresses remembered now. */
  get size(): number {
    return this.debts.size;
  }

  /** A connection from `ip` ended with its bucket full again at `fullAt`; nothing is kept when it already is. */
  record(ip: string, fullAt: number, now: number): void {
    this.prune(now);
    if (fullAt <= now) return;
    const known = this.debts.get(ip);
    if (known !== undefined) {
      this.debts.delete(ip);
      if (known > fullAt) fullAt = known;
    } else if (this.debts.size >= this.max) {
      this.debts.delete(this.debts.keys().next().value!);
    }
    this.debts.set(ip, fullAt);
  }

  /** When the bucket of `ip`'s last drained connection is full again; `0` when none is owed. */
  fullAt(ip: string, now: number): number {
    const at = this.debts.get(ip);
    if (at === undefined) return 0;
    if (at > now) return at;
    this.debts.delete(ip);
    return 0;
  }

  /** Forgets everything (relay shutdown). */
  clear(): void {
    this.debts.clear();
  }

  /** Drops a few expired entries from the oldest end. */
  private prune(now: number): void {
    let n = 0;
    for (const [ip, at] of this.debts) {
      if (n++ >= PRUNE_PER_RECORD) return;
      if (at <= now) this.debts.delete(ip);
    }
  }
}
