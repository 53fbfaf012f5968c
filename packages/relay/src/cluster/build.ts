/**
 * Scale-out over Redis: connects to Redis and assembles the parts a relay
 * uses instead of its in-memory ones when `redis` is set: the shared store,
 * the pub/sub broker, the cluster's sessions and the node's heartbeat.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { ClusterDirectory } from './cluster-directory.js';
import { within } from '../store/errors.js';
import { ClusterSessions } from './cluster-sessions.js';
import { ClusterMetrics } from './cluster-metrics.js';
import { ClusterNode } from './cluster-node.js';
import { redactUrl, type RelayConfig } from '../config/config.js';
import type { Directory } from '../sessions/directory.js';
import type { Logger } from '../observability/logger.js';
import type { RelayMetrics } from '../observability/metrics.js';
import type { Outbound } from '../wire/outbound.js';
import { RedisBroker } from './redis-broker.js';
import { RedisHealth } from './redis-health.js';
import { RedisKeys } from './redis-keys.js';
import { REDIS_COMMAND_TIMEOUT_MS } from './redis-timing.js';
import { defineScripts } from './redis-scripts.js';
import { RedisStore } from './redis-store.js';
import type { RoomRegistry } from '../sessions/rooms.js';
import type { Store } from '../store/store.js';
import type { Published } from '../store/postgres-store.js';

/** Longest the relay waits for Redis at start-up before giving up, ms. */
export const REDIS_CONNECT_TIMEOUT_MS = 10_000;
export { REDIS_COMMAND_TIMEOUT_MS } from './redis-timing.js';
/** Longest pause between reconnect attempts, ms. */
export const REDIS_MAX_RETRY_DELAY_MS = 1000;
/** Longest a graceful shutdown waits for clean-ups already sent to Redis, ms. */
const SETTLE_MS = 1000;

/** The two Redis connections of a relay: commands (scripts, reads, publishes) and the subscriber. */
export interface RedisLink {
  command: Redis;
  sub: Redis;
}

/**
 * Opens both connections and waits until they are ready.
 *
 * @throws Error naming the (password-less) URL when Redis cannot be reached within {@link REDIS_CONNECT_TIMEOUT_MS}.
 */
export async function connectRedis(url: string, log: Logger): Promise<RedisLink> {
  const base: RedisOptions = {
    lazyConnect: true,
    maxRetriesPerRequest: null,
    connectionName: 'parley-relay',
    retryStrategy: (times) => Math.min(times * 100, REDIS_MAX_RETRY_DELAY_MS),
  };
  const command = new Redis(url, { ...base, enableAutoPipelining: true, commandTimeout: REDIS_COMMAND_TIMEOUT_MS });
  const sub = new Redis(url, base);
  let last = 'no answer';
  for (const r of [command, sub]) r.on('error', (err: Error) => (last = err.message));
  const ready = (r: Redis): Promise<void> => (r.status === 'ready' ? Promise.resolve() : new Promise((resolve) => r.once('ready', () => resolve())));
  command.connect().catch(() => {});
  sub.connect().catch(() => {});
  try {
    await within(Promise.all([ready(command), ready(sub)]), REDIS_CONNECT_TIMEOUT_MS);
  } catch {
    command.disconnect();
    sub.disconnect();
    throw new Error(`cannot reach Redis at ${redactUrl(url)} within ${REDIS_CONNECT_TIMEOUT_MS} ms: ${last}`);
  }
  log.info({ redis: redactUrl(url) }, 'connected to redis');
  return { command, sub };
}

/** The relay's parts in a cluster. */
export interface ClusterParts {
  /** This relay's id among the relays sharing the Redis. */
  node: string;
  /** The Redis store, or the database store the cluster was given. */
  store: Store;
  broker: RedisBroker;
  sessions: ClusterSessions;
  health: RedisHealth;
  /** Starts the heartbeat and the control channel. */
  start(): Promise<void>;
  /** Hands sessions over and closes the connections (after the clients were closed). */
  stop(): Promise<void>;
}

