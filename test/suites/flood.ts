/**
 * Flood: a client sending as fast as it can is rate-limited and then closed
 * (4004), while ten ordinary clients in the same room keep chatting. Their
 * message latency (send() to delivery at every other member) is measured
 * without the flood and with it; the relay runs in its own process, and so
 * does the flooder.
 */
import { DEFAULT_RATE_BURST, DEFAULT_RATE_PER_SECOND } from '@parley/protocol';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Participant } from '../support/participant.js';
import { ProbedRelay } from '../support/probe.js';
import { summary } from '../support/stats.js';
import { sleep } from '../support/wait.js';

const FLOODER = fileURLToPath(new URL('../support/flooder.mjs', import.meta.url));
const HEAVY_READER = fileURLToPath(new URL('../support/heavy-reader.mjs', import.meta.url));

/** Flood messages past `allowedPerClient` that still count as held: the last connection may outlive the flood's end by a few tens of ms. */
export const FLOOD_SLACK = DEFAULT_RATE_PER_SECOND / 2;

export interface FloodFigures {
  clients: number;
  phaseMs: number;
  reconnectDelayMs: number;
  /** How long the flooder ran, ms. */
  floodMs: number;
  /** What the rate limit lets one address deliver over `floodMs` however often it reconnects: one burst, then the sustained rate. */
  allowedPerClient: number;
  quiet: ReturnType<typeof summary>;
  flooded: ReturnType<typeof summary>;
  /** flooded / quiet at p50 and p95. */
  ratioP50: number;
  ratioP95: number;
  flooder: { connections: number; sent: number; rateLimited: number; welcomed: number; closes: Record<string, number> };
  /** Ordinary clients that lost their connection during the flood. */
  victimsDropped: number;
  /** Flood messages the relay accepted and delivered to each ordinary client (the bursts each new connection is allowed). */
  floodDeliveredPerClient: number;
}

/**
 * Runs a load script in its own process with `options` as JSON and answers
 * the figures it prints as its last line; killed `ms` + 15 s after the start.
 */
function loadProcess<T>(script: string, options: Record<string, unknown>, ms: number, what: string): Promise<T> {
  const child = spawn(process.execPath, [script, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), ms + 15_000);
    child.on('exit', () => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1)!) as T);
      } catch {
        reject(new Error(`the ${what} printed no figures: ${out}`));
      }
    });
  });
}

function flood(url: string, room: string, ms: number, reconnectDelayMs: number): Promise<FloodFigures['flooder']> {
  return loadProcess(FLOODER, { url, room, ms, reconnectDelayMs }, ms, 'flooder');
}

/** The ordinary clients' latency without a load, then with it, and what the load reported. */
interface Measured<T> {
  quiet: ReturnType<typeof summary>;
  flooded: ReturnType<typeof summary>;
  load: T;
  /** Flood messages delivered to the ordinary clients, in all. */
  floodDelivered: number;
  victimsDropped: number;
}

/**
 * Ten (`clients`) ordinary clients chat in one room, each message's latency
 * (send() to delivery at every other member) sampled for `phaseMs` without a
 * load, then for `phaseMs` while `load` runs (it is started 300 ms before).
 */
async function underLoad<T>(
  relay: ProbedRelay,
  options: { clients: number; phaseMs: number; sendEveryMs: number; leadMs?: number },
  load: (room: string) => Promise<T>,
): Promise<Measured<T>> {
  const { clients, phaseMs, sendEveryMs, leadMs = 300 } = options;
  const room = 'flooded';
  const people: Participant[] = [];
  let timer: NodeJS.Timeout | undefined;
  try {
    let phase: 'off' | 'quiet' | 'flooded' = 'off';
    const samples = { off: [] as number[], quiet: [] as number[], flooded: [] as number[] };
    let floodDelivered = 0;
    for (let i = 0; i < clients; i++) {
      const p = new Participant({ url: relay.wsUrl, nick: `v${i}`, rooms: [room] });
      p.onMessage = (m) => {
        if (m.text.startsWith('flood ')) floodDelivered++;
        const [from, at] = m.text.split('|');
        if (from === p.nick || at === undefined) return;
        samples[phase].push(performance.now() - Number(at));
      };
      people.push(p);
    }
    for (const p of people) p.connect();
    await Promise.all(people.map((p) => p.opened()));
    let k = 0;
    timer = setInterval(() => {
      const p = people[k++ % people.length]!;
      p.send(room, `${p.nick}|${performance.now()}`);
    }, sendEveryMs / clients);
    await sleep(500); // warm up
    phase = 'quiet';
    await sleep(phaseMs);
    phase = 'off';
    const drops = people.reduce((a, p) => a + p.drops, 0);
    const loading = load(room);
    await sleep(leadMs);
    phase = 'flooded';
    await sleep(phaseMs);
    phase = 'off';
    return {
      load: await loading,
      quiet: summary(samples.quiet),
      flooded: summary(samples.flooded),
      floodDelivered,
      victimsDropped: people.reduce((a, p) => a + p.drops, 0) - drops,
    };
  } finally {
    clearInterval(timer);
    for (const p of people) p.close();
  }
}

/**
 * Measures latency without, then with, a flooder that comes back
 * `reconnectDelayMs` after each close (negative: floods once and stays away).
 */
