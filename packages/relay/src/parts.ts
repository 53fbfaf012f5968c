/**
 * The relay's data path, assembled: a store, a broker and the sessions, on
 * their own (memory) or shared through Redis, around the local registries
 * that fan-out reads. `createRelay` builds its parts here, and so do the
 * contract suites, so that what they test is what runs.
 */
import { buildCluster, redisPublisher, type ClusterParts, type RedisLink } from './cluster/build.js';
import { invalid, type RelayConfig } from './config/config.js';
import { LocalBroker, type Broker } from './fanout/broker.js';
import { FlushScheduler } from './fanout/flush-scheduler.js';
import type { Logger } from './observability/logger.js';
import type { RelayMetrics } from './observability/metrics.js';
import { Directory } from './sessions/directory.js';
import { LocalSessions } from './sessions/local-sessions.js';
import { RoomRegistry } from './sessions/rooms.js';
import type { Sessions } from './sessions/sessions.js';
import { MemoryStore } from './store/memory-store.js';
import { SqliteStore } from './store/sqlite-store.js';
import { PostgresStore } from './store/postgres-store.js';
import { RoomRetention } from './store/room-retention.js';
import { RetentionJob, type PruningStore } from './store/retention-job.js';
import type { Store } from './store/store.js';
import type { Outbound } from './wire/outbound.js';

/** The parts of the data path, one of each layer. */
export interface DataPath {
  store: Store;
  broker: Broker;
  sessions: Sessions;
  /** Who is in which room on this relay (fan-out reads it). */
  rooms: RoomRegistry;
  /** Who is who on this relay (live or resumable sessions). */
  directory: Directory;
  scheduler: FlushScheduler;
  /** The Redis parts, when the relay shares its state. */
  cluster: ClusterParts | undefined;
  /** Deletes what `retention` no longer keeps, when it is set. */
  retentionJob: RetentionJob | undefined;
  /** Starts what runs in the background (the cluster's heartbeat and control channel). */
  start(): Promise<void>;
  /** Stops every timer and, in a cluster, hands sessions over and closes the connections. */
  stop(): Promise<void>;
}

/** What the data path is built from. */
export interface DataPathBase {
  config: RelayConfig;
  log: Logger;
  metrics: RelayMetrics;
  /** The two Redis connections, when the relay runs in a cluster. */
  link?: RedisLink;
  /**
   * A store of the caller's, or the database store {@link openStore} opened
   * (in a cluster: only one that keeps history outside Redis); default the
   * store `config.store` names (memory: bounded by the retention limits).
   */
  store?: Store;
}

/**
 * @example
 * ```ts
 * const path = buildDataPath({ config, log, metrics });          // one relay, in memory
 * const shared = buildDataPath({ config, log, metrics, link });  // in a cluster
 * await path.start();
 * ```
 */
export function buildDataPath(base: DataPathBase): DataPath {
  const { config, log, metrics, link } = base;
  // rooms report when they gain their first and lose their last local session: to the
  // retention timers (memory) or to the broker, which subscribes only while someone here is in
  let occupancy: { emptied(room: string): void; occupied(room: string): void };
  const rooms = new RoomRegistry(
    (room) => occupancy.emptied(room),
    (room) => occupancy.occupied(room),
  );
  const directory = new Directory();
  const scheduler = new FlushScheduler();
  const delivered = (out: Outbound, count: number): void => {
    if (out.isMessage && count > 0) metrics.countDeliveries(out.envelope.type === 'msg' ? 'room' : 'direct', count);
  };
  let store: Store;
  let broker: Broker;
  let sessions: Sessions;
  let cluster: ClusterParts | undefined;
  let retention: RoomRetention | undefined;
  if (link) {
    cluster = buildCluster(link, { config, log, metrics, rooms, directory, delivered, store: base.store });
    occupancy = cluster.broker;
    ({ store, broker, sessions } = cluster);
  } else {
    store = base.store ?? chosenStore(config);
    if (store.durable) {
      // a durable store keeps a room's history when nobody is in it
      occupancy = { emptied() {}, occupied() {} };
    } else {
      retention = new RoomRetention(store, config.resumeWindowMs, [config.defaultRoom], log, config.maxTotalRooms);
      occupancy = retention;
    }
    broker = new LocalBroker({ inRoom: (room) => rooms.sessions(room), ofUser: (id) => directory.sessionsOf(id) }, scheduler, delivered);
    sessions = new LocalSessions(config, store, rooms, directory, broker, log);
  }
  const retentionJob = pruner(config, store, log);
  return {
    store,
    broker,
    sessions,
    rooms,
    directory,
    scheduler,
    cluster,
    retentionJob,
    async start() {
      await cluster?.start();
      retentionJob?.start();
    },
    async stop() {
      sessions.stop();
      retention?.stop();
      await retentionJob?.stop();
      scheduler.stop();
      await cluster?.stop();
      await store.close?.();
    },
  };
}

/**
 * Opens the store `config.store` names when it must be opened before the
 * data path is built (PostgreSQL: connected and migrated; in a cluster it
 * publishes what it commits through `link`); `undefined` for the others.
 *
 * @example
 * ```ts
 * const store = await openStore(config, log, link);
 * const path = buildDataPath({ config, log, metrics, link, store });
 * ```
 */
export async function openStore(config: RelayConfig, log: Logger, link?: RedisLink): Promise<Store | undefined> {
  if (config.store.kind !== 'postgres') return undefined;
  return PostgresStore.open({
    url: config.store.url,
    published: link && redisPublisher(link, config.redisPrefix, log),
    // one relay: anonymous inboxes its last run left are gone; a cluster drops each when its nickname is claimed afresh
    forgetEphemeral: link === undefined,
  });
}

/**
 * The job applying `config.retention`, when it asks for anything.
 *
 * @throws {ConfigError} when the store cannot apply a policy (it has no `prune`).
 */
function pruner(config: RelayConfig, store: Store, log: Logger): RetentionJob | undefined {
  const { maxAgeMs, maxCount } = config.retention;
  if (maxAgeMs === undefined && maxCount === undefined) return undefined;
  if (!store.prune) throw invalid('retention', 'needs the memory, sqlite or postgres store; this store keeps what its limits keep');
  return new RetentionJob(store as PruningStore, config.retention, { intervalMs: config.retentionIntervalMs }, log);
}

/** The store `config.store` names (single relay). */
function chosenStore(config: RelayConfig): Store {
  const limits = { historyLimit: config.historyLimit, inboxLimit: config.inboxLimit };
  return config.store.kind === 'sqlite' ? new SqliteStore({ path: config.store.path, ...limits }) : new MemoryStore(limits);
}
