// Connection ceiling: how many idle connections with heartbeats one server
// holds. Clients are spread over several load generators (each under the
// per-process open-file limit) and source addresses 127.0.0.2, .3, …; after
// they connect, each sends the wire's app-level ping on its schedule while the
// server sends its own WebSocket pings, and the server's CPU share over the
// hold is what heartbeats cost (nothing else happens on an idle server).
import { startServer, startLoadgen, stopAll, sleep } from '../lib/roles.mjs';
import { cpuSeconds } from '../lib/stats.mjs';

/** Most clients one load generator opens by default (its open-file limit is 20,000 here). */
export const CLIENTS_PER_LOADGEN = 5000;

export async function ceiling({ peer, count, perLoadgen = CLIENTS_PER_LOADGEN, roomSize, holdMs, clientPingMs, serverOptions, log = () => {} }) {
  let server;
  const lgs = [];
  try {
    server = await startServer(peer, { options: serverOptions });
    const k = Math.ceil(count / perLoadgen);
    for (let i = 0; i < k; i++) lgs.push(await startLoadgen(peer, server, { name: `loadgen ${i + 1}` }));
    const before = await server.request('gc');
    const t0 = Date.now();
    const results = await Promise.all(lgs.map((lg, i) => {
      const share = Math.min(perLoadgen, count - i * perLoadgen);
      return lg.request('connect', {
        count: share,
        role: 'idle',
        roomSize,
        roomPrefix: 'ceil',
        nickPrefix: 'c',
        offset: i * perLoadgen,
        localAddresses: [`127.0.0.${2 + i}`],
        concurrency: 32,
      }, 900_000);
    }));
    const connectSeconds = (Date.now() - t0) / 1000;
    const opened = results.reduce((n, r) => n + r.opened, 0);
    const failures = {};
    for (const r of results) for (const [why, n] of Object.entries(r.failures)) failures[why] = (failures[why] || 0) + n;
    log(`${opened}/${count} connected in ${connectSeconds.toFixed(1)} s; holding ${holdMs / 1000} s with heartbeats`);
    await Promise.all(lgs.map((lg) => lg.request('heartbeat', { everyMs: clientPingMs })));
    const s0 = await server.request('usage');
    await sleep(holdMs);
    const s1 = await server.request('usage');
    const stats = await Promise.all(lgs.map((lg) => lg.request('stats')));
    const held = stats.reduce((n, s) => n + s.idle, 0);
    const closes = {};
    for (const s of stats) for (const [code, n] of Object.entries(s.closes)) closes[code] = (closes[code] || 0) + n;
    const after = await server.request('gc', {}, 120_000);
    const cpu = cpuSeconds(s0.cpu, s1.cpu);
    return {
      peer,
      label: server.label,
      attempted: count,
      opened,
      held,
      serverConnections: after.connections,
      failures,
      closes,
      loadgens: k,
      connectSeconds,
      holdSeconds: (s1.t - s0.t) / 1000,
      clientPingMs,
      heartbeatCpuShare: cpu.total / ((s1.t - s0.t) / 1000),
      rssPerConn: (after.rss - before.rss) / Math.max(1, held),
      heapPerConn: (after.heapUsed - before.heapUsed) / Math.max(1, held),
      rss: after.rss,
      peakRss: s1.peakRss,
    };
  } finally {
    await stopAll(...lgs, server);
  }
}
