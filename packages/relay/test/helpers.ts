/**
 * Test helpers: a real relay on port 0, real `ws` clients that collect every
 * envelope (splitting batched frames), and waits with timeouts.
 */
import { SUBPROTOCOL, type ServerMessage } from '@parley/protocol';
import { once } from 'node:events';
import WebSocket, { type ClientOptions } from 'ws';
import { createRelay, type RelayHandle } from '../src/index.js';
import type { RelayOptions } from '../src/config/options.js';

/** How long a wait may take before the test fails, ms (generous: the machine is shared). */
export const WAIT_MS = 4000;

/** Options every test relay starts with: quiet, loopback, any free port. */
export const TEST_OPTIONS: RelayOptions = { port: 0, host: '127.0.0.1', log: false };

/** An envelope as the test sees it (any relay envelope). */
export type Envelope = ServerMessage & Record<string, unknown>;

type Waiter<T> = { match: (x: T) => boolean; resolve: (x: T) => void };

/** Resolves after `ms`. Only for waits that are the point of a test (a bucket refills, a timer must not fire yet); name the duration. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resolves when `check` holds (polled every `every` ms), or fails naming `what` after `ms`. */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, ms = 5000, every = 25): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(every);
  }
}

let sentinels = 0;

function deadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * A `ws` client that records every frame and envelope. `next(type)` takes the
 * first not-yet-taken envelope of that type, waiting for it if needed.
 */
export class TestClient {
  /** Every raw frame received, in order (text frames as strings, binary as Buffers). */
  readonly frames: Array<string | Buffer> = [];
  private readonly queue: Envelope[] = [];
  private readonly rawQueue: Array<string | Buffer> = [];
  private readonly waiters: Waiter<Envelope>[] = [];
  private readonly rawWaiters: Waiter<string | Buffer>[] = [];
  /** Resolves with the close code and reason. */
  readonly closed: Promise<{ code: number; reason: string }>;
  /** WebSocket pings received so far. */
  private pings = 0;
  private readonly pingWaiters: Array<{ n: number; resolve: () => void }> = [];

