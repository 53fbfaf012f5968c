import { CloseCode, ErrorCode } from '@parley/protocol';
import { SignJWT } from 'jose';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { createRelay, type RelayHandle } from '../src/index.js';
import { RedisKeys } from '../src/cluster/redis-keys.js';
import { ClusterHarness, eventually } from './cluster-helpers.js';
import { get, sleep, type Envelope, type TestClient } from './helpers.js';

const WINDOW_MS = 1500;
const SECRET = 'a-test-secret-that-is-at-least-32-chars';

/** A signed token for `sub`, valid for a minute. */
function token(sub: string): Promise<string> {
  return new SignJWT({ sub })
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime(Math.floor(Date.now() / 1000) + 60)
    .sign(new TextEncoder().encode(SECRET));
}
const FAST = { resumeWindowMs: WINDOW_MS, rateBurst: 500, ratePerSecond: 500, historyLimit: 200 };

/** Waits until `client` has `n` envelopes of `type` (taken or not) and answers them. */
async function collect(client: TestClient, type: string, n: number, ms = 8000): Promise<Envelope[]> {
  await eventually(() => client.received.filter((e) => e.type === type).length >= n, `${n} ${type} envelopes`, ms);
  return client.received.filter((e) => e.type === type);
}

describe('cluster: relays sharing one Redis', () => {
  const c = new ClusterHarness();
  let a: RelayHandle;
  let b: RelayHandle;
  let d: RelayHandle;
  let keys: RedisKeys;
  before(async () => {
    await c.init();
    [a, b, d] = (await c.startRelays(3, FAST)) as [RelayHandle, RelayHandle, RelayHandle];
    keys = new RedisKeys(c.prefix);
  });
  after(() => c.close());

  test('gives clients on every relay the same messages in the same gap-free seq order, with senders on every relay', async () => {
    const relays = [a, b, d];
    const clients: TestClient[] = [];
    for (let i = 0; i < 6; i++) clients.push(await c.chat(relays[i % 3]!, { nick: `st${i}`, rooms: [{ room: 'stream', since: 0 }] }));
    const senders = clients.slice(0, 3);
    const PER = 40;
    for (let n = 0; n < PER; n++) senders.forEach((s, i) => s.send({ type: 'send', room: 'stream', text: `${i}:${n}`, cid: `c${i}-${n}` }));
    const total = PER * senders.length;
    const lists = await Promise.all(clients.map((cl) => collect(cl, 'msg', total)));
    const expected = Array.from({ length: total }, (_, i) => i + 1);
    for (const list of lists) assert.deepEqual(list.map((m) => m.seq), expected, 'gap-free, in order');
    const ids = lists[0]!.map((m) => m.id);
    for (const list of lists) assert.deepEqual(list.map((m) => m.id), ids, 'the same messages everywhere');
    for (const [i, s] of senders.entries()) {
      const mine = lists[i]!.filter((m) => m.from === `st${i}`).map((m) => m.text);
      assert.deepEqual(mine, Array.from({ length: PER }, (_, n) => `${i}:${n}`), 'each sender in its own order');
      const acks = await collect(s, 'ack', PER);
      const order = s.received.filter((e) => e.type === 'ack' || (e.type === 'msg' && e.from === `st${i}`));
      for (const ack of acks) {
        const at = order.findIndex((e) => e.type === 'ack' && e.id === ack.id);
        const mine = order.findIndex((e) => e.type === 'msg' && e.id === ack.id);
        assert.ok(mine >= 0 && mine < at, 'a sender gets its msg before its ack');
      }
    }
  });

  test('announces presence cluster-wide and lists the members of every relay', async () => {
    const ada = await c.chat(a, { nick: 'p-ada', rooms: [{ room: 'pres', since: 0 }] });
    const bob = await c.chat(b, { nick: 'p-bob', rooms: [{ room: 'pres', since: 0 }] });
    assert.deepEqual(await ada.next('presence'), { type: 'presence', room: 'pres', event: 'join', user: { id: 'p-bob', name: 'p-bob' } });
    const carl = await c.open(d.wsUrl);
    const w = await carl.hello({ nick: 'p-carl', rooms: [{ room: 'pres', since: 0 }] });
    assert.deepEqual(new Set((w.rooms as Array<{ members: Array<{ id: string }> }>)[0]!.members.map((m) => m.id)), new Set(['p-ada', 'p-bob', 'p-carl']));
    await bob.next('presence');
    carl.send({ type: 'members', qid: 'q', room: 'pres' });
    assert.equal(((await carl.next('members')).members as unknown[]).length, 3);
    bob.send({ type: 'leave', room: 'pres' });
    assert.deepEqual(await ada.next('presence', (e) => e.event === 'leave'), { type: 'presence', room: 'pres', event: 'leave', user: { id: 'p-bob', name: 'p-bob' } });
    assert.equal(((await carl.next('presence', (e) => e.event === 'leave')).user as { id: string }).id, 'p-bob');
    await carl.none('presence', 100, (e) => e.event === 'join' && (e.user as { id: string }).id === 'p-carl');
  });

  test('keeps nicknames unique across relays, case-insensitively', async () => {
    await c.chat(a, { nick: 'Unique' });
    const thief = await c.open(b.wsUrl);
    thief.send({ type: 'hello', nick: 'UNIQUE' });
    const e = await thief.next('error');
    assert.equal(e.code, ErrorCode.NicknameTaken);
    assert.equal(e.ref, 'hello');
  });

  test('delivers a direct message across relays to the addressee and the sender only', async () => {
    const ada = await c.chat(a, { nick: 'dm-ada', rooms: [{ room: 'dmr', since: 0 }] });
    const bob = await c.chat(b, { nick: 'dm-bob', rooms: [{ room: 'dmr', since: 0 }] });
    const eve = await c.chat(d, { nick: 'dm-eve', rooms: [{ room: 'dmr', since: 0 }] });
    ada.send({ type: 'dm', to: 'DM-BOB', text: 'psst', cid: 'd1' });
    const got = await bob.next('direct');
    assert.deepEqual([got.from, got.to, got.text, got.seq], ['dm-ada', 'dm-bob', 'psst', 1]);
    const own = await ada.next('direct');
    assert.equal(own.id, got.id);
    assert.equal((await ada.next('ack')).seq, own.seq);
    await eve.none('direct', 200);
    ada.send({ type: 'dm', to: 'nobody-here', text: 'x', cid: 'd2' });
    assert.equal((await ada.next('error')).code, ErrorCode.UnknownUser);
  });

  test('lets one token subject hold sessions on several relays: one join, one leave with the last, dms to every session', async () => {
    const [t1, t2] = [await c.relay(c.options({ ...FAST, tokenSecret: SECRET })), await c.relay(c.options({ ...FAST, tokenSecret: SECRET }))];
    const watcher = await c.chat(t1, { nick: 'tk-watch', rooms: [{ room: 'tk', since: 0 }] });
    const one = await c.chat(t1, { token: await token('multi'), rooms: [{ room: 'tk', since: 0 }] });
    const two = await c.chat(t2, { token: await token('multi'), rooms: [{ room: 'tk', since: 0 }] });
    assert.equal((await watcher.next('presence')).event, 'join');
    watcher.send({ type: 'dm', to: 'multi', text: 'both of you', cid: 'w1' });
    assert.equal((await one.next('direct')).text, 'both of you');
    assert.equal((await two.next('direct')).text, 'both of you');
    await two.close(); // seconds later it would be announced; one is still there
    one.send({ type: 'leave', room: 'tk' });
    await watcher.none('presence', 200);
    const thief = await c.open(t2.wsUrl);
    thief.send({ type: 'hello', token: await token('tk-watch') });
    assert.equal((await thief.next('error')).code, ErrorCode.NicknameTaken, 'a subject held by an anonymous nickname elsewhere is refused');
  });

  test('relays typing across relays to everyone but the typist', async () => {
    const ada = await c.chat(a, { nick: 'ty-ada', rooms: [{ room: 'ty', since: 0 }] });
    const bob = await c.chat(d, { nick: 'ty-bob', rooms: [{ room: 'ty', since: 0 }] });
    ada.send({ type: 'typing', room: 'ty', on: true });
    assert.deepEqual(await bob.next('typing'), { type: 'typing', room: 'ty', from: 'ty-ada', name: 'ty-ada', on: true });
    await ada.none('typing', 150);
  });

  test('takes a session back on another relay: same session, missed messages replayed, no presence change, 4502 for the old connection', async () => {
    const ada = await c.chat(a, { nick: 'rs-ada', rooms: [{ room: 'rs', since: 0 }] });
    const bob = await c.open(b.wsUrl);
    const w = await bob.hello({ nick: 'rs-bob', rooms: [{ room: 'rs', since: 0 }] });
    await ada.next('presence');
    ada.send({ type: 'send', room: 'rs', text: 'one', cid: 'r1' });
    const seen = await bob.next('msg');
    ada.send({ type: 'send', room: 'rs', text: 'two', cid: 'r2' });
    ada.send({ type: 'send', room: 'rs', text: 'three', cid: 'r3' });
    await collect(ada, 'ack', 3);
    const back = await c.open(d.wsUrl);
    const w2 = await back.hello({ resume: w.resume, rooms: [{ room: 'rs', since: seen.seq }] });
    assert.equal(w2.resumed, true);
    assert.equal(w2.session, w.session);
    assert.notEqual(w2.resume, w.resume);
    assert.deepEqual([(await back.next('msg')).text, (await back.next('msg')).text], ['two', 'three']);
    assert.equal((await bob.closedWithin()).code, CloseCode.Replaced);
    ada.send({ type: 'send', room: 'rs', text: 'four', cid: 'r4' });
    assert.equal((await back.next('msg')).text, 'four', 'the new relay delivers live messages');
    await ada.none('presence', WINDOW_MS + 300);
  });

  test('ends a session closed with 1000 at once, cluster-wide; any other close keeps it resumable', async () => {
    const ada = await c.chat(a, { nick: 'dcl-ada', rooms: [{ room: 'dcl', since: 0 }] });
    const bob = await c.open(b.wsUrl);
    const w = await bob.hello({ nick: 'dcl-bob', rooms: [{ room: 'dcl', since: 0 }] });
    assert.equal((await ada.next('presence')).event, 'join');
    bob.ws.close(CloseCode.Normal);
    await bob.closedWithin();
    const left = await ada.next('presence', undefined, WINDOW_MS / 2); // well before the window ends
    assert.deepEqual([left.event, left.user], ['leave', { id: 'dcl-bob', name: 'dcl-bob' }]);
    const back = await c.open(d.wsUrl);
    const w2 = await back.hello({ resume: w.resume, nick: 'dcl-bob', rooms: [{ room: 'dcl', since: 0 }] });
    assert.equal(w2.resumed, false, 'the secret no longer works on any relay');
    assert.equal((await ada.next('presence')).event, 'join', 'the nickname was free for a new session');

    const carl = await c.open(b.wsUrl);
    const wc = await carl.hello({ nick: 'dcl-carl', rooms: [{ room: 'dcl', since: 0 }] });
    await ada.next('presence', (e) => e.event === 'join');
    carl.ws.close(CloseCode.GoingAway);
    await carl.closedWithin();
    const again = await c.open(d.wsUrl);
    assert.equal((await again.hello({ resume: wc.resume })).resumed, true);
    await ada.none('presence', 300, (e) => (e.user as { id: string }).id === 'dcl-carl');
  });

  test('takes back a dropped session on another relay within the window, with its inbox', async () => {
    const ada = await c.chat(a, { nick: 'dr-ada' });
    const bob = await c.open(b.wsUrl);
    const w = await bob.hello({ nick: 'dr-bob' });
    await bob.close();
    ada.send({ type: 'dm', to: 'dr-bob', text: 'while away', cid: 'x1' });
    await ada.next('ack');
    const back = await c.open(d.wsUrl);
    const w2 = await back.hello({ resume: w.resume, inbox: 0 });
    assert.equal(w2.resumed, true);
    assert.equal((await back.next('direct')).text, 'while away');
  });

  test('answers a send resent on another relay with the original ack and broadcasts nothing twice', async () => {
    const watcher = await c.chat(b, { nick: 'id-w', rooms: [{ room: 'idem', since: 0 }] });
    const ada = await c.open(a.wsUrl);
    const w = await ada.hello({ nick: 'id-ada', rooms: [{ room: 'idem', since: 0 }] });
    ada.send({ type: 'send', room: 'idem', text: 'once', cid: 'same' });
    const first = await ada.next('ack');
    await ada.close();
    const again = await c.open(d.wsUrl);
    await again.hello({ resume: w.resume, rooms: [{ room: 'idem', since: first.seq }] });
    again.send({ type: 'send', room: 'idem', text: 'once', cid: 'same' });
    const dup = await again.next('ack');
    assert.deepEqual([dup.id, dup.seq, dup.dup], [first.id, first.seq, true]);
    await watcher.next('msg');
    await watcher.none('msg', 200);
  });

  test('replays with a gap on another relay when retention no longer covers since', async () => {
    const short = await c.relay(c.options({ ...FAST, historyLimit: 3 }));
    const ada = await c.chat(short, { nick: 'gap-ada', rooms: [{ room: 'gapr', since: 0 }] });
    for (let i = 1; i <= 6; i++) ada.send({ type: 'send', room: 'gapr', text: `m${i}`, cid: `g${i}` });
    await collect(ada, 'ack', 6);
    const bob = await c.chat(b, { nick: 'gap-bob' });
    bob.send({ type: 'join', room: 'gapr', since: 1 });
    assert.deepEqual(await bob.next('gap'), { type: 'gap', room: 'gapr', start: 2, end: 3 });
    assert.deepEqual([(await bob.next('msg')).seq, (await bob.next('msg')).seq, (await bob.next('msg')).seq], [4, 5, 6]);
  });

  test('carries seed clients across relays: plain texts arrive as msg, and a plain sender gets nothing back', async () => {
    const plain = await c.open(a.url.replace(/^http/, 'ws') + '/ws/seedy', []);
    const ada = await c.chat(b, { nick: 'seed-ada', rooms: [{ room: 'lobby', since: 0 }] });
    await eventually(async () => (await c.redis.hlen(keys.members('lobby'))) >= 2, 'the seed session in presence');
    plain.send('hi from plain');
    const m = await ada.next('msg', (e) => e.from === 'seedy');
    assert.equal(m.text, 'hi from plain');
    ada.send({ type: 'send', room: 'lobby', text: 'hi plain', cid: 's1' });
    assert.equal(await plain.nextFrame(), JSON.stringify({ sender: 'seed-ada', msg: 'hi plain' }));
    await sleep(150);
    assert.equal(plain.frames.length, 1, 'the plain sender never got its own text');
  });

  test('subscribes a relay only to the rooms its own sessions are in', async () => {
    const channel = keys.roomChannel('subs');
    const numsub = async (): Promise<number> => Number(((await c.redis.pubsub('NUMSUB', channel)) as [string, number])[1]);
    assert.equal(await numsub(), 0);
    const ada = await c.chat(a, { nick: 'sub-ada', rooms: [{ room: 'subs', since: 0 }] });
    await c.chat(a, { nick: 'sub-ann', rooms: [{ room: 'subs', since: 0 }] });
    assert.equal(await numsub(), 1, 'one subscription per relay, however many sessions');
    const bob = await c.chat(b, { nick: 'sub-bob', rooms: [{ room: 'subs', since: 0 }] });
    assert.equal(await numsub(), 2);
    bob.send({ type: 'leave', room: 'subs' });
    await bob.next('left');
    await eventually(async () => (await numsub()) === 1, 'the relay without sessions there to unsubscribe');
    ada.send({ type: 'leave', room: 'subs' });
    const metrics = (await get(d, '/metrics')).text;
    assert.match(metrics, /^parley_cluster_subscriptions \d+$/m);
  });

  test('forgets an emptied room one resume window later, cluster-wide', async () => {
    const ada = await c.chat(a, { nick: 'fo-ada', rooms: [{ room: 'forget', since: 0 }] });
    ada.send({ type: 'send', room: 'forget', text: 'x', cid: 'f1' });
    await ada.next('ack');
    ada.send({ type: 'leave', room: 'forget' });
    await ada.next('left');
    await eventually(async () => (await c.redis.pttl(keys.room('forget').seq)) > 0, 'the room to get an expiry');
    assert.ok((await c.redis.pttl(keys.room('forget').seq)) <= WINDOW_MS);
    const epochTtl = await c.redis.pttl(keys.room('forget').epoch);
    assert.ok(epochTtl > 0 && epochTtl <= WINDOW_MS, 'the epoch goes with the history');
    assert.equal(await c.redis.pttl(keys.room('lobby').seq), -1, 'the default room never expires');
  });

  test('keeps a room\'s epoch across a relay restart (it lives in Redis) and replays after since, without a gap', async () => {
    const before = await c.relay(c.options(FAST));
    const ada = await c.open(before.wsUrl);
    const w = await ada.hello({ nick: 'ke-ada', rooms: [{ room: 'keep', since: 0 }] });
    const epoch = (w.rooms as Array<{ epoch: string }>)[0]!.epoch;
    assert.match(epoch, /^e_/);
    for (let i = 1; i <= 3; i++) ada.send({ type: 'send', room: 'keep', text: `k${i}`, cid: `k${i}` });
    await collect(ada, 'ack', 3);
    await before.close();
    const after = await c.relay(c.options(FAST));
    const back = await c.open(after.wsUrl);
    const w2 = await back.hello({ nick: 'ke-bob', rooms: [{ room: 'keep', since: 1, epoch }] });
    assert.deepEqual(w2.rooms, [{ room: 'keep', seq: 3, epoch, members: (w2.rooms as Array<{ members: unknown }>)[0]!.members }]);
    assert.deepEqual([(await back.next('msg')).text, (await back.next('msg')).text], ['k2', 'k3']);
    await back.none('gap', 200);
  });

  test('starts a new epoch when Redis lost the room: a cursor of the old one gets a gap without end and the new run', async () => {
    const ada = await c.open(a.wsUrl);
    const w = await ada.hello({ nick: 'lo-ada', rooms: [{ room: 'lost', since: 0 }] });
    const old = (w.rooms as Array<{ epoch: string }>)[0]!.epoch;
    for (let i = 1; i <= 3; i++) ada.send({ type: 'send', room: 'lost', text: `l${i}`, cid: `l${i}` });
    await collect(ada, 'ack', 3);
    const k = keys.room('lost');
    await c.redis.del(k.seq, k.log, k.cids, k.epoch); // as a Redis restarted without persistence would
    const bob = await c.chat(b, { nick: 'lo-bob', rooms: [{ room: 'lost', since: 0 }] });
    bob.send({ type: 'send', room: 'lost', text: 'new1', cid: 'n1' });
    await bob.next('ack');
    const back = await c.open(d.wsUrl);
    const w2 = await back.hello({ nick: 'lo-cy', rooms: [{ room: 'lost', since: 3, epoch: old }] });
    assert.notEqual((w2.rooms as Array<{ epoch: string }>)[0]!.epoch, old);
    assert.deepEqual(await back.next(), { type: 'gap', room: 'lost', start: 4 });
    const m = await back.next();
    assert.deepEqual([m.type, m.seq, m.text], ['msg', 1, 'new1']);
  });

  test('reports redis and the node in /healthz and exports the cluster metrics', async () => {
    const r = await get(a, '/healthz');
    assert.equal(r.status, 200);
    const body = JSON.parse(r.text) as Record<string, unknown>;
    assert.equal(body.status, 'ok');
    assert.equal(body.redis, 'up');
    assert.match(String(body.node), /^n_/);
    const metrics = (await get(a, '/metrics')).text;
    assert.match(metrics, /^parley_redis_up 1$/m);
    assert.match(metrics, /^parley_cluster_nodes [1-9]\d*$/m);
  });

  test('exports exactly the cluster metrics the README lists, besides those of a single relay', async () => {
    const names = (text: string): string[] => [...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!);
    const single = await createRelay({ port: 0, host: '127.0.0.1', log: false });
    let plain: string[];
    try {
      plain = names((await get(single, '/metrics')).text);
    } finally {
      await single.close();
    }
    const extra = names((await get(a, '/metrics')).text).filter((n) => !plain.includes(n));
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const section = readme.split(/^## /m).find((s) => s.startsWith('Scale-out\n'))!;
    const documented = section.split('\n').filter((l) => l.startsWith('| `')).map((l) => l.split('`')[1]!);
    assert.deepEqual(extra.sort(), documented.sort());
  });
});
