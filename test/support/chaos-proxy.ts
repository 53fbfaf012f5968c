/**
 * A TCP proxy (node:net) between clients and a relay that breaks connections
 * on purpose: it kills them with a FIN (`end`) or an RST (`resetAndDestroy`),
 * each side chosen independently, or freezes them (half-open: both sockets
 * stay open, nothing more is forwarded either way, and neither peer is told).
 * With `chaos()` every connection gets a random lifetime and then one of
 * those fates.
 *
 * @example
 * ```ts
 * const proxy = await createChaosProxy({ host: '127.0.0.1', port: relay.port });
 * proxy.chaos({ minMs: 200, maxMs: 2000 });
 * const client = createClient({ url: proxy.url, nick: 'ada', WebSocket });
 * // ...
 * proxy.chaos(null);
 * await proxy.close();
 * ```
 */
import net from 'node:net';

/** How a connection ends: FIN or RST on a side, or frozen (half-open). */
export type Fate = 'fin' | 'rst' | 'freeze';

/** Random cuts: each connection lives `minMs`..`maxMs`, then meets a fate drawn by `weights`. */
export interface ChaosOptions {
  minMs: number;
  maxMs: number;
  /** Relative weights of the fates. Default: fin 2, rst 2, freeze 1. */
  weights?: Partial<Record<Fate, number>>;
  /** Random source in [0, 1). Default Math.random. */
  random?: () => number;
}

/** What the proxy did so far. */
export interface ChaosStats {
  accepted: number;
  /** Connections ended with a FIN on at least one side and no RST. */
  fin: number;
  /** Connections ended with an RST on at least one side. */
  rst: number;
  /** Connections frozen (half-open). */
  freeze: number;
  bytesUp: number;
  bytesDown: number;
}

/** One proxied connection. */
export interface Link {
  readonly id: number;
  readonly client: net.Socket;
  readonly upstream: net.Socket;
  /** When the proxy accepted it (Date.now()). */
  readonly openedAt: number;
  /** Whether it is frozen (forwarding nothing, closing nothing). */
  frozen: boolean;
  /** Whether it has ended (either way). */
  ended: boolean;
}

export interface ChaosProxy {
  /** `ws://127.0.0.1:<port>/chat` through the proxy. */
  readonly url: string;
  readonly port: number;
  readonly stats: ChaosStats;
  /** Connections not ended (frozen ones included). */
  readonly links: ReadonlySet<Link>;
  /** Starts random cuts for every current and future connection, or stops them (`null`). */
  chaos(options: ChaosOptions | null): void;
  /** Ends one connection: FIN or RST on each side (`'freeze'` freezes it instead). */
  kill(link: Link, client: 'fin' | 'rst', upstream: 'fin' | 'rst'): void;
  /** Freezes one connection: half-open from both peers' point of view. */
  freeze(link: Link): void;
  /** Applies `fate` to every connection open now. */
  all(fate: Fate): void;
  /** While true, new connections are reset at once (the relay looks unreachable). */
  refusing: boolean;
  /** Frozen connections are destroyed quietly this long after freezing (bounds open sockets), ms. Default 15 000. */
  frozenLifetimeMs: number;
  /** Called when a connection is accepted. */
  onLink: ((link: Link) => void) | null;
  /**
   * Looks at each chunk the relay sends before it is forwarded (frames are
   * plain text: no compression is negotiated). Answering `'rst'` drops the
   * chunk and resets both sides; `'freeze'` drops it and freezes the link.
   */
  inspectDown: ((chunk: Buffer, link: Link) => 'forward' | 'rst' | 'freeze') | null;
  /** Stops chaos, destroys everything, stops listening. */
  close(): Promise<void>;
}

const FIN_GRACE_MS = 1000;

/**
 * Starts a chaos proxy on 127.0.0.1 (an ephemeral port) in front of `target`.
 * `listenHost` may be another loopback address.
 */
