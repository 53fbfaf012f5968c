/**
 * Whether Redis answers: both connections (commands, and the subscriber)
 * must be `ready`, and each must answer a probe (TIME on the first
 * connection, PING on the others) sent every {@link REDIS_PROBE_INTERVAL_MS}
 * within {@link REDIS_PROBE_TIMEOUT_MS}. A Redis that is frozen (SIGSTOP, a
 * link that takes bytes and answers nothing) keeps its connections open:
 * only the probe finds it. ioredis reconnects by itself; this watches its
 * events and the probes, logs each outage once, and tells listeners when the
 * state flips so the relay can report `degraded` and catch up afterwards.
 * The TIME answers also keep {@link RedisHealth.clock}, Redis's clock as the
 * relay knows it, for the deadlines of sends.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../observability/logger.js';
import { UnavailableError } from '../store/errors.js';
import { RemoteClock } from '../store/remote-clock.js';
import { REDIS_PROBE_INTERVAL_MS, REDIS_PROBE_TIMEOUT_MS, redisTimeMs } from './redis-timing.js';

/** How often and how patiently a {@link RedisHealth} probes. */
export interface RedisProbeOptions {
  /** Default {@link REDIS_PROBE_INTERVAL_MS}. */
  intervalMs?: number;
  /** Default {@link REDIS_PROBE_TIMEOUT_MS}. */
  timeoutMs?: number;
}

/** One connection as the health sees it. */
interface Watched {
  redis: Redis;
  ready: boolean;
  /** A probe sent and not answered yet: when it was sent (local ms). */
  probing: number | undefined;
  /** A probe went unanswered past the timeout, and none has been answered since. */
  silent: boolean;
  /** Bumped on every reconnect: the answer of a probe sent before it says nothing of the new connection. */
  generation: number;
}

/**
 * @example
 * ```ts
 * const health = new RedisHealth({ command, sub }, log);
 * health.onChange((up) => metrics.redisUp.set(up ? 1 : 0));
 * if (!health.available) throw new UnavailableError();
 * ```
 */
export class RedisHealth {
  /** Redis's clock, from the TIME probes of the first connection. */
  readonly clock = new RemoteClock();
  private readonly watched = new Map<string, Watched>();
  private readonly listeners: Array<(up: boolean) => void> = [];
  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  private readonly timer: NodeJS.Timeout;
  private readonly clockConnection: string | undefined;
  private up = false;
  private stopped = false;
  /** When the current outage began (ms since the epoch), if Redis is down. */
  downSince: number | undefined = Date.now();

  constructor(
    connections: Record<string, Redis>,
    private readonly log: Logger,
    options: RedisProbeOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? REDIS_PROBE_INTERVAL_MS;
    this.timeoutMs = options.timeoutMs ?? REDIS_PROBE_TIMEOUT_MS;
    this.clockConnection = Object.keys(connections)[0];
    for (const [name, redis] of Object.entries(connections)) {
      const w: Watched = { redis, ready: redis.status === 'ready', probing: undefined, silent: false, generation: 0 };
      this.watched.set(name, w);
      redis.on('ready', () => {
        w.generation++;
        w.probing = undefined;
        w.silent = false;
        this.set(name, true);
      });
      redis.on('close', () => this.set(name, false));
      redis.on('end', () => this.set(name, false));
      redis.on('error', (err: Error) => {
        if (this.stopped) return;
        // ioredis reports every failed reconnect attempt; one line per outage is enough
        if (this.up || this.downSince === undefined) log.warn({ connection: name, err: err.message }, 'redis error');
        else log.debug({ connection: name, err: err.message }, 'redis error');
      });
    }
    this.up = this.computed();
    if (this.up) this.downSince = undefined;
    this.timer = setInterval(() => this.probeAll(), this.intervalMs);
    this.timer.unref?.();
    this.probeAll();
  }

  /** Whether both connections are ready and answer their probes. */
  get available(): boolean {
    return this.up;
  }

  /**
   * Redis's clock now (never ahead of it); before the first probe answered,
   * asks Redis once.
   *
   * @throws {UnavailableError} when Redis does not answer
   */
  async remoteNow(): Promise<number> {
    const known = this.clock.now();
    if (known !== undefined) return known;
    const w = this.clockConnection === undefined ? undefined : this.watched.get(this.clockConnection);
    if (!w) throw new UnavailableError(new Error('no Redis connection to read the clock on'));
    try {
      await this.readClock(w.redis);
    } catch (err) {
      throw new UnavailableError(err);
    }
    return this.clock.now()!;
  }

  /** The relay is closing its connections on purpose: probe and report nothing more. */
  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  /** Calls `fn` with the new state whenever it flips. */
  onChange(fn: (up: boolean) => void): void {
    this.listeners.push(fn);
  }

  private computed(): boolean {
    for (const w of this.watched.values()) if (!w.ready || w.silent) return false;
    return true;
  }

  private async readClock(redis: Redis): Promise<void> {
    const sent = this.clock.local();
    const time = (await redis.time()) as [string | number, string | number];
    this.clock.sample(sent, redisTimeMs(time), this.clock.local());
  }

  /** Marks connections whose probe is overdue silent, and sends a probe on each that has none out. */
  private probeAll(): void {
    if (this.stopped) return;
    const now = Date.now();
    for (const [name, w] of this.watched) {
      if (!w.ready || w.redis.status !== 'ready') continue;
      if (w.probing !== undefined) {
        if (!w.silent && now - w.probing >= this.timeoutMs) {
          w.silent = true;
          this.set(name, true, `no answer to a probe within ${this.timeoutMs} ms`);
        }
        continue;
      }
      w.probing = now;
      const generation = w.generation;
      const probe = name === this.clockConnection ? this.readClock(w.redis) : w.redis.ping().then(() => {});
      probe.then(
        () => {
          if (w.generation !== generation) return;
          w.probing = undefined;
          if (w.silent) {
            w.silent = false;
            this.set(name, w.ready);
          }
        },
        // a command timeout or a closed connection: the next round sends another (a silent one stays silent until answered)
        () => {
          if (w.generation === generation) w.probing = undefined;
        },
      );
    }
  }

  private set(name: string, ready: boolean, why?: string): void {
    if (this.stopped) return;
    const w = this.watched.get(name)!;
    w.ready = ready;
    const up = this.computed();
    if (up === this.up) return;
    this.up = up;
    if (up) {
      this.log.info({ downMs: this.downSince === undefined ? 0 : Date.now() - this.downSince }, 'redis reachable');
      this.downSince = undefined;
    } else {
      this.downSince = Date.now();
      this.log.warn({ connection: name, reason: why ?? 'connection lost' }, 'redis unreachable: sends are refused with "unavailable" until it is back');
    }
    for (const fn of this.listeners) fn(up);
  }
}
