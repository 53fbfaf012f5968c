// Turns raw runs into the figures the report shows: per peer the best and the
// median of interleaved rounds, ratios of Parley to each baseline, and the
// issue's targets with pass/miss.
//
// Why "best of rounds": the machine is shared, and another tenant's work can
// only slow a run down (the report prints the other load seen during each
// run); the best round is the closest to what the software itself can do.
// Medians are shown beside them.
import { median } from '../lib/stats.mjs';
import { ALL_PEERS as PEERS, HEADLINE_RECEIVERS } from '../config.mjs';

/** The targets (ratios measured in one run). */
export const TARGETS = {
  fanoutVsWs: 5,
  fanoutVsSocketio: 5,
  p99VsWs: 1.3,
  idleVsWs: 1.3,
  connections: 19_000,
  heartbeatCpu: 0.10,
  /** Fan-out with the SQLite store against the memory store (durability may cost at most 10%). */
  sqliteFanoutVsMemory: 0.9,
  /** Acked (committed) messages per second one relay takes in on SQLite, from many senders. */
  sqliteIngest: 50_000,
  clientGzip: 4000,
  widgetGzip: 20_000,
};

const byPeer = (runs) => {
  const m = new Map();
  for (const r of runs) {
    if (!m.has(r.peer)) m.set(r.peer, []);
    m.get(r.peer).push(r);
  }
  return m;
};

/** Per receivers count, per peer: {best, median, runs}. */
export function summarizeFanout(runs) {
  const out = [];
  const counts = [...new Set(runs.map((r) => r.receivers))];
  for (const receivers of counts) {
    const peers = byPeer(runs.filter((r) => r.receivers === receivers));
    const rows = [];
    for (const peer of PEERS) {
      const list = peers.get(peer);
      if (!list) continue;
      const best = list.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
      rows.push({ peer, label: best.label, best, median: median(list.map((r) => r.perSecond)), runs: list });
    }
    const find = (p) => rows.find((r) => r.peer === p);
    const parley = find('parley');
    const ratio = (p) => (parley && find(p) ? parley.best.perSecond / find(p).best.perSecond : NaN);
    const medianRatio = (p) => (parley && find(p) ? parley.median / find(p).median : NaN);
    const sqlite = find('parley-sqlite');
    const sqliteVsMemory = parley && sqlite ? sqlite.best.perSecond / parley.best.perSecond : NaN;
    out.push({ receivers, rows, vsWs: ratio('ws'), vsSocketio: ratio('socketio'), medianVsWs: medianRatio('ws'), medianVsSocketio: medianRatio('socketio'), sqliteVsMemory });
  }
  return out;
}

/** Per peer: the round with the lowest p99, and the median p99. */
export function summarizeLatency(runs) {
  const peers = byPeer(runs);
  const rows = [];
  for (const peer of PEERS) {
    const list = peers.get(peer);
    if (!list) continue;
    const best = list.reduce((a, b) => (b.p99 < a.p99 ? b : a));
    rows.push({ peer, label: best.label, best, medianP99: median(list.map((r) => r.p99)), runs: list });
  }
  const find = (p) => rows.find((r) => r.peer === p);
  const parley = find('parley');
  return {
    rows,
    p99VsWs: parley && find('ws') ? parley.best.p99 / find('ws').best.p99 : NaN,
    sqliteP99VsWs: find('parley-sqlite') && find('ws') ? find('parley-sqlite').best.p99 / find('ws').best.p99 : NaN,
    p99VsSocketio: parley && find('socketio') ? parley.best.p99 / find('socketio').best.p99 : NaN,
    medianP99VsWs: parley && find('ws') ? parley.medianP99 / find('ws').medianP99 : NaN,
  };
}

/** Shortest measured ingest window, s, whose figure counts against the target (a quick run's does not). */
export const INGEST_MIN_SECONDS = 3;

/**
 * Per Parley store: the round with the most acks/s and the median, each
 * store's ratio to the memory store, and whether every round's check found
 * each acked message stored exactly once.
 */
