/**
 * What every connection handler shares: the configuration and the relay's
 * parts (store, broker, rooms, directory, metrics, log).
 */
import type { SessionLimits } from '@parley/protocol';
import type { Broker } from './broker.js';
import type { ClientAddresses } from './client-address.js';
import type { ClusterHub } from './cluster-hub.js';
import type { RelayConfig } from './config.js';
import type { Directory } from './directory.js';
import type { FlushScheduler } from './flush-scheduler.js';
import type { Heartbeat } from './heartbeat.js';
import type { Hub } from './hub.js';
import type { IdFactory } from './ids.js';
import type { Logger } from './logger.js';
import type { RateDebts } from './rate-debts.js';
import type { RelayMetrics } from './metrics.js';
import type { RoomRegistry } from './rooms.js';
import type { Store } from './store.js';
import type { TokenVerifier } from './token.js';

/** The relay's parts, as handlers see them. */
export interface RelayContext {
  readonly config: RelayConfig;
  readonly log: Logger;
  readonly metrics: RelayMetrics;
  readonly store: Store;
  readonly broker: Broker;
  readonly rooms: RoomRegistry;
  readonly directory: Directory;
  readonly hub: Hub;
  /** The same hub when the relay runs with Redis: cluster-wide identity and presence. */
  readonly cluster: ClusterHub | undefined;
  readonly ids: IdFactory;
  readonly scheduler: FlushScheduler;
  readonly heartbeat: Heartbeat;
  /** Whose address a connection counts under (the client's, behind a trusted proxy). */
  readonly addresses: ClientAddresses;
  /** Drained rate-limit buckets of closed connections, per address, for the next connection from there. */
  readonly rateDebts: RateDebts;
  /** Present when `tokenSecret` is set. */
  readonly tokens: TokenVerifier | undefined;
  /** What `welcome.limits` announces. */
  readonly limits: SessionLimits;
  /** Whether a graceful shutdown has begun (new frames are ignored). */
  readonly closing: boolean;
}
