/**
 * The soak: the long runs of the cross-package suites, each checking the same
 * promises as its short share in `npm test`, with figures written to
 * docs/reliability.md (between its `soak:start` and `soak:end` markers) with
 * the date and the machine, so the numbers in the docs are ones a run produced.
 *
 *   node --import tsx test/soak/run.ts                 # the full soak (about 6 minutes on 2 cores)
 *   node --import tsx test/soak/run.ts --scale 0.25    # smaller: the chaos run and the fuzz case counts scale with it
 *   node --import tsx test/soak/run.ts --only chaos,fuzz --no-write
 *
 * It ends by itself: a suite that overruns its own limit is recorded as
 * failed, and nothing new starts after 14 minutes. Exit status 0 when every
 * promise held, 1 otherwise. Needs the build (`npx tsc -b`) and a Redis at
 * 127.0.0.1:6379 (PARLEY_TEST_REDIS_URL).
 */
import { execSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { chaosLines, runChaos } from '../suites/chaos.js';
import { exhaustionLines, runExhaustion } from '../suites/exhaustion.js';
import { FLOOD_SLACK, floodLines, runFlood } from '../suites/flood.js';
import { fuzzLines, runFuzz } from '../suites/fuzz.js';
import { halfOpenLines, runHalfOpen } from '../suites/half-open.js';
import { memoryRestartLines, redisKillLines, runMemoryRestart, runRedisKills, runDurableKills, durableKillLines } from '../suites/restart.js';
import { runSlowConsumers, slowLines } from '../suites/slow-consumer.js';
import { runStorm, stormLines } from '../suites/storm.js';
import { clean } from '../support/verify.js';

const DOC = fileURLToPath(new URL('../../docs/reliability.md', import.meta.url));
const START = '<!-- soak:start -->';
const END = '<!-- soak:end -->';
/** Nothing new starts after this (the whole soak must end within 15 minutes). */
const LAST_START_MS = 14 * 60_000;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}
/** Size of the long runs: 1 is the full soak (at least 100,000 chaos deliveries and 1,000,000 fuzz cases). */
const scale = Number(arg('scale') ?? 1);
const only = arg('only')?.split(',');
const write = !process.argv.includes('--no-write');

/** One suite's outcome: its printed figures and each promise it checked. */
interface Outcome {
  suite: string;
  seconds: number;
  lines: string[];
  checks: Array<{ promise: string; held: boolean }>;
  error?: string;
}

