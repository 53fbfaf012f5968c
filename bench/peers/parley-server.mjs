// Parley: the real relay (`createRelay` from @parley/relay, built to
// packages/relay/dist) with the limits a benchmark would trip raised: rate
// limit, connections per IP. Everything else is the relay's default. The
// store is a parameter (a key of PARLEY_STORES): `parley` is the memory
// store, `parley-sqlite` the same relay on SQLite (see peers/index.mjs).
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { PARLEY_STORES } from './parley-stores.mjs';

const require = createRequire(new URL('../../packages/relay/package.json', import.meta.url));
export const label = 'Parley';
export const version = `@parley/relay ${require('./package.json').version}`;

/** Limits raised for the benchmark (one sender sends thousands of envelopes a second; all clients share 127.0.0.x). */
export const BENCH_LIMITS = {
  rateBurst: 1_000_000,
  ratePerSecond: 1_000_000,
  maxConnectionsPerIp: 1_000_000,
};

/**
 * Starts the relay on `host`, a free port, on a fresh store of kind `store`
 * (a key of PARLEY_STORES, removed again at close). `options` are passed to
 * createRelay over the bench limits. BENCH_RELAY_MODULE (set by `run.mjs
 * --relay=…`) loads another build of the relay instead, to compare a
 * candidate change.
 */
export async function start({ host, store = 'memory', ...options }) {
  const kind = PARLEY_STORES[store];
  if (!kind) throw new Error(`unknown Parley store ${store} (known: ${Object.keys(PARLEY_STORES).join(', ')})`);
  const from = process.env.BENCH_RELAY_MODULE ? pathToFileURL(process.env.BENCH_RELAY_MODULE).href : '@parley/relay';
  let createRelay;
  try {
    ({ createRelay } = await import(from));
  } catch (e) {
    throw new Error(`cannot load ${from} (run \`npx tsc -b\` at the root first): ${e.message}`);
  }
  const opened = await kind.open();
  let relay;
  try {
    relay = await createRelay({ port: 0, host, log: false, ...BENCH_LIMITS, ...options, store: opened.store });
  } catch (e) {
    await opened.cleanup();
    throw e;
  }
  const base = `ws://${host}:${relay.port}/`;
  return {
    label: kind.label,
    url: base,
    connections: async () => {
      const res = await fetch(`http://${host}:${relay.port}/healthz`);
      return (await res.json()).connections;
    },
    async close() {
      try {
        await relay.close();
      } finally {
        await opened.cleanup();
      }
    },
  };
}
