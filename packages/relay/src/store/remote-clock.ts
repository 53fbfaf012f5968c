/**
 * Another machine's wall clock (Redis's, the database's), read through the
 * answers it gives, so that a write can carry a deadline in the clock that
 * checks it. No clock is assumed to agree with the relay's.
 *
 * Each sample is a request sent at local time `sent` whose answer, read at
 * `received`, said the remote clock was `remote`. The remote read its clock
 * somewhere between the two, so its offset from the local clock is at least
 * `remote - received`. The clock keeps the largest such lower bound among
 * the samples of the last {@link REMOTE_CLOCK_WINDOW_MS} (the latest sample
 * when none is that recent): {@link RemoteClock.now} is never ahead of the
 * remote clock by more than the remote's own steps and drift since, and is
 * behind it by at most the shortest round trip of the window. Local time is
 * monotonic (`performance.now()`), so the relay's own clock steps do not
 * count.
 */
import { performance } from 'node:perf_hooks';

/** How long a sample of a remote clock is trusted as the tightest bound, ms (a remote clock that steps back is followed within this). */
export const REMOTE_CLOCK_WINDOW_MS = 30_000;

interface Sample {
  /** Local time the answer came in. */
  at: number;
  /** Lower bound of the remote clock minus the local one. */
  lo: number;
}

/**
 * @example
 * ```ts
 * const clock = new RemoteClock();
 * const sent = clock.local();
 * const [s, us] = await redis.time();
 * clock.sample(sent, Number(s) * 1000 + Math.floor(Number(us) / 1000), clock.local());
 * const deadline = clock.now()! + 1500; // in Redis's clock
 * ```
 */
export class RemoteClock {
  private samples: Sample[] = [];

  constructor(
    private readonly windowMs = REMOTE_CLOCK_WINDOW_MS,
    /** The local monotonic clock, ms. */
    readonly local: () => number = () => performance.now(),
  ) {}

  /** Whether a sample was taken: {@link now} answers. */
  get known(): boolean {
    return this.samples.length > 0;
  }

  /** Records an answer: sent at local `sent`, read at local `received`, saying the remote clock was `remote` (ms since the epoch). */
  sample(sent: number, remote: number, received: number): void {
    if (!Number.isFinite(remote) || received < sent) return;
    const oldest = received - this.windowMs;
    this.samples = this.samples.filter((s) => s.at >= oldest);
    this.samples.push({ at: received, lo: remote - received });
  }

  /** The remote clock now (ms since the epoch), never ahead of it; `undefined` before the first sample. */
  now(): number | undefined {
    const at = this.local();
    const recent = this.samples.filter((s) => s.at >= at - this.windowMs);
    const pool = recent.length ? recent : this.samples.slice(-1);
    if (!pool.length) return undefined;
    return at + Math.max(...pool.map((s) => s.lo));
  }
}
