/**
 * Helpers for the cluster tests: a real Redis (127.0.0.1:6379, or
 * PARLEY_TEST_REDIS_URL), a key prefix of their own that is deleted
 * afterwards, relays as real processes (for SIGKILL), and a TCP proxy in
 * front of Redis that can be cut and restored (an outage).
 */
import { Redis } from 'ioredis';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { RelayOptions } from '../src/config/options.js';
import { Harness, eventually } from './helpers.js';

/** The Redis the tests use. CI guarantees one at 127.0.0.1:6379. */
export const REDIS_URL = process.env.PARLEY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** A fresh key prefix, so tests never see each other's (or production) keys. */
export function testPrefix(): string {
  return `parley-test:${randomBytes(5).toString('hex')}:`;
}

/**
 * A connection to the test Redis; fails (never skips) with a clear message
 * when there is none.
 */
export async function requireRedis(): Promise<Redis> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null, connectTimeout: 2000 });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    throw new Error(
      `The cluster tests need a Redis at ${REDIS_URL} (set PARLEY_TEST_REDIS_URL to use another): ${(err as Error).message}. ` +
        'Start one with `redis-server --save "" --appendonly no`.',
    );
  }
  return redis;
}

/** Deletes every key under `prefix` (SCAN + DEL). */
export async function deletePrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix.replace(/[*?[\]\\]/g, (c) => '\\' + c)}*`, 'COUNT', 500);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/** Re-exported: the cluster tests wait on Redis state with it. */
export { eventually };

/**
 * A {@link Harness} whose relays share one Redis prefix; `close()` also
 * deletes the prefix's keys.
 *
 * @example
 * ```ts
 * const c = new ClusterHarness(); after(() => c.close());
 * const [a, b, d] = await c.startRelays(3);
 * ```
 */
export class ClusterHarness extends Harness {
  readonly prefix = testPrefix();
  redis!: Redis;
  private readonly processes: RelayProcess[] = [];

  /** Connects to Redis (fails loudly without one). */
  async init(): Promise<this> {
    this.redis = await requireRedis();
    return this;
  }

  /** Options of a relay of this cluster. */
  options(extra: RelayOptions = {}): RelayOptions {
    return { redis: REDIS_URL, redisPrefix: this.prefix, ...extra };
  }

  /** Starts `n` relays of this cluster in this process. */
  async startRelays(n: number, extra: RelayOptions = {}) {
    const out = [];
    for (let i = 0; i < n; i++) out.push(await this.relay(this.options(extra)));
    return out;
  }

  /** Starts a relay of this cluster as its own process (`node dist/cli.js`). */
  async spawn(extra: Record<string, string | number> = {}): Promise<RelayProcess> {
    const p = await RelayProcess.start({ port: 0, host: '127.0.0.1', redis: REDIS_URL, 'redis-prefix': this.prefix, log: 'info', ...extra });
    this.processes.push(p);
    return p;
  }

  override async close(): Promise<void> {
    await super.close();
    await Promise.all(this.processes.splice(0).map((p) => p.kill('SIGKILL')));
    if (this.redis) {
      await deletePrefix(this.redis, this.prefix);
      this.redis.disconnect();
    }
  }
}

/** A relay running as a child process; its JSON log lines are kept. */
export class RelayProcess {
  readonly logs: Array<Record<string, unknown>> = [];
  readonly exited: Promise<number | null>;

  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}/chat`;
  }

  /** Spawns `node dist/cli.js --flag value ...` and resolves with the port from the start-up log line. */
  static start(flags: Record<string, string | number>): Promise<RelayProcess> {
    const args = Object.entries(flags).flatMap(([k, v]) => [`--${k}`, String(v)]);
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const logs: Array<Record<string, unknown>> = [];
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`relay process did not start within 15 s: ${stderr}`));
      }, 15_000);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`relay process exited with ${code} before listening: ${stderr}`));
      });
      createInterface({ input: child.stdout! }).on('line', (line) => {
        let entry: Record<string, unknown>;
        try {
          entry = JSON.parse(line) as Record<string, unknown>;
        } catch {
          return;
        }
        logs.push(entry);
        if (typeof entry.port === 'number' && typeof entry.wsUrl === 'string') {
          clearTimeout(timer);
          child.removeAllListeners('exit');
          const p = new RelayProcess(child, entry.port);
          p.logs.push(...logs);
          logs.push = (...items) => p.logs.push(...items);
          resolve(p);
        }
      });
    });
  }

  /** Sends a signal and resolves with the exit code. */
  async kill(signal: NodeJS.Signals): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode;
    this.child.kill(signal);
    return this.exited;
  }
}

