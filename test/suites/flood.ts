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

function flood(url: string, room: string, ms: number, reconnectDelayMs: number): Promise<FloodFigures['flooder']> {
  const child = spawn(process.execPath, [FLOODER, JSON.stringify({ url, room, ms, reconnectDelayMs })], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), ms + 15_000);
    child.on('exit', () => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1)!));
      } catch {
        reject(new Error(`the flooder printed no figures: ${out}`));
      }
    });
  });
}

/**
 * Measures latency without, then with, a flooder that comes back
 * `reconnectDelayMs` after each close (negative: floods once and stays away).
 */
export async function runFlood(options: { clients?: number; phaseMs?: number; reconnectDelayMs?: number; sendEveryMs?: number } = {}): Promise<FloodFigures> {
  const { clients = 10, phaseMs = 3000, reconnectDelayMs = 200, sendEveryMs = 200 } = options;
  const relay = await ProbedRelay.start({});
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
    const floodMs = phaseMs + 300;
    const flooding = flood(relay.wsUrl, room, floodMs, reconnectDelayMs);
    await sleep(300);
    phase = 'flooded';
    await sleep(phaseMs);
    phase = 'off';
    const flooder = await flooding;
    const quiet = summary(samples.quiet);
    const flooded = summary(samples.flooded);
    return {
      clients,
      phaseMs,
      reconnectDelayMs,
      floodMs,
      allowedPerClient: DEFAULT_RATE_BURST + (DEFAULT_RATE_PER_SECOND * floodMs) / 1000,
      quiet,
      flooded,
      ratioP50: flooded.p50 / quiet.p50,
      ratioP95: flooded.p95 / quiet.p95,
      flooder,
      victimsDropped: people.reduce((a, p) => a + p.drops, 0) - drops,
      floodDeliveredPerClient: Math.round(floodDelivered / clients),
    };
  } finally {
    clearInterval(timer);
    for (const p of people) p.close();
    await relay.close();
  }
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
