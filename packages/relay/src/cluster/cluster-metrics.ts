/**
 * Metrics a relay exports only when it runs with Redis, in the relay's own
 * registry next to the others (see the README's "Scale-out" section).
 */
import { Counter, Gauge } from 'prom-client';
import type { RelayMetrics } from '../observability/metrics.js';

/** Live values the cluster gauges read when scraped. */
export interface ClusterSources {
  redisUp: () => boolean;
  subscriptions: () => number;
}

/**
 * @example
 * ```ts
 * const m = new ClusterMetrics(metrics, { redisUp: () => health.available, subscriptions: () => broker.subscriptions });
 * m.dead.inc();
 * ```
 */
export class ClusterMetrics {
  /** Relays alive at the last sweep. */
  readonly nodes: Gauge;
  /** Messages fetched from history to fill holes in the subscription stream. */
  readonly repaired: Counter;
  /** Relays this one declared dead. */
  readonly dead: Counter;
  /** Sessions of dead relays this one ended after nobody took them back. */
  readonly reaped: Counter;

  constructor(metrics: RelayMetrics, sources: ClusterSources) {
    const registers = [metrics.registry];
    new Gauge({ name: 'parley_redis_up', help: 'Whether Redis is reachable (1) or not (0).', registers, collect() { this.set(sources.redisUp() ? 1 : 0); } });
    new Gauge({ name: 'parley_cluster_subscriptions', help: 'Redis channels this relay subscribes to.', registers, collect() { this.set(sources.subscriptions()); } });
    this.nodes = new Gauge({ name: 'parley_cluster_nodes', help: 'Relays alive at the last sweep, this one included.', registers });
    this.repaired = new Counter({ name: 'parley_cluster_repaired_total', help: 'Messages read from history to fill holes in the subscription stream.', registers });
    this.dead = new Counter({ name: 'parley_cluster_dead_nodes_total', help: 'Relays this one declared dead.', registers });
    this.reaped = new Counter({ name: 'parley_cluster_orphans_ended_total', help: 'Sessions of dead relays this one ended after their resume window.', registers });
  }
}