export function summarizeIngest(runs) {
  const peers = byPeer(runs);
  const rows = [];
  for (const peer of PEERS) {
    const list = peers.get(peer);
    if (!list) continue;
    const best = list.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
    const checked = list.filter((r) => r.check);
    rows.push({
      peer,
      label: best.label,
      best,
      median: median(list.map((r) => r.perSecond)),
      runs: list,
      checked: checked.length,
      storedOnce: checked.length > 0 && checked.every((r) => r.check.ok),
    });
  }
  const memory = rows.find((r) => r.peer === 'parley');
  for (const r of rows) {
    r.vsMemory = memory ? r.best.perSecond / memory.best.perSecond : NaN;
    r.medianVsMemory = memory ? r.median / memory.median : NaN;
  }
  return { rows, sqlite: rows.find((r) => r.peer === 'parley-sqlite') };
}

/** An idle round with its V8 young and old generation figures (resident bytes per connection) pulled out. */
function derived(r) {
  const young = (sp) => (sp ? sp.new ?? NaN : NaN);
  const old = (sp) => (sp ? (sp.old ?? 0) + (sp.large_object ?? 0) : NaN);
  return { ...r, youngPerConn: young(r.spacesPerConn), oldPerConn: old(r.spacesPerConn), coldYoungPerConn: young(r.coldSpacesPerConn), coldRssPerConn: r.coldRssPerConn ?? r.rssPerConn, coldHeapPerConn: r.coldHeapPerConn ?? r.heapPerConn };
}

/**
 * Per peer idle memory: the median of its rounds (RSS after GC depends on
 * how far V8's young generation grew during the burst of connections, which
 * varies from round to round), and Parley's ratios.
 */
export function summarizeIdle(runs) {
  const peers = byPeer(runs);
  const rows = [];
  for (const peer of PEERS) {
    const list = peers.get(peer);
    if (!list) continue;
    const pick = (k) => median(list.map((r) => derived(r)[k]));
    rows.push({
      ...list[0],
      rounds: list.length,
      rssPerConn: pick('rssPerConn'),
      heapPerConn: pick('heapPerConn'),
      externalPerConn: pick('externalPerConn'),
      youngPerConn: pick('youngPerConn'),
      oldPerConn: pick('oldPerConn'),
      coldRssPerConn: pick('coldRssPerConn'),
      coldHeapPerConn: pick('coldHeapPerConn'),
      coldYoungPerConn: pick('coldYoungPerConn'),
      connectSeconds: pick('connectSeconds'),
      rssRange: [Math.min(...list.map((r) => r.rssPerConn)), Math.max(...list.map((r) => r.rssPerConn))],
    });
  }
  const find = (p) => rows.find((r) => r.peer === p);
  const parley = find('parley');
  const ws = find('ws');
  return {
    rows,
    rssVsWs: parley && ws ? parley.rssPerConn / ws.rssPerConn : NaN,
    heapVsWs: parley && ws ? parley.heapPerConn / ws.heapPerConn : NaN,
    coldRssVsWs: parley && ws ? parley.coldRssPerConn / ws.coldRssPerConn : NaN,
  };
}

