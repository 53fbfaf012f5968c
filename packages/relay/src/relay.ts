/**
 * `createRelay`: builds the relay's parts, listens, and returns a handle
 * whose `close()` shuts down gracefully.
 */
import type { SessionLimits } from '@parley/protocol';
import { existsSync, readdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { connectRedis } from './cluster/build.js';
import { buildDataPath, openStore } from './parts.js';
import { ConfigError, redactUrl, resolveConfig, type RelayConfig } from './config/config.js';
import type { RelayContext } from './handlers/context.js';
import { RETENTION_FOREVER, retentionText } from './config/retention.js';
import { Gateway } from './http/gateway.js';
import { ClientAddresses } from './limits/client-address.js';
import { Heartbeat } from './limits/heartbeat.js';
import { RateDebts } from './limits/rate-debts.js';
import { ReadBudget, Turns } from './limits/read-budget.js';
import { createHttpHandler, METRICS_PATH, type Health } from './http/http-handler.js';
import { MetricsListener } from './http/metrics-listener.js';
import { httpServerOptions } from './http/server-timeouts.js';
import { IdFactory } from './wire/ids.js';
import { createLogger, type Logger } from './observability/logger.js';
import { MemoryStore } from './store/memory-store.js';
import { PreUpgrade } from './http/pre-upgrade.js';
import { RelayMetrics } from './observability/metrics.js';
import type { RelayOptions } from './config/options.js';
import type { Store } from './store/store.js';
import { TokenVerifier } from './sessions/token.js';

/** Parts of a relay that can be swapped in code (not from the command line). */
export interface RelayParts {
  /**
   * Where messages live. Default: a {@link MemoryStore} bounded by
   * `historyLimit` and `inboxLimit`, or the Redis store when `redis` is set
   * (which cannot be combined with a custom store).
   */
  store?: Store;
}

/** A running relay. */
export interface RelayHandle {
  /** The port it listens on (the real one when `port: 0` was asked). */
  port: number;
  /** The host to connect to (`localhost` when listening on every interface). */
  host: string;
  /** `http://host:port`: the demo pages, `/healthz`, `/metrics`. */
  url: string;
  /** `ws://host:port/chat`: the protocol endpoint. */
  wsUrl: string;
  /**
   * Where `/metrics` is scraped: `http://host:port/metrics` on the chat port,
   * or on the metrics listener when `metricsPort` is set (its real port when
   * 0 was asked).
   *
   * @example
   * ```ts
   * const relay = await createRelay({ port: 0, metricsPort: 0 });
   * await fetch(relay.metricsUrl); // the Prometheus text; relay.url + '/metrics' answers 404
   * ```
   */
  metricsUrl: string;
  /**
   * Shuts down gracefully: stops accepting, finishes frames already received
   * (their acks are written), closes every client with 1001 so it reconnects
   * elsewhere, and resolves when everything is closed (at most
   * `shutdownTimeoutMs`, after which remaining sockets are cut).
   */
  close(): Promise<void>;
}

const connectable = (host: string): string =>
  host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      reject(new Error(`cannot listen on ${host}:${port}: ${err.code ?? err.message}`));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

const delay = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms).unref?.();
  });

/** The demo pages to open: the `.html` files at the top of the static folder. */
function pages(dir: string, url: string): string[] | undefined {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.html'))
      .sort()
      .map((f) => (f === 'index.html' ? `${url}/` : `${url}/${encodeURIComponent(f)}`));
  } catch {
    return undefined;
  }
}

function announce(log: Logger, config: RelayConfig, port: number, url: string, wsUrl: string, customStore: boolean): void {
  const ws = url.replace(/^http/, 'ws');
  const demo = pages(config.staticDir, url);
  log.info({ port, host: config.host, url, wsUrl, pages: demo ?? [], seed: { echo: `${ws}/ws`, chat: `${ws}/ws/<nickname>` } }, `relay listening on ${url}`);
  if (demo === undefined) log.warn({ staticDir: config.staticDir }, 'the static folder does not exist; / answers 404');
  if (!existsSync(config.widgetFile)) log.warn({ widgetFile: config.widgetFile }, 'the widget bundle is not built; /widget.js answers 404');
  if (!existsSync(config.clientFile)) log.warn({ clientFile: config.clientFile }, 'the client SDK bundle is not built; /parley-client.js answers 404');
  if (config.origins.length === 0) {
    log.warn({ origins: 'all' }, 'every origin may open WebSockets (demo default); set --origins in production');
  } else {
    log.info({ origins: config.origins }, 'origin allowlist in force');
  }
  log.info({ anonymous: config.anonymous, tokens: config.tokenSecret !== undefined }, 'identity');
  if (customStore) log.info({ store: 'custom' }, 'history is kept in the store given to createRelay');
  else if (config.store.kind === 'postgres') log.info({ store: 'postgres', url: redactUrl(config.store.url) }, `history is kept in PostgreSQL at ${redactUrl(config.store.url)}`);
  else if (config.redis !== undefined) log.info({ store: 'redis' }, 'history is kept in Redis');
  else if (config.store.kind === 'sqlite') log.info({ store: 'sqlite', file: config.store.path }, `history is kept in ${config.store.path}`);
  else log.warn({ store: 'memory' }, 'history is kept in memory only: a restart loses it (--store sqlite keeps it)');
  if (config.trustedProxies.length > 0) log.info({ trustedProxies: config.trustedProxies }, 'client addresses taken from X-Forwarded-For of these proxies');
  const retention = retentionText(config.retention);
  if (retention !== RETENTION_FOREVER) log.info({ retention, everyMs: config.retentionIntervalMs }, `history beyond ${retention} is deleted every ${config.retentionIntervalMs} ms`);
}

