/**
 * `@parley/relay`: the reference relay server.
 *
 * @example
 * ```ts
 * import { createRelay } from '@parley/relay';
 * const relay = await createRelay({ port: 8080 });
 * console.log(relay.url, relay.wsUrl);
 * process.on('SIGTERM', () => relay.close().then(() => process.exit(0)));
 * ```
 */
export { createRelay, type RelayHandle, type RelayParts } from './relay.js';
export { ConfigError, resolveConfig, type RelayConfig } from './config/config.js';
export {
  CLI_DEFAULT_STORE,
  DEFAULT_DATA_DIR,
  DEFAULT_HOST,
  DEFAULT_NODE_TTL_MS,
  DEFAULT_PORT,
  DEFAULT_REDIS_PREFIX,
  DEFAULT_ROOM,
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
  OPTION_SPECS,
  envOf,
  flagOf,
  type LogLevel,
  type OptionSpec,
  type RelayOptions,
} from './config/options.js';
export { MemoryStore, type MemoryStoreOptions } from './store/memory-store.js';
export { SQLITE_SCHEMA_VERSION, SchemaTooNewError, SqliteStore, type SqliteStoreOptions } from './store/sqlite-store.js';
export { UnavailableError } from './store/errors.js';
export type { Store, AckInfo, RoomAppend, DirectAppend, Replay, Page, RoomHead, Awaitable } from './store/store.js';
export type { RetentionPolicy, PruneStep, UserExport, EraseResult } from './store/store.js';
export { RETENTION_STEP_BUDGET, RetentionJob, type RetentionJobOptions } from './store/retention-job.js';
export { DEFAULT_RETENTION_INTERVAL_MS } from './config/options.js';
export { DEFAULT_MAX_SESSIONS, DEFAULT_MAX_TOTAL_ROOMS, DEFAULT_READ_BURST, DEFAULT_READ_PER_SECOND, SESSIONS_PER_CONNECTION } from './config/options.js';
export { POSTGRES_SCHEMA_VERSION, PostgresStore, type PostgresStoreOptions } from './store/postgres-store.js';
export { parseRetention, type RetentionSpec } from './config/retention.js';
export { USER_DATA_BUSY_TIMEOUT_MS, eraseUserData, exportUserData, type UserDataParts } from './user-data.js';
export { StoreNotReadyError } from './store/sqlite-store.js';
export type { Broker } from './fanout/broker.js';
export { RedisKeys } from './cluster/redis-keys.js';
export { CHAT_PATH, ECHO_PATH, SEED_PREFIX } from './http/routes.js';
export { CLIENT_MAP_PATHS, CLIENT_PATH, HEALTH_PATH, METRICS_PATH, WIDGET_MAP_PATH, WIDGET_PATH, type Health } from './http/http-handler.js';
