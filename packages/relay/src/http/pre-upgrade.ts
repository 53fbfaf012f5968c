/**
 * TCP connections that are not WebSockets (yet): from the moment the relay
 * accepts one until it upgrades or closes, it counts against its address,
 * at most `maxConnectionsPerIp` at once (one more is destroyed at once), and
 * it must finish its first request's headers within `helloTimeoutMs` or it
 * is destroyed. Without this, a socket that sends nothing, or half a request
 * line, is kept until Node's own `headersTimeout` check (a minute or more);
 * and a kept-alive socket that serves one request and then drips the next
 * would be counted nowhere.
 *
 * Later requests on a kept-alive socket are timed by Node (see
 * `server-timeouts.ts`: each must arrive whole within `helloTimeoutMs` of
 * its first byte); this keeps counting the socket until it closes. An
 * upgraded socket is counted by the gateway instead (`maxConnectionsPerIp`,
 * 4006) and given its hello timeout (4002).
 */
import type { Socket } from 'node:net';
import type { Deadline, Deadlines, Expiring } from '../limits/deadlines.js';
import { IpCounter } from '../limits/ip-counter.js';
import type { Logger } from '../observability/logger.js';

/** One plain HTTP socket: counted until it upgrades or closes, timed until its first request is in. */
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
 * server.on('upgrade', (req) => waiting.upgraded(req.socket));
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
      owner.forget(this);
    };
  }

  /** Plain HTTP sockets: accepted, not upgraded, not closed. */
  get size(): number {
    return this.waiting.size;
  }

  /** A TCP connection was accepted (the server's `connection` event). */
  connected(socket: Socket): void {
    const ip = socket.remoteAddress ?? 'unknown';
    const counted = !this.options.uncounted?.(ip);
    if (counted && !this.ips.acquire(ip)) {
      this.log.info({ ip }, 'too many plain HTTP connections from one address');
      socket.destroy();
      return;
    }
    const w = new Waiting(socket, ip, counted, this);
    w.deadline = this.deadlines.after(this.options.timeoutMs, w, 'request_timeout');
    this.waiting.set(socket, w);
    socket.once('close', this.closed);
  }

  /** A request's headers arrived (the server's `request` event): the first one ends the socket's deadline; it stays counted. */
  started(socket: Socket): void {
    const w = this.waiting.get(socket);
    if (!w) return;
    this.deadlines.cancel(w.deadline);
    w.deadline = undefined;
  }

  /** The socket upgraded (the server's `upgrade` event): the gateway counts it from now on. */
  upgraded(socket: Socket): void {
    this.forget(socket);
  }

  /** A socket upgraded or closed: no longer watched or counted here. */
  private forget(socket: Socket): void {
    const w = this.waiting.get(socket);
    if (!w) return;
    this.waiting.delete(socket);
    socket.removeListener('close', this.closed);
    this.deadlines.cancel(w.deadline);
    if (w.counted) this.ips.release(w.ip);
  }

  /** A socket did not finish its first request in time (called by its deadline). */
  timedOut(w: Waiting): void {
    if (this.waiting.get(w.socket) !== w) return;
    this.log.debug({ ip: w.ip, ms: this.options.timeoutMs }, 'no complete request in time: connection closed');
    this.forget(w.socket);
    w.socket.destroy();
  }
}
