// Where a Parley peer keeps its history: one entry per store the benchmark
// compares. The peer `parley` is the memory store; `parley-<key>` is the same
// relay on store <key> (bench/peers/index.mjs). `open()` makes a fresh store
// for one server process and returns the relay's `store` option and how to
// clean up after the relay has closed, so no run sees another's messages.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * @typedef {object} ParleyStore
 * @property {string} label  the implementation's name in the tables
 * @property {string} color  its bars in docs/benchmarks.svg
 * @property {string} note  how the report describes it
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
  // PostgreSQL: one entry here once the relay accepts `store: 'postgres://…'`
  // (a fresh schema per round on postgres://127.0.0.1:5432/test, dropped in cleanup).
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
