// The two run profiles: the full run behind docs/benchmarks.md, and `--quick`,
// a smoke check of every scenario that finishes in well under a minute.

import { PARLEY_PEERS, DEFAULT_PARLEY_PEERS } from './peers/parley-stores.mjs';

/** Every peer, in the order tables list them: the baselines, then Parley on each store (memory first). */
export const ALL_PEERS = ['ws', 'socketio', ...PARLEY_PEERS];
/** The peers a run compares unless `--peers` names others (optional stores left out). */
export const PEERS = ['ws', 'socketio', ...DEFAULT_PARLEY_PEERS];

/** The default fan-out: receivers in the headline comparison. */
export const HEADLINE_RECEIVERS = 500;

export const FULL = {
  name: 'full',
  fanout: {
    receivers: [500, 50, 2000],
    rounds: { 500: 3, 50: 2, 2000: 2 },
    // Messages whose deliveries may be outstanding: a bounded queue for every
    // peer. Far larger windows push the one-write-per-message peers into
    // kernel memory pressure on loopback (see bench/README.md).
    window: 64,
    warmupMs: 1000,
    durationMs: 4000,
  },
  latency: { receivers: 500, rate: 100, warmupMs: 1000, durationMs: 10_000, rounds: 5 },
  // Sustained acked ingest (Parley peers only, one per store): `senders`
  // connections spread over `rooms` rooms, each keeping `window` unacked sends
  // of `textLength`-character texts in flight; `generators` load-generator
  // processes, all on the load-generator core.
  ingest: { senders: 400, rooms: 40, window: 8, textLength: 80, generators: 1, warmupMs: 2000, durationMs: 5000, rounds: 3 },
  // `warmup` clients connect and stay before the measured `count` (see scenarios/idle.mjs).
  idle: { count: 5000, warmup: 1000, roomSize: 50, rounds: 5 },
  // Attempts a few more than the per-process open-file limit lets one relay
  // accept, so the result is the real ceiling on this machine.
  ceiling: { peer: 'parley', count: 'openFiles-5', perLoadgen: 5000, roomSize: 50, holdMs: 40_000, clientPingMs: 20_000 },
  profile: { peer: 'parley', receivers: 500, window: 64, warmupMs: 1000, durationMs: 4000 },
  // The relay on SQLite under the ingest scenario (its full-run settings), profiled over the measured window.
  ingestProfile: { peer: 'parley-sqlite', warmupMs: 2000, durationMs: 4000 },
  sizes: { build: true },
  // Before each round: wait up to 20 s for the rest of the machine to use at
  // most a quarter of a core. A timed round during which it used more than a
  // tenth of a core is repeated, at most twice.
  quiet: { maxCores: 0.25, windowMs: 1000, timeoutMs: 20_000, maxOtherLoad: 0.1, retries: 2 },
};

export const QUICK = {
  name: 'quick',
  fanout: { receivers: [50], rounds: { 50: 1 }, window: 64, warmupMs: 300, durationMs: 1000 },
  latency: { receivers: 50, rate: 100, warmupMs: 200, durationMs: 1000, rounds: 1 },
  ingest: { senders: 100, rooms: 10, window: 8, textLength: 80, generators: 1, warmupMs: 300, durationMs: 1000, rounds: 1 },
  idle: { count: 500, warmup: 100, roomSize: 50, rounds: 1 },
  ceiling: { peer: 'parley', count: 1000, perLoadgen: 500, roomSize: 50, holdMs: 2000, clientPingMs: 1000 },
  profile: null,
  ingestProfile: null,
  sizes: { build: false },
  quiet: null,
};
