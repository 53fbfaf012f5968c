/**
 * Every option of the relay: its type, default, flag, environment variable and
 * meaning, in one table. `createRelay`, the CLI, `--help` and the README are
 * all driven by (and tested against) {@link OPTION_SPECS}.
 *
 * @example
 * ```ts
 * import { createRelay } from '@parley/relay';
 * const relay = await createRelay({ port: 0, log: false, historyLimit: 100 });
 * ```
 */
import {
  DEFAULT_ABUSE_STRIKES,
  DEFAULT_HELLO_TIMEOUT_MS,
  DEFAULT_INBOX_HISTORY,
  DEFAULT_MAX_CONNECTIONS_PER_IP,
  DEFAULT_MAX_TOKEN_LIFETIME_S,
  DEFAULT_PING_INTERVAL_MS,
  DEFAULT_PING_TIMEOUT_MS,
  DEFAULT_RATE_BURST,
  DEFAULT_RATE_PER_SECOND,
  DEFAULT_RELAY_PING_INTERVAL_MS,
  DEFAULT_RESUME_WINDOW_MS,
  DEFAULT_ROOM_HISTORY,
  DEFAULT_SEND_BUFFER_BYTES,
  MAX_FRAME_BYTES,
  MAX_ROOMS_PER_SESSION,
  MAX_TEXT_LENGTH,
} from '@parley/protocol';
import { fileURLToPath } from 'node:url';
import { RETENTION_FOREVER } from './retention.js';

/** Port the relay listens on when none is given. */
export const DEFAULT_PORT = 8080;
/** Interface the relay listens on when none is given (all of them). */
export const DEFAULT_HOST = '0.0.0.0';
/** Interface the metrics listener (`metricsPort`) listens on when none is given: loopback only. */
export const DEFAULT_METRICS_HOST = '127.0.0.1';
/** Room that seed-profile clients (`/ws/<nickname>`) join. */
export const DEFAULT_ROOM = 'lobby';
/** Longest a graceful shutdown may take before remaining sockets are cut, in ms. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 5000;
/** Smallest accepted `maxPayload`: a frame must be able to use all three RFC 6455 length forms. */
export const MIN_PAYLOAD_BYTES = 65_536;
/** Largest accepted `maxPayload` (16 MiB): far below `ws`'s 100 MiB default. */
export const MAX_PAYLOAD_BYTES = 16_777_216;
/** Shortest token secret accepted for HS256, in characters (256 bits of ASCII). */
export const MIN_TOKEN_SECRET_LENGTH = 32;
/** Largest accepted `maxTokenLifetime`, seconds (10 years). */
export const MAX_TOKEN_LIFETIME_S = 315_360_000;
/** Prefix of every Redis key and channel a relay uses when none is given. */
export const DEFAULT_REDIS_PREFIX = 'parley:';
/**
 * How long a relay's heartbeat key in Redis lives, ms. A relay refreshes it
 * every third of this; one that stops (killed, cut off) is declared dead at
 * most this long after its last refresh, and its sessions become resumable
 * elsewhere (see docs/operations.md for the full timeline).
 */
export const DEFAULT_NODE_TTL_MS = 15_000;
/** Shortest accepted `nodeTtlMs`, ms: below it a busy event loop could miss heartbeats. */
export const MIN_NODE_TTL_MS = 300;

/** The demo folder served at `/`: the repository's `demo/`, found from this package. */
export const DEFAULT_STATIC_DIR = fileURLToPath(new URL('../../../../demo/', import.meta.url));
/** The widget bundle served at `/widget.js`: the widget package's build output. */
export const DEFAULT_WIDGET_FILE = fileURLToPath(new URL('../../../widget/dist/widget.js', import.meta.url));
/** The client SDK bundle served at `/parley-client.js`: the client package's minified build (root `npm run build`). */
export const DEFAULT_CLIENT_FILE = fileURLToPath(new URL('../../../client/dist/parley-client.min.js', import.meta.url));

