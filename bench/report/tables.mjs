// The result tables, built once and rendered to the console and to Markdown.
import { summarizeFanout, summarizeLatency, summarizeIngest, summarizeIdle, checkTargets } from './summary.mjs';
import { table, int, fixed, pct, kB, MB, ms, ratio } from './format.mjs';

export function fanoutTables(runs) {
  return summarizeFanout(runs).map((f) => table(
    `Fan-out at max rate: ${f.receivers} receivers, one sender, ${f.rows[0]?.best.window} messages in flight (best of ${Math.max(...f.rows.map((r) => r.runs.length))} rounds)`,
    ['implementation', 'deliveries/s', 'median', 'server CPU µs/delivery', 'server CPU', 'in kernel', 'softirq', 'server peak RSS', 'load gen CPU', 'other load', 'bottleneck'],
    f.rows.map((r) => [
      r.label,
      int(r.best.perSecond),
      int(r.median),
      fixed(r.best.cpuPerDeliveryUs, 2),
      pct(r.best.serverShare),
      pct(r.best.serverKernelShare),
      fixed(r.best.softirqCores, 2),
      MB(r.best.peakRss),
      pct(r.best.loadgenShare),
      fixed(r.best.otherLoad, 2),
      r.best.bottleneck,
    ]),
  ));
}

export function fanoutRatioTable(runs) {
  const s = summarizeFanout(runs);
  return table('Parley fan-out as a multiple of each baseline (best rounds; medians in brackets)',
    ['receivers', 'vs bare ws', 'vs Socket.IO'],
    s.map((f) => [String(f.receivers), `${ratio(f.vsWs)} (${ratio(f.medianVsWs)})`, `${ratio(f.vsSocketio)} (${ratio(f.medianVsSocketio)})`]));
}

export function latencyTable(runs) {
  const s = summarizeLatency(runs);
  const first = s.rows[0]?.best;
  return table(
    `Fixed-rate latency, send to receive: ${first?.rate} msgs/s × ${first?.receivers} receivers for ${first?.seconds} s (round with the lowest p99 of ${Math.max(...s.rows.map((r) => r.runs.length))})`,
    ['implementation', 'p50', 'p95', 'p99', 'max', 'median p99', 'messages > 10 ms', 'deliveries', 'server CPU', 'load gen CPU', 'other load'],
    s.rows.map((r) => [
      r.label,
      ms(r.best.p50),
      ms(r.best.p95),
      ms(r.best.p99),
      ms(r.best.max),
      ms(r.medianP99),
      r.best.messagesOver10ms === undefined ? '—' : `${int(r.best.messagesOver10ms)} of ${int(r.best.sent ?? r.best.rate * r.best.seconds)}`,
      `${int(r.best.samples)}${r.best.complete ? '' : ` of ${int(r.best.expected)}`}`,
      pct(r.best.serverShare),
      pct(r.best.loadgenShare),
      fixed(r.best.otherLoad, 2),
    ]),
  );
}

export function ingestTable(runs) {
  const s = summarizeIngest(runs);
  const first = s.rows[0]?.best;
  const check = (r) => {
    if (!r.checked) return 'not checked';
    if (!r.storedOnce) return 'FAILED';
    const c = r.best.check;
    return c ? `${int(c.stored)} acked = stored; ${int(c.retained)} read back` : 'yes';
  };
  return table(
    `Sustained acked ingest: ${first?.senders} senders in ${first?.rooms} rooms (every member gets each message), ${first?.window} unacked sends each, ${first?.textLength}-character texts, ${first?.generators} load generator${first?.generators === 1 ? '' : 's'} (best of ${Math.max(...s.rows.map((r) => r.runs.length))} rounds)`,
    ['implementation', 'acks/s', 'median', 'vs memory', 'deliveries/s', 'server CPU µs/ack', 'server CPU', 'in kernel', 'server peak RSS', 'load gen CPU', 'other load', 'bottleneck', 'refused', 'stored once'],
    s.rows.map((r) => [
      r.label,
      int(r.best.perSecond),
      int(r.median),
      `${ratio(r.vsMemory)} (${ratio(r.medianVsMemory)})`,
      int(r.best.deliveriesPerSecond),
      fixed(r.best.cpuPerAckUs, 1),
      pct(r.best.serverShare),
      pct(r.best.serverKernelShare),
      MB(r.best.peakRss),
      pct(r.best.loadgenShare),
      fixed(r.best.otherLoad, 2),
      r.best.bottleneck,
      int(r.best.refused),
      check(r),
    ]),
  );
}