const outcomes: Outcome[] = [];
const started = Date.now();
const log = (line: string): void => console.log(`[soak ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);

async function suite(name: string, limitMs: number, body: () => Promise<Omit<Outcome, 'suite' | 'seconds'>>): Promise<void> {
  if (only && !only.includes(name)) return;
  if (Date.now() - started > LAST_START_MS) {
    outcomes.push({ suite: name, seconds: 0, lines: [], checks: [{ promise: 'ran within the soak budget', held: false }], error: 'skipped: out of time' });
    return;
  }
  log(`${name}: starting (limit ${Math.round(limitMs / 1000)} s)`);
  const t = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const r = await Promise.race([
      body(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`overran its limit of ${Math.round(limitMs / 1000)} s`)), limitMs);
      }),
    ]);
    outcomes.push({ suite: name, seconds: (Date.now() - t) / 1000, ...r });
    for (const line of r.lines) log(line);
    for (const c of r.checks) if (!c.held) log(`${name}: BROKEN: ${c.promise}`);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    outcomes.push({ suite: name, seconds: (Date.now() - t) / 1000, lines: [], checks: [{ promise: 'completed', held: false }], error: message });
    log(`${name}: FAILED: ${message}`);
  } finally {
    clearTimeout(timer);
  }
}

function machine(): string {
  const cpus = os.cpus();
  let commit = 'unknown';
  try {
    commit = execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim();
    if (execSync('git status --porcelain -- packages test', { encoding: 'utf8' }).trim()) commit += ' (with uncommitted changes in packages/ or test/)';
  } catch {
    // not a checkout
  }
  return `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.type()} ${os.release()} (${os.arch()}), Node ${process.version}, commit ${commit}`;
}

await suite('exhaustion', 60_000, async () => {
  const f = await runExhaustion({ limit: 50, helloTimeoutMs: 1000, rawBoundMs: 3000 });
  return {
    lines: exhaustionLines(f),
    checks: [
      { promise: 'one connection past the per-address limit is closed with 4006; other addresses are served; a freed slot is reused', held: f.overLimitCode === 4006 && f.otherAddressOk && f.freedSlotOk },
      { promise: 'sockets without hello are closed with 4002 within the hello timeout (+1 s)', held: f.idleCodes.every((c) => c === 4002) && f.idleClosedAfterMs.every((t) => t <= f.helloTimeoutMs + 1000) },
      { promise: 'TCP connections that never finish an upgrade request are closed within the hello timeout (+1 s)', held: f.rawIdleMs.every((t) => t <= f.helloTimeoutMs + 1000) },
    ],
  };
});

await suite('half-open', 60_000, async () => {
  const f = await runHalfOpen({ connections: 20, relayPingMs: 500, clientPingMs: 500, clientPingTimeoutMs: 500 });
  const slack = 300;
  return {
    lines: halfOpenLines(f),
    checks: [
      { promise: `every frozen connection is found by its client within ping + timeout (${f.clientBoundMs} ms, +${slack} ms scheduling)`, held: f.client.length === 20 && f.client.every((t) => t <= f.clientBoundMs + slack) },
      { promise: `every frozen connection is found by the relay within two ping intervals (${f.relayBoundMs} ms, +${slack} ms)`, held: f.relay.length === 20 && f.relay.every((t) => t <= f.relayBoundMs + slack) },
    ],
  };
});

for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
  await suite(`restart-memory-${signal}`, 120_000, async () => {
    const f = await runMemoryRestart(signal, 16);
    return {
      lines: memoryRestartLines(f),
      checks: [
        { promise: 'every client comes back', held: f.cameBack === f.clients },
        { promise: 'every client is told of the restart with a gap without end, right after what it had, and gets the whole new sequence', held: f.problems.length === 0 && f.gapsReported === f.clients },
        { promise: 'every send settles once with an ack', held: f.unsettled === 0 },
        ...(signal === 'SIGTERM' ? [{ promise: 'a graceful stop acks what it stored: nothing is stored twice across the restart', held: f.resentAcrossRestart === 0 }] : []),
      ],
    };
  });
}

await suite('restart-redis', 240_000, async () => {
  const f = await runRedisKills({ clients: 24, rounds: 3, progress: log });
  const v = f.verdict;
  return {
    lines: redisKillLines(f),
    checks: [
      { promise: 'no client loses its session', held: f.stopped.length === 0 },
      { promise: 'nothing lost, doubled, reordered or altered; every send acked once and stored once', held: clean(v) && v.gapped === 0 && v.problems.length === 0 },
    ],
  };
});

for (const store of ['sqlite', 'postgres'] as const) await suite(`restart-${store}`, 180_000, async () => {
  const f = await runDurableKills(store, { clients: 24, kills: 15, progress: log });
  const v = f.verdict;
  return {
    lines: durableKillLines(f),
    checks: [
      { promise: 'no client stops', held: f.stopped.length === 0 },
      { promise: 'a durable store causes no gap', held: f.roomGaps === 0 && v.gapped === 0 },
      { promise: 'every acked message is in history once, in order, and every client got exactly it', held: clean(v) && v.problems.length === 0 },
    ],
  };
});

for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
  await suite(`storm-${signal}`, 180_000, async () => {
    const f = await runStorm({ clients: 1000, boundMs: 60_000, signal });
    return {
      lines: stormLines(f).map((l) => l.replace('storm:', `storm (${signal}):`)),
      checks: [{ promise: 'every one of 1,000 clients comes back and catches up', held: f.back === f.clients && f.caughtUp === f.clients }],
    };
  });
}

for (const reconnectDelayMs of [-1, 200, 20]) {
  await suite(`flood-${reconnectDelayMs < 0 ? 'once' : `${reconnectDelayMs}ms`}`, 90_000, async () => {
    const f = await runFlood({ reconnectDelayMs, phaseMs: 5000 });
    return {
      lines: floodLines(f),
      checks: [
        { promise: 'the flooder is rate-limited and closed with 4004 every time', held: f.flooder.rateLimited > 0 && Object.keys(f.flooder.closes).every((c) => c === '4004') },
        { promise: 'nobody else is disconnected', held: f.victimsDropped === 0 },
        { promise: 'coming back does not refill the rate limit: the others get at most one burst plus the sustained rate', held: f.floodDeliveredPerClient <= f.allowedPerClient + FLOOD_SLACK },
        { promise: 'the others\u2019 p50 latency stays within 2x of the unflooded run', held: f.ratioP50 <= 2 },
      ],
    };
  });
}

await suite('slow-consumers', 120_000, async () => {
  const f = await runSlowConsumers({ readers: 50, capBytes: 256 * 1024, messages: 4000 });
  return {
    lines: slowLines(f),
    checks: [
      { promise: 'every reader that never reads is closed at the cap (4001)', held: f.cutOff === f.readers },
      { promise: 'a healthy reader in the same room gets everything, in order', held: f.healthyGotAll },
      { promise: 'a ping flood from a peer that never reads is cut', held: f.pingFloodCut },
      { promise: 'peak memory stays within readers x cap x 4 + 64 MiB of the baseline, and returns to it (+4 MiB)', held: f.peakHeap <= f.baseline + f.readers * f.capBytes * 4 + 64 * 2 ** 20 && f.after - f.baseline <= 4 * 2 ** 20 },
    ],
  };
});

const chaosMs = Math.max(30_000, Math.round(90_000 * scale));
await suite('chaos', chaosMs * 2 + 120_000, async () => {
  const f = await runChaos({ sendMs: chaosMs, settleMs: 60_000, progress: log });
  const v = f.verdict;
  return {
    lines: chaosLines(f),
    checks: [
      { promise: 'connections are cut every way (FIN, RST, frozen) and frozen ones are found by the heartbeat', held: f.cuts.fin > 0 && f.cuts.rst > 0 && f.cuts.freeze > 0 && f.heartbeatDrops > 0 },
      ...(scale >= 1 ? [{ promise: 'at least 100,000 deliveries', held: v.deliveries >= 100_000 }] : []),
      { promise: 'no client loses its session to a cut', held: f.stopped.length === 0 },
      { promise: 'nothing lost, doubled, reordered or altered; every send settles once, acked, stored once', held: clean(v) && v.gapped === 0 && v.problems.length === 0 },
    ],
  };
});

await suite('fuzz', 180_000 + Math.round(420_000 * scale), async () => {
  const batch = 250;
  const envelopeCases = Math.round(975_000 * scale);
  const f = await runFuzz({ envelopeRuns: Math.ceil(envelopeCases / batch), envelopeTarget: envelopeCases, batch, rawRuns: Math.ceil((30_000 * scale) / 4), rawParallel: 4, progress: log });
  return {
    lines: fuzzLines(f),
    checks: [
      ...(scale >= 1 ? [{ promise: 'at least 1,000,000 cases', held: f.cases >= 1_000_000 }] : []),
      { promise: 'only documented answers, errors and close codes (each as the decoder and RFC 6455 demand); the relay keeps serving', held: f.healthy },
      { promise: 'relay memory returns to its baseline (+3 MiB)', held: f.after - f.baseline <= 3 * 2 ** 20 },
    ],
  };
});

const total = (Date.now() - started) / 1000;
const broken = outcomes.flatMap((o) => o.checks.filter((c) => !c.held).map((c) => `${o.suite}: ${c.promise}${o.error ? ` (${o.error})` : ''}`));
log(`done in ${total.toFixed(0)} s: ${outcomes.length} suites, ${broken.length} broken promises`);
for (const b of broken) log(`BROKEN: ${b}`);

if (write && !only) {
  const date = new Date().toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
  const body = [
    START,
    `## Last soak run`,
    '',
    `Written by \`test/soak/run.ts\` (\`--scale ${scale}\`) on ${date}, in ${(total / 60).toFixed(1)} minutes, on ${machine()}.`,
    `${broken.length === 0 ? 'Every promise held.' : `**${broken.length} promise(s) broken** (see below; each has a failing test in \`npm test\`).`}`,
    '',
    ...outcomes.flatMap((o) => [
      `### ${o.suite} (${o.seconds.toFixed(0)} s)`,
      '',
      ...(o.error ? [`Failed: ${o.error}`, ''] : []),
      ...o.lines.map((l) => `    ${l}`),
      '',
      ...o.checks.map((c) => `- ${c.held ? 'held' : '**BROKEN**'}: ${c.promise}`),
      '',
    ]),
    END,
  ].join('\n');
  const before = existsSync(DOC) ? readFileSync(DOC, 'utf8') : `# Reliability\n\n${START}\n${END}\n`;
  const at = before.indexOf(START);
  const end = before.indexOf(END);
  const next = at >= 0 && end > at ? before.slice(0, at) + body + before.slice(end + END.length) : `${before.trimEnd()}\n\n${body}\n`;
  writeFileSync(DOC, next);
  log(`wrote ${DOC}`);
}
process.exit(broken.length === 0 ? 0 : 1);