/** How long a thawed proxy lets a side that closed while frozen flush before it drops the pair, ms. */
const FLUSH_BEFORE_DROP_MS = 1000;

/**
 * A TCP proxy in front of Redis (or of any server `target` names) that can
 * be cut (every connection dropped, new ones refused) and restored on the
 * same port, made to lose the answer to the next request, or frozen: like a
 * server stopped with SIGSTOP, it keeps every connection open and accepts
 * new ones but passes nothing on, and when thawed delivers what it held, in
 * order (a side that closed meanwhile is closed after its bytes went through).
 */
export class RedisProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  /** Set by {@link loseNextAnswer}: the next connection to send something is cut before anything comes back. */
  private losing: { afterMs: number; done: () => void } | undefined;
  /** Set by {@link freeze}: what the proxy holds back until {@link thaw}, in order. */
  private held: Array<() => void> | undefined;
  port = 0;

  constructor(private readonly target = new URL(REDIS_URL)) {}

  /** The URL relays should use. */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    await this.listen();
    return this;
  }

  /** Drops every connection and refuses new ones. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Accepts connections again, on the same port (nothing when it does). */
  async restore(): Promise<void> {
    if (!this.server) await this.listen();
  }

  async close(): Promise<void> {
    this.held = undefined;
    await this.cut();
  }

  /** Stops passing bytes (and closes) on, without closing anything. */
  freeze(): void {
    this.held ??= [];
  }

  /** Delivers what the freeze held, in order, and passes bytes on again. */
  thaw(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const step of held) step();
  }

  /**
   * The next request any connection sends reaches the server, but its
   * answer never comes back: `afterMs` later (time for the server to carry
   * it out) that connection is cut. Resolves once it was.
   */
  loseNextAnswer(afterMs: number): Promise<void> {
    return new Promise((done) => (this.losing = { afterMs, done }));
  }

  private listen(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(Number(this.target.port || 6379), this.target.hostname);
      this.sockets.add(client).add(upstream);
      let muted = false;
      const drop = (): void => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      /** Passes a step on now, or after the thaw when frozen. */
      const pass = (step: () => void): void => {
        if (this.held) this.held.push(step);
        else step();
      };
      /** A side closed: at once, or when frozen, after what it sent was delivered. */
      const closed = (): void => {
        if (!this.held) return drop();
        this.held.push(() => {
          client.end();
          upstream.end();
          setTimeout(drop, FLUSH_BEFORE_DROP_MS).unref();
        });
      };
      client.on('error', closed).on('close', closed);
      upstream.on('error', closed).on('close', closed);
      client.on('data', (chunk: Buffer) => {
        const losing = this.losing;
        if (losing && !muted) {
          this.losing = undefined;
          muted = true;
          setTimeout(() => {
            drop();
            losing.done();
          }, losing.afterMs);
        }
        pass(() => upstream.write(chunk));
      });
      upstream.on('data', (chunk: Buffer) => {
        pass(() => {
          if (!muted) client.write(chunk);
        });
      });
    });
    this.server = server;
    return new Promise((resolve) => server.listen(this.port, '127.0.0.1', () => {
      this.port = (server.address() as { port: number }).port;
      resolve();
    }));
  }
}
