/**
 * The WebSocket front door: answers HTTP upgrades itself so that refusals
 * are proper HTTP answers (403 for a foreign Origin, 404 for an unknown path,
 * 503 while shutting down), then applies the per-IP limit and the
 * subprotocol rule and hands the socket to its endpoint.
 */
import { CloseCode, SUBPROTOCOL } from '@parley/protocol';
import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ChatConnection } from '../connection/chat-connection.js';
import { closeSocket } from '../wire/closing.js';
import type { RelayContext } from '../handlers/context.js';
import { serveEcho } from '../connection/echo.js';
import { IpCounter } from '../limits/ip-counter.js';
import { RelaySocket } from '../wire/relay-socket.js';
import { pathOf, routeOf, type Route } from './routes.js';
import { SeedConnection } from '../connection/seed-connection.js';

/**
 * The upgrade socket's error listener until `ws` takes the socket over. A
 * function of its own (not a closure in {@link Gateway.upgrade}), so nothing
 * keeps the upgrade request alive for the connection's lifetime.
 */
function destroyOnError(this: Duplex): void {
  this.destroy();
}

/** Answers an upgrade request with a plain HTTP error and closes the socket. */
function refuse(socket: Duplex, status: number, message: string): void {
  const body = message + '\n';
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/**
 * @example
 * ```ts
 * const gateway = new Gateway(ctx);
 * server.on('upgrade', (req, socket, head) => gateway.upgrade(req, socket, head));
 * ```
 */
export class Gateway {
  private readonly wss: WebSocketServer;
  private readonly ips: IpCounter;
  /** Open sockets; each carries its endpoint (`null` while being refused) and address. */
  private readonly sockets = new Set<RelaySocket>();
  /** The `close` listener of every accepted socket (`this` is the socket); tells its endpoint. */
  private readonly released: (this: WebSocket, code: number) => void;
  /** The `error` listener of sockets that are not `/chat` connections (those log their own). */
  private readonly socketError: (err: Error) => void;

  constructor(private readonly ctx: RelayContext) {
    this.ips = new IpCounter(ctx.config.maxConnectionsPerIp);
    const { ips, sockets } = this;
    this.released = function (this: WebSocket, code: number) {
      const ws = this as RelaySocket;
      ips.release(ws.ip);
      sockets.delete(ws);
      ws.endpoint?.socketClosed?.(code);
    };
    this.socketError = (err) => ctx.log.debug({ err: err.message }, 'socket error');
    this.wss = new WebSocketServer({
      WebSocket: RelaySocket,
      noServer: true,
      maxPayload: ctx.config.maxPayload,
      perMessageDeflate: false,
      clientTracking: false,
      handleProtocols: (offered, req) => {
        const route = routeOf(pathOf(req.url) ?? '');
        if (route === null || route === 'bad' || route.kind !== 'chat') return false;
        if (offered.has(SUBPROTOCOL)) return SUBPROTOCOL;
        // Select what the client offered so that it sees the 4503 close and its reason, not a failed handshake.
        return offered.values().next().value ?? false;
      },
    });
  }

  /** Open WebSocket connections. */
  get size(): number {
    return this.sockets.size;
  }

  /** Addresses with at least one connection. */
  get addresses(): number {
    return this.ips.size;
  }

  /** Handles an HTTP `upgrade` event. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', destroyOnError);
    if (this.ctx.closing) return refuse(socket, 503, 'The relay is shutting down; connect again shortly.');
    const route = routeOf(pathOf(req.url) ?? '');
    if (route === null) return refuse(socket, 404, 'No WebSocket endpoint here: use /chat, /ws or /ws/<nickname>.');
    if (route === 'bad') return refuse(socket, 400, 'The nickname in /ws/<nickname> must be one percent-encoded path segment.');
    const origins = this.ctx.config.origins;
    const origin = req.headers.origin?.toLowerCase();
    if (origins.length > 0 && (origin === undefined || !origins.includes(origin))) {
      this.ctx.metrics.closes.labels('origin_refused').inc();
      this.ctx.log.info({ origin: origin ?? null }, 'refused upgrade from a foreign origin');
      return refuse(socket, 403, 'This page\'s origin may not open WebSockets to this relay.');
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      // `ws` listens for the socket's errors from here on
      socket.removeListener('error', destroyOnError);
      (ws as RelaySocket).wire = socket;
      this.accept(ws as RelaySocket, req, route);
    });
  }

  /** Closes every connection with 1001 (going away) and resolves when all have closed. */
  async closeAll(): Promise<void> {
    const closed: Promise<void>[] = [];
    for (const ws of this.sockets) {
      closed.push(new Promise((resolve) => ws.once('close', () => resolve())));
      if (ws.endpoint) ws.endpoint.close(CloseCode.GoingAway, 'relay shutting down', 'going_away');
      else closeSocket(ws, CloseCode.GoingAway, 'relay shutting down');
    }
    await Promise.all(closed);
  }

  /** Resolves when every frame received so far has been handled (in-flight acks written). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.sockets].map((ws) => ws.endpoint?.idle));
  }

  /** Destroys every socket at once (shutdown took too long). */
  terminateAll(): void {
    for (const ws of this.sockets) ws.terminate();
  }

  private accept(ws: RelaySocket, req: IncomingMessage, route: Route): void {
    const { ctx } = this;
    const ip = ctx.addresses.of(req.socket.remoteAddress ?? 'unknown', req.headers['x-forwarded-for']);
    if (!this.ips.acquire(ip)) {
      ws.on('error', this.socketError);
      ctx.metrics.closes.labels('too_many_connections').inc();
      ctx.log.info({ ip }, 'too many connections from one address');
      return closeSocket(ws, CloseCode.TooManyConnections, 'too many connections from your address');
    }
    ws.ip = ip;
    this.sockets.add(ws);
    ws.on('close', this.released);
    if (route.kind === 'chat' && ws.protocol === SUBPROTOCOL) {
      // sets ws.endpoint (told of the close by `released`) and listens for the socket's errors itself
      new ChatConnection(ws, ctx);
      return;
    }
    ws.on('error', this.socketError);
    if (route.kind === 'echo') {
      ws.endpoint = serveEcho(ws, ctx);
      return;
    }
    if (route.kind === 'seed') {
      const seed = new SeedConnection(ws, ctx, route.nick);
      ws.endpoint = seed;
      return seed.start();
    }
    ctx.metrics.closes.labels('unsupported_protocol').inc();
    return closeSocket(ws, CloseCode.UnsupportedProtocol, `offer the subprotocol ${SUBPROTOCOL}`);
  }
}
