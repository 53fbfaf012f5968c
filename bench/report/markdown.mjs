// docs/benchmarks.md: the run's date, machine and versions, the method, the
// tables and ratios, which process was the bottleneck, the CPU profile of the
// relay, and the hand-written analysis kept in bench/analysis.md.
import { readFileSync, existsSync } from 'node:fs';
import { allTables } from './tables.mjs';
import { renderMarkdown, fixed, pct, int, short } from './format.mjs';
import { summarizeFanout, summarizeIngest, TARGETS } from './summary.mjs';
import { PARLEY_STORES } from '../peers/parley-stores.mjs';

const ANALYSIS = new URL('../analysis.md', import.meta.url);

function bottleneckNotes(results) {
  const lines = [];
  for (const f of summarizeFanout(results.fanout || [])) {
    for (const r of f.rows) {
      const b = r.best;
      let what;
      if (b.bottleneck === 'server' || b.bottleneck === 'both') what = `the server (${pct(b.serverShare)} of its core)${b.bottleneck === 'both' ? `; the load generator was saturated too (${pct(b.loadgenShare)}), but the server could not have gone faster` : ''}`;
      else if (b.bottleneck === 'load generator') what = `the load generator (${pct(b.loadgenShare)} of its core, server at ${pct(b.serverShare)}): **a lower bound** for the server`;
      else what = `neither process was saturated (server ${pct(b.serverShare)}, load generator ${pct(b.loadgenShare)}): the in-flight window or other load (${fixed(b.otherLoad, 2)} cores) limited the round`;
      lines.push(`- ${f.receivers} receivers, ${r.label}: ${what}.`);
    }
  }
  return lines.join('\n');
}

function profileSection(profile, what) {
  if (!profile) return '_No profile in this run (`node bench/run.mjs --profile` adds one)._';
  if (profile.error) return `_The profile run failed: ${profile.error}_`;
  const s = profile.summary;
  const rows = (list) => list.map((r) => `| ${r.pctBusy.toFixed(1)}% | \`${r.fn.replace(/\|/g, '\\|')}\` |`).join('\n');
  return [
    `${what ?? `Relay under the max-rate scenario (${profile.receivers} receivers, ${int(profile.perSecond)} deliveries/s while profiling)`}, V8's sampling CPU profiler (the one behind \`node --cpu-prof\`) over exactly the measured window: busy ${fixed(s.busyMs / 1000, 1)} s of ${fixed(s.totalMs / 1000, 1)} s sampled; garbage collection ${fixed(s.gcPct, 1)}% of busy time. The profile is in \`${profile.file.replace(/^.*\/bench\//, 'bench/')}\` (not committed).`,
    '',
    'Self time, share of busy time:',
    '',
    '| share | function and location |',
    '| ---: | :--- |',
    rows(s.self.slice(0, 15)),
    '',
    'Inclusive time of relay functions:',
    '',
    '| share | function and location |',
    '| ---: | :--- |',
    rows(s.focus.slice(0, 12)),
  ].join('\n');
}

function ingestNotes(results) {
  const lines = [];
  for (const r of summarizeIngest(results.ingest || []).rows) {
    const b = r.best;
    let what;
    if (b.bottleneck === 'server' || b.bottleneck === 'both') what = `the relay (${pct(b.serverShare)} of its core)${b.bottleneck === 'both' ? `; the load generator was saturated too (${pct(b.loadgenShare)})` : ''}`;
    else if (b.bottleneck === 'load generator') what = `the load generator (${pct(b.loadgenShare)} of its core, relay at ${pct(b.serverShare)}): **a lower bound** for the relay`;
    else what = `neither process was saturated (relay ${pct(b.serverShare)}, load generator ${pct(b.loadgenShare)}): the relay waited between turns (the store's commits, or the senders' windows) or other load (${fixed(b.otherLoad, 2)} cores) took its core`;
    lines.push(`- ${r.label}: ${what}. At ${fixed(b.cpuPerAckUs, 1)} µs of relay CPU per ack, one whole core would ack about ${int(1e6 / b.cpuPerAckUs)} messages/s.`);
  }
  return lines.join('\n');
}

