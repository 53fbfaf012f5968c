// Idle memory: the server's RSS and V8 heap per idle connection, after a
// forced GC. `warmup` clients connect first and stay; the figures per
// connection are what the next `count` clients add on top of them, so the
// one-off costs of the first connections (code compiled for the connection
// path, the young generation V8 grows during a burst of connections, caches)
// are not spread over the count. The figures from the empty server
// (`cold*`) are kept beside them. Each client is in a room of `roomSize`,
// for peers that have rooms.
import { startServer, startLoadgen, stopAll, sleep } from '../lib/roles.mjs';

const per = (a, b, key, n) => (b[key] - a[key]) / n;

/** V8 heap resident (physical) bytes by space, per connection, between two readings. */
function spacesPerConn(a, b, n) {
  if (!a.spaces || !b.spaces) return undefined;
  return Object.fromEntries(Object.keys(b.spaces).map((s) => [s.replace(/_space$/, ''), (b.spaces[s] - (a.spaces[s] ?? 0)) / n]));
}

export async function idleMemory({ peer, count, warmup = 0, roomSize, settleMs = 1000, serverOptions, heapSnapshots }) {
  let server;
  let lg;
  try {
    server = await startServer(peer, { options: serverOptions });
    lg = await startLoadgen(peer, server);
    const open = async (n, nickPrefix) => {
      const c = await lg.request('connect', { count: n, role: 'idle', roomSize, nickPrefix, concurrency: 64 }, 300_000);
      if (c.opened < n) throw new Error(`${peer}: only ${c.opened}/${n} idle clients connected: ${JSON.stringify(c.failures)}`);
      await sleep(settleMs);
      return c;
    };
    const empty = await server.request('gc');
    if (warmup > 0) await open(warmup, 'w');
    const before = warmup > 0 ? await server.request('gc', {}, 60_000) : empty;
    const snapBefore = heapSnapshots ? await server.request('heapSnapshot', { dir: heapSnapshots, name: `${peer}-before` }, 120_000) : undefined;
    const c = await open(count, 'i');
    const after = await server.request('gc', {}, 60_000);
    const snapAfter = heapSnapshots ? await server.request('heapSnapshot', { dir: heapSnapshots, name: `${peer}-after-${count}` }, 120_000) : undefined;
    const total = warmup + count;
    return {
      peer,
      label: server.label,
      count,
      warmup,
      roomSize,
      connectSeconds: c.ms / 1000,
      serverConnections: after.connections,
      rssPerConn: per(before, after, 'rss', count),
      heapPerConn: per(before, after, 'heapUsed', count),
      externalPerConn: per(before, after, 'external', count),
      heapTotalPerConn: per(before, after, 'heapTotal', count),
      heapResidentPerConn: after.heapResident === undefined ? undefined : per(before, after, 'heapResident', count),
      spacesPerConn: spacesPerConn(before, after, count),
      coldRssPerConn: per(empty, after, 'rss', total),
      coldHeapPerConn: per(empty, after, 'heapUsed', total),
      coldSpacesPerConn: spacesPerConn(empty, after, total),
      rssBefore: before.rss,
      rssAfter: after.rss,
      snapshots: heapSnapshots ? [snapBefore, snapAfter] : undefined,
    };
  } finally {
    await stopAll(lg, server);
  }
}
