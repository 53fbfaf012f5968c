/**
 * Restarts mid-stream with the real CLI as child processes.
 *
 * In memory: the relay is stopped (SIGTERM) or killed (SIGKILL) while clients
 * send, and started again on the same port. History is gone, so each client
 * must be told so: a `gap` without `end` for every room, starting right after
 * the last message it delivered, then the new sequence from its start. One
 * client is kept away until the new sequence has passed its old cursor (the
 * case a bare `since` would silently skip).
 *
 * With Redis: three relays; each is SIGKILLed and restarted in turn, then all
 * at once, while clients send. Nothing may be lost or doubled.
 *
 * With SQLite: one relay on a file, SIGKILLed again and again while clients
 * send. Every acked message must be in history once, in order, and every
 * client's deliveries must match it with no gap: a durable store causes none.
 */
import type { DirectMessage, RoomMessage } from '@parley/protocol';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAll } from '../support/history.js';
import { Participant } from '../support/participant.js';
import { dropSchema, schemaUrl, testSchema } from '../support/postgres.js';
import { deletePrefix, REDIS_URL, requireRedis, testPrefix } from '../support/redis.js';
import { RelayProcess, type Flags } from '../support/relay-process.js';
import { verify, type Truth, type Verdict } from '../support/verify.js';
import { eventually, sleep } from '../support/wait.js';

/** A port nothing listens on (connections are refused at once). */
const NOWHERE = 'ws://127.0.0.1:9/chat';

export interface MemoryRestartFigures {
  signal: NodeJS.Signals;
  clients: number;
  /** Messages the first relay stored (highest seq anyone saw), and the second. */
  oldSeq: number;
  newSeq: number;
  /** Clients that got a gap without end for the room, with the right start. */
  gapsReported: number;
  /** Clients whose gap was missing or wrong, and what they were missing. */
  problems: string[];
  /** Old-sequence messages clients never got (each covered by a gap, or a problem). */
  missedOld: number;
  /** Sends stored by both relays (resent after a kill swallowed the ack; expected only with SIGKILL). */
  resentAcrossRestart: number;
  /** Sends not settled exactly once with an ack. */
  unsettled: number;
  /** Clients that came back, and how long the slowest took (drop to welcome), ms. */
  cameBack: number;
  slowestBackMs: number;
  /** Whether the kept-away client's replay skipped new messages silently. */
  lateClientSkipped: number;
}