function runsDetail(results) {
  const before = (r) => (r.quietBefore ? `${fixed(r.quietBefore.busyCores, 2)}${r.quietBefore.quiet ? '' : ' (busy)'}` : '—');
  const lines = ['| scenario | receivers | round | implementation | deliveries/s or p99 | server CPU | load gen CPU | other load | before |', '| :--- | ---: | ---: | :--- | ---: | ---: | ---: | ---: | ---: |'];
  for (const r of results.fanout || []) lines.push(`| max rate | ${r.receivers} | ${r.round} | ${r.label} | ${short(r.perSecond)}/s | ${pct(r.serverShare)} | ${pct(r.loadgenShare)} | ${fixed(r.otherLoad, 2)} | ${before(r)} |`);
  for (const r of results.latency || []) lines.push(`| fixed rate | ${r.receivers} | ${r.round} | ${r.label} | p99 ${fixed(r.p99, 2)} ms | ${pct(r.serverShare)} | ${pct(r.loadgenShare)} | ${fixed(r.otherLoad, 2)} | ${before(r)} |`);
  for (const r of results.ingest || []) lines.push(`| acked ingest | ${r.senders} senders | ${r.round} | ${r.label} | ${short(r.perSecond)} acks/s | ${pct(r.serverShare)} | ${pct(r.loadgenShare)} | ${fixed(r.otherLoad, 2)} | ${before(r)} |`);
  const names = { fanout: 'max rate', latency: 'fixed rate', ingest: 'acked ingest' };
  for (const r of results.discarded || []) {
    const what = r.scenario === 'fanout' ? `${short(r.perSecond)}/s` : r.scenario === 'ingest' ? `${short(r.perSecond)} acks/s` : `p99 ${fixed(r.p99, 2)} ms`;
    const who = r.scenario === 'ingest' ? `${r.senders} senders` : r.receivers;
    lines.push(`| ${names[r.scenario] ?? r.scenario}, repeated (disturbed) | ${who} | ${r.round} | ${r.label} | ${what} | ${pct(r.serverShare)} | ${pct(r.loadgenShare)} | ${fixed(r.otherLoad, 2)} | ${before(r)} |`);
  }
  return lines.join('\n');
}

