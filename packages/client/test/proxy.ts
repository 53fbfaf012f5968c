/**
 * A TCP proxy between a client and the relay that a test can sabotage: cut
 * every connection, stop forwarding without closing (half-open), drop what
 * the relay sends, or close with a chosen WebSocket close code.
 */
import net from 'node:net';

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
  stalled: boolean;
}

/** Decides what happens to a chunk the relay sent: `'forward'`, or `'cut'` to drop it and cut that connection. */
export type ServerChunkHook = (chunk: Buffer) => 'forward' | 'cut';

export interface Proxy {
  /** `ws://127.0.0.1:<port>/chat` through the proxy. */
  url: string;
  /** Connections accepted so far. */
  accepted: number;
  /** Connections open now. */
  readonly open: number;
  /** Destroys every open connection at once (the client sees 1006). */
  cut(): void;
  /** Stops forwarding in both directions on every open connection, closing nothing. New connections still work. */
  stall(): void;
  /** Sends a WebSocket close frame with `code` to every client, then ends the connections. */
  closeWith(code: number): void;
  /** While true, new connections are dropped at once (the relay looks unreachable). */
  refusing: boolean;
  /** Inspects what the relay sends (the WebSocket frames are plain text: no compression is negotiated). */
  onServerChunk: ServerChunkHook | null;
  close(): Promise<void>;
}

/** Starts a proxy on an ephemeral port in front of `target` (a relay's `ws://host:port/...` URL). */
export async function createProxy(target: string): Promise<Proxy> {
  const { hostname, port } = new URL(target);
  const pairs = new Set<Pair>();
  const end = (pair: Pair) => {
    pair.client.destroy();
    pair.upstream.destroy();
    pairs.delete(pair);
  };
  const server = net.createServer((client) => {
    if (proxy.refusing) {
      client.destroy();
      return;
    }
    const upstream = net.connect(Number(port), hostname);
    const pair: Pair = { client, upstream, stalled: false };
    pairs.add(pair);
    proxy.accepted++;
    client.on('data', (d) => {
      if (!pair.stalled) upstream.write(d);
    });
    upstream.on('data', (d) => {
      if (pair.stalled) return;
      if (proxy.onServerChunk?.(d) === 'cut') return end(pair);
      client.write(d);
    });
    for (const s of [client, upstream]) {
      s.on('error', () => end(pair));
      s.on('close', () => {
        if (!pair.stalled) end(pair);
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const listening = (server.address() as net.AddressInfo).port;
  const proxy: Proxy = {
    url: `ws://127.0.0.1:${listening}/chat`,
    accepted: 0,
    get open() {
      return pairs.size;
    },
    cut() {
      [...pairs].forEach(end);
    },
    stall() {
      for (const p of pairs) p.stalled = true;
    },
    closeWith(code) {
      for (const p of [...pairs]) {
        p.stalled = true; // forward nothing more from the relay
        p.client.end(Buffer.from([0x88, 2, code >> 8, code & 0xff]));
        p.upstream.destroy();
        pairs.delete(p);
      }
    },
    onServerChunk: null,
    refusing: false,
    async close() {
      [...pairs].forEach(end);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}