export async function createChaosProxy(target: { host: string; port: number }, listenHost = '127.0.0.1'): Promise<ChaosProxy> {
  const links = new Set<Link>();
  const stats: ChaosStats = { accepted: 0, fin: 0, rst: 0, freeze: 0, bytesUp: 0, bytesDown: 0 };
  let options: ChaosOptions | null = null;
  const timers = new Map<Link, NodeJS.Timeout>();
  let nextId = 0;

  const finish = (link: Link): void => {
    link.ended = true;
    links.delete(link);
    clearTimeout(timers.get(link));
    timers.delete(link);
  };

  const endSide = (socket: net.Socket, how: 'fin' | 'rst'): void => {
    if (socket.destroyed) return;
    if (how === 'rst') {
      socket.resetAndDestroy();
    } else {
      socket.end();
      setTimeout(() => socket.destroy(), FIN_GRACE_MS).unref();
    }
  };

  const kill = (link: Link, client: 'fin' | 'rst', upstream: 'fin' | 'rst'): void => {
    if (link.ended) return;
    finish(link);
    if (client === 'rst' || upstream === 'rst') stats.rst++;
    else stats.fin++;
    endSide(link.client, client);
    endSide(link.upstream, upstream);
  };

  const freeze = (link: Link): void => {
    if (link.ended || link.frozen) return;
    link.frozen = true;
    stats.freeze++;
    clearTimeout(timers.get(link));
    // keep reading (and dropping) so that neither peer sees back-pressure or a close: a dead path
    const release = setTimeout(() => {
      finish(link);
      link.client.destroy();
      link.upstream.destroy();
    }, proxy.frozenLifetimeMs);
    release.unref();
    timers.set(link, release);
  };

  const pick = (o: ChaosOptions): Fate => {
    const w = { fin: 2, rst: 2, freeze: 1, ...o.weights };
    const total = w.fin + w.rst + w.freeze;
    let r = (o.random ?? Math.random)() * total;
    for (const fate of ['fin', 'rst', 'freeze'] as const) {
      if ((r -= w[fate]) < 0) return fate;
    }
    return 'fin';
  };

  const apply = (link: Link, fate: Fate, random: () => number = Math.random): void => {
    if (fate === 'freeze') return freeze(link);
    const side = (): 'fin' | 'rst' => (fate === 'fin' ? 'fin' : random() < 0.5 ? 'rst' : 'fin');
    // an RST fate resets at least one side; the other side gets a FIN or an RST at random
    const first = side();
    kill(link, fate === 'rst' && first === 'fin' ? 'rst' : first, side());
  };

  const schedule = (link: Link): void => {
    const o = options;
    if (!o || link.ended || link.frozen) return;
    const random = o.random ?? Math.random;
    const life = o.minMs + random() * (o.maxMs - o.minMs);
    clearTimeout(timers.get(link));
    const timer = setTimeout(() => {
      timers.delete(link);
      if (options) apply(link, pick(options), random);
    }, life);
    timer.unref();
    timers.set(link, timer);
  };

  const server = net.createServer((client) => {
    client.on('error', () => {});
    if (proxy.refusing) {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    upstream.on('error', () => {});
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const link: Link = { id: ++nextId, client, upstream, openedAt: Date.now(), frozen: false, ended: false };
    links.add(link);
    stats.accepted++;
    client.on('data', (d: Buffer) => {
      if (link.frozen || link.ended) return;
      stats.bytesUp += d.length;
      if (!upstream.write(d)) client.pause();
    });
    upstream.on('data', (d: Buffer) => {
      if (link.frozen || link.ended) return;
      const verdict = proxy.inspectDown?.(d, link) ?? 'forward';
      if (verdict === 'rst') return kill(link, 'rst', 'rst');
      if (verdict === 'freeze') return freeze(link);
      stats.bytesDown += d.length;
      if (!client.write(d)) upstream.pause();
    });
    upstream.on('drain', () => client.resume());
    client.on('drain', () => upstream.resume());
    // a peer that ends or dies: pass it on, unless the link is frozen (then the other peer must not learn of it)
    const onGone = (from: net.Socket, to: net.Socket, how: 'end' | 'close') => () => {
      if (link.ended) return; // killed: the kill decided how each side ends
      if (link.frozen) {
        if (how === 'close') from.destroy();
        return;
      }
      if (how === 'end') to.end();
      else {
        to.destroy();
        finish(link);
      }
    };
    client.on('end', onGone(client, upstream, 'end'));
    upstream.on('end', onGone(upstream, client, 'end'));
    client.on('close', onGone(client, upstream, 'close'));
    upstream.on('close', onGone(upstream, client, 'close'));
    schedule(link);
    proxy.onLink?.(link);
  });
  await new Promise<void>((resolve) => server.listen(0, listenHost, resolve));
  const port = (server.address() as net.AddressInfo).port;

  const proxy: ChaosProxy = {
    url: `ws://${listenHost}:${port}/chat`,
    port,
    stats,
    links,
    refusing: false,
    frozenLifetimeMs: 15_000,
    onLink: null,
    inspectDown: null,
    chaos(o) {
      options = o;
      for (const link of links) {
        if (link.frozen) continue;
        if (o) schedule(link);
        else {
          clearTimeout(timers.get(link));
          timers.delete(link);
        }
      }
    },
    kill,
    freeze,
    all(fate) {
      for (const link of [...links]) apply(link, fate);
    },
    async close() {
      options = null;
      for (const link of [...links]) {
        finish(link);
        link.client.destroy();
        link.upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}