/** The whole document. */
export function renderMarkdownReport(results) {
  const m = results.machine;
  const v = results.versions;
  const analysis = existsSync(ANALYSIS) ? readFileSync(ANALYSIS, 'utf8').trim() : '';
  const errors = (results.errors || []).map((e) => `- ${e.scenario} / ${e.peer ?? ''}: ${e.message}`).join('\n');
  return `# Benchmarks

<!-- Generated by \`npm run bench\` (bench/run.mjs); edit bench/analysis.md for the prose at the end, not this file. -->

Run of ${results.date} (${results.config.name} mode, ${fixed(results.seconds, 0)} s). Every figure below was measured side by side in this one run; the machine is shared with other work, so compare the ratios, not the absolute numbers.

![Fan-out deliveries/s, p99 latency and memory per connection](benchmarks.svg)

## Machine and versions

| | |
| :--- | :--- |
| CPU | ${m.cpu}, ${m.cores} cores, ${fixed(m.memGB, 0)} GB RAM |
| OS | ${m.os} |
| Node | ${m.node} |
| open-file limit | ${m.openFiles} per process |
| pinning | ${results.pinned ? 'server on core 0, load generators on core 1 (`taskset`)' : 'none (`taskset` not available): numbers are less comparable'} |
| load average at start / end | ${m.loadavg.map((x) => x.toFixed(2)).join(' ')} / ${(results.loadavgEnd || []).map((x) => x.toFixed(2)).join(' ')} |
| bare ws | ${v.ws} (the same \`ws\` the relay depends on) |
| Socket.IO | ${v.socketio} |
| Parley | ${v.parley} |
${Object.entries(PARLEY_STORES).filter(([k]) => k !== 'memory').map(([, st]) => `| ${st.label} | the same relay with ${st.note} |`).join('\n')}

## Targets

${renderMarkdown(allTables(results).at(-1))}

## Method

- **Quiet gate.** ${results.config.quiet ? `Before each round the runner waits (at most ${results.config.quiet.timeoutMs / 1000} s) until the rest of the machine uses at most ${results.config.quiet.maxCores} of a core over ${results.config.quiet.windowMs / 1000} s (*before* in the last table is what it saw), and a timed round during which the rest of the machine used more than ${results.config.quiet.maxOtherLoad} of a core is repeated, at most ${results.config.quiet.retries} times (${(results.discarded || []).length} rounds were repeated in this run; they are listed at the end, not used).` : 'Off in this mode.'}
- **Processes.** Each implementation runs alone in a server process (bench/server-host.mjs), the clients in a load-generator process (bench/loadgen.mjs), each pinned to its own core when \`taskset\` exists. A fresh server is started for every round. Rounds of the implementations are interleaved (the order rotates each round), and the tables show the best round with the median beside it: another tenant's work can only slow a round down, and the *other load* column shows how much CPU the rest of the machine used meanwhile (in cores).
- **Clients.** The load generator speaks each wire format itself over the same \`ws\` package: plain JSON frames for bare ws; Engine.IO 4 / Socket.IO 4 framing (\`40\` connect, \`42[...]\` events, \`2\`/\`3\` heartbeats) with the WebSocket transport only; and a thin \`parley.v1\` client (\`hello\` → \`welcome\`, \`send\` with a \`cid\`, app-level \`ping\`), **not** the \`@parley/client\` SDK, which would cost the load generator more per message than the relay spends. All receivers count the benchmark texts in the raw frames (a marker in each ~100-byte text), so a batched Parley frame with many envelopes costs the load generator no JSON parsing.
- **Servers.** Bare ws parses each message and sends one pre-stringified string to every other client. Socket.IO broadcasts to a room (\`socket.to(room).emit\`), which encodes once per broadcast. Parley is the real relay (\`createRelay\`, memory store) with only the rate limit and the connections-per-IP limit raised, and *Parley (SQLite)* the same relay on its durable store (every message committed before its broadcast and ack); it also sends each message back to its sender with an ack, which the others do not (those deliveries are not counted).
- **Max rate.** One room, R receivers, one sender that keeps at most ${results.config.fanout?.window ?? '?'} messages' deliveries outstanding (a bounded window, so no queue grows without bound), ${(results.config.fanout?.warmupMs ?? 0) / 1000} s warm-up, ${(results.config.fanout?.durationMs ?? 0) / 1000} s measured. Deliveries/s = texts received by all receivers / time. Server CPU from \`process.cpuUsage()\` over the same window (user + system; *in kernel* is the system share), peak RSS sampled every 20 ms, load-generator CPU likewise: a load generator near 100% of its core makes the figure a lower bound. Loopback network work (softirq) done in a process's own context counts as that process's system time; under heavy traffic the kernel moves some of it to its ksoftirqd threads, where no process is charged. The *softirq* column is all interrupt and softirq time machine-wide, in cores, and *other load* counts only the rest of the machine's user processes (kernel threads left out).
- **Acked ingest.** Parley only, one server per store (${Object.entries(PARLEY_STORES).map(([k, st]) => `${st.label}: ${st.note}`).join('; ')}). ${results.config.ingest ? `${results.config.ingest.senders} senders, sender *c* in room *c* mod ${results.config.ingest.rooms}, each keeping ${results.config.ingest.window} \`send\`s unacked (a new one goes out, in its own frame, as soon as an ack frees a place; the SDK sends one envelope a frame too), texts of ${results.config.ingest.textLength} characters, ${(results.config.ingest.warmupMs ?? 0) / 1000} s warm-up, ${(results.config.ingest.durationMs ?? 0) / 1000} s measured` : ''}. Acks/s = acks the senders received / time; an ack on a durable store follows the commit. Every member of a room gets each message, senders included, so the relay's broadcast is part of the cost (*deliveries/s*). The load generators (bench/ingest-loadgen.mjs) read acks and count deliveries in the raw frames, all on the load-generator core: *load gen CPU* is their share of it, and a round where they, not the relay, were saturated is a lower bound. After each round a fresh client reads every room's head \`seq\` and retained history back over the protocol: the acked \`seq\`s of a room must be exactly 1…head with none twice, and each retained message must be the one acked with its \`seq\` (*stored once*).
- **Fixed rate.** One sender at a constant rate; every delivery's latency from the sender's clock at send to the receiver's at receive (same process, same clock), after a warm-up.
- **Idle.** ${(results.config.idle?.warmup ?? 0).toLocaleString('en-US')} clients connect and stay, then N more (Parley and Socket.IO clients in rooms of ${results.config.idle?.roomSize ?? '?'}); RSS and V8 heap of the server after a forced GC, after the N minus before them, divided by N; the median of ${results.config.idle?.rounds ?? 1} rounds. The first connections pay one-off costs (the connection path's compiled code, caches, the young generation V8 grows during a burst), so the figure per connection is what the next N add; the *from empty* columns divide everything the server grew from no client at all by all the clients, one-off costs included. *V8 young gen* and *old gen* are V8's resident pages per space (\`v8.getHeapSpaceStatistics()\`): the young generation is empty after GC, but its pages stay resident and count in RSS, and how far it grew differs from round to round (see *RSS range*); heap used is the steadier figure.
- **Ceiling.** Clients spread over several load generators (each under the per-process open-file limit) and source addresses 127.0.0.2, .3, …; the relay gets more attempts than its own open-file limit allows. After connecting, every client sends \`ping\` every ${(results.config.ceiling?.clientPingMs ?? 0) / 1000} s (the protocol's default interval) and the relay pings every socket at its own default interval; the relay's CPU over the hold is the heartbeat cost.
- **Sizes.** bench/sizes.mjs bundles each library's main entry with the plugins of the root rollup.config.mjs (node-resolve for browsers, terser, ES2020) and gzips at level 9, as scripts/size.mjs does for Parley's bundles.

## Fan-out at max rate

${allTables(results).filter((t) => t.title.startsWith('Fan-out') || t.title.startsWith('Parley fan-out')).map((t) => `### ${t.title}\n\n${renderMarkdown(t)}`).join('\n\n')}