  constructor(readonly ws: WebSocket) {
    ws.on('error', () => {});
    ws.on('ping', () => {
      this.pings++;
      for (const w of this.pingWaiters.filter((x) => x.n <= this.pings)) {
        this.pingWaiters.splice(this.pingWaiters.indexOf(w), 1);
        w.resolve();
      }
    });
    ws.on('message', (data: Buffer, isBinary) => {
      const frame = isBinary ? data : data.toString('utf8');
      this.frames.push(frame);
      this.feed(this.rawQueue, this.rawWaiters, frame);
      if (typeof frame === 'string' && frame.startsWith('{"type"')) {
        for (const line of frame.split('\n')) this.feed(this.queue, this.waiters, JSON.parse(line) as Envelope);
      }
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  /** Every envelope received so far (taken or not). */
  get received(): Envelope[] {
    return this.frames.filter((f): f is string => typeof f === 'string' && f.startsWith('{"type"')).flatMap((f) => f.split('\n').map((l) => JSON.parse(l) as Envelope));
  }

  /** Sends an envelope (object) or a raw text. */
  send(data: object | string): void {
    this.ws.send(typeof data === 'string' ? data : JSON.stringify(data));
  }

  /** Takes the first envelope of `type` (and matching `where`), waiting up to `ms`. */
  next(type?: string, where: (e: Envelope) => boolean = () => true, ms = WAIT_MS): Promise<Envelope> {
    const match = (e: Envelope): boolean => (type === undefined || e.type === type) && where(e);
    return this.take(this.queue, this.waiters, match, ms, `a "${type ?? 'any'}" envelope`);
  }

  /** Takes the next raw frame (seed clients). */
  nextFrame(ms = WAIT_MS): Promise<string | Buffer> {
    return this.take(this.rawQueue, this.rawWaiters, () => true, ms, 'a frame');
  }

  /**
   * Resolves once `n` WebSocket pings have arrived (with `autoPong`, each was
   * answered before this resolves), up to `ms`.
   */
  pinged(n = 1, ms = WAIT_MS): Promise<void> {
    if (this.pings >= n) return Promise.resolve();
    return deadline(new Promise<void>((resolve) => this.pingWaiters.push({ n, resolve })), ms, `${n} WebSocket ping(s)`);
  }

  /**
   * Sends a ping envelope and waits for its pong: everything the relay had
   * queued for this socket before it read the ping (a broadcast from an
   * earlier turn included: the relay flushes before reading more) has then
   * arrived. The sentinel for "nothing else arrives" on one relay.
   */
  async settle(ms = WAIT_MS): Promise<void> {
    const ts = 9_000_000_000_000 + ++sentinels;
    this.send({ type: 'ping', ts });
    await this.next('pong', (e) => e.ts === ts, ms);
  }

  /**
   * Fails when an envelope of `type` (matching `where`) is waiting untaken
   * once {@link settle} returns: nothing of the kind arrived before the
   * sentinel. For one relay; across Redis use {@link none}.
   */
  async noneBefore(type: string, where: (e: Envelope) => boolean = () => true): Promise<void> {
    await this.settle();
    const found = this.queue.find((e) => e.type === type && where(e));
    if (found) throw new Error(`unexpected ${type}: ${JSON.stringify(found)}`);
  }

  /**
   * Fails when an envelope of `type` (matching `where`) arrives within `ms`.
   * A sleep: only where no sentinel can follow the same path (across relays).
   */
  async none(type: string, ms = 300, where: (e: Envelope) => boolean = () => true): Promise<void> {
    await sleep(ms);
    const found = this.queue.find((e) => e.type === type && where(e));
    if (found) throw new Error(`unexpected ${type}: ${JSON.stringify(found)}`);
  }

  /** Sends `hello` and waits for `welcome`. */
  async hello(fields: Record<string, unknown>): Promise<Envelope> {
    this.send({ type: 'hello', ...fields });
    return this.next('welcome');
  }

  /** Waits for the close, up to `ms`. */
  closedWithin(ms = WAIT_MS): Promise<{ code: number; reason: string }> {
    return deadline(this.closed, ms, 'the socket to close');
  }

  /** Closes the socket (if open) and waits for it. */
  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.terminate();
    await this.closed;
  }

  private feed<T>(queue: T[], waiters: Waiter<T>[], item: T): void {
    const i = waiters.findIndex((w) => w.match(item));
    if (i >= 0) waiters.splice(i, 1)[0]!.resolve(item);
    else queue.push(item);
  }

  private take<T>(queue: T[], waiters: Waiter<T>[], match: (x: T) => boolean, ms: number, what: string): Promise<T> {
    const i = queue.findIndex(match);
    if (i >= 0) return Promise.resolve(queue.splice(i, 1)[0]!);
    let waiter!: Waiter<T>;
    const p = new Promise<T>((resolve) => {
      waiter = { match, resolve };
      waiters.push(waiter);
    });
    return deadline(p, ms, what).catch((err: Error) => {
      const at = waiters.indexOf(waiter);
      if (at >= 0) waiters.splice(at, 1);
      throw err;
    });
  }
}

/**
 * Owns everything a test file opens, and closes it all in `after`.
 *
 * @example
 * ```ts
 * const h = new Harness(); after(() => h.close());
 * const relay = await h.relay({ historyLimit: 3 });
 * const ada = await h.chat(relay, { nick: 'ada' });
 * ```
 */
export class Harness {
  private readonly relays: RelayHandle[] = [];
  private readonly clients: TestClient[] = [];

  /** Starts a relay with {@link TEST_OPTIONS} and `options`. */
  async relay(options: RelayOptions = {}): Promise<RelayHandle> {
    const relay = await createRelay({ ...TEST_OPTIONS, ...options });
    this.relays.push(relay);
    return relay;
  }

  /** Opens a WebSocket (resolves on open; rejects on a refused upgrade). */
  async open(url: string, protocols: string | string[] | undefined = SUBPROTOCOL, options: ClientOptions = {}): Promise<TestClient> {
    const ws = new WebSocket(url, protocols, options);
    const client = new TestClient(ws);
    this.clients.push(client);
    await deadline(
      new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
        ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })));
      }),
      WAIT_MS,
      'the socket to open',
    );
    return client;
  }

  /** Opens a `/chat` connection and completes `hello` with `fields`. */
  async chat(relay: RelayHandle, fields: Record<string, unknown>): Promise<TestClient> {
    const client = await this.open(relay.wsUrl);
    await client.hello(fields);
    return client;
  }

  /** Closes every client and relay opened so far. */
  async close(): Promise<void> {
    await Promise.all(this.clients.splice(0).map((c) => c.close()));
    await Promise.all(this.relays.splice(0).map((r) => r.close()));
  }
}

/** Resolves when `emitter` emits `event` (re-exported for tests). */
export { once };

/** Fetches a relay path; answers status, headers and text. */
export async function get(relay: RelayHandle, path: string, init: RequestInit = {}): Promise<{ status: number; headers: Headers; text: string }> {
  const res = await fetch(relay.url.replace('localhost', '127.0.0.1') + path, init);
  return { status: res.status, headers: res.headers, text: await res.text() };
}
