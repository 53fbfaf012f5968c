/**
 * Real relays, proxies and clients for Node tests, all closed in teardown.
 */
import WebSocket from 'ws';
import { createRelay, type RelayHandle, type RelayOptions, type RelayParts } from '@parley/relay';
import type { RoomMessage } from '@parley/protocol';
import { createClient, type ClientOptions, type ParleyClient, type SocketConstructor } from '../src/index.js';
import { createProxy, type Proxy } from './proxy.js';
import { next } from './wait.js';

export type { RoomMessage };

/** Fast timers for tests: short backoff, no browser signals, no storage. */
export const FAST: Partial<ClientOptions> = {
  WebSocket,
  storage: null,
  backoff: { base: 20, cap: 200 },
  watchNetwork: false,
};

/** Owns what a test opens, and closes it all in `close()`. */
export class Harness {
  private relays: RelayHandle[] = [];
  private proxies: Proxy[] = [];
  private clients: ParleyClient[] = [];

  async relay(options: RelayOptions = {}, parts: RelayParts = {}): Promise<RelayHandle> {
    const relay = await createRelay({ port: 0, host: '127.0.0.1', log: false, ...options }, parts);
    this.relays.push(relay);
    return relay;
  }

  async proxy(target: string): Promise<Proxy> {
    const proxy = await createProxy(target);
    this.proxies.push(proxy);
    return proxy;
  }

  /** A client with test defaults; not connected. */
  client(options: Partial<ClientOptions> & { url: ClientOptions['url'] }): ParleyClient {
    const client = createClient({ ...FAST, ...options });
    this.clients.push(client);
    return client;
  }

  /** A connected client, once its session is open. */
  async open(options: Partial<ClientOptions> & { url: ClientOptions['url'] }): Promise<ParleyClient> {
    const client = this.client(options);
    const opened = next(client, 'status', (s) => s.to === 'open', 10_000);
    client.connect();
    await opened;
    return client;
  }

  /** Forgets a relay closed by the test itself. */
  forget(relay: RelayHandle): void {
    this.relays = this.relays.filter((r) => r !== relay);
  }

  async close(): Promise<void> {
    this.clients.splice(0).forEach((c) => c.close());
    await Promise.all(this.proxies.splice(0).map((p) => p.close()));
    await Promise.all(this.relays.splice(0).map((r) => r.close()));
  }
}

/** Collects the room messages a client delivers. */
export function collect(client: ParleyClient): RoomMessage[] {
  const got: RoomMessage[] = [];
  client.on('message', (m) => got.push(m));
  return got;
}

let fences = 0;

/**
 * Sends a marker from `from` to `room` and waits until every one of
 * `receivers` has delivered it; resolves with its text. A room's messages are
 * delivered in `seq` order and a resumed session's replay comes before what
 * is live, so whatever a receiver was going to deliver before the marker (a
 * message doubled by a resend, or replayed twice) has arrived by then: check
 * for doubles after it instead of sleeping.
 */
export async function fence(from: ParleyClient, room: string, ...receivers: ParleyClient[]): Promise<string> {
  const text = `fence ${++fences}`;
  const seen = receivers.map((r) => next(r, 'message', (m) => m.text === text, 10_000));
  await from.send(room, text);
  await Promise.all(seen);
  return text;
}

/** The `ws` WebSocket, counting the sockets made with it and keeping every frame sent on them. */
export function recordingSocket(): { readonly opened: number; frames: string[]; WebSocket: SocketConstructor } {
  const record = { opened: 0, frames: [] as string[], WebSocket: undefined as unknown as SocketConstructor };
  class Recording extends WebSocket {
    constructor(url: string, protocols: string | string[]) {
      super(url, protocols);
      record.opened++;
    }
    override send(data: string): void {
      record.frames.push(data);
      super.send(data);
    }
  }
  record.WebSocket = Recording as unknown as SocketConstructor;
  return record;
}
