// DM snooping: a private message reaches the addressee's sessions and the
// sender's, nobody else — not a third session in the same rooms, not a plain
// (seed) client, not through history, not after reconnects, and not on any
// relay of a Redis cluster.
import { createRelay, type RelayHandle } from '@parley/relay';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { Peer } from '../support/peer.js';
import { deletePrefix, REDIS_URL, requireRedis, testPrefix } from '../support/redis.js';
import { sleep, within } from '../support/wait.js';

const SECRET = 'private-test-secret-of-at-least-32-characters!';
const token = (sub: string): string => {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub, exp: Math.floor(Date.now() / 1000) + 600 })}`;
  return `${body}.${createHmac('sha256', SECRET).update(body).digest('base64url')}`;
};

/** Everything private a peer has seen: direct envelopes, and any envelope whose text is a secret. */
const leaked = (p: Peer, secrets: string[]): unknown[] =>
  p.received.filter((e) => e.type === 'direct' || (typeof e.text === 'string' && secrets.includes(e.text)) || (e.type === 'page' && JSON.stringify(e).includes('secret')));

describe('private messages on one relay', { timeout: 30_000 }, () => {
  let relay: RelayHandle;
  const peers: Peer[] = [];
  const open = async (hello: Record<string, unknown>): Promise<Peer> => {
    const p = await Peer.open(relay.wsUrl);
    peers.push(p);
    const w = await p.hello({ rooms: [{ room: 'lobby', since: 0 }], ...hello });
    assert.equal(w.type, 'welcome', JSON.stringify(w));
    return p;
  };
  before(async () => {
    relay = await createRelay({ port: 0, host: '127.0.0.1', log: false, tokenSecret: SECRET });
  });
  after(async () => {
    await Promise.all(peers.map((p) => p.close()));
    await relay.close();
  });

  test('a third session never receives a DM, live, from history or after a reconnect; the addressee and the sender get it on every session', async () => {
    const ada = await open({ token: token('ada') });
    const adaTab = await open({ token: token('ada') }); // a second tab of the sender
    const bob = await open({ token: token('bob') });
    const bobTab = await open({ token: token('bob') });
    const eve = await open({ nick: 'eve' });
    const seedFrames: string[] = [];
    const seed = new WebSocket(relay.wsUrl.replace('/chat', '/ws/mallory'));
    seed.on('message', (d) => seedFrames.push(d.toString()));
    await within(new Promise((r) => seed.once('open', r)), 4000, 'the seed client');
    const secrets = ['secret 1', 'secret 2', 'secret 3'];
    ada.send({ type: 'dm', to: 'bob', text: secrets[0], cid: 'd1' });
    bob.send({ type: 'dm', to: 'ada', text: secrets[1], cid: 'd2' });
    for (const p of [ada, adaTab, bob, bobTab]) {
      await p.next((e) => e.type === 'direct' && e.text === secrets[0]);
      await p.next((e) => e.type === 'direct' && e.text === secrets[1]);
    }
    // eve tries what she can: her inbox history, members, a dm "to" someone else as herself
    eve.send({ type: 'history', qid: 'q1' });
    const page = await eve.next((e) => e.type === 'page' && e.qid === 'q1');
    assert.deepEqual(page.messages, []);
    // one of bob's sessions drops: the DM sent meanwhile reaches his other session, still not eve
    await bob.drop();
    ada.send({ type: 'dm', to: 'bob', text: secrets[2], cid: 'd3' });
    await bobTab.next((e) => e.type === 'direct' && e.text === secrets[2]);
    // and that session resumes: its inbox is replayed to it
    const resumed = await Peer.open(relay.wsUrl);
    peers.push(resumed);
    const w = await resumed.hello({ resume: bob.all('welcome')[0]!.resume, inbox: 0 });
    assert.equal(w.resumed, true);
    for (const s of secrets) await resumed.next((e) => e.type === 'direct' && e.text === s);
    await sleep(200);
    for (const p of [eve]) assert.deepEqual(leaked(p, secrets), [], 'eve saw a private message');
    assert.deepEqual(
      seedFrames.filter((f) => secrets.some((s) => f.includes(s))),
      [],
      'the plain client saw a private message',
    );
    seed.close();
  });

  test('a DM addressed by a nickname variant reaches that user only', async () => {
    const zoe = await open({ nick: 'Zoe' });
    const eve2 = await open({ nick: 'eve2' });
    const sender = await open({ nick: 'sender' });
    sender.send({ type: 'dm', to: 'ZOE', text: 'secret for zoe', cid: 'z1' });
    await zoe.next((e) => e.type === 'direct' && e.text === 'secret for zoe');
    await sleep(100);
    assert.deepEqual(leaked(eve2, ['secret for zoe']), []);
  });
});

describe('private messages across a Redis cluster', { timeout: 60_000 }, () => {
  const prefix = testPrefix();
  const relays: RelayHandle[] = [];
  const peers: Peer[] = [];
  let redis: Awaited<ReturnType<typeof requireRedis>>;
  before(async () => {
    redis = await requireRedis();
    for (let i = 0; i < 3; i++) relays.push(await createRelay({ port: 0, host: '127.0.0.1', log: false, redis: REDIS_URL, redisPrefix: prefix }));
  });
  after(async () => {
    await Promise.all(peers.map((p) => p.close()));
    await Promise.all(relays.map((r) => r.close()));
    await deletePrefix(redis, prefix);
    redis.disconnect();
  });

  test('a third session never receives a DM, whether it shares a relay with the addressee, the sender or neither', async () => {
    const open = async (i: number, nick: string): Promise<Peer> => {
      const p = await Peer.open(relays[i]!.wsUrl);
      peers.push(p);
      assert.equal((await p.hello({ nick, rooms: [{ room: 'lobby', since: 0 }] })).type, 'welcome');
      return p;
    };
    const ada = await open(0, 'ada');
    const bob = await open(1, 'bob');
    const eves = [await open(0, 'eve0'), await open(1, 'eve1'), await open(2, 'eve2')];
    const secrets = Array.from({ length: 10 }, (_, i) => `secret ${i}`);
    for (const [i, s] of secrets.entries()) (i % 2 ? bob : ada).send({ type: 'dm', to: i % 2 ? 'ada' : 'bob', text: s, cid: `c${i}` });
    for (const s of secrets) {
      await ada.next((e) => e.type === 'direct' && e.text === s, 8000);
      await bob.next((e) => e.type === 'direct' && e.text === s, 8000);
    }
    // everyone fences so that anything misrouted would have arrived
    for (const e of eves) await e.fence();
    await sleep(300);
    for (const e of eves) assert.deepEqual(leaked(e, secrets), [], `${e === eves[0] ? 'eve0' : e === eves[1] ? 'eve1' : 'eve2'} saw a private message`);
  });
});
