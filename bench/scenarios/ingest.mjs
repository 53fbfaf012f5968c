// Sustained acked ingest: many senders spread over many rooms push messages
// to one relay over real WebSockets, each sender keeping a window of unacked
// `send`s in flight, and the figure is acks per second over a measured window
// after a warm-up. An ack means stored (on SQLite: committed to the file).
// Every member of a room gets each message too, so the relay's broadcast is
// part of the cost. Afterwards the runner checks that every acked message was
// stored exactly once (lib/stored-once.mjs).
//
// The generators all run on the load-generator core: their CPU share of it is
// reported beside the figure, and a round where they, not the relay, were
// saturated is a lower bound for the relay (`bottleneck`).
import { startServer, startIngestLoadgen, stopAll, sleep } from '../lib/roles.mjs';
import { cpuSeconds } from '../lib/stats.mjs';
import { sample, otherCores, softirqCores } from '../lib/machine.mjs';
import { checkStoredOnce } from '../lib/stored-once.mjs';
import { bottleneck } from './fanout.mjs';

const sum = (xs, f) => xs.reduce((a, x, i) => a + f(x, i), 0);

/**
 * One ingest round against `peer`. `senders` connections in `rooms` rooms
 * (sender c in room c % rooms), each with `window` sends in flight, texts of
 * `textLength` characters, spread over `generators` load-generator processes.
 * `profileFile`: a V8 CPU profile of the relay over the measured window.
 */
export async function ingest({ peer, senders, rooms, window, textLength, warmupMs, durationMs, generators = 1, verify = true, serverOptions, profileFile }) {
  let server;
  const gens = [];
  try {
    server = await startServer(peer, { options: serverOptions });
    for (let i = 0; i < generators; i++) gens.push(await startIngestLoadgen(peer, server, { name: `ingest loadgen ${i + 1}` }));
    const per = Math.ceil(senders / generators);
    const opened = await Promise.all(gens.map((g, i) => g.request('connect', {
      count: Math.max(0, Math.min(per, senders - i * per)),
      offset: i * per,
      rooms,
      window,
      textLength,
    }, 180_000)));
    const open = sum(opened, (o) => o.opened);
    if (open < senders) throw new Error(`${peer}: only ${open}/${senders} senders connected: ${JSON.stringify(opened.map((o) => o.failures))}`);
    await Promise.all(gens.map((g) => g.request('settle', { quietMs: 300, maxMs: 30_000 }, 60_000)));
    await server.request('resetPeak');
    const pids = [server.pid, ...gens.map((g) => g.pid), process.pid];
    await Promise.all(gens.map((g) => g.request('start')));
    await sleep(warmupMs);
    if (profileFile) await server.request('profileStart', {});
    const m0 = sample(pids);
    const [s0, ...g0] = await Promise.all([server.request('usage'), ...gens.map((g) => g.request('snapshot'))]);
    await sleep(durationMs);
    const [s1, ...g1] = await Promise.all([server.request('usage'), ...gens.map((g) => g.request('snapshot'))]);
    const m1 = sample(pids);
    if (profileFile) await server.request('profileStop', { file: profileFile }, 60_000);
    const ends = await Promise.all(gens.map((g) => g.request('drain', {}, 30_000)));

    // the generators' windows differ by a few ms at most: the acks over the mean of their windows
    const seconds = sum(gens, (_, i) => g1[i].t - g0[i].t) / gens.length / 1000;
    const acks = sum(gens, (_, i) => g1[i].acks - g0[i].acks);
    const deliveries = sum(gens, (_, i) => g1[i].delivered - g0[i].delivered);
    const cpu = cpuSeconds(s0.cpu, s1.cpu);
    const serverShare = cpu.total / ((s1.t - s0.t) / 1000);
    const loadgenShare = sum(gens, (_, i) => cpuSeconds(g0[i].cpu, g1[i].cpu).total) / seconds;

    let check;
    if (verify) {
      const acked = await Promise.all(gens.map((g) => g.request('acked', {}, 60_000)));
      const roomNames = Array.from({ length: rooms }, (_, r) => `ingest${r}`);
      const history = await gens[0].request('history', { rooms: roomNames }, 300_000);
      check = checkStoredOnce(acked, history);
    }
    return {
      peer,
      label: server.label,
      senders,
      rooms,
      window,
      textLength,
      generators,
      seconds,
      acks,
      perSecond: acks / seconds,
      deliveriesPerSecond: deliveries / seconds,
      cpuPerAckUs: acks ? (cpu.total / acks) * 1e6 : NaN,
      serverShare,
      serverKernelShare: cpu.total ? cpu.system / cpu.total : NaN,
      loadgenShare,
      otherLoad: otherCores(m0, m1),
      softirqCores: softirqCores(m0, m1),
      peakRss: s1.peakRss,
      bottleneck: bottleneck(serverShare, loadgenShare),
      sent: sum(ends, (e) => e.sent),
      acked: sum(ends, (e) => e.acks),
      refused: sum(ends, (e) => e.refused),
      dups: sum(ends, (e) => e.dups),
      lastRefusal: ends.map((e) => e.lastRefusal).find(Boolean) ?? '',
      drained: ends.every((e) => e.complete),
      check,
    };
  } finally {
    await stopAll(...gens, server);
  }
}
