/**
 * The relay's Prometheus metrics, in a registry of its own (several relays
 * can run in one process). Served at `GET /metrics`.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Upper bounds of the delivery-latency histogram, in seconds. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** Increments a labelled counter; label children are looked up once and reused (hot path). */
export type Count = (label: string, by?: number) => void;

function cached(counter: Counter<string>): Count {
  const children = new Map<string, { inc(by?: number): void }>();
  return (label, by = 1) => {
    let c = children.get(label);
    if (!c) children.set(label, (c = counter.labels(label)));
    c.inc(by);
  };
}

/** Live values the gauges read when scraped. */
export interface MetricSources {
  connections: () => number;
  rooms: () => number;
  sessions: () => number;
}

/**
 * @example
 * ```ts
 * const metrics = new RelayMetrics({ connections: () => n, rooms: () => r, sessions: () => s });
 * metrics.errors.labels('bad_json').inc();
 * res.end(await metrics.registry.metrics());
 * ```
 */
export class RelayMetrics {
  readonly registry = new Registry();
  /** Envelopes received from clients (valid or not), and plain seed frames. */
  readonly messagesIn: Counter<'kind'>;
  /**
   * Envelopes written to sockets: a plain number on the hot path (a write to
   * every recipient), read into `parley_messages_out_total` at each scrape.
   */
  messagesOut = 0;
  /** WebSocket frames written (fewer than envelopes when batched); read into `parley_frames_out_total` at each scrape. */
  framesOut = 0;
  /** Chat messages (`msg`, `direct`) handed to a recipient session. */
  readonly deliveries: Counter<'kind'>;
  /** Envelopes not delivered or not processed, by reason. */
  readonly drops: Counter<'reason'>;
  /** Connections closed, by reason. */
  readonly closes: Counter<'reason'>;
  /** Error envelopes sent, by code. */
  readonly errors: Counter<'code'>;
  /** Accepted chat messages, by kind (`room`, `direct`). */
  readonly accepted: Counter<'kind'>;
  /** Time from receiving a message to writing it to every local recipient. */
  readonly latency: Histogram;
  /** Counts an envelope received, by kind. */
  readonly countIn: Count;
  /** Counts deliveries, by kind. */
  readonly countDeliveries: Count;
  /** Counts accepted messages, by kind. */
  readonly countAccepted: Count;

  constructor(sources: MetricSources) {
    const registers = [this.registry];
    new Gauge({ name: 'parley_connections', help: 'Open WebSocket connections.', registers, collect() { this.set(sources.connections()); } });
    new Gauge({ name: 'parley_rooms', help: 'Rooms with at least one session.', registers, collect() { this.set(sources.rooms()); } });
    new Gauge({ name: 'parley_sessions', help: 'Sessions, live or within their resume window.', registers, collect() { this.set(sources.sessions()); } });
    this.messagesIn = new Counter({ name: 'parley_messages_in_total', help: 'Envelopes and plain frames received, by kind.', labelNames: ['kind'], registers });
    const self = this;
    let messagesSeen = 0;
    let framesSeen = 0;
    new Counter({ name: 'parley_messages_out_total', help: 'Envelopes written to sockets.', registers, collect() { this.inc(self.messagesOut - messagesSeen); messagesSeen = self.messagesOut; } });
    new Counter({ name: 'parley_frames_out_total', help: 'WebSocket frames written to sockets.', registers, collect() { this.inc(self.framesOut - framesSeen); framesSeen = self.framesOut; } });
    this.accepted = new Counter({ name: 'parley_messages_accepted_total', help: 'Chat messages accepted and stored, by kind.', labelNames: ['kind'], registers });
    this.deliveries = new Counter({ name: 'parley_deliveries_total', help: 'Chat messages handed to recipient sessions, by kind.', labelNames: ['kind'], registers });
    this.drops = new Counter({ name: 'parley_drops_total', help: 'Envelopes dropped, by reason.', labelNames: ['reason'], registers });
    this.closes = new Counter({ name: 'parley_closes_total', help: 'Connections closed, by reason.', labelNames: ['reason'], registers });
    this.errors = new Counter({ name: 'parley_errors_total', help: 'Error envelopes sent, by code.', labelNames: ['code'], registers });
    this.latency = new Histogram({
      name: 'parley_delivery_latency_seconds',
      help: 'Time from receiving a chat message to writing it to every local recipient.',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.countIn = cached(this.messagesIn);
    this.countDeliveries = cached(this.deliveries);
    this.countAccepted = cached(this.accepted);
  }
}