/** The targets with what was measured: [{target, goal, measured, ok}]. */
export function checkTargets(results) {
  const t = [];
  const headline = results.config?.fanout?.receivers?.[0] ?? HEADLINE_RECEIVERS;
  const fan = summarizeFanout(results.fanout || []).find((f) => f.receivers === headline);
  const fmtX = (x) => (Number.isFinite(x) ? `${x.toFixed(2)}x` : 'n/a');
  if (fan) {
    t.push({ target: `fan-out deliveries/s at ${headline} receivers vs bare ws`, goal: `≥ ${TARGETS.fanoutVsWs}x`, measured: fmtX(fan.vsWs), ok: fan.vsWs >= TARGETS.fanoutVsWs });
    t.push({ target: `fan-out deliveries/s at ${headline} receivers vs Socket.IO`, goal: `≥ ${TARGETS.fanoutVsSocketio}x`, measured: fmtX(fan.vsSocketio), ok: fan.vsSocketio >= TARGETS.fanoutVsSocketio });
    if (Number.isFinite(fan.sqliteVsMemory)) {
      t.push({ target: `fan-out at ${headline} receivers, SQLite store vs memory store`, goal: `≥ ${TARGETS.sqliteFanoutVsMemory}x`, measured: fmtX(fan.sqliteVsMemory), ok: fan.sqliteVsMemory >= TARGETS.sqliteFanoutVsMemory });
    }
  }
  const lat = results.latency?.length ? summarizeLatency(results.latency) : undefined;
  if (lat) t.push({ target: 'fixed-rate latency p99 vs bare ws', goal: `≤ ${TARGETS.p99VsWs}x`, measured: fmtX(lat.p99VsWs), ok: lat.p99VsWs <= TARGETS.p99VsWs });
  if (lat && Number.isFinite(lat.sqliteP99VsWs)) {
    t.push({ target: 'fixed-rate latency p99 vs bare ws, SQLite store', goal: `≤ ${TARGETS.p99VsWs}x`, measured: fmtX(lat.sqliteP99VsWs), ok: lat.sqliteP99VsWs <= TARGETS.p99VsWs });
  }
  const ing = results.ingest?.length ? summarizeIngest(results.ingest) : undefined;
  if (ing?.sqlite) {
    const b = ing.sqlite.best;
    const atScale = b.seconds >= INGEST_MIN_SECONDS;
    const lower = b.bottleneck === 'load generator' ? ' (load generator saturated: a lower bound)' : '';
    t.push({ target: `acked durable messages/s on one relay, SQLite (${b.senders} senders, ${b.rooms} rooms)`, goal: `≥ ${TARGETS.sqliteIngest.toLocaleString('en-US')}/s`, measured: `${Math.round(b.perSecond).toLocaleString('en-US')}/s${lower}`, ok: atScale ? b.perSecond >= TARGETS.sqliteIngest : null });
  }
  if (ing) {
    const checked = ing.rows.filter((r) => r.checked);
    if (checked.length) {
      t.push({ target: 'every acked message stored exactly once (ingest rounds, history read back)', goal: 'all rounds', measured: checked.map((r) => `${r.label}: ${r.storedOnce ? 'yes' : 'NO'} (${r.checked} rounds)`).join(', '), ok: checked.every((r) => r.storedOnce) });
    }
  }
  const idle = results.idle?.length ? summarizeIdle(results.idle) : undefined;
  if (idle) t.push({ target: 'idle memory (RSS) per connection vs bare ws', goal: `≤ ${TARGETS.idleVsWs}x`, measured: `${fmtX(idle.rssVsWs)} (V8 heap ${fmtX(idle.heapVsWs)}; from an empty server ${fmtX(idle.coldRssVsWs)})`, ok: idle.rssVsWs <= TARGETS.idleVsWs });
  const c = results.ceiling;
  if (c) {
    // A ceiling run that did not even attempt the target count (quick mode) proves nothing either way.
    const atScale = c.attempted >= TARGETS.connections;
    t.push({ target: 'idle connections with heartbeats held by one relay', goal: `≥ ${TARGETS.connections.toLocaleString('en-US')}`, measured: c.held.toLocaleString('en-US'), ok: atScale ? c.held >= TARGETS.connections : null });
    t.push({ target: `relay CPU on heartbeats at ${c.held.toLocaleString('en-US')} connections`, goal: `< ${TARGETS.heartbeatCpu * 100}% of one core`, measured: `${(c.heartbeatCpuShare * 100).toFixed(1)}%`, ok: atScale ? c.heartbeatCpuShare < TARGETS.heartbeatCpu && c.held >= TARGETS.connections : null });
  }
  for (const row of results.sizes?.rows || []) {
    if (!row.parley) continue;
    t.push({ target: `${row.name} bundle, gzip`, goal: `≤ ${(row.budget / 1000).toFixed(1)} kB`, measured: `${(row.gzip / 1000).toFixed(2)} kB`, ok: row.gzip <= row.budget });
  }
  return t;
}
