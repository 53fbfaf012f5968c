// Idle memory: the server's RSS and V8 heap per idle connection, after a
// forced GC before and after `count` clients connect (each in a room of
// `roomSize`, for peers that have rooms).
import { startServer, startLoadgen, stopAll, sleep } from '../lib/roles.mjs';

export async function idleMemory({ peer, count, roomSize, settleMs = 1000, serverOptions, heapSnapshots }) {
  let server;
  let lg;
  try {
    server = await startServer(peer, { options: serverOptions });
    lg = await startLoadgen(peer, server);
    const before = await server.request('gc');
    const snapBefore = heapSnapshots ? await server.request('heapSnapshot', { dir: heapSnapshots, name: `${peer}-before` }, 120_000) : undefined;
    const c = await lg.request('connect', { count, role: 'idle', roomSize, nickPrefix: 'i', concurrency: 64 }, 300_000);
    if (c.opened < count) throw new Error(`${peer}: only ${c.opened}/${count} idle clients connected: ${JSON.stringify(c.failures)}`);
    await sleep(settleMs);
    const after = await server.request('gc', {}, 60_000);
    const snapAfter = heapSnapshots ? await server.request('heapSnapshot', { dir: heapSnapshots, name: `${peer}-after-${count}` }, 120_000) : undefined;
    return {
      peer,
      label: server.label,
      count,
      roomSize,
      connectSeconds: c.ms / 1000,
      serverConnections: after.connections,
      rssPerConn: (after.rss - before.rss) / count,
      heapPerConn: (after.heapUsed - before.heapUsed) / count,
      externalPerConn: (after.external - before.external) / count,
      rssBefore: before.rss,
      rssAfter: after.rss,
      heapTotalPerConn: (after.heapTotal - before.heapTotal) / count,
      snapshots: heapSnapshots ? [snapBefore, snapAfter] : undefined,
    };
  } finally {
    await stopAll(lg, server);
  }
}