/** Folder of the embedded store's file (`store: 'sqlite'`), relative to the working directory. */
export const DEFAULT_DATA_DIR = 'parley-data';
/** The embedded store's file name inside `dataDir`. */
export const SQLITE_FILE_NAME = 'parley.db';
/** What the `parley-relay` command stores in when neither `store` nor `redis` is given: SQLite in `dataDir`. */
export const CLI_DEFAULT_STORE = 'sqlite';

/**
 * How often the retention job goes over the store, ms (10 minutes), when
 * `retention` is set. Each pass deletes in small steps, see `RETENTION_STEP_BUDGET`.
 */
export const DEFAULT_RETENTION_INTERVAL_MS = 600_000;

/**
 * Sessions opened from one address that a relay keeps at once, live or
 * waiting in their resume window (`maxSessionsPerIp`), by default this many
 * times `maxConnectionsPerIp` (100 with its default of 50), so that raising
 * one for users behind a shared address raises the other. One more ends
 * that address's oldest waiting session; when all are live, the hello is
 * closed with 4006.
 */
export const SESSIONS_PER_CONNECTION = 2;
/**
 * Sessions a relay keeps at once (`maxSessions`). One more ends the oldest
 * session waiting in its resume window; when all are live, the hello is
 * closed with 1013 (try again later).
 */
export const DEFAULT_MAX_SESSIONS = 100_000;
/**
 * History messages one address may read at once (`readBurst`): `history`
 * pages cost the messages asked for, a `members` list 50, a replay what it
 * sent; shared by every connection from the address. Past it, `history` and
 * `members` get `rate_limited` (no strike) until the budget refills.
 */
export const DEFAULT_READ_BURST = 20_000;
/** History messages per second one address may read, sustained (`readPerSecond`). */
export const DEFAULT_READ_PER_SECOND = 10_000;
/**
 * Rooms a relay keeps at once (`maxTotalRooms`): rooms someone on it is in,
 * and as many again whose history waits out the resume window after they
 * emptied (memory store; the oldest goes first). Entering one more room
 * than that is refused with `too_many_rooms`.
 */
export const DEFAULT_MAX_TOTAL_ROOMS = 100_000;

