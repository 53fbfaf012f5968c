// Child process that runs one peer server (bench/peers/, by name) and
// reports what it costs: CPU time from process.cpuUsage(), peak RSS by
// sampling, heap and RSS after a forced GC (start it with --expose-gc).
//
//   node --expose-gc server-host.mjs <peer> '<json options>'
import { serve, ready } from './lib/ipc.mjs';
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { loadPeer } from './peers/index.mjs';

/** How often RSS is sampled for the peak. */
export const RSS_SAMPLE_MS = 20;

const [peerName, optionsJson = '{}'] = process.argv.slice(2);
const options = JSON.parse(optionsJson);
const { peer, options: peerOptions } = await loadPeer(peerName);
const server = await peer.start({ host: '127.0.0.1', ...peerOptions, ...options });

// Reading RSS opens /proc/self/statm: at the open-file limit it fails, and
// the last reading stands.
let lastRss = 0;
let rssErrors = 0;
function sampleRss() {
  try {
    lastRss = process.memoryUsage.rss();
  } catch {
    rssErrors++;
  }
  return lastRss;
}
let peakRss = sampleRss();
setInterval(() => {
  const rss = sampleRss();
  if (rss > peakRss) peakRss = rss;
}, RSS_SAMPLE_MS).unref();

function usage() {
  const rss = sampleRss();
  if (rss > peakRss) peakRss = rss;
  return { t: performance.now(), cpu: process.cpuUsage(), rss, peakRss, rssErrors };
}

async function collect() {
  if (typeof globalThis.gc !== 'function') throw new Error('start the server host with --expose-gc');
  for (let i = 0; i < 4; i++) {
    globalThis.gc();
    await new Promise((r) => setTimeout(r, 50));
  }
  let connections = NaN;
  try {
    connections = await server.connections();
  } catch { /* no file descriptor left to ask with */ }
  try {
    const m = process.memoryUsage();
    const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, s.physical_space_size]));
    const heapResident = Object.values(spaces).reduce((a, b) => a + b, 0);
    return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, heapResident, spaces, external: m.external, connections, rssErrors };
  } catch {
    // process.memoryUsage() reads /proc: at the open-file limit use V8's own figures.
    const heap = v8.getHeapStatistics();
    return { rss: sampleRss(), heapUsed: heap.used_heap_size, heapTotal: heap.total_heap_size, external: heap.external_memory, connections, rssErrors };
  }
}

// A CPU profile of exactly the measured window (the same sampler as --cpu-prof).
let profiler;
async function profileStart({ intervalUs = 1000 }) {
  profiler = new Session();
  profiler.connect();
  await profiler.post('Profiler.enable');
  await profiler.post('Profiler.setSamplingInterval', { interval: intervalUs });
  await profiler.post('Profiler.start');
  return true;
}
async function profileStop({ file }) {
  const { profile } = await profiler.post('Profiler.stop');
  profiler.disconnect();
  profiler = undefined;
  writeFileSync(file, JSON.stringify(profile));
  return file;
}

serve({
  usage: async () => usage(),
  profileStart,
  profileStop,
  gc: () => collect(),
  connections: async () => server.connections(),
  /** Writes a heap snapshot (after GC) into `dir`; returns its path. */
  heapSnapshot: async ({ dir, name }) => {
    await collect();
    return v8.writeHeapSnapshot(`${dir}/${name}.heapsnapshot`);
  },
  resetPeak: async () => { peakRss = sampleRss(); return peakRss; },
}, { onStop: () => server.close() });

ready({ url: server.url, label: server.label ?? peer.label, version: peer.version, pid: process.pid });
