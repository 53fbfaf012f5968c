/**
 * Real relays, proxies and clients for Node tests, all closed in teardown.
 */
import WebSocket from 'ws';
import { createRelay, type RelayHandle, type RelayOptions } from '@parley/relay';
import type { RoomMessage } from '@parley/protocol';
import { createClient, type ClientOptions, type ParleyClient } from '../src/index.js';
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

  async relay(options: RelayOptions = {}): Promise<RelayHandle> {
    const relay = await createRelay({ port: 0, host: '127.0.0.1', log: false, ...options });
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
