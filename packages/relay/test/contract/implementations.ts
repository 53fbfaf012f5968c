/**
 * Every implementation of the relay's layer interfaces, as the contract
 * suites build them: the same assembly `createRelay` uses (`buildDataPath`),
 * over a real Redis with a key prefix of its own for the shared ones. A new
 * store or sessions implementation is added here, and the whole suite runs
 * against it.
 */
import type { Redis } from 'ioredis';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectRedis, type RedisLink } from '../../src/cluster/build.js';
import { RedisHealth } from '../../src/cluster/redis-health.js';
import { RedisKeys } from '../../src/cluster/redis-keys.js';
import { defineScripts } from '../../src/cluster/redis-scripts.js';
import { RedisStore } from '../../src/cluster/redis-store.js';
import { resolveConfig } from '../../src/config/config.js';
import type { RelayOptions } from '../../src/config/options.js';
import { createLogger } from '../../src/observability/logger.js';
import { RelayMetrics } from '../../src/observability/metrics.js';
import { buildDataPath, openStore, type DataPath } from '../../src/parts.js';
import { PostgresStore } from '../../src/store/postgres-store.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { REDIS_URL, deletePrefix, requireRedis, testPrefix } from '../cluster-helpers.js';
import { dropSchema, schemaUrl, testSchema } from '../postgres-helpers.js';

/** Retention of a store under test. */
export interface StoreLimits {
  historyLimit: number;
  inboxLimit: number;
}

/** A store under test, and how to let go of it (its keys deleted). */
export interface StoreUnderTest {
  store: Store;
  close(): Promise<void>;
}

/** A way to make one kind of store. */
export interface StoreKind {
  name: string;
  make(limits: StoreLimits): Promise<StoreUnderTest>;
}

const log = createLogger('silent');

/** Redis connections shared by the suite's stores (each store has its own key prefix). */
let shared: Redis | undefined;
async function redis(): Promise<Redis> {
  if (!shared) {
    shared = await requireRedis();
    // every store made here adds its health watcher to the same connection
    shared.setMaxListeners(0);
  }
  return shared;
}

/** Closes what the store kinds opened (call in the suite's `after`). */
export async function closeStoreKinds(): Promise<void> {
  shared?.disconnect();
  shared = undefined;
}

export const STORE_KINDS: StoreKind[] = [
  {
    name: 'memory',
    async make(limits) {
      return { store: new MemoryStore(limits), close: async () => {} };
    },
  },
  {
    name: 'sqlite',
    async make(limits) {
      const dir = mkdtempSync(join(tmpdir(), 'parley-store-'));
      const store = new SqliteStore({ path: join(dir, 'parley.db'), ...limits });
      return {
        store,
        async close() {
          store.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'postgres',
    async make() {
      const schema = testSchema();
      const store = await PostgresStore.open({ url: schemaUrl(schema) });
      return {
        store,
        async close() {
          await store.close();
          await dropSchema(schema);
        },
      };
    },
  },
  {
    name: 'redis',
    async make(limits) {
      const r = await redis();
      const prefix = testPrefix();
      const store = new RedisStore(r, defineScripts(r), new RedisKeys(prefix), new RedisHealth({ command: r }, log), { ...limits, resumeWindowMs: 60_000 });
      return { store, close: () => deletePrefix(r, prefix) };
    },
  },
];

/** The data path of a relay under test: its sessions, store and registries. */
export interface PathUnderTest {
  path: DataPath;
  close(): Promise<void>;
}

/** A way to make one kind of data path (and so one kind of sessions). */
export interface PathKind {
  name: string;
  /** A relay's data path with `options` (every relay made by one `make` of a cluster kind shares its Redis prefix). */
  make(options?: RelayOptions): Promise<PathUnderTest>;
}

async function parts(options: RelayOptions, link?: RedisLink): Promise<DataPath> {
  const config = resolveConfig({ log: false, ...options });
  const metrics = new RelayMetrics({ connections: () => 0, rooms: () => 0, sessions: () => 0 });
  return buildDataPath({ config, log, metrics, link, store: await openStore(config, log, link) });
}

/** A relay's data path in a cluster of its own (a fresh key prefix), its history in Redis or, given `schema`, in PostgreSQL. */
async function clusterPath(options: RelayOptions, schema?: string): Promise<PathUnderTest> {
  const prefix = testPrefix();
  const link = await connectRedis(REDIS_URL, log);
  const store = schema === undefined ? {} : { store: schemaUrl(schema) };
  const path = await parts({ ...options, redis: REDIS_URL, redisPrefix: prefix, ...store }, link);
  await path.start();
  return {
    path,
    async close() {
      await path.stop();
      if (schema !== undefined) await dropSchema(schema);
      const r = await requireRedis();
      await deletePrefix(r, prefix);
      r.disconnect();
    },
  };
}

export const PATH_KINDS: PathKind[] = [
  {
    name: 'memory',
    async make(options = {}) {
      const path = await parts(options);
      await path.start();
      return { path, close: () => path.stop() };
    },
  },
  {
    name: 'sqlite',
    async make(options = {}) {
      const dir = mkdtempSync(join(tmpdir(), 'parley-path-'));
      const path = await parts({ ...options, store: `sqlite:${join(dir, 'parley.db')}` });
      await path.start();
      return {
        path,
        async close() {
          await path.stop();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'postgres',
    async make(options = {}) {
      const schema = testSchema();
      const path = await parts({ ...options, store: schemaUrl(schema) });
      await path.start();
      return {
        path,
        async close() {
          await path.stop();
          await dropSchema(schema);
        },
      };
    },
  },
  {
    name: 'postgres+redis',
    make: (options = {}) => clusterPath(options, testSchema()),
  },
  {
    name: 'redis',
    make: (options = {}) => clusterPath(options),
  },
];