export async function runFlood(options: { clients?: number; phaseMs?: number; reconnectDelayMs?: number; sendEveryMs?: number } = {}): Promise<FloodFigures> {
  const { clients = 10, phaseMs = 3000, reconnectDelayMs = 200, sendEveryMs = 200 } = options;
  const relay = await ProbedRelay.start({});
  try {
    const floodMs = phaseMs + 300;
    const m = await underLoad(relay, { clients, phaseMs, sendEveryMs }, (room) => flood(relay.wsUrl, room, floodMs, reconnectDelayMs));
    return {
      clients,
      phaseMs,
      reconnectDelayMs,
      floodMs,
      allowedPerClient: DEFAULT_RATE_BURST + (DEFAULT_RATE_PER_SECOND * floodMs) / 1000,
      quiet: m.quiet,
      flooded: m.flooded,
      ratioP50: m.flooded.p50 / m.quiet.p50,
      ratioP95: m.flooded.p95 / m.quiet.p95,
      flooder: m.load,
      victimsDropped: m.victimsDropped,
      floodDeliveredPerClient: Math.round(m.floodDelivered / clients),
    };
  } finally {
    await relay.close();
  }
}

/** What heavy readers did, and what the others' latency did meanwhile. */
export interface HeavyFigures {
  clients: number;
  readers: number;
  /** How long the readers read, ms. */
  readMs: number;
  quiet: ReturnType<typeof summary>;
  flooded: ReturnType<typeof summary>;
  ratioP50: number;
  ratioP99: number;
  readers_: { pages: number; refused: number; messages: number; closes: Record<string, number> };
  victimsDropped: number;
}

/**
 * Heavy requests from one address: `readers` connections (one address,
 * through the relay's trusted proxy) ask for 200-message history pages of
 * 400-character messages, each within its own rate limit, while the
 * ordinary clients chat; their latency is measured without and with it.
 */
export async function runHeavyReads(options: { clients?: number; readers?: number; phaseMs?: number; sendEveryMs?: number } = {}): Promise<HeavyFigures> {
  const { clients = 10, readers = 50, phaseMs = 3000, sendEveryMs = 200 } = options;
  const relay = await ProbedRelay.start({ trustedProxies: ['127.0.0.1'], fill: { room: 'archive', count: 1000, length: 400 } } as never);
  try {
    // the readers connect first (their hellos are not what is measured), then read from 300 ms before the measured phase to its end
    const m = await underLoad(relay, { clients, phaseMs, sendEveryMs, leadMs: 2000 }, () =>
      heavyReads(relay.wsUrl, { room: 'archive', ms: phaseMs + 300, warmMs: 1700, connections: readers, address: '203.0.113.77', perSecond: DEFAULT_RATE_PER_SECOND }),
    );
    return {
      clients,
      readers,
      readMs: phaseMs + 300,
      quiet: m.quiet,
      flooded: m.flooded,
      ratioP50: m.flooded.p50 / m.quiet.p50,
      ratioP99: m.flooded.p99 / m.quiet.p99,
      readers_: m.load,
      victimsDropped: m.victimsDropped,
    };
  } finally {
    await relay.close();
  }
}

function heavyReads(url: string, options: { ms: number; warmMs: number } & Record<string, unknown>): Promise<HeavyFigures['readers_']> {
  return loadProcess(HEAVY_READER, { url, ...options }, options.ms + options.warmMs, 'heavy reader');
}

export function heavyLines(f: HeavyFigures): string[] {
  const r = f.readers_;
  return [
    `heavy reads: ${f.readers} connections from one address got ${r.pages} pages (${r.messages} messages), ${r.refused} refused rate_limited, closes ${JSON.stringify(r.closes)}`,
    `heavy reads: ${f.clients} other clients' latency p50 ${f.quiet.p50.toFixed(2)} -> ${f.flooded.p50.toFixed(2)} ms (x${f.ratioP50.toFixed(2)}), ` +
      `p99 ${f.quiet.p99.toFixed(2)} -> ${f.flooded.p99.toFixed(2)} ms (x${f.ratioP99.toFixed(2)}), max ${f.quiet.max.toFixed(1)} -> ${f.flooded.max.toFixed(1)} ms; ` +
      `${f.quiet.n}/${f.flooded.n} samples; their drops ${f.victimsDropped}`,
  ];
}

export function floodLines(f: FloodFigures): string[] {
  const fl = f.flooder;
  const how = f.reconnectDelayMs < 0 ? 'once' : `coming back ${f.reconnectDelayMs} ms after each close`;
  return [
    `flood (${how}): flooder wrote ${fl.sent} envelopes over ${fl.connections} connections, got ${fl.rateLimited} rate_limited, closes ${JSON.stringify(fl.closes)}; ` +
      `each other client received ${f.floodDeliveredPerClient} flood messages (${(f.floodDeliveredPerClient / (f.floodMs / 1000)).toFixed(0)}/s; the rate limit allows ${f.allowedPerClient} in ${f.floodMs} ms)`,
    `flood (${how}): ${f.clients} other clients' latency p50 ${f.quiet.p50.toFixed(2)} -> ${f.flooded.p50.toFixed(2)} ms (x${f.ratioP50.toFixed(2)}), ` +
      `p95 ${f.quiet.p95.toFixed(2)} -> ${f.flooded.p95.toFixed(2)} ms (x${f.ratioP95.toFixed(2)}), max ${f.quiet.max.toFixed(1)} -> ${f.flooded.max.toFixed(1)} ms; ` +
      `${f.quiet.n}/${f.flooded.n} samples; their drops ${f.victimsDropped}`,
  ];
}
