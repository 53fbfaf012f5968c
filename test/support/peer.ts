/**
 * A plain `ws` connection that speaks envelopes by hand and records every one
 * it receives (batched frames split): for the protocol-level attacks, where
 * the SDK would be too polite.
 *
 * @example
 * ```ts
 * const eve = await Peer.open(relay.wsUrl);
 * await eve.hello({ nick: 'eve' });
 * eve.send({ type: 'send', room: 'lobby', text: 'hi', cid: 'c1', from: 'ada' });
 * await eve.next((e) => e.type === 'error');
 * ```
 */
import WebSocket, { type ClientOptions } from 'ws';
import { within } from './wait.js';

export type Envelope = Record<string, any>;

export class Peer {
  readonly received: Envelope[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private listeners: Array<() => void> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('error', () => {});
    ws.on('message', (data: Buffer, binary) => {
      if (binary) return;
      const text = data.toString('utf8');
      if (!text.startsWith('{')) return;
      for (const line of text.split('\n')) this.received.push(JSON.parse(line) as Envelope);
      for (const l of [...this.listeners]) l();
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        this.isClosed = true;
        resolve({ code, reason: reason.toString() });
        for (const l of [...this.listeners]) l();
      }),
    );
  }

  /** Whether the socket has closed. */
  isClosed = false;

  /** Opens a connection (rejects with `status` on a refused upgrade). */
  static open(url: string, protocols: string | string[] | undefined = 'parley.v1', options: ClientOptions = {}): Promise<Peer> {
    const ws = new WebSocket(url, protocols, options);
    const peer = new Peer(ws);
    return within(
      new Promise<Peer>((resolve, reject) => {
        ws.once('open', () => resolve(peer));
        ws.once('error', reject);
        ws.once('unexpected-response', (_req, res) => {
          reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode }));
          res.resume();
          ws.terminate();
        });
      }),
      5000,
      `${url} to open`,
    );
  }

  send(data: object | string): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(typeof data === 'string' ? data : JSON.stringify(data));
  }

  /** The first envelope received at or after index `from` that matches (waits up to `ms`; rejects once the socket closed without one). */
  next(match: (e: Envelope) => boolean, ms = 4000, from = 0): Promise<Envelope> {
    return within(
      new Promise<Envelope>((resolve, reject) => {
        const check = (): boolean => {
          const found = this.received.slice(from).find(match);
          if (found || this.isClosed) {
            this.listeners = this.listeners.filter((l) => l !== listener);
            if (found) resolve(found);
            else reject(new Error('the socket closed before a matching envelope came'));
            return true;
          }
          return false;
        };
        const listener = (): void => void check();
        if (!check()) this.listeners.push(listener);
      }),
      ms,
      'a matching envelope',
    );
  }

  /** Sends `hello`; resolves with `welcome` or the hello's `error`. */
  hello(fields: Record<string, unknown>): Promise<Envelope> {
    const from = this.received.length;
    this.send({ type: 'hello', ...fields });
    return this.next((e) => e.type === 'welcome' || (e.type === 'error' && e.ref === 'hello'), 4000, from);
  }

  /** Sends a ping with `ts` and waits for its pong: everything sent before it has been handled. */
  async fence(ts = Date.now()): Promise<void> {
    const from = this.received.length;
    this.send({ type: 'ping', ts });
    await this.next((e) => e.type === 'pong' && e.ts === ts, 4000, from);
  }

  /** Envelopes of `type` received so far. */
  all(type: string): Envelope[] {
    return this.received.filter((e) => e.type === type);
  }

  /** Cuts the TCP connection without a close frame (the relay sees a drop). */
  async drop(): Promise<void> {
    this.ws.terminate();
    await this.closed;
  }

  /** Closes (1000) and waits. */
  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close(1000);
    await within(this.closed, 6000, 'the close').catch(() => this.ws.terminate());
  }
}
