/**
 * This relay as a member of the cluster: it refreshes its heartbeat key
 * (expiring after `nodeTtlMs`) every third of that time, and on the same
 * beat sweeps for relays whose key expired. A dead relay's sessions become
 * orphans: they can be taken back on any relay for one resume window, as if
 * their connections had dropped; those nobody takes back are ended, and
 * their rooms hear them leave. Any relay may do the sweeping; each step is
 * one script, so two relays never sweep the same thing twice.
 *
 * After an outage (or when this relay finds its own key gone, i.e. the
 * others declared it dead), it reconciles: it takes back its orphaned
 * sessions and lets go of those that ended or moved meanwhile.
 */
import type { ClusterSessions } from './cluster-sessions.js';
import type { Logger } from '../observability/logger.js';
import type { RedisHealth } from './redis-health.js';
import type { RunScript } from './redis-scripts.js';
import { queued } from './redis-store.js';

/** Orphans ended per script call; a sweep repeats it a few times when more are due. */
export const REAP_BATCH = 500;
/** Batches one sweep may reap. */
const REAP_BATCHES = 10;

/** What the node needs to know. */
export interface ClusterNodeOptions {
  prefix: string;
  node: string;
  nodeTtlMs: number;
  resumeWindowMs: number;
  defaultRoom: string;
}

/** What a {@link ClusterNode} reports for metrics. */
export interface NodeEvents {
  /** Relays alive after a sweep (this one included). */
  nodes(live: number): void;
  /** Relays declared dead by this one. */
  dead(count: number): void;
  /** Orphaned sessions ended by this one. */
  reaped(count: number): void;
}

/**
 * @example
 * ```ts
 * const node = new ClusterNode(run, sessions, health, log, events, { prefix: 'parley:', node: 'n_1', nodeTtlMs: 15000, resumeWindowMs: 120000, defaultRoom: 'lobby' });
 * await node.start();
 * // ...
 * await node.stop(); // graceful: sessions become orphans at once, resumable elsewhere
 * ```
 */
export class ClusterNode {
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private reconcileDue = false;
  private busy = false;

  constructor(
    private readonly run: RunScript,
    private readonly sessions: ClusterSessions,
    private readonly health: RedisHealth,
    private readonly log: Logger,
    private readonly events: NodeEvents,
    private readonly options: ClusterNodeOptions,
  ) {
    health.onChange((up) => {
      if (!up) return;
      this.reconcileDue = true;
      void this.tick();
    });
  }

  /** How often the heartbeat is refreshed and dead relays are swept, ms. */
  get intervalMs(): number {
    return Math.max(100, Math.floor(this.options.nodeTtlMs / 3));
  }

  /** Announces this relay and starts beating. */
  async start(): Promise<void> {
    await this.beat();
    this.started = true;
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref?.();
    void this.tick();
  }

  /** One beat: refresh the heartbeat, reconcile when needed, sweep dead relays, end due orphans. */
  async tick(): Promise<void> {
    if (this.busy || !this.health.available) return;
    this.busy = true;
    try {
      const existed = await this.beat();
      if (!existed && this.started) {
        this.log.warn({ node: this.options.node }, 'this relay was declared dead meanwhile; reconciling its sessions');
        this.reconcileDue = true;
      }
      if (this.reconcileDue) {
        this.reconcileDue = false;
        await this.reconcile();
      }
      await this.sweep();
    } catch (err) {
      this.log.debug({ err: String(err) }, 'cluster beat failed');
    } finally {
      this.busy = false;
    }
  }

  /** Stops beating and hands every session over as an orphan (graceful shutdown). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    const { prefix, node, resumeWindowMs } = this.options;
    if (!this.health.available) return;
    await queued(() => this.run('parleyRelease', prefix, node, Date.now(), resumeWindowMs)).catch((err: unknown) =>
      this.log.warn({ err: String(err) }, 'handing sessions over failed; the others will sweep them'),
    );
  }

  private async beat(): Promise<boolean> {
    const { prefix, node, nodeTtlMs } = this.options;
    return (await queued(() => this.run('parleyBeat', prefix, node, nodeTtlMs))) === 1;
  }

  private async reconcile(): Promise<void> {
    const { prefix, node, resumeWindowMs } = this.options;
    const flat = (await queued(() => this.run('parleyReconcile', prefix, node, Date.now(), resumeWindowMs, ...this.sessions.held))) as string[];
    const lost: Array<[string, 'gone' | 'moved']> = [];
    for (let i = 0; i + 1 < flat.length; i += 2) lost.push([flat[i]!, flat[i + 1] as 'gone' | 'moved']);
    if (lost.length) this.log.warn({ sessions: lost.length }, 'sessions ended or moved while this relay was cut off');
    await this.sessions.reconcile(lost);
  }

  private async sweep(): Promise<void> {
    const { prefix, resumeWindowMs, defaultRoom } = this.options;
    const [dead, live] = (await queued(() => this.run('parleySweep', prefix, Date.now(), resumeWindowMs))) as [number, number];
    this.events.nodes(live);
    if (dead > 0) {
      this.events.dead(dead);
      this.log.warn({ dead }, 'relays stopped beating; their sessions can be resumed elsewhere until the resume window ends');
    }
    for (let i = 0; i < REAP_BATCHES; i++) {
      const n = (await queued(() => this.run('parleyReap', prefix, Date.now(), defaultRoom, resumeWindowMs, REAP_BATCH))) as number;
      if (n > 0) this.events.reaped(n);
      if (n < REAP_BATCH) break;
    }
  }
}
