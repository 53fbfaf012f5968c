/**
 * Applies a retention policy in the background: every interval, one pass
 * over the store's rooms and inboxes, in steps of bounded work (at most
 * {@link RETENTION_STEP_BUDGET} messages deleted and about as many logs
 * looked at), yielding to the event loop between steps so that clients are
 * served meanwhile.
 */
import type { Logger } from '../observability/logger.js';
import type { RetentionPolicy, Store } from './store.js';

/** Most messages one step deletes (and about the most rooms and inboxes it looks at). */
export const RETENTION_STEP_BUDGET = 500;

/** How a {@link RetentionJob} runs. */
export interface RetentionJobOptions {
  /** Time between passes, ms; the first pass starts at {@link RetentionJob.start}. */
  intervalMs: number;
  /** Work per step. Default {@link RETENTION_STEP_BUDGET}. */
  budget?: number;
  /** The clock. Default `Date.now`. */
  now?: () => number;
}

/** A store that can apply a retention policy. */
export type PruningStore = Store & Required<Pick<Store, 'prune'>>;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * @example
 * ```ts
 * const job = new RetentionJob(store, { maxAgeMs: 30 * 86_400_000 }, { intervalMs: 600_000 }, log);
 * job.start();
 * // ...
 * await job.stop();
 * ```
 */
export class RetentionJob {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = false;
  private readonly budget: number;
  private readonly now: () => number;

  constructor(
    private readonly store: PruningStore,
    private readonly policy: RetentionPolicy,
    private readonly options: RetentionJobOptions,
    private readonly log: Logger,
  ) {
    this.budget = options.budget ?? RETENTION_STEP_BUDGET;
    this.now = options.now ?? Date.now;
  }

  /** Starts the first pass now and one every interval after it. */
  start(): void {
    if (this.timer || this.stopped) return;
    void this.run();
    this.timer = setInterval(() => void this.run(), this.options.intervalMs);
    this.timer.unref?.();
  }

  /**
   * One pass (or the one already running): steps until the store says it
   * is done. Answers the messages deleted. A failed step (the store refuses
   * writes) ends the pass; the next interval tries again.
   */
  run(): Promise<number> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Stops the timer and waits for a pass in progress to end at its next step. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private async pass(): Promise<number> {
    const started = Date.now();
    let deleted = 0;
    let steps = 0;
    try {
      for (;;) {
        const step = await this.store.prune(this.policy, this.now(), this.budget);
        deleted += step.deleted;
        steps++;
        if (step.done || this.stopped) break;
        await nextTurn();
        if (this.stopped) break;
      }
    } catch (err) {
      this.log.warn({ err, deleted, steps }, 'retention pass stopped: the store refused a step');
      return deleted;
    }
    if (deleted > 0) this.log.info({ deleted, steps, ms: Date.now() - started }, 'retention pass deleted old messages');
    return deleted;
  }
}