/** Log levels `log` accepts, besides `true` (info) and `false` (silent). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** A pino log level. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Options of {@link createRelay}. Every one is optional; see {@link OPTION_SPECS} for defaults. */
export interface RelayOptions {
  /** Port to listen on; 0 picks a free port. Default 8080. */
  port?: number;
  /** Interface to listen on. Default `0.0.0.0`. */
  host?: string;
  /**
   * Port of a second listener that serves `/metrics` alone; when set, the
   * chat port answers 404 for `/metrics`. 0 picks a free port
   * (`RelayHandle.metricsUrl` names it). Default: none, `/metrics` is served
   * on the chat port.
   */
  metricsPort?: number;
  /** Interface of the metrics listener; needs `metricsPort`. Default {@link DEFAULT_METRICS_HOST} (loopback). */
  metricsHost?: string;
  /**
   * Bearer token a scrape must send (`Authorization: Bearer <token>`) to read
   * `/metrics`, wherever it is served; at least 32 characters. Compared in
   * constant time, never logged. Default: none, `/metrics` is open.
   */
  metricsToken?: string;
  /** `false` silences logs, `true` logs JSON at info, a level string picks the level. Default info. */
  log?: boolean | LogLevel;
  /** Origins allowed to open WebSockets (e.g. `https://example.com`); empty allows all. */
  origins?: string[];
  /**
   * Addresses or CIDR ranges (`10.0.0.0/8`) of reverse proxies and load
   * balancers in front of the relay. A connection from one of them is counted,
   * for the per-address limits, under the client address its
   * `X-Forwarded-For` names; from anyone else the header is ignored. Default
   * none.
   */
  trustedProxies?: string[];
  /** HS256 secret; when set, `hello` may carry a signed token. */
  tokenSecret?: string;
  /**
   * Longest lifetime a signed token may claim, seconds: a token whose `exp`
   * is further than this past its `iat` (or past now) is refused with
   * `auth_failed` and 4500. Default {@link DEFAULT_MAX_TOKEN_LIFETIME_S} (30 days).
   */
  maxTokenLifetime?: number;
  /** Whether anonymous nicknames are accepted. Default true. */
  anonymous?: boolean;
  /** Room seed-profile clients join. Default `lobby`. */
  defaultRoom?: string;
  /** Folder served at `/`. Default: the repository's `demo/`. */
  staticDir?: string;
  /** File served at `/widget.js`. Default: `packages/widget/dist/widget.js`. */
  widgetFile?: string;
  /** File served at `/parley-client.js` (its source map: the same path and `.map`). Default: `packages/client/dist/parley-client.min.js`. */
  clientFile?: string;
  /** Whether the widget's browser-test fixtures (`test/` of `staticDir`) are served. Default false. */
  serveTestPages?: boolean;
  /**
   * Where history lives: `memory` (lost on restart), `sqlite` (the file
   * `parley.db` in `dataDir`), `sqlite:PATH`, or PostgreSQL
   * (`postgres://user:password@host:port/database`, `?schema=name` for a
   * schema other than `parley`). Default `memory` for `createRelay` (tests
   * and embedding write no files unless asked); the `parley-relay` command
   * defaults to `sqlite`. With `redis`, history is kept in Redis (`memory`)
   * or in PostgreSQL; an SQLite file belongs to one relay.
   */
  store?: string;
  /** Folder of the `sqlite` store's file, made on start. Default `parley-data` in the working directory. */
  dataDir?: string;
  /**
   * What history a store keeps, per room and per inbox: an age (`30d`;
   * units `s`, `min`, `h`, `d`, `w`), a count (`10000`), both
   * (`30d,10000`), or `forever`. Default `forever`: a durable store keeps
   * everything, the memory store its `historyLimit`/`inboxLimit`. A job
   * deletes what the policy no longer keeps every `retentionIntervalMs`.
   * Needs the memory, SQLite or PostgreSQL store (not `redis`, whose history
   * its limits bound).
   */
  retention?: string;
  /** How often the retention job runs, ms. Default 600000 (10 minutes). */
  retentionIntervalMs?: number;
  /** Messages retained per room by the memory and Redis stores (a durable store keeps what `retention` keeps). */
  historyLimit?: number;
  /** Direct messages retained per user inbox. */
  inboxLimit?: number;
  /** How long a dropped session can be resumed, ms. */
  resumeWindowMs?: number;
  /** Time allowed before `hello`, ms. */
  helloTimeoutMs?: number;
  /** Relay WebSocket ping interval, ms; a peer that misses one is dropped at the next. */
  pingIntervalMs?: number;
  /** App-level ping interval announced to clients, ms. */
  clientPingMs?: number;
  /** App-level ping timeout announced to clients, ms. */
  clientPingTimeoutMs?: number;
  /** Envelopes a connection may send at once. */
  rateBurst?: number;
  /** Sustained envelopes per second per connection. */
  ratePerSecond?: number;
  /** Refused envelopes (rate-limited, or invalid) before the connection is closed. */
  abuseStrikes?: number;
  /** Concurrent WebSocket connections per IP address. */
  maxConnectionsPerIp?: number;
  /** Sessions from one address kept at once, live or resumable. Default {@link SESSIONS_PER_CONNECTION} × `maxConnectionsPerIp`. */
  maxSessionsPerIp?: number;
  /** Messages one address may read from history at once (`history` pages, `members` lists, replays). Default {@link DEFAULT_READ_BURST}. */
  readBurst?: number;
  /** Messages per second one address may read from history, sustained. Default {@link DEFAULT_READ_PER_SECOND}. */
  readPerSecond?: number;
  /** Sessions the relay keeps at once, live or resumable. Default {@link DEFAULT_MAX_SESSIONS}. */
  maxSessions?: number;
  /** Rooms the relay keeps at once (see {@link DEFAULT_MAX_TOTAL_ROOMS}). */
  maxTotalRooms?: number;
  /** Bytes a slow reader's send buffer may hold before it is cut off. */
  sendBufferBytes?: number;
  /** Rooms one session may be in. */
  maxRooms?: number;
  /** Longest message text, code points (at most the protocol's 4000). */
  maxTextLength?: number;
  /** Largest WebSocket frame a client may send, bytes. */
  maxPayload?: number;
  /** Longest a graceful shutdown may take, ms. */
  shutdownTimeoutMs?: number;
  /** Redis URL (`redis://` or `rediss://`); when set, relays share rooms, presence, direct messages and history through it. */
  redis?: string;
  /** Prefix of every Redis key and channel. Default `parley:`. */
  redisPrefix?: string;
  /** Life of a relay's heartbeat key in Redis, ms; a relay silent for this long is declared dead. */
  nodeTtlMs?: number;
}

