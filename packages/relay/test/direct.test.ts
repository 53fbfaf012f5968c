import { ErrorCode } from '@parley/protocol';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RelayHandle } from '../src/index.js';
import { Harness, type Envelope } from './helpers.js';

describe('direct messages', () => {
  const h = new Harness();
  let relay: RelayHandle;
  before(async () => {
    relay = await h.relay({ resumeWindowMs: 300 });
  });
  after(() => h.close());

  test('delivers a dm to the addressee and the sender, never to a third session', async () => {
    const ada = await h.chat(relay, { nick: 'ada', rooms: [{ room: 'd', since: 0 }] });
    const bob = await h.chat(relay, { nick: 'bob', rooms: [{ room: 'd', since: 0 }] });
    const eve = await h.chat(relay, { nick: 'eve', rooms: [{ room: 'd', since: 0 }] });
    ada.send({ type: 'dm', to: 'bob', text: 'psst', cid: 'd1' });
    const ack = await ada.next('ack');
    const got = await bob.next('direct');
    const echo = await ada.next('direct');
    assert.deepEqual({ ...got, ts: 0 }, { type: 'direct', id: ack.id, seq: 1, ts: 0, from: 'ada', name: 'ada', to: 'bob', text: 'psst' });
    assert.equal(echo.id, got.id);
    assert.equal(ack.seq, echo.seq);
    // a sentinel: a dm to eve sent after the first; had she got the first, it would come before this one
    bob.send({ type: 'dm', to: 'eve', text: 'for eve', cid: 'd2' });
    assert.equal((await eve.next('direct')).text, 'for eve');
    assert.ok(!eve.received.some((e) => JSON.stringify(e).includes('psst')), 'eve never sees the text');
  });

  test('numbers each inbox on its own', async () => {
    const a = await h.chat(relay, { nick: 'in-a' });
    const b = await h.chat(relay, { nick: 'in-b' });
    const c = await h.chat(relay, { nick: 'in-c' });
    a.send({ type: 'dm', to: 'in-c', text: '1', cid: 'x1' });
    await a.next('ack');
    b.send({ type: 'dm', to: 'in-c', text: '2', cid: 'x2' });
    const bAck = await b.next('ack');
    assert.equal(bAck.seq, 1, "b's inbox starts at 1");
    const seqs = [(await c.next('direct')).seq, (await c.next('direct')).seq];
    assert.deepEqual(seqs, [1, 2]);
  });

  test('answers unknown_user for an addressee nobody holds', async () => {
    const ada = await h.chat(relay, { nick: 'u-ada' });
    ada.send({ type: 'dm', to: 'nobody', text: 'hi', cid: 'u1' });
    const e = await ada.next('error');
    assert.equal(e.code, ErrorCode.UnknownUser);
    assert.equal(e.ref, 'u1');
  });

  test('finds an anonymous addressee by nickname case-insensitively', async () => {
    const ada = await h.chat(relay, { nick: 'c-ada' });
    const bob = await h.chat(relay, { nick: 'C-Bob' });
    ada.send({ type: 'dm', to: 'c-bob', text: 'hi', cid: 'c1' });
    assert.equal((await bob.next('direct')).to, 'C-Bob');
  });

  test('acks a resent dm cid with the original ack and delivers nothing twice', async () => {
    const ada = await h.chat(relay, { nick: 'r-ada' });
    const bob = await h.chat(relay, { nick: 'r-bob' });
    ada.send({ type: 'dm', to: 'r-bob', text: 'once', cid: 'r1' });
    const first = await ada.next('ack');
    await bob.next('direct');
    ada.send({ type: 'dm', to: 'r-bob', text: 'once', cid: 'r1' });
    assert.deepEqual(await ada.next('ack'), { ...first, dup: true });
    // a sentinel: a new dm after the resend; a second delivery of "once" would come before it
    ada.send({ type: 'dm', to: 'r-bob', text: 'after', cid: 'r2' });
    assert.equal((await bob.next('direct')).text, 'after');
  });

  test('keeps dms for an addressee within the resume window and replays them on resume', async () => {
    const ada = await h.chat(relay, { nick: 'k-ada' });
    const bob = await h.open(relay.wsUrl);
    const w = await bob.hello({ nick: 'k-bob' });
    await bob.close();
    ada.send({ type: 'dm', to: 'k-bob', text: 'while you were away', cid: 'k1' });
    await ada.next('ack');
    const back = await h.open(relay.wsUrl);
    const w2 = await back.hello({ resume: w.resume, inbox: 0 });
    assert.equal(w2.resumed, true);
    assert.equal(w2.inbox, 1);
    const d = await back.next('direct');
    assert.equal(d.text, 'while you were away');
  });

  test('answers unknown_user once the addressee has left and the window has passed', async () => {
    const ada = await h.chat(relay, { nick: 'g-ada', rooms: [{ room: 'g', since: 0 }] });
    const bob = await h.chat(relay, { nick: 'g-bob', rooms: [{ room: 'g', since: 0 }] });
    await ada.next('presence', (p) => p.event === 'join');
    await bob.close();
    // the session ends when the window has passed: its leave is announced then
    await ada.next('presence', (p) => p.event === 'leave' && (p.user as { id: string }).id === 'g-bob');
    ada.send({ type: 'dm', to: 'g-bob', text: 'gone?', cid: 'g1' });
    assert.equal((await ada.next('error')).code, ErrorCode.UnknownUser);
  });

  test('pages the private inbox when history names no room', async () => {
    const ada = await h.chat(relay, { nick: 'p-ada' });
    await h.chat(relay, { nick: 'p-bob' });
    for (let i = 1; i <= 3; i++) ada.send({ type: 'dm', to: 'p-bob', text: `t${i}`, cid: `p${i}` });
    for (let i = 1; i <= 3; i++) await ada.next('ack');
    ada.send({ type: 'history', qid: 'q', limit: 2 });
    const page = await ada.next('page');
    assert.equal(page.room, undefined);
    assert.deepEqual((page.messages as Envelope[]).map((m) => [m.type, m.text]), [
      ['direct', 't3'],
      ['direct', 't2'],
    ]);
    assert.equal(page.more, true);
  });
});
