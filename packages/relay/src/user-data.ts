/**
 * A user's data on request (GDPR): export everything the store holds of
 * them, or erase it. Each call opens the configured store for maintenance
 * (beside a relay that may be running on it), does its work in one
 * transaction, and closes the store again; or works on a store given to it.
 */
import { withCommandDefaults } from './config/cli-args.js';
import { ConfigError, invalid, resolveConfig } from './config/config.js';
import type { RelayOptions } from './config/options.js';
import { PostgresStore } from './store/postgres-store.js';
import { SqliteStore } from './store/sqlite-store.js';
import type { EraseResult, Store, UserExport } from './store/store.js';

/**
 * How long a maintenance erase waits for the write lock of a SQLite file a
 * relay is writing, ms (the relay holds it for one commit at a time).
 */
export const USER_DATA_BUSY_TIMEOUT_MS = 5000;

/** A store that can answer a data request. */
type UserDataStore = Store & Required<Pick<Store, 'exportUser' | 'eraseUser'>>;

/** Where the data is: a store of the caller's (left open), or the one `options` name. */
export interface UserDataParts {
  store?: Store;
}

/**
 * Everything the store holds of `user`: every message they sent in rooms and
 * directly, and every message of their inbox, oldest first. Without a store
 * in `parts`, opens the one `options` names, with the `parley-relay`
 * command's defaults (`sqlite` in `dataDir`).
 *
 * @throws {ConfigError} for an invalid option, or a store that keeps nothing to export (memory, Redis).
 * @example
 * ```ts
 * import { exportUserData } from '@parley/relay';
 * const data = await exportUserData('u_ada', { dataDir: '/srv/parley-data' });
 * console.log(JSON.stringify(data));
 * ```
 */
export async function exportUserData(user: string, options: RelayOptions = {}, parts: UserDataParts = {}): Promise<UserExport> {
  return withStore(user, options, parts, (store) => store.exportUser(user));
}

/**
 * Erases `user`: every message they sent becomes a tombstone (same `room`
 * or `to`, `id`, `seq` and `ts`; empty `from`, `name` and `text`;
 * `deleted: true`), their inbox's messages and their idempotency records
 * are deleted. `seq`s do not change, so it is safe while a relay runs on
 * the store. A second erase answers zeros.
 *
 * @throws {ConfigError} as {@link exportUserData}.
 * @example
 * ```ts
 * import { eraseUserData } from '@parley/relay';
 * await eraseUserData('u_ada', { store: 'sqlite:/srv/parley.db' }); // { user: 'u_ada', roomMessages: 12, ... }
 * ```
 */
export async function eraseUserData(user: string, options: RelayOptions = {}, parts: UserDataParts = {}): Promise<EraseResult> {
  return withStore(user, options, parts, (store) => store.eraseUser(user));
}

async function withStore<T>(user: string, options: RelayOptions, parts: UserDataParts, fn: (store: UserDataStore) => T | Promise<T>): Promise<T> {
  if (typeof user !== 'string' || user.length === 0) throw new ConfigError('user', 'a user id is needed, e.g. u_ada');
  if (parts.store) return fn(capable(parts.store));
  const store = await openForMaintenance(options);
  try {
    return await fn(store);
  } finally {
    await store.close?.();
  }
}

function capable(store: Store): UserDataStore {
  if (!store.exportUser || !store.eraseUser) throw new ConfigError('store', 'this store cannot export or erase users (the memory, sqlite and postgres stores can)');
  return store as UserDataStore;
}

/** The store `options` name, opened beside a relay that may be running on it. */
async function openForMaintenance(options: RelayOptions): Promise<UserDataStore> {
  const config = resolveConfig({ log: false, ...withCommandDefaults(options) });
  if (config.redis !== undefined && config.store.kind === 'memory') {
    throw invalid('redis', 'export and erase need the sqlite or postgres store: Redis history is bounded by historyLimit and inboxLimit');
  }
  const choice = config.store;
  if (choice.kind === 'memory') throw invalid('store', 'the memory store keeps nothing between runs: name the sqlite or postgres store the relay uses');
  if (choice.kind === 'sqlite') return new SqliteStore({ path: choice.path, maintenance: true, busyTimeoutMs: USER_DATA_BUSY_TIMEOUT_MS });
  // what is left is PostgreSQL; its anonymous inboxes may belong to live sessions of running relays
  return capable(await PostgresStore.open({ url: choice.url, forgetEphemeral: false }));
}
