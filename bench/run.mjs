#!/usr/bin/env node
// The benchmark suite: runs every scenario side by side against bare ws,
// Socket.IO and Parley, prints the tables, and (in a full run) writes
// docs/benchmarks.md and docs/benchmarks.svg.
//
//   node bench/run.mjs            full run (several minutes), writes the docs
//   node bench/run.mjs --quick    smoke check of every scenario (< 1 minute), prints only
//   node bench/run.mjs --help     every option
import { mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { resolve } from 'node:path';
import { FULL, QUICK, PEERS, ALL_PEERS } from './config.mjs';
import { fanout } from './scenarios/fanout.mjs';
import { fixedRate } from './scenarios/latency.mjs';
import { ingest } from './scenarios/ingest.mjs';
import { storeOfPeer } from './peers/parley-stores.mjs';
import { idleMemory } from './scenarios/idle.mjs';
import { ceiling } from './scenarios/ceiling.mjs';
import { measureSizes } from './sizes.mjs';
import { summarize } from './profile.mjs';
import { describeMachine, waitForQuiet } from './lib/machine.mjs';
import { canPin, killAllChildren } from './lib/children.mjs';
import { wsVersion } from './lib/ws.mjs';
import { allTables } from './report/tables.mjs';
import { renderText } from './report/format.mjs';
import { renderMarkdownReport } from './report/markdown.mjs';
import { renderSvg } from './report/svg.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const benchDir = fileURLToPath(new URL('.', import.meta.url));
/** Longest a whole run may take before it stops itself. */
const RUN_TIMEOUT_MS = { full: 60 * 60_000, quick: 3 * 60_000 };
const SCENARIOS = ['sizes', 'fanout', 'latency', 'ingest', 'idle', 'ceiling', 'profile'];

const HELP = `usage: node bench/run.mjs [options]

  --quick              smoke check of every scenario, small and short (< 1 min); prints, writes no docs
  --only=a,b           scenarios to run: ${SCENARIOS.join(', ')}
  --peers=a,b          implementations: ${ALL_PEERS.join(', ')} (default: ${PEERS.join(', ')})
  --receivers=n,m      receivers counts for the max-rate fan-out (full: 500,50,2000)
  --rounds=n           rounds per fan-out, latency, ingest and idle comparison
  --senders=n          senders in the ingest scenario (full: 400, in 40 rooms)
  --rooms=n            rooms the ingest senders are spread over
  --generators=n       ingest load-generator processes (all on the load-generator core)
  --ceiling=n          connections to attempt in the ceiling scenario
  --[no-]profile       CPU-profile the relay under max rate (default: on in a full run)
  --[no-]build         build the root (tsc -b, rollup) before measuring bundle sizes (default: on in a full run)
  --[no-]write         write docs/benchmarks.md and docs/benchmarks.svg (default: on in a full run)
  --relay=path.js      load the relay from another build (its dist/index.js) to compare a candidate change
  --from=file.json     render the docs from saved results instead of running
  --help               this text`;

function parseArgs(argv) {
  const a = { flags: {} };
  for (const arg of argv) {
    const m = arg.match(/^--(no-)?([a-z-]+)(?:=(.*))?$/);
    if (!m) throw new Error(`unknown argument ${arg}\n\n${HELP}`);
    a.flags[m[2]] = m[1] ? false : m[3] ?? true;
  }
  return a.flags;
}

const log = (...x) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...x);
const list = (s) => String(s).split(',').map((x) => x.trim()).filter(Boolean);