/** Runs the in-memory restart scenario for one signal. */
export async function runMemoryRestart(signal: NodeJS.Signals, clients = 8): Promise<MemoryRestartFigures> {
  const room = 'restart';
  const flags: Flags = { log: 'info', 'max-connections-per-ip': 1000 };
  let relay = await RelayProcess.start(flags);
  const port = relay.port;
  const url = relay.wsUrl;
  let lateGate = true;
  const people: Participant[] = [];
  let sender: NodeJS.Timeout | undefined;
  try {
    for (let i = 0; i < clients; i++) {
      people.push(new Participant({ url, nick: `m${i}`, rooms: [room], backoff: { base: 100, cap: 500 } }));
    }
    const late = new Participant({ url: () => (lateGate ? url : NOWHERE), nick: 'late', rooms: [room], backoff: { base: 100, cap: 300 } });
    people.push(late);
    for (const p of people) p.connect();
    await Promise.all(people.map((p) => p.opened()));
    let n = 0;
    const senders = people.filter((p) => p !== late);
    const burst = (): void => {
      for (const p of senders) p.send(room, `${p.nick}#${++n}`);
    };
    sender = setInterval(burst, 150);
    await eventually(() => late.lastSeq(room) >= 20, 'some history before the restart', 10_000);
    lateGate = false; // the late client will not find the relay until let in
    // mid-stream: a burst is on its way (some received, some stored, some acked) when the signal lands
    burst();
    await new Promise((r) => setTimeout(r, 2));
    const killedAt = Date.now();
    await relay.kill(signal);
    relay = await RelayProcess.start({ ...flags, port });
    // let the new sequence pass the late client's old cursor, then let it in
    const lateCursor = late.lastSeq(room);
    await eventually(() => senders.some((p) => (p.messages.get(room) ?? []).filter((m) => m.ts >= killedAt).length > lateCursor + 5), 'the new sequence to pass the late cursor', 20_000);
    lateGate = true;
    await eventually(() => late.client.state === 'open', 'the late client to come back', 10_000);
    await sleep(300);
    clearInterval(sender);
    sender = undefined;
    // everyone settles: outboxes empty and every client at the relay's latest seq
    await eventually(() => people.every((p) => p.client.outbox.length === 0), 'every outbox to empty', 15_000).catch(() => {});
    const newTruth = await readAll<RoomMessage>(senders[0]!.client, room);
    const newSeq = newTruth.at(-1)?.seq ?? 0;
    await eventually(() => people.every((p) => p.lastSeq(room) === newSeq), 'every client to reach the new seq', 10_000).catch(() => {});

    // the old sequence as the clients saw it (ids must agree)
    const old = new Map<number, RoomMessage>();
    const problems: string[] = [];
    const newIds = new Set(newTruth.map((m) => m.id));
    let gapsReported = 0;
    let missedOld = 0;
    let lateClientSkipped = 0;
    for (const p of people) {
      const list = p.messages.get(room) ?? [];
      const gaps = (p.gaps.get(room) ?? []).filter((g) => g.end === undefined);
      const cut = gaps[0]?.at ?? list.findIndex((m) => newIds.has(m.id));
      const before = cut < 0 ? list : list.slice(0, cut);
      const after = cut < 0 ? [] : list.slice(cut);
      for (const m of before) {
        const seen = old.get(m.seq);
        if (seen && seen.id !== m.id) problems.push(`${p.nick}: old seq ${m.seq} is ${m.id} here, ${seen.id} elsewhere`);
        old.set(m.seq, m);
      }
      const k = before.at(-1)?.seq ?? 0;
      if (before.some((m, i) => m.seq !== i + 1)) problems.push(`${p.nick}: the old sequence has holes or doubles before the restart`);
      if (gaps.length === 1 && gaps[0]!.start === k + 1) gapsReported++;
      else problems.push(`${p.nick}: expected one gap without end starting at ${k + 1}, got ${JSON.stringify(p.gaps.get(room) ?? [])}`);
      const afterSeqs = after.map((m) => m.seq).join(',');
      const want = newTruth.map((m) => m.seq).join(',');
      if (afterSeqs !== want || after.some((m, i) => m.id !== newTruth[i]!.id)) {
        const missing = newTruth.filter((m) => !after.some((a) => a.id === m.id)).length;
        if (p === late) lateClientSkipped = missing;
        problems.push(`${p.nick}: after the restart got ${after.length} of ${newTruth.length} new messages (${missing} missing${p === late ? ', the late client' : ''})`);
      }
      missedOld -= before.length;
    }
    // the old relay's last seq: the highest any client delivered or any ack from it named
    const oldAcks = people.flatMap((p) => p.sends.filter((s) => s.ack && !newIds.has(s.ack.id)).map((s) => s.ack!.seq));
    const oldSeq = Math.max(0, ...old.keys(), ...oldAcks);
    missedOld += people.length * oldSeq;
    // sends: settled once with an ack; a text stored by both relays was resent after its ack was lost
    const oldTexts = new Set([...old.values()].map((m) => m.text));
    const resentAcrossRestart = newTruth.filter((m) => oldTexts.has(m.text)).length;
    const unsettled = people.reduce((a, p) => a + p.sends.filter((s) => s.settled !== 1 || !s.ack).length, 0);
    const backTimes = people.filter((p) => p !== late).map((p) => (p.welcomes.find((w) => w > killedAt) ?? Infinity) - killedAt);
    return {
      signal,
      clients: people.length,
      oldSeq,
      newSeq,
      gapsReported,
      problems,
      missedOld,
      resentAcrossRestart,
      unsettled,
      cameBack: backTimes.filter(Number.isFinite).length + (late.client.state === 'open' ? 1 : 0),
      slowestBackMs: Math.max(...backTimes),
      lateClientSkipped,
    };
  } finally {
    clearInterval(sender);
    for (const p of people) p.close();
    await relay.kill('SIGKILL');
  }
}

export function memoryRestartLines(f: MemoryRestartFigures): string[] {
  return [
    `restart (memory, ${f.signal}): ${f.clients} clients; old sequence reached ${f.oldSeq}, new ${f.newSeq}; ${f.cameBack}/${f.clients} came back (slowest ${f.slowestBackMs} ms after the kill); ` +
      `gaps without end reported ${f.gapsReported}/${f.clients}; old messages missed ${f.missedOld} (must each be covered by a gap); ` +
      `resent across the restart ${f.resentAcrossRestart}; unsettled sends ${f.unsettled}; late client skipped ${f.lateClientSkipped} new messages`,
    ...f.problems.slice(0, 6).map((p) => `restart (memory, ${f.signal}): problem: ${p}`),
  ];
}

