// Max-rate fan-out: one room, R receivers, one sender that keeps at most
// `window` messages' deliveries in flight. Measures deliveries per second,
// server CPU per delivery, server peak RSS, and both processes' CPU share
// (a load generator near 100% of its core makes the result a lower bound).
import { startServer, startLoadgen, stopAll, sleep } from '../lib/roles.mjs';
import { cpuSeconds } from '../lib/stats.mjs';
import { sample, otherCores, softirqCores } from '../lib/machine.mjs';

/** Share of one core above which a process counts as saturated. */
export const SATURATED = 0.9;

/**
 * One max-rate round. `profileFile`: write a V8 CPU profile of the server
 * over the measured window there. `loadgenCpuProf`: a directory for the load
 * generator's whole-life profile.
 */
export async function fanout({ peer, receivers, window, warmupMs, durationMs, serverOptions, profileFile, loadgenCpuProf }) {
  let server;
  let lg;
  try {
    server = await startServer(peer, { options: serverOptions });
    lg = await startLoadgen(peer, server, { cpuProf: loadgenCpuProf });
    const c = await lg.request('connect', { count: receivers, concurrency: 64 }, 180_000);
    if (c.opened < receivers) throw new Error(`${peer}: only ${c.opened}/${receivers} receivers connected: ${JSON.stringify(c.failures)}`);
    await lg.request('sender', {});
    await lg.request('settle', { quietMs: 300, maxMs: 30_000 }, 60_000);
    await server.request('resetPeak');
    await lg.request('maxrate', { window });
    await sleep(warmupMs);
    if (profileFile) await server.request('profileStart', {});
    const m0 = sample([server.pid, lg.pid, process.pid]);
    const [s0, l0] = await Promise.all([server.request('usage'), lg.request('snapshot')]);
    await sleep(durationMs);
    const [s1, l1] = await Promise.all([server.request('usage'), lg.request('snapshot')]);
    const m1 = sample([server.pid, lg.pid, process.pid]);
    if (profileFile) await server.request('profileStop', { file: profileFile }, 60_000);
    const end = await lg.request('stopSending', {}, 30_000);
    const deliveries = l1.delivered - l0.delivered;
    const seconds = (l1.t - l0.t) / 1000;
    const cpu = cpuSeconds(s0.cpu, s1.cpu);
    const lgCpu = cpuSeconds(l0.cpu, l1.cpu);
    const serverShare = cpu.total / ((s1.t - s0.t) / 1000);
    const loadgenShare = lgCpu.total / seconds;
    return {
      peer,
      label: server.label,
      receivers,
      window,
      seconds,
      deliveries,
      perSecond: deliveries / seconds,
      cpuPerDeliveryUs: deliveries ? (cpu.total / deliveries) * 1e6 : NaN,
      serverShare,
      serverKernelShare: cpu.total ? cpu.system / cpu.total : NaN,
      loadgenShare,
      otherLoad: otherCores(m0, m1),
      softirqCores: softirqCores(m0, m1),
      peakRss: s1.peakRss,
      bottleneck: bottleneck(serverShare, loadgenShare),
      drained: end.complete,
      senderErrors: l1.senderErrors,
      lastSenderError: l1.lastSenderError,
    };
  } finally {
    await stopAll(lg, server);
  }
}

/** Which process limited a run, from the CPU shares of one core. */
export function bottleneck(serverShare, loadgenShare) {
  if (loadgenShare >= SATURATED && serverShare >= SATURATED) return 'both';
  if (loadgenShare >= SATURATED) return 'load generator';
  if (serverShare >= SATURATED) return 'server';
  return 'neither';
}
