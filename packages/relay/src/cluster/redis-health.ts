/**
 * Whether Redis can be reached: both connections (commands, and the
 * subscriber) must be `ready`. ioredis reconnects by itself; this only
 * watches its events, logs each outage once, and tells listeners when the
 * state flips so the relay can report `degraded` and catch up afterwards.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../observability/logger.js';

/**
 * @example
 * ```ts
 * const health = new RedisHealth({ command, sub }, log);
 * health.onChange((up) => metrics.redisUp.set(up ? 1 : 0));
 * if (!health.available) throw new UnavailableError();
 * ```
 */
export class RedisHealth {
  private readonly ready = new Map<string, boolean>();
  private readonly listeners: Array<(up: boolean) => void> = [];
  private up = false;
  private stopped = false;
  /** When the current outage began (ms since the epoch), if Redis is down. */
  downSince: number | undefined = Date.now();

  constructor(
    connections: Record<string, Redis>,
    private readonly log: Logger,
  ) {
    for (const [name, redis] of Object.entries(connections)) {
      this.ready.set(name, redis.status === 'ready');
      redis.on('ready', () => this.set(name, true));
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
  }

  /** Whether both connections are ready. */
  get available(): boolean {
    return this.up;
  }

  /** The relay is closing its connections on purpose: report nothing more. */
  stop(): void {
    this.stopped = true;
  }

  /** Calls `fn` with the new state whenever it flips. */
  onChange(fn: (up: boolean) => void): void {
    this.listeners.push(fn);
  }

  private computed(): boolean {
    for (const r of this.ready.values()) if (!r) return false;
    return true;
  }

  private set(name: string, ready: boolean): void {
    if (this.stopped) return;
    this.ready.set(name, ready);
    const up = this.computed();
    if (up === this.up) return;
    this.up = up;
    if (up) {
      this.log.info({ downMs: this.downSince === undefined ? 0 : Date.now() - this.downSince }, 'redis reachable');
      this.downSince = undefined;
    } else {
      this.downSince = Date.now();
      this.log.warn({ connection: name }, 'redis unreachable: sends are refused with "unavailable" until it is back');
    }
    for (const fn of this.listeners) fn(up);
  }
}