export function idleTable(runs) {
  const s = summarizeIdle(runs);
  const first = s.rows[0];
  const ws = s.rows.find((x) => x.peer === 'ws');
  const warm = first?.warmup ? `, on top of ${int(first.warmup)} connected first` : '';
  return table(
    `Idle memory: ${int(first?.count)} idle connections${warm} (rooms of ${first?.roomSize} where the peer has rooms), after GC (median of ${first?.rounds} rounds)`,
    ['implementation', 'RSS/conn', 'RSS range', 'heap used/conn', 'V8 young gen/conn', 'V8 old gen/conn', 'vs bare ws (RSS)', 'vs bare ws (heap)', 'from empty: RSS/conn', 'from empty: young gen/conn', 'from empty: vs bare ws (RSS)', 'connect time'],
    s.rows.map((r) => [
      r.label,
      kB(r.rssPerConn),
      `${fixed(r.rssRange[0] / 1000, 1)}-${fixed(r.rssRange[1] / 1000, 1)}`,
      kB(r.heapPerConn),
      kB(r.youngPerConn),
      kB(r.oldPerConn),
      ratio(r.rssPerConn / (ws?.rssPerConn ?? NaN)),
      ratio(r.heapPerConn / (ws?.heapPerConn ?? NaN)),
      kB(r.coldRssPerConn),
      kB(r.coldYoungPerConn),
      ratio(r.coldRssPerConn / (ws?.coldRssPerConn ?? NaN)),
      `${fixed(r.connectSeconds, 1)} s`,
    ]),
  );
}

export function ceilingTable(c) {
  const fails = Object.entries(c.failures).map(([k, v]) => `${v}× ${k}`).join(', ') || 'none';
  const closes = Object.entries(c.closes).map(([k, v]) => `${v}× ${k}`).join(', ') || 'none';
  return table(
    `Connection ceiling: ${c.label}, idle clients with heartbeats from ${c.loadgens} load generators on 127.0.0.2-${1 + c.loadgens}`,
    ['attempted', 'held', 'refused', 'closed while held', 'heartbeat CPU (one core)', 'RSS', 'RSS/conn', 'heap/conn', 'connect time', 'hold'],
    [[
      int(c.attempted),
      int(c.held),
      fails,
      closes,
      pct(c.heartbeatCpuShare, 1),
      MB(c.rss),
      kB(c.rssPerConn),
      kB(c.heapPerConn),
      `${fixed(c.connectSeconds, 1)} s`,
      `${fixed(c.holdSeconds, 0)} s`,
    ]],
  );
}

export function sizesTable(sizes) {
  return table(
    'Bundle sizes (same rollup plugins as the project, gzip level 9; 1 kB = 1000 bytes)',
    ['bundle', 'version', 'minified', 'gzip', 'brotli', 'budget', 'status'],
    sizes.rows.map((r) => [
      r.name,
      r.version || '',
      kB(r.min, 2),
      kB(r.gzip, 2),
      kB(r.brotli, 2),
      r.budget ? kB(r.budget, 1) : '',
      r.note ? r.note : r.budget ? (r.ok ? 'within budget' : 'OVER budget') : '',
    ]),
  );
}

export function targetsTable(results) {
  return table('Targets', ['target', 'goal', 'measured', 'result'],
    checkTargets(results).map((t) => [t.target, t.goal, t.measured, t.ok === null ? 'not at scale' : t.ok ? 'met' : 'MISSED']));
}

/** Every table the results support, in report order. */
export function allTables(results) {
  const out = [];
  if (results.fanout?.length) out.push(...fanoutTables(results.fanout), fanoutRatioTable(results.fanout));
  if (results.latency?.length) out.push(latencyTable(results.latency));
  if (results.ingest?.length) out.push(ingestTable(results.ingest));
  if (results.idle?.length) out.push(idleTable(results.idle));
  if (results.ceiling) out.push(ceilingTable(results.ceiling));
  if (results.sizes) out.push(sizesTable(results.sizes));
  out.push(targetsTable(results));
  return out;
}
