import { createClient, type ParleyClient } from '@parley/client';
import type { Ack, RoomMessage } from '@parley/protocol';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { ClusterHarness, eventually, type RelayProcess } from './cluster-helpers.js';

const NODE_TTL_MS = 1000;
const WINDOW_MS = 3000;
const FLAGS = { 'node-ttl-ms': NODE_TTL_MS, 'resume-window-ms': WINDOW_MS, 'rate-burst': 500, 'rate-per-second': 500 };
/** The documented bound (docs/operations.md): ttl, plus a sweep interval to notice, plus the window, plus a sweep interval to end. */
const PRESENCE_BOUND_MS = NODE_TTL_MS + NODE_TTL_MS / 3 + WINDOW_MS + NODE_TTL_MS / 3;

/** A client of the real SDK whose URL function plays the load balancer: home relay first, then any relay still alive. */
function sdkClient(
  relays: RelayProcess[],
  alive: boolean[],
  home: number,
  nick: string,
): { client: ParleyClient; got: RoomMessage[]; left: string[]; welcomes: boolean[] } {
  let next = home;
  let first = true;
  const url = (): string => {
    if (!first) do next = (next + 1) % relays.length; while (!alive[next]);
    first = false;
    return relays[next]!.wsUrl;
  };
  const client = createClient({ url, nick, rooms: ['fo'], WebSocket, storage: null, backoff: { base: 200, cap: 1000 } });
  const got: RoomMessage[] = [];
  const left: string[] = [];
  const welcomes: boolean[] = [];
  client.on('welcome', (w) => welcomes.push(w.resumed));
  client.on('message', (m) => got.push(m));
  client.on('presence', (p) => p.event === 'leave' && left.push(p.user.id));
  client.connect();
  return { client, got, left, welcomes };
}

/** Every client saw the same messages, in the same gap-free seq order, each sender's texts exactly once and in order. */
function assertSame(clients: Array<{ got: RoomMessage[] }>, texts: Map<string, string[]>, total: number): void {
  const expected = Array.from({ length: total }, (_, i) => i + 1);
  const ids = clients[0]!.got.map((m) => m.id);
  for (const { got } of clients) {
    assert.deepEqual(got.map((m) => m.seq), expected, 'gap-free and in order');
    assert.deepEqual(got.map((m) => m.id), ids, 'the same messages everywhere');
    for (const [from, sent] of texts) assert.deepEqual(got.filter((m) => m.from === from).map((m) => m.text), sent, `${from}'s messages exactly once`);
  }
}

describe('cluster fail-over (relays as processes, clients of the real SDK)', () => {
  const c = new ClusterHarness();
  const relays: RelayProcess[] = [];
  const alive = [true, true, true];
  const clients: Array<ReturnType<typeof sdkClient>> = [];
  const texts = new Map<string, string[]>();
  let sent = 0;

  before(async () => {
    await c.init();
    for (let i = 0; i < 3; i++) relays.push(await c.spawn(FLAGS));
    for (let i = 0; i < 6; i++) clients.push(sdkClient(relays, alive, i % 3, `fo${i}`));
    await eventually(() => clients.every(({ client }) => client.state === 'open'), 'every client to be open', 8000);
  });
  after(async () => {
    for (const { client } of clients) client.close();
    await c.close();
  });

  /** Has senders 0..n-1 send `count` messages each (paced by the SDK) and answers their acks. */
  function stream(senders: number[], count: number, tag: string): Promise<Ack[]> {
    const acks: Array<Promise<Ack>> = [];
    for (let n = 0; n < count; n++) {
      for (const i of senders) {
        const text = `${tag}${i}:${n}`;
        const list = texts.get(`fo${i}`) ?? [];
        texts.set(`fo${i}`, [...list, text]);
        acks.push(clients[i]!.client.send('fo', text));
        sent++;
      }
    }
    return Promise.all(acks);
  }

  test('SIGKILL of a relay mid-stream: its clients resume elsewhere, every message arrives exactly once and in order, presence converges', async (t) => {
    const ghost = await c.open(relays[0]!.wsUrl);
    await ghost.hello({ nick: 'ghost', rooms: [{ room: 'fo', since: 0 }] });
    await eventually(() => clients.every(({ client }) => client.state === 'open'), 'clients open');

    // 40 each: the SDK sends a burst, then paces the rest at its rate, so the kill lands mid-stream
    const acks = stream([0, 1, 2], 40, 'k');
    await eventually(() => clients[3]!.got.length >= 30, 'the stream to be under way');
    const killedAt = Date.now();
    alive[0] = false;
    await relays[0]!.kill('SIGKILL');
    const done = await acks;
    assert.equal(new Set(done.map((a) => a.id)).size, done.length, 'one ack per send');
    await eventually(() => clients.every(({ got }) => got.length >= sent), `all ${sent} messages at every client`, 15_000);
    assertSame(clients, texts, sent);

    await eventually(() => clients[1]!.left.includes('ghost'), 'the dead relay\'s silent client to be announced as left', PRESENCE_BOUND_MS + 3000);
    const converged = Date.now() - killedAt;
    t.diagnostic(`presence converged ${converged} ms after SIGKILL (bound ${PRESENCE_BOUND_MS} ms + scheduling)`);
    assert.ok(converged <= PRESENCE_BOUND_MS + 1000, `converged in ${converged} ms`);
    for (const i of [0, 3]) assert.deepEqual(clients[i]!.welcomes, [false, true], `fo${i} took its session back on another relay`);
    for (const { left } of clients) {
      assert.ok(!left.includes('fo0') && !left.includes('fo3'), 'clients that resumed elsewhere are never announced as left');
    }
  });

  test('SIGTERM of a relay mid-stream: the same, and its sessions are handed over at once', async () => {
    const before = sent;
    const acks = stream([0, 1, 2], 40, 't');
    await eventually(() => clients[2]!.got.length >= before + 45, 'the stream to be under way');
    alive[1] = false;
    assert.equal(await relays[1]!.kill('SIGTERM'), 0, 'a graceful stop exits 0');
    assert.ok(clients[2]!.got.length < sent, 'the stop landed mid-stream');
    await acks;
    await eventually(() => clients.every(({ got }) => got.length >= sent), `all ${sent} messages at every client`, 15_000);
    assertSame(clients, texts, sent);
    for (const i of [1, 4]) assert.deepEqual(clients[i]!.welcomes, [false, true], `fo${i} took its session back on another relay`);
    for (const { left } of clients) assert.deepEqual(left.filter((u) => u !== 'ghost'), [], 'nobody else was announced as left');
  });

  test('keeps history across relay restarts: a new relay replays the room from Redis', async () => {
    const fresh = await c.spawn(FLAGS);
    const reader = await c.open(fresh.wsUrl);
    await reader.hello({ nick: 'reader' });
    reader.send({ type: 'join', room: 'fo', since: 0 });
    await reader.next('joined');
    await eventually(() => reader.received.filter((e) => e.type === 'msg').length >= sent, 'the replay');
    assert.deepEqual(
      reader.received.filter((e) => e.type === 'msg').map((m) => m.id),
      clients[0]!.got.map((m) => m.id),
    );
    await reader.close();
  });
});
