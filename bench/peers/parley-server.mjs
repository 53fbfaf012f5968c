// Parley: the real relay (`createRelay` from @parley/relay, built to
// packages/relay/dist) with the limits a benchmark would trip raised: rate
// limit, connections per IP. Everything else is the relay's default.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

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
 * Starts the relay on `host`, a free port. `options` are passed to createRelay
 * over the bench limits. BENCH_RELAY_MODULE (set by `run.mjs --relay=…`)
 * loads another build of the relay instead, to compare a candidate change.
 */
export async function start({ host, ...options }) {
  const from = process.env.BENCH_RELAY_MODULE ? pathToFileURL(process.env.BENCH_RELAY_MODULE).href : '@parley/relay';
  let createRelay;
  try {
    ({ createRelay } = await import(from));
  } catch (e) {
    throw new Error(`cannot load ${from} (run \`npx tsc -b\` at the root first): ${e.message}`);
  }
  const relay = await createRelay({ port: 0, host, log: false, ...BENCH_LIMITS, ...options });
  const base = `ws://${host}:${relay.port}/`;
  return {
    url: base,
    connections: async () => {
      const res = await fetch(`http://${host}:${relay.port}/healthz`);
      return (await res.json()).connections;
    },
    close: () => relay.close(),
  };
}
