/**
 * TCP connections that have not finished their first HTTP request (an
 * upgrade or a plain request) yet: each must finish its request headers
 * within `helloTimeoutMs` or it is destroyed, and one address may hold at
 * most `maxConnectionsPerIp` of them at once (one more is destroyed at
 * once). Without this, a socket that sends nothing, or half a request line,
 * is kept until Node's own `headersTimeout` check (a minute or more), and
 * is counted nowhere.
 *
 * Once the request headers are in, the socket is no longer watched here:
 * an upgrade is counted by the gateway (`maxConnectionsPerIp`, 4006) and
 * given its hello timeout (4002); a plain HTTP request is left to Node's
 * `keepAliveTimeout` and `headersTimeout`.
 */
import type { Socket } from 'node:net';
import type { Deadline, Deadlines, Expiring } from '../limits/deadlines.js';
import { IpCounter } from '../limits/ip-counter.js';
import type { Logger } from '../observability/logger.js';

/** One socket waiting for its request: the target of its deadline. */
class Waiting implements Expiring<'request_timeout'> {
  deadline: Deadline<'request_timeout'> | undefined;

  constructor(
    readonly socket: Socket,
    readonly ip: string,
    /** Whether it counts against the per-address limit. */
    readonly counted: boolean,
    private readonly owner: PreUpgrade,
  ) {}

  expired(): void {
    this.deadline = undefined;
    this.owner.timedOut(this);
  }
}

/**
 * @example
 * ```ts
 * const waiting = new PreUpgrade(heartbeat.deadlines, { timeoutMs: 10_000, maxPerIp: 50 }, log);
 * server.on('connection', (socket) => waiting.connected(socket));
 * server.on('request', (req) => waiting.started(req.socket));
 * server.on('upgrade', (req) => waiting.started(req.socket));
 * ```
 */
export class PreUpgrade {
  private readonly waiting = new Map<Socket, Waiting>();
  private readonly ips: IpCounter;
  /** The `close` listener of every watched socket (`this` is the socket); one function for all. */
  private readonly closed: (this: Socket) => void;

  constructor(
    private readonly deadlines: Deadlines,
    private readonly options: {
      timeoutMs: number;
      maxPerIp: number;
      /** Addresses not counted against `maxPerIp` (trusted proxies, which carry many clients); still timed out. */
      uncounted?: (ip: string) => boolean;
    },
    private readonly log: Logger,
  ) {
    this.ips = new IpCounter(options.maxPerIp);
    const owner = this;
    this.closed = function (this: Socket) {
      owner.started(this);
    };
  }

  /** Sockets that have not finished their first request. */
  get size(): number {
    return this.waiting.size;
  }

  /** A TCP connection was accepted (the server's `connection` event). */
  connected(socket: Socket): void {
    const ip = socket.remoteAddress ?? 'unknown';
    const counted = !this.options.uncounted?.(ip);
    if (counted && !this.ips.acquire(ip)) {
      this.log.info({ ip }, 'too many connections without a request from one address');
      socket.destroy();
      return;
    }
    const w = new Waiting(socket, ip, counted, this);
    w.deadline = this.deadlines.after(this.options.timeoutMs, w, 'request_timeout');
    this.waiting.set(socket, w);
    socket.once('close', this.closed);
  }

  /** The socket's request headers arrived (`request` or `upgrade`), or it closed: no longer watched. */
  started(socket: Socket): void {
    const w = this.waiting.get(socket);
    if (!w) return;
    this.waiting.delete(socket);
    socket.removeListener('close', this.closed);
    this.deadlines.cancel(w.deadline);
    if (w.counted) this.ips.release(w.ip);
  }

  /** A socket did not finish its request in time (called by its deadline). */
  timedOut(w: Waiting): void {
    if (this.waiting.get(w.socket) !== w) return;
    this.log.debug({ ip: w.ip, ms: this.options.timeoutMs }, 'no complete request in time: connection closed');
    this.started(w.socket);
    w.socket.destroy();
  }
}