/** What the cluster parts are built around: the relay's local registries and metrics. */
export interface ClusterBase {
  config: RelayConfig;
  log: Logger;
  metrics: RelayMetrics;
  rooms: RoomRegistry;
  directory: Directory;
  /** Called after every fan-out (delivery metrics). */
  delivered: (out: Outbound, count: number) => void;
  /**
   * A store that keeps history outside Redis (PostgreSQL), made with
   * {@link redisPublisher} so that it publishes what it commits. Default: the
   * Redis store.
   */
  store?: Store;
}

/**
 * How a database store of a cluster hands committed messages to the relays:
 * published on the room's (user's) channel as `<session to skip>\n<JSON>`,
 * like the Redis store's scripts do, in the order they are given.
 *
 * @example
 * ```ts
 * const store = await PostgresStore.open({ url, published: redisPublisher(link, config.redisPrefix, log) });
 * ```
 */
export function redisPublisher(link: RedisLink, prefix: string, log: Logger): Published {
  const keys = new RedisKeys(prefix);
  const send = (channel: string, json: string, except: string): void => {
    link.command.publish(channel, except + '\n' + json).catch((err: unknown) => log.debug({ channel, err: String(err) }, 'publish failed'));
  };
  return {
    room: (room, json, except) => send(keys.roomChannel(room), json, except),
    user: (userId, json, except) => send(keys.userChannel(userId), json, except),
  };
}

/**
 * @example
 * ```ts
 * const link = await connectRedis(config.redis!, log);
 * const cluster = buildCluster(link, { config, log, metrics, rooms, directory, delivered });
 * await cluster.start();
 * ```
 */
export function buildCluster(link: RedisLink, base: ClusterBase): ClusterParts {
  const { config, log, rooms, directory } = base;
  const node = 'n_' + randomBytes(6).toString('base64url');
  const keys = new RedisKeys(config.redisPrefix);
  const health = new RedisHealth({ command: link.command, sub: link.sub }, log);
  const run = defineScripts(link.command);
  const store =
    base.store ??
    new RedisStore(link.command, run, keys, health, {
      historyLimit: config.historyLimit,
      inboxLimit: config.inboxLimit,
      resumeWindowMs: config.resumeWindowMs,
    });
  let metrics: ClusterMetrics | undefined;
  const broker = new RedisBroker(link.command, link.sub, keys, store, rooms, directory, health, log, {
    delivered: base.delivered,
    repaired: (n) => metrics?.repaired.inc(n),
  });
  metrics = new ClusterMetrics(base.metrics, { redisUp: () => health.available, subscriptions: () => broker.subscriptions });
  const m = metrics;
  const shared = new ClusterDirectory(link.command, run, keys, health, {
    node,
    resumeWindowMs: config.resumeWindowMs,
    defaultRoom: config.defaultRoom,
  });
  const sessions = new ClusterSessions(config, store, rooms, directory, broker, log, shared, health, node, base.store !== undefined);
  const beat = new ClusterNode(
    run,
    sessions,
    health,
    log,
    { nodes: (n) => m.nodes.set(n), dead: (n) => m.dead.inc(n), reaped: (n) => m.reaped.inc(n) },
    { prefix: keys.prefix, node, nodeTtlMs: config.nodeTtlMs, resumeWindowMs: config.resumeWindowMs, defaultRoom: config.defaultRoom },
  );
  const quit = async (r: Redis): Promise<void> => {
    if (r.status !== 'ready') return r.disconnect();
    await within(r.quit(), REDIS_COMMAND_TIMEOUT_MS).catch(() => r.disconnect());
  };
  return {
    node,
    store,
    broker,
    sessions,
    health,
    async start() {
      await broker.start(keys.nodeChannel(node), (text) => {
        if (text.startsWith('moved ')) sessions.moved(text.slice('moved '.length));
      });
      await beat.start();
      log.info({ node, prefix: keys.prefix, nodeTtlMs: config.nodeTtlMs }, 'joined the cluster');
    },
    async stop() {
      await sessions.settle(SETTLE_MS);
      await beat.stop();
      health.stop();
      await Promise.all([quit(link.command), quit(link.sub)]);
    },
  };
}