function git(args) {
  const r = spawnSync('git', args, { cwd: root, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : '';
}

function versions() {
  const relayPkg = JSON.parse(readFileSync(`${root}packages/relay/package.json`, 'utf8'));
  const sio = JSON.parse(readFileSync(`${root}node_modules/socket.io/package.json`, 'utf8'));
  const commit = git(['rev-parse', '--short', 'HEAD']);
  const dirty = git(['status', '--porcelain', '--', 'packages/relay/src', 'packages/protocol/src']).split('\n').filter(Boolean).length;
  const other = process.env.BENCH_RELAY_MODULE;
  return {
    ws: `ws ${wsVersion}`,
    socketio: `socket.io ${sio.version}`,
    parley: other
      ? `@parley/relay ${relayPkg.version} loaded from ${other} (a candidate build, not packages/relay/dist)`
      : `@parley/relay ${relayPkg.version} at commit ${commit}${dirty ? ` with ${dirty} uncommitted source file(s) in relay/protocol` : ''}, built to packages/relay/dist`,
  };
}

/** Orders peers differently each round so no implementation always goes first. */
const rotate = (peers, round) => peers.map((_, i) => peers[(i + round) % peers.length]);

async function main() {
  const flags = parseArgs(process.argv.slice(2));
  if (flags.help) {
    console.log(HELP);
    return 0;
  }
  if (flags.from) {
    const results = JSON.parse(readFileSync(flags.from, 'utf8'));
    print(results);
    if (flags.write ?? true) writeDocs(results);
    return 0;
  }
  const config = structuredClone(flags.quick ? QUICK : FULL);
  if (flags.relay) {
    // Children inherit the environment: the Parley peer loads this build instead.
    process.env.BENCH_RELAY_MODULE = resolve(String(flags.relay));
  }
  const only = flags.only ? list(flags.only) : SCENARIOS;
  for (const s of only) if (!SCENARIOS.includes(s)) throw new Error(`unknown scenario ${s}`);
  const peers = flags.peers ? list(flags.peers) : PEERS;
  for (const p of peers) if (!ALL_PEERS.includes(p)) throw new Error(`unknown peer ${p}`);
  if (flags.receivers) {
    config.fanout.receivers = list(flags.receivers).map(Number);
  }
  if (flags.rounds) {
    const n = Number(flags.rounds);
    config.fanout.rounds = Object.fromEntries(config.fanout.receivers.map((r) => [r, n]));
    config.latency.rounds = n;
    config.ingest.rounds = n;
    config.idle.rounds = n;
  }
  for (const k of ['senders', 'rooms', 'generators']) if (flags[k]) config.ingest[k] = Number(flags[k]);
  const machine = describeMachine();
  if (config.ceiling.count === 'openFiles-5') config.ceiling.count = Math.max(100, (Number(machine.openFiles) || 20_000) - 5);
  if (flags.ceiling) config.ceiling.count = Number(flags.ceiling);
  const doProfile = only.includes('profile') && (flags.profile ?? config.name === 'full') && config.profile && peers.includes(config.profile.peer);
  const build = flags.build ?? config.sizes.build;
  const write = flags.write ?? config.name === 'full';

  const watchdog = setTimeout(() => {
    log(`the run passed its ${RUN_TIMEOUT_MS[config.name] / 60_000} min limit; stopping`);
    killAllChildren();
    process.exit(1);
  }, RUN_TIMEOUT_MS[config.name]);
  watchdog.unref();

  const started = Date.now();
  const results = {
    date: new Date().toISOString(),
    config,
    machine,
    pinned: canPin(),
    versions: versions(),
    fanout: [],
    latency: [],
    ingest: [],
    idle: [],
    ceiling: null,
    sizes: null,
    profile: null,
    ingestProfile: null,
    discarded: [],
    errors: [],
  };
  log(`${config.name} run: ${only.join(', ')} for ${peers.join(', ')}; ${results.pinned ? 'pinning server to core 0, load generators to core 1' : 'taskset unavailable, not pinning'}`);

  // Before each round, wait (a bounded time) for other tenants' work to pass.
  const quietGate = config.quiet;
  const settle = async () => {
    if (!quietGate) return undefined;
    const q = await waitForQuiet(quietGate);
    if (!q.quiet) log(`  the machine stayed busy (${q.busyCores.toFixed(2)} cores) for ${(q.waitedMs / 1000).toFixed(0)} s; running anyway`);
    return q;
  };

  const attempt = async (scenario, peer, fn) => {
    try {
      return await fn();
    } catch (e) {
      const message = (e && e.message ? e.message : String(e)).split('\n')[0];
      log(`${scenario} ${peer ?? ''} failed: ${message}`);
      results.errors.push({ scenario, peer, message });
      return undefined;
    }
  };

  // A timed round during which the rest of the machine used more than
  // `maxOtherLoad` cores is repeated (at most `retries` times); the
  // repeated ones are kept in results.discarded and listed in the report.
  const measured = async (scenario, peer, round, fn) => {
    const limit = config.quiet?.maxOtherLoad;
    const retries = config.quiet?.retries ?? 0;
    for (let n = 0; ; n++) {
      const quietBefore = await settle();
      const r = await attempt(scenario, peer, fn);
      if (!r) return undefined;
      Object.assign(r, { round, quietBefore, repeats: n });
      if (limit === undefined || !(r.otherLoad > limit) || n >= retries) return r;
      results.discarded.push({ scenario, ...r });
      log(`  disturbed: the rest of the machine used ${r.otherLoad.toFixed(2)} cores (> ${limit}); repeating the round`);
    }
  };

  if (only.includes('sizes')) {
    log(`bundle sizes${build ? ' (building the root first)' : ''}`);
    results.sizes = await attempt('sizes', undefined, () => measureSizes({ build }));
  }

  if (only.includes('fanout')) {
    const f = config.fanout;
    for (const receivers of f.receivers) {
      const rounds = f.rounds[receivers] ?? 1;
      for (let round = 1; round <= rounds; round++) {
        for (const peer of rotate(peers, round - 1)) {
          log(`max-rate fan-out: ${peer}, ${receivers} receivers, round ${round}/${rounds}`);
          const r = await measured('fanout', peer, round, () => fanout({ peer, receivers, window: f.window, warmupMs: f.warmupMs, durationMs: f.durationMs }));
          if (r) {
            results.fanout.push(r);
            log(`  ${Math.round(r.perSecond).toLocaleString('en-US')} deliveries/s; server ${(r.serverShare * 100).toFixed(0)}%, load gen ${(r.loadgenShare * 100).toFixed(0)}%, other load ${r.otherLoad.toFixed(2)} cores`);
          }
        }
      }
    }
  }

  if (only.includes('latency')) {
    const l = config.latency;
    for (let round = 1; round <= l.rounds; round++) {
      for (const peer of rotate(peers, round - 1)) {
        log(`fixed-rate latency: ${peer}, ${l.rate} msgs/s × ${l.receivers} receivers, round ${round}/${l.rounds}`);
        const r = await measured('latency', peer, round, () => fixedRate({ peer, receivers: l.receivers, rate: l.rate, warmupMs: l.warmupMs, durationMs: l.durationMs }));
        if (r) {
          results.latency.push(r);
          log(`  p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms; other load ${r.otherLoad.toFixed(2)} cores`);
        }
      }
    }
  }

  if (only.includes('ingest')) {
    const g = config.ingest;
    const stores = peers.filter((p) => storeOfPeer(p));
    for (let round = 1; round <= g.rounds; round++) {
      for (const peer of rotate(stores, round - 1)) {
        log(`acked ingest: ${peer}, ${g.senders} senders in ${g.rooms} rooms, ${g.window} in flight each, round ${round}/${g.rounds}`);
        const r = await measured('ingest', peer, round, () => ingest({ peer, ...g }));
        if (r) {
          results.ingest.push(r);
          const check = r.check ? (r.check.ok ? `all ${r.check.stored.toLocaleString('en-US')} acked messages stored once` : `STORE CHECK FAILED: ${r.check.problems.join('; ')}`) : 'not checked';
          log(`  ${Math.round(r.perSecond).toLocaleString('en-US')} acks/s; server ${(r.serverShare * 100).toFixed(0)}%, load gen ${(r.loadgenShare * 100).toFixed(0)}%, other load ${r.otherLoad.toFixed(2)} cores; ${check}`);
          if (r.check && !r.check.ok) results.errors.push({ scenario: 'ingest', peer, message: `store check: ${r.check.problems.join('; ')}` });
        }
      }
    }
  }

  if (only.includes('idle')) {
    const i = config.idle;
    for (let round = 1; round <= i.rounds; round++) for (const peer of rotate(peers, round - 1)) {
      log(`idle memory: ${peer}, ${i.count} connections, round ${round}/${i.rounds}`);
      await settle();
      const r = await attempt('idle', peer, () => idleMemory({ peer, count: i.count, warmup: i.warmup, roomSize: i.roomSize }));
      if (r) {
        results.idle.push({ ...r, round });
        log(`  ${(r.rssPerConn / 1000).toFixed(1)} kB RSS, ${(r.heapPerConn / 1000).toFixed(1)} kB heap per connection`);
      }
    }
  }

  if (only.includes('ceiling') && peers.includes(config.ceiling.peer)) {
    const c = config.ceiling;
    log(`connection ceiling: ${c.peer}, attempting ${c.count} idle connections with heartbeats, holding ${c.holdMs / 1000} s`);
    await settle();
    results.ceiling = (await attempt('ceiling', c.peer, () => ceiling({ ...c, log: (m) => log(`  ${m}`) }))) ?? null;
    if (results.ceiling) log(`  held ${results.ceiling.held}; heartbeat CPU ${(results.ceiling.heartbeatCpuShare * 100).toFixed(1)}% of one core`);
  }

  if (doProfile) {
    const p = config.profile;
    const dir = `${benchDir}.profiles/${results.date.replace(/[:.]/g, '-')}`;
    mkdirSync(dir, { recursive: true });
    log(`profiling ${p.peer} under max rate (${p.receivers} receivers) into ${dir}`);
    results.profile = await attempt('profile', p.peer, async () => {
      await settle();
      const file = `${dir}/${p.peer}-${p.receivers}.cpuprofile`;
      const r = await fanout({ peer: p.peer, receivers: p.receivers, window: p.window, warmupMs: p.warmupMs, durationMs: p.durationMs, profileFile: file });
      return { receivers: p.receivers, perSecond: r.perSecond, otherLoad: r.otherLoad, file, summary: summarize(file, { focus: 'packages/relay/', top: 25 }) };
    }) ?? null;
  }

  const ip = config.ingestProfile;
  if (only.includes('profile') && (flags.profile ?? config.name === 'full') && ip && peers.includes(ip.peer) && config.ingest) {
    const dir = `${benchDir}.profiles/${results.date.replace(/[:.]/g, '-')}`;
    mkdirSync(dir, { recursive: true });
    log(`profiling ${ip.peer} under acked ingest (${config.ingest.senders} senders) into ${dir}`);
    results.ingestProfile = await attempt('profile', ip.peer, async () => {
      await settle();
      const file = `${dir}/${ip.peer}-ingest.cpuprofile`;
      const r = await ingest({ ...config.ingest, peer: ip.peer, warmupMs: ip.warmupMs, durationMs: ip.durationMs, verify: false, profileFile: file });
      return { peer: ip.peer, senders: r.senders, rooms: r.rooms, perSecond: r.perSecond, serverShare: r.serverShare, otherLoad: r.otherLoad, file, summary: summarize(file, { focus: 'packages/relay/', top: 25 }) };
    }) ?? null;
  }

  results.seconds = (Date.now() - started) / 1000;
  results.loadavgEnd = os.loadavg();
  // Each run keeps its own file (runs by others in the same checkout must not
  // overwrite it); last-<mode>.json is a copy of the latest run that wrote the
  // docs, so that `--from` re-renders them even after partial `--no-write` runs.
  mkdirSync(`${benchDir}.results`, { recursive: true });
  const saved = `${benchDir}.results/${results.date.replace(/[:.]/g, '-')}-${config.name}.json`;
  writeFileSync(saved, JSON.stringify(results, null, 2));
  if (write) writeFileSync(`${benchDir}.results/last-${config.name}.json`, JSON.stringify(results, null, 2));
  print(results);
  log(`raw results in ${saved}; ${results.seconds.toFixed(0)} s in all`);
  if (write) writeDocs(results);
  if (results.errors.length) {
    log(`${results.errors.length} scenario(s) failed`);
    return 1;
  }
  return 0;
}

function print(results) {
  console.log('');
  for (const t of allTables(results)) console.log(`${renderText(t)}\n`);
}

function writeDocs(results) {
  mkdirSync(`${root}docs`, { recursive: true });
  writeFileSync(`${root}docs/benchmarks.md`, renderMarkdownReport(results));
  writeFileSync(`${root}docs/benchmarks.svg`, renderSvg(results));
  log('wrote docs/benchmarks.md and docs/benchmarks.svg');
}

main().then(
  (code) => {
    killAllChildren();
    process.exit(code);
  },
  (e) => {
    console.error(e && e.stack ? e.stack : e);
    killAllChildren();
    process.exit(1);
  },
);
