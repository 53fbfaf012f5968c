/**
 * What every handler and connection shares: the configuration and the
 * relay's parts (store, broker, sessions, metrics, log), each behind the
 * interface of its layer: nothing here says whether the relay is alone or
 * in a cluster.
 */
import type { SessionLimits } from '@parley/protocol';
import type { Broker } from '../fanout/broker.js';
import type { ClientAddresses } from '../limits/client-address.js';
import type { RelayConfig } from '../config/config.js';
import type { FlushScheduler } from '../fanout/flush-scheduler.js';
import type { Heartbeat } from '../limits/heartbeat.js';
import type { IdFactory } from '../wire/ids.js';
import type { Logger } from '../observability/logger.js';
import type { RateDebts } from '../limits/rate-debts.js';
import type { ReadBudget, Turns } from '../limits/read-budget.js';
import type { RelayMetrics } from '../observability/metrics.js';
import type { Sessions } from '../sessions/sessions.js';
import type { Store } from '../store/store.js';
import type { TokenVerifier } from '../sessions/token.js';

/** The relay's parts, as handlers see them. */
export interface RelayContext {
  readonly config: RelayConfig;
  readonly log: Logger;
  readonly metrics: RelayMetrics;
  readonly store: Store;
  readonly broker: Broker;
  /** Who is who and who is where: nickname claims, resume secrets, presence. */
  readonly sessions: Sessions;
  readonly ids: IdFactory;
  readonly scheduler: FlushScheduler;
  readonly heartbeat: Heartbeat;
  /** Whose address a connection counts under (the client's, behind a trusted proxy). */
  readonly addresses: ClientAddresses;
  /** Drained rate-limit buckets of closed connections, per address, for the next connection from there. */
  readonly rateDebts: RateDebts;
  /** What reading history costs each address (`history`, `members`, replays), shared by its connections. */
  readonly reads: ReadBudget;
  /** Heavy work (pages of history, member lists, replays) one job per event-loop turn. */
  readonly turns: Turns;
  /** Present when `tokenSecret` is set. */
  readonly tokens: TokenVerifier | undefined;
  /** What `welcome.limits` announces. */
  readonly limits: SessionLimits;
  /** Whether a graceful shutdown has begun (new frames are ignored). */
  readonly closing: boolean;
}
