// A relay in a child process that reports its own memory over IPC, so a test
// can compare it before and after an attack: started by test/support/probe.ts
// with `node --expose-gc`, options as JSON in argv[2].
//   -> { type: 'mem' }   <- { type: 'mem', usage }  after full garbage collections
//   -> { type: 'peak' }  <- { type: 'peak', rss, heap }  highest since the last 'peak' (sampled every 10 ms)
//   -> { type: 'close' } closes the relay and exits
// `fill: { room, count, length }` in the options starts the relay with that
// many messages of `length` characters already in the room's history.
import { createRelay, MemoryStore } from '@parley/relay';

const { fill, ...options } = JSON.parse(process.argv[2] ?? '{}');
let store;
if (fill) {
  store = new MemoryStore({ historyLimit: Math.max(fill.count, options.historyLimit ?? 0), inboxLimit: options.inboxLimit ?? 500 });
  const text = 'x'.repeat(fill.length);
  for (let i = 1; i <= fill.count; i++) {
    await store.appendRoom({ type: 'msg', room: fill.room, id: `m${i}`, ts: Date.now(), from: 'u_archive', name: 'archive', text }, 'u_archive', `c${i}`);
  }
}
const relay = await createRelay({ port: 0, host: '127.0.0.1', log: false, ...options }, { store });

let peakRss = 0;
let peakHeap = 0;
const sample = () => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed + m.external);
};
const sampler = setInterval(sample, 10);

const settle = async () => {
  for (let i = 0; i < 4; i++) {
    globalThis.gc?.();
    await new Promise((r) => setTimeout(r, 25));
  }
};

process.on('message', async (msg) => {
  if (msg.type === 'mem') {
    await settle();
    process.send({ type: 'mem', usage: process.memoryUsage() });
  } else if (msg.type === 'peak') {
    sample();
    process.send({ type: 'peak', rss: peakRss, heap: peakHeap });
    const m = process.memoryUsage();
    peakRss = m.rss;
    peakHeap = m.heapUsed + m.external;
  } else if (msg.type === 'close') {
    clearInterval(sampler);
    await relay.close();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
process.send({ type: 'ready', port: relay.port });