export interface RedisKillFigures {
  nodes: number;
  clients: number;
  kills: number;
  sends: number;
  verdict: Verdict;
  stopped: string[];
  settleSeconds: number;
}

/**
 * Three relays on one Redis; clients spread over them (each with all three
 * URLs for fail-over) send room and private messages while every relay is
 * SIGKILLed and restarted in turn (`rounds` times), then all at once.
 */
export async function runRedisKills(options: { clients?: number; rounds?: number; downMs?: number; upMs?: number; progress?: (s: string) => void } = {}): Promise<RedisKillFigures> {
  const { clients = 12, rounds = 1, downMs = 600, upMs = 700 } = options;
  const say = options.progress ?? (() => {});
  const redis = await requireRedis();
  const prefix = testPrefix();
  // history large enough to hold the whole run: it is the truth every client is compared with
  const flags: Flags = { log: 'info', redis: REDIS_URL, 'redis-prefix': prefix, 'node-ttl-ms': 1500, 'max-connections-per-ip': 1000, 'history-limit': 1_000_000, 'inbox-limit': 1_000_000 };
  const relays: RelayProcess[] = [];
  const people: Participant[] = [];
  let timer: NodeJS.Timeout | undefined;
  let kills = 0;
  try {
    for (let i = 0; i < 3; i++) relays.push(await RelayProcess.start(flags));
    const ports = relays.map((r) => r.port);
    const urls = ports.map((p) => `ws://127.0.0.1:${p}/chat`);
    const rooms = ['ka', 'kb'];
    for (let i = 0; i < clients; i++) {
      const mine = [0, 1, 2].map((k) => urls[(i + k) % 3]!);
      people.push(new Participant({ url: mine, nick: `k${i}`, rooms: [rooms[i % 2]!, ...(i % 3 === 0 ? [rooms[(i + 1) % 2]!] : [])], backoff: { base: 100, cap: 800 } }));
    }
    for (const p of people) p.connect();
    await Promise.all(people.map((p) => p.opened()));
    let n = 0;
    timer = setInterval(() => {
      for (const p of people) {
        if (Math.random() < 0.2) {
          const to = people[(people.indexOf(p) + 1 + Math.floor(Math.random() * (people.length - 1))) % people.length]!;
          p.send(null, `${p.nick}>${to.nick}#${++n}`, to.nick);
        } else p.send(p.client.rooms[n % p.client.rooms.length]!, `${p.nick}#${++n}`);
      }
    }, 250);
    const restart = async (i: number): Promise<void> => {
      relays[i] = await RelayProcess.start({ ...flags, port: ports[i]! });
    };
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < 3; i++) {
        await sleep(upMs);
        await relays[i]!.kill('SIGKILL');
        kills++;
        await sleep(downMs);
        await restart(i);
      }
      await sleep(upMs);
      await Promise.all(relays.map((r) => r.kill('SIGKILL')));
      kills += 3;
      await sleep(downMs);
      for (let i = 0; i < 3; i++) await restart(i);
      say(`redis kills: round ${round + 1}/${rounds}, ${n} sends`);
    }
    await sleep(1000);
    clearInterval(timer);
    timer = undefined;
    const settleStart = Date.now();
    await eventually(() => people.every((p) => p.stopped !== undefined || (p.client.state === 'open' && p.client.outbox.length === 0)), 'every outbox to empty', 30_000).catch(() => {});
    const alive = people.filter((p) => p.stopped === undefined && p.client.state === 'open');
    const truth: Truth = { rooms: new Map(), inboxes: new Map() };
    for (const r of rooms) truth.rooms.set(r, await readAll<RoomMessage>(alive.find((p) => p.client.rooms.includes(r))!.client, r));
    for (const p of alive) truth.inboxes.set(p.nick, await readAll<DirectMessage>(p.client, null));
    await eventually(
      () => alive.every((p) => p.client.rooms.every((r) => p.lastSeq(r) === (truth.rooms.get(r)!.at(-1)?.seq ?? 0)) && p.lastInboxSeq() === (truth.inboxes.get(p.nick)!.at(-1)?.seq ?? 0)),
      'every client to catch up',
      15_000,
    ).catch(() => {});
    const verdict = verify(alive, truth, (p) => p.nick);
    return {
      nodes: 3,
      clients,
      kills,
      sends: n,
      verdict,
      stopped: people.filter((p) => p.stopped).map((p) => `${p.nick}: ${p.stopped!.reason ?? ''} (${p.stopped!.code ?? ''})`),
      settleSeconds: (Date.now() - settleStart) / 1000,
    };
  } finally {
    clearInterval(timer);
    for (const p of people) p.close();
    await Promise.all(relays.map((r) => r.kill('SIGKILL')));
    await deletePrefix(redis, prefix);
    redis.disconnect();
  }
}

