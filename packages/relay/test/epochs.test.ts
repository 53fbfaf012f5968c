import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { RelayHandle } from '../src/index.js';
import { Harness, sleep, type Envelope, type TestClient } from './helpers.js';

const WINDOW_MS = 150;

/** Sends `texts` to `room` from `client` and waits for every ack. */
async function say(client: TestClient, room: string, ...texts: string[]): Promise<void> {
  for (const text of texts) client.send({ type: 'send', room, text, cid: `${room}-${text}` });
  for (let i = 0; i < texts.length; i++) await client.next('ack');
}

/** The envelopes after the first of `type` (the welcome or joined that starts an answer), up to `count` of them. */
async function following(client: TestClient, type: string, count: number): Promise<Envelope[]> {
  await client.next(type);
  const all = client.received;
  const start = all.findIndex((e) => e.type === type);
  for (let i = 0; i < 100 && client.received.length < start + 1 + count; i++) await sleep(20);
  return client.received.slice(start + 1);
}

describe('room epochs', () => {
  const h = new Harness();
  after(() => h.close());

  test('announces the room\'s epoch in welcome and joined, the same for every session of one run', async () => {
    const relay = await h.relay();
    const ada = await h.open(relay.wsUrl);
    const w = await ada.hello({ nick: 'ep-ada', rooms: [{ room: 'ep', since: 0 }] });
    const epoch = (w.rooms as Array<{ epoch: string }>)[0]!.epoch;
    assert.match(epoch, /^e_[A-Za-z0-9_-]{12}$/);
    await say(ada, 'ep', 'one');
    const bob = await h.chat(relay, { nick: 'ep-bob' });
    bob.send({ type: 'join', room: 'ep' });
    assert.equal((await bob.next('joined')).epoch, epoch);
    bob.send({ type: 'join', room: 'other' });
    assert.notEqual((await bob.next('joined')).epoch, epoch, 'each room has its own');
  });

  test('answers a cursor of the sequence before a restart with a gap without end, then the new sequence from seq 1, exactly once', async () => {
    const first = await h.relay();
    const port = first.port;
    const ada = await h.open(first.wsUrl);
    const w = await ada.hello({ nick: 'rs-ada', rooms: [{ room: 'rs', since: 0 }] });
    const old = (w.rooms as Array<{ epoch: string }>)[0]!.epoch;
    await say(ada, 'rs', 'a1', 'a2', 'a3');
    await first.close(); // an in-memory relay forgets everything

    const second = await h.relay({ port });
    const bob = await h.chat(second, { nick: 'rs-bob', rooms: [{ room: 'rs', since: 0 }] });
    await say(bob, 'rs', 'b1', 'b2', 'b3', 'b4', 'b5'); // the new sequence passes ada's cursor (3)
    const back = await h.open(second.wsUrl);
    back.send({ type: 'hello', nick: 'rs-ada', rooms: [{ room: 'rs', since: 3, epoch: old }] });
    const got = await following(back, 'welcome', 6);
    const welcome = back.received[0]!;
    const room = (welcome.rooms as Array<{ seq: number; epoch: string }>)[0]!;
    assert.equal(room.seq, 5);
    assert.notEqual(room.epoch, old, 'a new epoch');
    assert.deepEqual(got[0], { type: 'gap', room: 'rs', start: 4 }, 'no end: the count is unknown');
    assert.deepEqual(got.slice(1).map((m) => [m.type, m.seq, m.text]), [1, 2, 3, 4, 5].map((n) => ['msg', n, `b${n}`]));
    await say(bob, 'rs', 'b6', 'b7');
    assert.equal((await back.next('msg', (m) => m.seq === 6)).text, 'b6');
    // b7 is the sentinel: a message delivered twice would have come before it
    await back.next('msg', (m) => m.seq === 7);
    assert.deepEqual(back.received.filter((e) => e.type === 'msg').map((m) => m.seq), [1, 2, 3, 4, 5, 6, 7], 'each message once, in order');
  });

  test('follows the gap without end with the usual gap when the new sequence\'s start is no longer retained', async () => {
    const relay = await h.relay({ historyLimit: 3 });
    const bob = await h.chat(relay, { nick: 'tr-bob', rooms: [{ room: 'tr', since: 0 }] });
    await say(bob, 'tr', 'b1', 'b2', 'b3', 'b4', 'b5');
    const back = await h.open(relay.wsUrl);
    back.send({ type: 'hello', nick: 'tr-ada', rooms: [{ room: 'tr', since: 9, epoch: 'e_from-before' }] });
    const got = await following(back, 'welcome', 5);
    assert.deepEqual(got.slice(0, 2), [
      { type: 'gap', room: 'tr', start: 10 },
      { type: 'gap', room: 'tr', start: 1, end: 2 },
    ]);
    assert.deepEqual(got.slice(2).map((m) => m.seq), [3, 4, 5]);
  });

  test('answers a join whose cursor has an earlier epoch the same way: joined, gap without end, the run from its start', async () => {
    const relay = await h.relay();
    const bob = await h.chat(relay, { nick: 'jn-bob', rooms: [{ room: 'jn', since: 0 }] });
    await say(bob, 'jn', 'b1', 'b2');
    const ada = await h.chat(relay, { nick: 'jn-ada' });
    ada.send({ type: 'join', room: 'jn', since: 7, epoch: 'e_from-before' });
    const got = await following(ada, 'joined', 3);
    assert.deepEqual(got[0], { type: 'gap', room: 'jn', start: 8 });
    assert.deepEqual(got.slice(1).map((m) => m.seq), [1, 2]);
  });

  test('replays the whole current run without a gap to a cursor of 0 from an earlier epoch (joined an empty room, then it restarted)', async () => {
    const relay = await h.relay();
    const bob = await h.chat(relay, { nick: 'z-bob', rooms: [{ room: 'z0', since: 0 }] });
    await say(bob, 'z0', 'b1', 'b2');
    const ada = await h.open(relay.wsUrl);
    ada.send({ type: 'hello', nick: 'z-ada', rooms: [{ room: 'z0', since: 0, epoch: 'e_from-before' }] });
    const got = await following(ada, 'welcome', 2);
    assert.deepEqual(got.map((m) => [m.type, m.seq]), [['msg', 1], ['msg', 2]]);
  });

  test('takes a cursor with the current epoch, or without one (an older client), as before', async () => {
    const relay = await h.relay();
    const bob = await h.open(relay.wsUrl);
    const w = await bob.hello({ nick: 'same-bob', rooms: [{ room: 'same', since: 0 }] });
    const epoch = (w.rooms as Array<{ epoch: string }>)[0]!.epoch;
    await say(bob, 'same', 'b1', 'b2', 'b3');
    for (const [nick, cursor] of [['same-ada', { since: 1, epoch }], ['same-cy', { since: 1 }]] as const) {
      const c = await h.open(relay.wsUrl);
      c.send({ type: 'hello', nick, rooms: [{ room: 'same', ...cursor }] });
      await following(c, 'welcome', 2);
      await c.settle(); // everything the relay sent before its pong is in
      const all = c.received;
      const got = all.slice(all.findIndex((e) => e.type === 'welcome') + 1).filter((e) => e.type !== 'pong');
      assert.deepEqual(got.map((m) => [m.type, m.seq]), [['msg', 2], ['msg', 3]], nick);
      assert.ok(!c.received.some((e) => e.type === 'gap'), nick);
    }
  });

  test('starts a new epoch when a forgotten room is made again', async () => {
    const relay: RelayHandle = await h.relay({ resumeWindowMs: WINDOW_MS });
    const ada = await h.open(relay.wsUrl);
    const w = await ada.hello({ nick: 'fg-ada', rooms: [{ room: 'fg', since: 0 }] });
    await say(ada, 'fg', 'a1');
    ada.send({ type: 'leave', room: 'fg' });
    await ada.next('left');
    // the point of the test: a room nobody is in is forgotten after a resume window, and nothing
    // outside says when; three windows leave the relay's sweep time to run
    const FORGOTTEN_AFTER_MS = WINDOW_MS * 3;
    await sleep(FORGOTTEN_AFTER_MS);
    ada.send({ type: 'join', room: 'fg', since: 1, epoch: (w.rooms as Array<{ epoch: string }>)[0]!.epoch });
    const joined = await ada.next('joined');
    assert.equal(joined.seq, 0);
    assert.notEqual(joined.epoch, (w.rooms as Array<{ epoch: string }>)[0]!.epoch);
    assert.deepEqual(await ada.next('gap'), { type: 'gap', room: 'fg', start: 2 });
  });
});