Which process limited each best round:

${bottleneckNotes(results)}

## Latency at a fixed rate

${allTables(results).filter((t) => t.title.startsWith('Fixed-rate')).map((t) => `${t.title}.\n\n${renderMarkdown(t)}`).join('\n\n')}

## Sustained acked ingest

${allTables(results).filter((t) => t.title.startsWith('Sustained')).map((t) => `${t.title}.\n\n${renderMarkdown(t)}`).join('\n\n') || '_Not run._'}

Goal: at least ${TARGETS.sqliteIngest.toLocaleString('en-US')} acked durable messages/s on one relay with SQLite. Which process limited each best round:

${ingestNotes(results)}

${results.ingestProfile ? profileSection(results.ingestProfile, `Relay on ${results.ingestProfile.peer} under the ingest scenario (${results.ingestProfile.senders} senders in ${results.ingestProfile.rooms} rooms, ${int(results.ingestProfile.perSecond)} acks/s while profiling)`) : ''}

## Memory per idle connection

${allTables(results).filter((t) => t.title.startsWith('Idle')).map((t) => `${t.title}.\n\n${renderMarkdown(t)}`).join('\n\n')}

## Connection ceiling

${allTables(results).filter((t) => t.title.startsWith('Connection ceiling')).map((t) => `${t.title}.\n\n${renderMarkdown(t)}`).join('\n\n') || '_Not run._'}

## Bundle sizes

${allTables(results).filter((t) => t.title.startsWith('Bundle')).map((t) => `${t.title}.\n\n${renderMarkdown(t)}`).join('\n\n') || '_Not run._'}
${(results.sizes?.notes || []).map((n) => `\n> ${n}`).join('')}

## Profile of the relay

${profileSection(results.profile)}

${analysis}

## Every round

${runsDetail(results)}
${errors ? `\n## Errors in this run\n\n${errors}\n` : ''}`;
}