/**
 * Starts a relay. `parts` swaps in a custom {@link Store} (e.g. a shared one).
 *
 * @throws {ConfigError} (as a rejection) when an option is invalid; the message names it.
 * @example
 * ```ts
 * import { createRelay } from '@parley/relay';
 * const relay = await createRelay({ port: 0, log: false });
 * const ws = new WebSocket(relay.wsUrl, 'parley.v1');
 * // ...
 * await relay.close();
 * ```
 */
export async function createRelay(options: RelayOptions = {}, parts: RelayParts = {}): Promise<RelayHandle> {
  const config = resolveConfig(options);
  if (config.redis !== undefined && parts.store) throw new ConfigError('redis', 'a custom store (parts.store) cannot be combined with redis');
  const log = createLogger(config.log);
  const startedAt = Date.now();
  let closing = false;
  const link = config.redis === undefined ? undefined : await connectRedis(config.redis, log);
  let gateway: Gateway | undefined;
  // the metrics read the parts only when scraped, after they exist
  const metrics = new RelayMetrics({ connections: () => gateway?.size ?? 0, rooms: () => dataPath.rooms.size, sessions: () => dataPath.sessions.count });
  let opened: Store | undefined;
  try {
    opened = parts.store ?? (await openStore(config, log, link));
  } catch (err) {
    link?.command.disconnect();
    link?.sub.disconnect();
    throw err;
  }
  const dataPath = buildDataPath({ config, log, metrics, link, store: opened });
  const { store, broker, sessions, scheduler, cluster, rooms } = dataPath;
  const limits: SessionLimits = {
    text: config.maxTextLength,
    rooms: config.maxRooms,
    frame: config.maxPayload,
    ping: config.clientPingMs,
    pingTimeout: config.clientPingTimeoutMs,
  };
  const ctx: RelayContext = {
    config,
    log,
    metrics,
    store,
    broker,
    sessions,
    ids: new IdFactory(),
    scheduler,
    heartbeat: new Heartbeat(config.pingIntervalMs),
    rateDebts: new RateDebts(),
    reads: new ReadBudget(config.readBurst, config.readPerSecond),
    turns: new Turns(),
    addresses: new ClientAddresses(config.trustedProxies),
    tokens: config.tokenSecret === undefined ? undefined : new TokenVerifier(config.tokenSecret),
    limits,
    get closing() {
      return closing;
    },
  };
  gateway = new Gateway(ctx);
  const gw = gateway;
  const health = (): Health => {
    const redisUp = cluster?.health.available;
    const storeUp = store.available;
    const h: Health = {
      status: closing ? 'closing' : redisUp === false || storeUp === false ? 'degraded' : 'ok',
      connections: gw.size,
      rooms: rooms.size,
      sessions: sessions.count,
      uptime: Math.round((Date.now() - startedAt) / 1000),
    };
    if (storeUp !== undefined) h.store = storeUp ? 'up' : 'down';
    if (cluster) {
      h.redis = redisUp ? 'up' : 'down';
      h.node = cluster.node;
    }
    return h;
  };
  // every request, not only the first, must arrive whole within the hello timeout (server-timeouts.ts)
  const server = createServer(httpServerOptions(config.helloTimeoutMs), createHttpHandler(config, metrics, health, log));
  // a TCP connection must finish its first request's headers within the hello timeout, and counts per address until it upgrades or closes
  const waiting = new PreUpgrade(ctx.heartbeat.deadlines, { timeoutMs: config.helloTimeoutMs, maxPerIp: config.maxConnectionsPerIp, uncounted: (ip) => ctx.addresses.isTrusted(ip) }, log);
  server.on('connection', (socket: Socket) => waiting.connected(socket));
  server.on('request', (req: IncomingMessage) => waiting.started(req.socket));
  server.on('upgrade', (req: IncomingMessage, socket, head) => {
    waiting.upgraded(req.socket);
    gw.upgrade(req, socket, head);
  });

  const stopParts = async (): Promise<void> => {
    ctx.heartbeat.stop();
    ctx.rateDebts.clear();
    ctx.reads.clear();
    await dataPath.stop();
  };
  let metricsListener: MetricsListener | undefined;
  try {
    await dataPath.start();
    await listen(server, config.port, config.host);
    if (config.metricsPort !== undefined) metricsListener = await MetricsListener.start(config, metrics, log);
  } catch (err) {
    if (server.listening) await new Promise((resolve) => server.close(resolve));
    await stopParts();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  const host = connectable(config.host);
  const url = `http://${host}:${port}`;
  const wsUrl = `ws://${host}:${port}/chat`;
  announce(log, config, port, url, wsUrl, parts.store !== undefined);

  let closed: Promise<void> | undefined;
  const shutdown = async (): Promise<void> => {
    closing = true;
    log.info({ connections: gw.size }, 'shutting down');
    const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const deadline = delay(config.shutdownTimeoutMs);
    await Promise.race([gw.idle(), deadline]);
    ctx.scheduler.flushAll();
    const all = gw.closeAll();
    if ((await Promise.race([all.then(() => true), deadline.then(() => false)])) === false) {
      log.warn({ connections: gw.size }, 'shutdown timed out; cutting remaining sockets');
      gw.terminateAll();
      await all;
    }
    await stopParts();
    server.closeAllConnections();
    await Promise.all([serverClosed, metricsListener?.close()]);
    log.info({ uptime: health().uptime }, 'relay closed');
  };
  return {
    port,
    host,
    url,
    wsUrl,
    metricsUrl: metricsListener?.url ?? url + METRICS_PATH,
    close: () => (closed ??= shutdown()),
  };
}
