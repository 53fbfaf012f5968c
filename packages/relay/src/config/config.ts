/**
 * Checks relay options and fills in defaults. A bad value throws a
 * {@link ConfigError} whose one-line message names the option, its flag and
 * its environment variable.
 */
import { isRoomName } from '@parley/protocol';
import { join, resolve } from 'node:path';
import { parseAddressRange } from './address-range.js';
import { parseRetention, type RetentionSpec } from './retention.js';
import { LOG_LEVELS, MIN_TOKEN_SECRET_LENGTH, OPTION_SPECS, SESSIONS_PER_CONNECTION, SQLITE_FILE_NAME, envOf, flagOf, type LogLevel, type OptionSpec, type RelayOptions } from './options.js';

/** Options with every default applied and every value checked. */
export interface RelayConfig {
  port: number;
  host: string;
  /** Port of the metrics listener; `undefined`: `/metrics` is on the chat port. */
  metricsPort: number | undefined;
  metricsHost: string;
  /** Bearer token of `/metrics`; never logged. */
  metricsToken: string | undefined;
  log: LogLevel;
  origins: string[];
  trustedProxies: string[];
  tokenSecret: string | undefined;
  /** Longest lifetime a signed token may claim, seconds. */
  maxTokenLifetime: number;
  anonymous: boolean;
  defaultRoom: string;
  staticDir: string;
  widgetFile: string;
  clientFile: string;
  serveTestPages: boolean;
  /** Where history lives, resolved: in memory, or the SQLite file at `path`. */
  store: StoreChoice;
  dataDir: string;
  /** What history the store keeps; `{}` keeps everything. */
  retention: RetentionSpec;
  retentionIntervalMs: number;
  historyLimit: number;
  inboxLimit: number;
  resumeWindowMs: number;
  helloTimeoutMs: number;
  pingIntervalMs: number;
  clientPingMs: number;
  clientPingTimeoutMs: number;
  rateBurst: number;
  ratePerSecond: number;
  abuseStrikes: number;
  maxConnectionsPerIp: number;
  maxSessionsPerIp: number;
  maxSessions: number;
  maxTotalRooms: number;
  readBurst: number;
  readPerSecond: number;
  sendBufferBytes: number;
  maxRooms: number;
  maxTextLength: number;
  maxPayload: number;
  shutdownTimeoutMs: number;
  redis: string | undefined;
  redisPrefix: string;
  nodeTtlMs: number;
}

/** The store `store` names, with its file resolved. */
export type StoreChoice = { kind: 'memory' } | { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

/**
 * A relay option is invalid. The message is one line and names the option.
 *
 * @example
 * ```ts
 * try { await createRelay({ maxPayload: 10 }); } catch (e) { if (e instanceof ConfigError) console.error(e.message); }
 * ```
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** The option at fault, e.g. `maxPayload`. */
  readonly option: string;
  constructor(option: string, message: string) {
    super(message);
    this.option = option;
  }
}

/** Makes the error for `spec`: `invalid maxPayload (--max-payload, PARLEY_MAX_PAYLOAD): ...`. */
export function invalid(key: string, why: string): ConfigError {
  return new ConfigError(key, `invalid ${key} (--${flagOf(key)}, ${envOf(key)}): ${why}`);
}

const show = (v: unknown): string => {
  const s = typeof v === 'string' ? JSON.stringify(v) : Array.isArray(v) ? JSON.stringify(v) : String(v);
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
};

function checkNumber(spec: OptionSpec, v: unknown): number {
  const integer = spec.kind === 'integer';
  const range = `from ${spec.min} to ${spec.max}`;
  if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !Number.isInteger(v))) {
    throw invalid(spec.key, `must be ${integer ? 'an integer' : 'a number'} ${range}, got ${show(v)}`);
  }
  if (v < spec.min! || v > spec.max!) throw invalid(spec.key, `must be ${range}, got ${v}`);
  return v;
}

function checkOrigin(key: string, o: unknown): string {
  if (typeof o !== 'string') throw invalid(key, `each origin must be a string, got ${show(o)}`);
  let url: URL;
  try {
    url = new URL(o);
  } catch {
    throw invalid(key, `${show(o)} is not an origin such as https://example.com`);
  }
  if (url.origin === 'null' || url.origin !== o.toLowerCase().replace(/\/$/, '')) {
    throw invalid(key, `${show(o)} is not an origin such as https://example.com (scheme, host and port only)`);
  }
  return url.origin;
}

function checkRedisUrl(key: string, v: unknown): string {
  if (typeof v !== 'string') throw invalid(key, `must be a redis:// or rediss:// URL, got ${show(v)}`);
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw invalid(key, `must be a redis:// or rediss:// URL such as redis://127.0.0.1:6379, got ${show(redactUrl(v))}`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw invalid(key, `must be a redis:// or rediss:// URL, got ${show(redactUrl(v))}`);
  }
  return v;
}

/** A URL with its password replaced by `***`, for logs and errors. */
export function redactUrl(text: string): string {
  try {
    const url = new URL(text);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return text.replace(/\/\/[^@/]*@/, '//***@');
  }
}