/** How an option's value is read from a flag or environment variable and checked. */
export type OptionKind = 'integer' | 'number' | 'string' | 'boolean' | 'list' | 'addresses' | 'log' | 'path' | 'secret' | 'room' | 'url' | 'store' | 'retention';

/** One row of the option table. */
export interface OptionSpec {
  key: keyof RelayOptions;
  kind: OptionKind;
  /** The default value; `undefined` means "not set". */
  default: unknown;
  /** Smallest and largest accepted numbers. */
  min?: number;
  max?: number;
  /** One line for `--help` and the README. */
  help: string;
  /** The environment variable, when it is not the one {@link envOf} derives from the key. */
  env?: string;
}

const ms = (key: keyof RelayOptions, def: number, help: string, min = 10): OptionSpec => ({
  key,
  kind: 'integer',
  default: def,
  min,
  max: 86_400_000,
  help,
});

/** Every relay option, in `--help` order. */
export const OPTION_SPECS: readonly OptionSpec[] = [
  { key: 'port', kind: 'integer', default: DEFAULT_PORT, min: 0, max: 65_535, help: 'port to listen on (0 picks a free port)' },
  { key: 'host', kind: 'string', default: DEFAULT_HOST, help: 'interface to listen on' },
  { key: 'metricsPort', kind: 'integer', default: undefined, min: 0, max: 65_535, help: 'port of a second listener serving /metrics alone (then the chat port answers 404 for it); 0 picks a free port' },
  { key: 'metricsHost', kind: 'string', default: DEFAULT_METRICS_HOST, help: 'interface of the metrics listener (needs metricsPort)' },
  { key: 'metricsToken', kind: 'secret', default: undefined, help: `bearer token (at least ${MIN_TOKEN_SECRET_LENGTH} characters) a scrape of /metrics must send` },
  { key: 'log', kind: 'log', default: 'info', help: `log level (${LOG_LEVELS.join(', ')}) or true/false` },
  { key: 'origins', kind: 'list', default: [], help: 'comma-separated origins allowed to open WebSockets; empty allows all' },
  { key: 'trustedProxies', kind: 'addresses', default: [], help: 'comma-separated addresses or CIDR ranges of proxies whose X-Forwarded-For names the client for the per-address limits; empty trusts none' },
  { key: 'tokenSecret', kind: 'secret', default: undefined, help: `HS256 secret (at least ${MIN_TOKEN_SECRET_LENGTH} characters) enabling signed tokens` },
  { key: 'maxTokenLifetime', kind: 'integer', default: DEFAULT_MAX_TOKEN_LIFETIME_S, min: 1, max: MAX_TOKEN_LIFETIME_S, help: 'longest lifetime (exp minus iat, or minus now) a signed token may claim, seconds; a longer one is refused as invalid' },
  { key: 'anonymous', kind: 'boolean', default: true, help: 'accept anonymous nicknames' },
  { key: 'defaultRoom', kind: 'room', default: DEFAULT_ROOM, help: 'room that /ws/<nickname> clients join' },
  { key: 'staticDir', kind: 'path', default: DEFAULT_STATIC_DIR, help: 'folder served at /' },
  { key: 'widgetFile', kind: 'path', default: DEFAULT_WIDGET_FILE, help: 'widget bundle served at /widget.js (its source map, the same path and .map, at /widget.js.map)' },
  { key: 'clientFile', kind: 'path', default: DEFAULT_CLIENT_FILE, help: 'client SDK bundle served at /parley-client.js (and its .map)' },
  { key: 'serveTestPages', kind: 'boolean', default: false, help: 'serve the browser-test fixtures in test/ of the static folder (for the test runner, not production)' },
  { key: 'store', kind: 'store', default: 'memory', help: `where history lives: memory, sqlite (${SQLITE_FILE_NAME} in dataDir), sqlite:PATH or postgres://user@host/db[?schema=name]; parley-relay defaults to ${CLI_DEFAULT_STORE} unless redis is set` },
  { key: 'dataDir', kind: 'path', default: DEFAULT_DATA_DIR, help: `folder of the sqlite store's file (made on start)` },
  { key: 'retention', kind: 'retention', default: RETENTION_FOREVER, help: 'history kept per room and inbox: an age (30d), a count (10000), both (30d,10000) or forever' },
  ms('retentionIntervalMs', DEFAULT_RETENTION_INTERVAL_MS, 'how often the retention job deletes what retention no longer keeps, ms'),
  { key: 'historyLimit', kind: 'integer', default: DEFAULT_ROOM_HISTORY, min: 1, max: 1_000_000, help: 'messages retained per room by the memory and Redis stores' },
  { key: 'inboxLimit', kind: 'integer', default: DEFAULT_INBOX_HISTORY, min: 1, max: 1_000_000, help: 'direct messages retained per user inbox by the memory and Redis stores' },
  ms('resumeWindowMs', DEFAULT_RESUME_WINDOW_MS, 'how long a dropped session can be resumed, ms'),
  ms('helloTimeoutMs', DEFAULT_HELLO_TIMEOUT_MS, 'time allowed before hello, ms'),
  ms('pingIntervalMs', DEFAULT_RELAY_PING_INTERVAL_MS, 'relay WebSocket ping interval, ms; a peer missing one is dropped at the next'),
  ms('clientPingMs', DEFAULT_PING_INTERVAL_MS, 'app-level ping interval announced to clients, ms'),
  ms('clientPingTimeoutMs', DEFAULT_PING_TIMEOUT_MS, 'app-level ping timeout announced to clients, ms'),
  { key: 'rateBurst', kind: 'integer', default: DEFAULT_RATE_BURST, min: 1, max: 1_000_000, help: 'envelopes a connection may send at once' },
  { key: 'ratePerSecond', kind: 'number', default: DEFAULT_RATE_PER_SECOND, min: 0.001, max: 1_000_000, help: 'sustained envelopes per second per connection' },
  { key: 'abuseStrikes', kind: 'integer', default: DEFAULT_ABUSE_STRIKES, min: 1, max: 1_000_000, help: 'refused envelopes before the connection is closed' },
  { key: 'maxConnectionsPerIp', kind: 'integer', default: DEFAULT_MAX_CONNECTIONS_PER_IP, min: 1, max: 1_000_000, help: 'concurrent WebSocket connections per IP address' },
  { key: 'sendBufferBytes', kind: 'integer', default: DEFAULT_SEND_BUFFER_BYTES, min: 1024, max: 1_073_741_824, help: "bytes a slow reader's send buffer may hold before it is cut off" },
  { key: 'maxSessionsPerIp', kind: 'integer', default: undefined, min: 1, max: 1_000_000, help: 'sessions from one IP address kept at once, live or waiting in their resume window' },
  { key: 'readBurst', kind: 'integer', default: DEFAULT_READ_BURST, min: 1, max: 10_000_000, help: 'history messages one address may read at once (pages, member lists, replays)' },
  { key: 'readPerSecond', kind: 'number', default: DEFAULT_READ_PER_SECOND, min: 0.001, max: 10_000_000, help: 'history messages per second one address may read, sustained' },
  { key: 'maxSessions', kind: 'integer', default: DEFAULT_MAX_SESSIONS, min: 1, max: 10_000_000, help: 'sessions the relay keeps at once, live or waiting in their resume window' },
  { key: 'maxTotalRooms', kind: 'integer', default: DEFAULT_MAX_TOTAL_ROOMS, min: 1, max: 10_000_000, help: 'rooms the relay keeps at once (occupied, and as many again emptied within the resume window)' },
  { key: 'maxRooms', kind: 'integer', default: MAX_ROOMS_PER_SESSION, min: 1, max: 10_000, help: 'rooms one session may be in' },
  { key: 'maxTextLength', kind: 'integer', default: MAX_TEXT_LENGTH, min: 1, max: MAX_TEXT_LENGTH, help: 'longest message text, code points' },
  { key: 'maxPayload', kind: 'integer', default: MAX_FRAME_BYTES, min: MIN_PAYLOAD_BYTES, max: MAX_PAYLOAD_BYTES, help: 'largest WebSocket frame a client may send, bytes' },
  ms('shutdownTimeoutMs', DEFAULT_SHUTDOWN_TIMEOUT_MS, 'longest a graceful shutdown may take, ms'),
  { key: 'redis', kind: 'url', default: undefined, env: 'PARLEY_REDIS_URL', help: 'Redis URL (redis:// or rediss://) shared by several relays; without it, history stays in memory' },
  { key: 'redisPrefix', kind: 'string', default: DEFAULT_REDIS_PREFIX, help: 'prefix of every Redis key and channel' },
  ms('nodeTtlMs', DEFAULT_NODE_TTL_MS, "life of this relay's heartbeat key in Redis, ms; a relay silent this long is declared dead", MIN_NODE_TTL_MS),
];

