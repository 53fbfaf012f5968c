// Where a Parley peer keeps its history: one entry per store the benchmark
// compares. The peer `parley` is the memory store; `parley-<key>` is the same
// relay on store <key> (bench/peers/index.mjs). `open()` makes a fresh store
// for one server process and returns the relay's `store` option and how to
// clean up after the relay has closed, so no run sees another's messages.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';

/** The PostgreSQL database the `parley-postgres` peer makes its schemas in (BENCH_POSTGRES_URL to use another). */
export const BENCH_POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://parley:parley@127.0.0.1:5432/parley_test';

/** Runs one statement in BENCH_POSTGRES_URL with the relay's own driver (`pg`). */
async function postgresQuery(sql) {
  const pg = createRequire(new URL('../../packages/relay/package.json', import.meta.url))('pg');
  const client = new pg.Client({ connectionString: BENCH_POSTGRES_URL, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * @typedef {object} ParleyStore
 * @property {string} label  the implementation's name in the tables
 * @property {string} color  its bars in docs/benchmarks.svg
 * @property {string} note  how the report describes it
 * @property {boolean} [optional]  left out of the default peers: runs only when named in `--peers`
 * @property {() => Promise<{store: string, cleanup: () => Promise<void>}>} open
 */

/** @type {Record<string, ParleyStore>} */
export const PARLEY_STORES = {
  memory: {
    label: 'Parley',
    color: '#d8602b',
    note: 'the memory store (the default of `createRelay`)',
    open: async () => ({ store: 'memory', cleanup: async () => {} }),
  },
  sqlite: {
    label: 'Parley (SQLite)',
    color: '#8c3b12',
    note: "`store: 'sqlite:…'`, a file in a fresh temporary folder, removed after the round",
    open: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'parley-bench-sqlite-'));
      return { store: `sqlite:${join(dir, 'parley.db')}`, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
  postgres: {
    label: 'Parley (PostgreSQL)',
    color: '#5a3d99',
    note: '`store: \'postgres://…?schema=…\'`, a fresh schema in the local test database, dropped after the round',
    open: async () => {
      const schema = `parley_bench_${randomBytes(5).toString('hex')}`;
      const url = new URL(BENCH_POSTGRES_URL);
      url.searchParams.set('schema', schema);
      return { store: url.toString(), cleanup: () => postgresQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`) };
    },
  },
};

/** The peer name of a store: `parley` for memory, `parley-<key>` for the others. */
export const peerOfStore = (key) => (key === 'memory' ? 'parley' : `parley-${key}`);

/** The store key of a Parley peer name, or undefined for other peers. */
export function storeOfPeer(peer) {
  if (peer === 'parley') return 'memory';
  const m = /^parley-(.+)$/.exec(peer);
  return m && PARLEY_STORES[m[1]] ? m[1] : undefined;
}

/** Every Parley peer, memory first. */
export const PARLEY_PEERS = Object.keys(PARLEY_STORES).map(peerOfStore);
/** The Parley peers a run compares unless `--peers` names others. */
export const DEFAULT_PARLEY_PEERS = Object.entries(PARLEY_STORES).filter(([, s]) => !s.optional).map(([k]) => peerOfStore(k));