function checkValue(spec: OptionSpec, v: unknown): unknown {
  const key = spec.key;
  switch (spec.kind) {
    case 'integer':
    case 'number':
      return checkNumber(spec, v);
    case 'boolean':
      if (typeof v !== 'boolean') throw invalid(key, `must be true or false, got ${show(v)}`);
      return v;
    case 'string':
    case 'path':
      if (typeof v !== 'string' || v.length === 0) throw invalid(key, `must be a non-empty string, got ${show(v)}`);
      return spec.kind === 'path' ? resolve(v) : v;
    case 'room':
      if (!isRoomName(v)) throw invalid(key, `must be a room name (1-64 of A-Z a-z 0-9 _ -), got ${show(v)}`);
      return v;
    case 'secret':
      if (typeof v !== 'string' || v.length < MIN_TOKEN_SECRET_LENGTH) {
        throw invalid(key, `must be a string of at least ${MIN_TOKEN_SECRET_LENGTH} characters`);
      }
      return v;
    case 'url':
      return checkRedisUrl(key, v);
    case 'store':
      if (v === 'memory' || v === 'sqlite') return v;
      if (typeof v === 'string' && v.startsWith('sqlite:') && v.length > 'sqlite:'.length) return v;
      if (typeof v === 'string' && /^postgres(ql)?:\/\//.test(v)) return checkPostgresUrl(key, v);
      throw invalid(key, `must be memory, sqlite, sqlite:PATH or postgres://..., got ${show(v)}`);
    case 'retention': {
      const spec = typeof v === 'string' ? parseRetention(v) : `must be a string such as 30d, 10000 or 30d,10000, got ${show(v)}`;
      if (typeof spec === 'string') throw invalid(key, spec);
      return spec;
    }
    case 'list':
      if (!Array.isArray(v)) throw invalid(key, `must be a list of origins, got ${show(v)}`);
      return v.map((o) => checkOrigin(key, o));
    case 'addresses':
      if (!Array.isArray(v)) throw invalid(key, `must be a list of IP addresses or CIDR ranges, got ${show(v)}`);
      return v.map((a) => {
        if (typeof a !== 'string' || !parseAddressRange(a)) throw invalid(key, `${show(a)} is not an IP address or CIDR range such as 10.0.0.0/8`);
        return a.trim();
      });
    case 'log':
      if (v === true) return 'info';
      if (v === false) return 'silent';
      if (typeof v !== 'string' || !(LOG_LEVELS as readonly string[]).includes(v)) {
        throw invalid(key, `must be true, false or one of ${LOG_LEVELS.join(', ')}, got ${show(v)}`);
      }
      return v;
  }
}

/**
 * Applies defaults to `options` and checks every value.
 *
 * @throws {ConfigError} naming the first invalid or unknown option.
 * @example
 * ```ts
 * resolveConfig({ port: 0 }).historyLimit; // 1000
 * resolveConfig({ maxPayload: 10 });       // throws: invalid maxPayload (--max-payload, PARLEY_MAX_PAYLOAD): must be from 65536 to 16777216, got 10
 * ```
 */
export function resolveConfig(options: RelayOptions = {}): RelayConfig {
  if (typeof options !== 'object' || options === null) throw new ConfigError('options', 'relay options must be an object');
  const known = new Set<string>(OPTION_SPECS.map((s) => s.key));
  for (const key of Object.keys(options)) {
    if (!known.has(key)) throw new ConfigError(key, `unknown option ${show(key)}`);
  }
  const out: Record<string, unknown> = {};
  for (const spec of OPTION_SPECS) {
    const given = (options as Record<string, unknown>)[spec.key];
    out[spec.key] = given === undefined ? (spec.default === undefined ? undefined : checkValue(spec, spec.default)) : checkValue(spec, given);
  }
  const store = out.store as string;
  if (out.redis !== undefined && store !== 'memory' && !store.startsWith('postgres')) {
    throw invalid('store', 'an sqlite store belongs to one relay: with redis, keep history in Redis (store memory) or in PostgreSQL (postgres://...)');
  }
  const retention = out.retention as RetentionSpec;
  if (out.redis !== undefined && store === 'memory' && (retention.maxAgeMs !== undefined || retention.maxCount !== undefined)) {
    throw invalid('retention', 'cannot be combined with redis, whose history historyLimit and inboxLimit bound');
  }
  if (out.metricsPort === undefined && options.metricsHost !== undefined) throw invalid('metricsHost', 'needs metricsPort (the metrics listener it is the interface of)');
  if (out.metricsPort !== undefined && out.metricsPort !== 0 && out.metricsPort === out.port) throw invalid('metricsPort', `must differ from port (${out.port as number})`);
  out.store = storeChoice(store, out.dataDir as string);
  out.maxSessionsPerIp ??= SESSIONS_PER_CONNECTION * (out.maxConnectionsPerIp as number);
  return out as unknown as RelayConfig;
}

/** What a PostgreSQL schema the relay makes may be called: lower-case letters, digits and `_` (it is quoted into SQL). */
export const POSTGRES_SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** A PostgreSQL URL that parses, with a host and a valid `schema` parameter if any. */
function checkPostgresUrl(key: string, v: string): string {
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw invalid(key, `is not a valid PostgreSQL URL (postgres://user:password@host:port/database)`);
  }
  if (!url.hostname) throw invalid(key, 'must name a host: postgres://user:password@host:port/database');
  const schema = url.searchParams.get('schema');
  if (schema !== null && !POSTGRES_SCHEMA_NAME.test(schema)) throw invalid(key, `schema ${show(schema)} must be lower-case letters, digits and _`);
  return v;
}

function storeChoice(store: string, dataDir: string): StoreChoice {
  if (store === 'memory') return { kind: 'memory' };
  if (store === 'sqlite') return { kind: 'sqlite', path: join(dataDir, SQLITE_FILE_NAME) };
  if (store.startsWith('postgres')) return { kind: 'postgres', url: store };
  return { kind: 'sqlite', path: resolve(store.slice('sqlite:'.length)) };
}