/** `maxPayload` → `max-payload`. */
export function flagOf(key: string): string {
  return key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}

/** `maxPayload` → `PARLEY_MAX_PAYLOAD` (`redis` → `PARLEY_REDIS_URL`). */
export function envOf(key: string): string {
  return OPTION_SPECS.find((s) => s.key === key)?.env ?? 'PARLEY_' + key.replace(/[A-Z]/g, (c) => '_' + c).toUpperCase();
}

/** A default as `--help` and the README show it. */
export function defaultText(spec: OptionSpec): string {
  if (spec.key === 'maxSessionsPerIp') return `${SESSIONS_PER_CONNECTION} × maxConnectionsPerIp`;
  if (spec.default === undefined) return '(none)';
  if (spec.key === 'staticDir') return 'demo/ of the repository';
  if (spec.key === 'widgetFile') return 'packages/widget/dist/widget.js';
  if (spec.key === 'clientFile') return 'packages/client/dist/parley-client.min.js';
  if (spec.key === 'store') return `memory (parley-relay: ${CLI_DEFAULT_STORE})`;
  if (spec.key === 'dataDir') return `${DEFAULT_DATA_DIR}/ in the working directory`;
  if (Array.isArray(spec.default)) return spec.default.length ? spec.default.join(',') : spec.kind === 'addresses' ? '(empty: none)' : '(empty: all)';
  return String(spec.default);
}
