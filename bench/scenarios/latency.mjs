// Fixed-rate latency: one room, R receivers, one sender at `rate` messages per
// second. Every delivery's latency from send to receive is kept (sender and
// receivers share the load generator's clock): p50/p95/p99/max.
import { startServer, startLoadgen, stopAll } from '../lib/roles.mjs';
import { cpuSeconds } from '../lib/stats.mjs';
import { sample, otherCores, softirqCores } from '../lib/machine.mjs';

export async function fixedRate({ peer, receivers, rate, warmupMs, durationMs, serverOptions, cpuProf }) {
  let server;
  let lg;
  try {
    server = await startServer(peer, { options: serverOptions, cpuProf });
    lg = await startLoadgen(peer, server);
    const c = await lg.request('connect', { count: receivers, concurrency: 64 }, 180_000);
    if (c.opened < receivers) throw new Error(`${peer}: only ${c.opened}/${receivers} receivers connected: ${JSON.stringify(c.failures)}`);
    await lg.request('sender', {});
    await lg.request('settle', { quietMs: 300, maxMs: 30_000 }, 60_000);
    const m0 = sample([server.pid, lg.pid, process.pid]);
    const s0 = await server.request('usage');
    const r = await lg.request('fixedrate', { rate, warmupMs, durationMs }, warmupMs + durationMs + 60_000);
    const s1 = await server.request('usage');
    const m1 = sample([server.pid, lg.pid, process.pid]);
    const cpu = cpuSeconds(s0.cpu, s1.cpu);
    const wall = (s1.t - s0.t) / 1000;
    const serverShare = cpu.total / wall;
    return {
      peer,
      label: server.label,
      receivers,
      rate,
      seconds: durationMs / 1000,
      p50: r.p50,
      p95: r.p95,
      p99: r.p99,
      max: r.max,
      mean: r.mean,
      samples: r.n,
      slowestMessages: r.slowestMessages,
      messagesOver10ms: r.messagesOver10ms,
      sent: r.sent,
      expected: r.expected,
      complete: r.complete,
      serverShare,
      loadgenShare: r.loadgenCpuShare,
      otherLoad: otherCores(m0, m1),
      softirqCores: softirqCores(m0, m1),
    };
  } finally {
    await stopAll(lg, server);
  }
}