export function redisKillLines(f: RedisKillFigures): string[] {
  const v = f.verdict;
  return [
    `restart (redis): ${f.nodes} relays, ${f.clients} clients, ${f.kills} SIGKILLs (each relay in turn, then all at once), ${f.sends} sends, settled in ${f.settleSeconds.toFixed(1)} s`,
    `restart (redis): ${v.deliveries} deliveries; lost ${v.lost}, doubled ${v.doubled}, reordered ${v.reordered}, altered ${v.altered}, gapped ${v.gapped}; ` +
      `unsettled ${v.unsettled}, refused ${v.refused}, unacknowledged ${v.unacknowledged}, stored twice ${v.storedTwice}; clients stopped ${f.stopped.length}`,
    ...v.problems.slice(0, 6).map((p) => `restart (redis): problem: ${p}`),
  ];
}

export interface InboxRestartFigures {
  /** Private messages the old relay acked for bob that bob never received. */
  undelivered: number;
  /** What bob was told about his inbox after the restart. */
  inboxGaps: Array<{ start: number; end?: number }>;
  resumed: boolean | undefined;
  delivered: string[];
}

/**
 * Private messages across an in-memory restart: bob has two, his path goes
 * dead (frozen, he cannot come back), two more are stored for him (acked),
 * the relay is killed and restarted. When bob comes back, those two are gone:
 * he must be told so (an inbox `gap`), not left to believe he has everything.
 */
export async function runInboxRestart(signal: NodeJS.Signals = 'SIGKILL'): Promise<InboxRestartFigures> {
  const { createChaosProxy } = await import('../support/chaos-proxy.js');
  const flags: Flags = { log: 'info', 'client-ping-ms': 300, 'client-ping-timeout-ms': 300 };
  let relay = await RelayProcess.start(flags);
  const proxy = await createChaosProxy({ host: '127.0.0.1', port: relay.port });
  const ada = new Participant({ url: relay.wsUrl, nick: 'ada', backoff: { base: 100, cap: 300 } });
  const bob = new Participant({ url: proxy.url, nick: 'bob', backoff: { base: 100, cap: 300 } });
  let resumed: boolean | undefined;
  bob.client.on('welcome', (w) => (resumed = w.resumed));
  try {
    ada.connect();
    bob.connect();
    await Promise.all([ada.opened(), bob.opened()]);
    for (const t of ['d1', 'd2']) ada.send(null, t, 'bob');
    await eventually(() => bob.directs.length === 2, 'bob to get two private messages');
    proxy.refusing = true;
    proxy.all('freeze');
    for (const t of ['d3', 'd4']) ada.send(null, t, 'bob');
    await eventually(() => ada.sends.filter((s) => s.ack).length === 4, 'the relay to ack all four');
    await relay.kill(signal);
    relay = await RelayProcess.start({ ...flags, port: relay.port });
    proxy.refusing = false;
    await eventually(() => bob.welcomes.length >= 2 && bob.client.state === 'open', 'bob to come back', 10_000);
    await sleep(300);
    return {
      undelivered: 2,
      inboxGaps: (bob.gaps.get('') ?? []).map((g) => (g.end === undefined ? { start: g.start } : { start: g.start, end: g.end })),
      resumed,
      delivered: bob.directs.map((d) => d.text),
    };
  } finally {
    ada.close();
    bob.close();
    await proxy.close();
    await relay.kill('SIGKILL');
  }
}

/** The durable stores the kill suite runs against. */
export type DurableKind = 'sqlite' | 'postgres';

export interface DurableKillFigures {
  store: DurableKind;
  clients: number;
  kills: number;
  sends: number;
  /** Messages in history at the end. */
  stored: number;
  /** Room gaps any client was told of (none may happen with a durable store). */
  roomGaps: number;
  verdict: Verdict;
  stopped: string[];
}

