/**
 * Reconnect storm: many clients on one relay (the real CLI), the relay is
 * restarted, and every client must come back (spread by the SDK's full-jitter
 * backoff, default settings) and catch up with what was sent after the
 * restart. Reports how long clients took: from their drop to their welcome,
 * and to having every new message of their room.
 */
import { Participant } from '../support/participant.js';
import { Peer } from '../support/peer.js';
import { RelayProcess, type Flags } from '../support/relay-process.js';
import { summary } from '../support/stats.js';
import { eventually, sleep } from '../support/wait.js';

export interface StormFigures {
  clients: number;
  rooms: number;
  /** How many came back and caught up within the bound. */
  back: number;
  caughtUp: number;
  /** ms from each client's drop to its welcome, and to having the room's new messages. */
  welcome: ReturnType<typeof summary>;
  catchUp: ReturnType<typeof summary>;
  /** ms the relay was down (kill to listening again). */
  downMs: number;
  /** ms to connect every client at the start. */
  connectMs: number;
}

/** Joins every room with a raw peer and sends `count` messages to each; resolves with their ids per room. */
async function write(url: string, rooms: string[], count: number, tag: string): Promise<Map<string, string[]>> {
  const writer = await Peer.open(url);
  try {
    const w = await writer.hello({ nick: `writer-${tag}`, rooms: rooms.map((room) => ({ room, since: 0 })) });
    if (w.type !== 'welcome') throw new Error(`writer refused: ${JSON.stringify(w)}`);
    const ids = new Map<string, string[]>();
    for (let k = 0; k < count; k++) {
      for (const room of rooms) {
        const cid = `${tag}-${room}-${k}`;
        writer.send({ type: 'send', room, text: `${tag} ${k}`, cid });
        const ack = await writer.next((e) => e.type === 'ack' && e.cid === cid, 10_000);
        ids.set(room, [...(ids.get(room) ?? []), ack.id as string]);
      }
    }
    return ids;
  } finally {
    await writer.close();
  }
}

export async function runStorm(options: { clients?: number; rooms?: number; boundMs?: number; signal?: NodeJS.Signals } = {}): Promise<StormFigures> {
  const { clients = 1000, rooms: roomCount = 20, boundMs = 60_000, signal = 'SIGTERM' } = options;
  const flags: Flags = { log: 'warn', 'max-connections-per-ip': clients + 100, 'rate-burst': 200 };
  let relay = await RelayProcess.start({ ...flags, log: 'info' });
  const port = relay.port;
  const people: Participant[] = [];
  try {
    const rooms = Array.from({ length: roomCount }, (_, i) => `storm${i}`);
    const connectStart = Date.now();
    for (let i = 0; i < clients; i++) people.push(new Participant({ url: relay.wsUrl, nick: `s${i}`, rooms: [rooms[i % roomCount]!] }));
    // connect in waves of 100 so the start itself is not the storm being measured
    for (let i = 0; i < people.length; i += 100) {
      const wave = people.slice(i, i + 100);
      for (const p of wave) p.connect();
      await Promise.all(wave.map((p) => p.opened(30_000)));
    }
    const connectMs = Date.now() - connectStart;
    const before = await write(relay.wsUrl, rooms, 3, 'old');
    await eventually(() => people.every((p) => (p.messages.get(p.client.rooms[0]!)?.length ?? 0) === 3), 'everyone to have the first messages', 20_000);
    void before;
    const killedAt = Date.now();
    await relay.kill(signal);
    relay = await RelayProcess.start({ ...flags, log: 'info', port });
    const downMs = Date.now() - killedAt;
    const fresh = await write(relay.wsUrl, rooms, 2, 'new');
    const has = (p: Participant): boolean => {
      const want = fresh.get(p.client.rooms[0]!)!;
      const got = new Set((p.messages.get(p.client.rooms[0]!) ?? []).map((m) => m.id));
      return want.every((id) => got.has(id));
    };
    const caughtAt = new Map<Participant, number>();
    await eventually(
      () => {
        for (const p of people) if (!caughtAt.has(p) && p.client.state === 'open' && has(p)) caughtAt.set(p, Date.now());
        return caughtAt.size === people.length;
      },
      'every client to catch up',
      boundMs,
      25,
    ).catch(() => {});
    const dropOf = (p: Participant): number => p.statuses.find((s) => s.at >= killedAt - 50 && s.to === 'reconnecting')?.at ?? killedAt;
    const welcomes = people.map((p) => (p.welcomes.find((w) => w > killedAt) ?? NaN) - dropOf(p)).filter(Number.isFinite);
    const catchUps = [...caughtAt].map(([p, at]) => at - dropOf(p));
    return {
      clients,
      rooms: roomCount,
      back: welcomes.length,
      caughtUp: caughtAt.size,
      welcome: summary(welcomes),
      catchUp: summary(catchUps),
      downMs,
      connectMs,
    };
  } finally {
    for (const p of people) p.close();
    await sleep(100);
    await relay.kill('SIGKILL');
  }
}

export function stormLines(f: StormFigures): string[] {
  return [
    `storm: ${f.clients} clients in ${f.rooms} rooms (connected in ${(f.connectMs / 1000).toFixed(1)} s); relay down ${f.downMs} ms; ${f.back} came back, ${f.caughtUp} caught up`,
    `storm: drop to welcome p50 ${f.welcome.p50} ms, p95 ${f.welcome.p95} ms, max ${f.welcome.max} ms; drop to caught up p50 ${f.catchUp.p50} ms, p95 ${f.catchUp.p95} ms, max ${f.catchUp.max} ms`,
  ];
}