/**
 * One relay on a durable store (a SQLite file, or a PostgreSQL schema of
 * its own); clients in two rooms send room messages while the relay is
 * SIGKILLed `kills` times, each time restarted on the same port and store
 * after `downMs`. The history read at the end is the truth.
 */
export async function runDurableKills(
  store: DurableKind,
  options: { clients?: number; kills?: number; upMs?: number; downMs?: number; progress?: (s: string) => void } = {},
): Promise<DurableKillFigures> {
  const { clients = 10, kills = 3, upMs = 500, downMs = 200 } = options;
  const say = options.progress ?? (() => {});
  const dir = mkdtempSync(join(tmpdir(), 'parley-kills-'));
  const schema = testSchema();
  const where = store === 'sqlite' ? `sqlite:${join(dir, 'parley.db')}` : schemaUrl(schema);
  const flags: Flags = { log: 'info', store: where, 'max-connections-per-ip': 1000, 'history-limit': 1_000_000 };
  let relay = await RelayProcess.start(flags);
  const port = relay.port;
  const people: Participant[] = [];
  let timer: NodeJS.Timeout | undefined;
  let n = 0;
  try {
    const rooms = ['sa', 'sb'];
    for (let i = 0; i < clients; i++) {
      const mine = i % 3 === 0 ? rooms : [rooms[i % 2]!];
      people.push(new Participant({ url: relay.wsUrl, nick: `s${i}`, rooms: mine, backoff: { base: 50, cap: 300 } }));
    }
    for (const p of people) p.connect();
    await Promise.all(people.map((p) => p.opened()));
    timer = setInterval(() => {
      for (const p of people) p.send(p.client.rooms[n % p.client.rooms.length]!, `${p.nick}#${++n}`);
    }, 100);
    for (let k = 0; k < kills; k++) {
      await sleep(upMs + Math.random() * upMs);
      await relay.kill('SIGKILL');
      await sleep(downMs);
      relay = await RelayProcess.start({ ...flags, port });
      say(`${store} kills: ${k + 1}/${kills}, ${n} sends`);
    }
    await sleep(upMs);
    clearInterval(timer);
    timer = undefined;
    await eventually(() => people.every((p) => p.stopped !== undefined || (p.client.state === 'open' && p.client.outbox.length === 0)), 'every outbox to empty', 30_000).catch(() => {});
    const alive = people.filter((p) => p.stopped === undefined && p.client.state === 'open');
    const truth: Truth = { rooms: new Map(), inboxes: new Map() };
    for (const r of rooms) truth.rooms.set(r, await readAll<RoomMessage>(alive.find((p) => p.client.rooms.includes(r))!.client, r));
    for (const p of alive) truth.inboxes.set(p.nick, []);
    await eventually(() => alive.every((p) => p.client.rooms.every((r) => p.lastSeq(r) === (truth.rooms.get(r)!.at(-1)?.seq ?? 0))), 'every client to catch up', 15_000).catch(() => {});
    const verdict = verify(alive, truth, (p) => p.nick);
    return {
      store,
      clients,
      kills,
      sends: n,
      stored: [...truth.rooms.values()].reduce((a, l) => a + l.length, 0),
      roomGaps: alive.reduce((a, p) => a + rooms.reduce((b, r) => b + (p.gaps.get(r)?.length ?? 0), 0), 0),
      verdict,
      stopped: people.filter((p) => p.stopped).map((p) => `${p.nick}: ${p.stopped!.reason ?? ''} (${p.stopped!.code ?? ''})`),
    };
  } finally {
    clearInterval(timer);
    for (const p of people) p.close();
    await relay.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    if (store === 'postgres') await dropSchema(schema);
  }
}

export function durableKillLines(f: DurableKillFigures): string[] {
  const v = f.verdict;
  return [
    `restart (${f.store}): ${f.clients} clients, ${f.kills} SIGKILLs, ${f.sends} sends, ${f.stored} stored; room gaps reported ${f.roomGaps}`,
    `restart (${f.store}): ${v.deliveries} deliveries; lost ${v.lost}, doubled ${v.doubled}, reordered ${v.reordered}, altered ${v.altered}, gapped ${v.gapped}; ` +
      `unsettled ${v.unsettled}, refused ${v.refused}, unacknowledged ${v.unacknowledged}, stored twice ${v.storedTwice}; clients stopped ${f.stopped.length}`,
    ...v.problems.slice(0, 6).map((p) => `restart (${f.store}): problem: ${p}`),
  ];
}
