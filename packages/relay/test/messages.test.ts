import { ErrorCode } from '@parley/protocol';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RelayHandle } from '../src/index.js';
import { Harness, type Envelope } from './helpers.js';

describe('room messages', () => {
  const h = new Harness();
  let relay: RelayHandle;
  before(async () => {
    relay = await h.relay({ historyLimit: 5 });
  });
  after(() => h.close());

  test('acks a send and delivers the msg to every session in the room, the sender included', async () => {
    const ada = await h.chat(relay, { nick: 'ada', rooms: [{ room: 'm1', since: 0 }] });
    const bob = await h.chat(relay, { nick: 'bob', rooms: [{ room: 'm1', since: 0 }] });
    const before = Date.now();
    ada.send({ type: 'send', room: 'm1', text: 'hello <b>bob</b>', cid: 'c1' });
    const ack = await ada.next('ack');
    const mine = await ada.next('msg');
    const theirs = await bob.next('msg');
    assert.deepEqual(mine, theirs);
    assert.equal(ack.cid, 'c1');
    assert.equal(ack.id, mine.id);
    assert.equal(ack.seq, 1);
    assert.equal(ack.dup, undefined);
    assert.deepEqual({ ...mine, id: 'x', ts: 0 }, { type: 'msg', room: 'm1', id: 'x', seq: 1, ts: 0, from: 'ada', name: 'ada', text: 'hello <b>bob</b>' });
    assert.ok((mine.ts as number) >= before && (mine.ts as number) <= Date.now());
  });

  test('gives each room its own strictly increasing seq and every message a unique id', async () => {
    const ada = await h.chat(relay, { nick: 'seq-ada', rooms: [{ room: 's1', since: 0 }, { room: 's2', since: 0 }] });
    for (let i = 0; i < 4; i++) ada.send({ type: 'send', room: i % 2 ? 's2' : 's1', text: `m${i}`, cid: `c${i}` });
    const msgs: Envelope[] = [];
    for (let i = 0; i < 4; i++) msgs.push(await ada.next('msg'));
    assert.deepEqual(
      msgs.map((m) => [m.room, m.seq, m.text]),
      [
        ['s1', 1, 'm0'],
        ['s2', 1, 'm1'],
        ['s1', 2, 'm2'],
        ['s2', 2, 'm3'],
      ],
    );
    assert.equal(new Set(msgs.map((m) => m.id)).size, 4);
  });

  test('refuses a smuggled from field, so nobody can send as someone else', async () => {
    const ada = await h.chat(relay, { nick: 'f-ada', rooms: [{ room: 'f1', since: 0 }] });
    const eve = await h.chat(relay, { nick: 'f-eve', rooms: [{ room: 'f1', since: 0 }] });
    eve.send({ type: 'send', room: 'f1', text: 'I am ada', cid: 'c1', from: 'f-ada', name: 'f-ada' });
    const e = await eve.next('error');
    assert.equal(e.code, ErrorCode.UnknownField);
    assert.equal(e.ref, 'c1');
    // a sentinel: eve's next send; had the smuggled one been delivered, it would come first
    eve.send({ type: 'send', room: 'f1', text: 'hi', cid: 'c2' });
    const first = await ada.next('msg');
    assert.deepEqual([first.from, first.text], ['f-eve', 'hi']);
  });

  test('acks a resent cid again with the original id and seq, dup: true, and broadcasts nothing', async () => {
    const ada = await h.chat(relay, { nick: 'i-ada', rooms: [{ room: 'i1', since: 0 }] });
    const bob = await h.chat(relay, { nick: 'i-bob', rooms: [{ room: 'i1', since: 0 }] });
    ada.send({ type: 'send', room: 'i1', text: 'once', cid: 'same' });
    const first = await ada.next('ack');
    await bob.next('msg');
    ada.send({ type: 'send', room: 'i1', text: 'once', cid: 'same' });
    const again = await ada.next('ack');
    assert.deepEqual(again, { ...first, dup: true });
    // a sentinel: a new send after the resend; a second broadcast of "once" would come before it
    ada.send({ type: 'send', room: 'i1', text: 'after', cid: 'next' });
    assert.equal((await bob.next('msg')).text, 'after');
  });

  test('coalesces everything one socket gets in one turn into one newline-joined frame', async () => {
    const ada = await h.chat(relay, { nick: 'b-ada', rooms: [{ room: 'b1', since: 0 }] });
    const batch = [1, 2, 3].map((i) => JSON.stringify({ type: 'send', room: 'b1', text: `t${i}`, cid: `b${i}` })).join('\n');
    const framesBefore = ada.frames.length;
    ada.send(batch);
    for (let i = 0; i < 3; i++) await ada.next('ack');
    const frames = ada.frames.slice(framesBefore) as string[];
    assert.equal(frames.length, 1, 'one frame');
    const lines = frames[0]!.split('\n').map((l) => JSON.parse(l) as Envelope);
    assert.deepEqual(
      lines.map((e) => e.type),
      ['msg', 'ack', 'msg', 'ack', 'msg', 'ack'],
    );
    assert.deepEqual(
      lines.filter((e) => e.type === 'msg').map((e) => e.text),
      ['t1', 't2', 't3'],
    );
  });

  test('pages history newest first with before, limit and more', async () => {
    const ada = await h.chat(relay, { nick: 'h-ada', rooms: [{ room: 'h1', since: 0 }] });
    for (let i = 1; i <= 4; i++) ada.send({ type: 'send', room: 'h1', text: `n${i}`, cid: `h${i}` });
    for (let i = 1; i <= 4; i++) await ada.next('ack');
    ada.send({ type: 'history', qid: 'q1', room: 'h1', limit: 2 });
    const p1 = await ada.next('page');
    assert.equal(p1.qid, 'q1');
    assert.equal(p1.room, 'h1');
    assert.deepEqual((p1.messages as Envelope[]).map((m) => m.seq), [4, 3]);
    assert.equal(p1.more, true);
    ada.send({ type: 'history', qid: 'q2', room: 'h1', before: 3 });
    const p2 = await ada.next('page');
    assert.deepEqual((p2.messages as Envelope[]).map((m) => m.text), ['n2', 'n1']);
    assert.equal(p2.more, false);
  });

  test('retains only historyLimit messages per room', async () => {
    const ada = await h.chat(relay, { nick: 'k-ada', rooms: [{ room: 'k1', since: 0 }] });
    for (let i = 1; i <= 8; i++) ada.send({ type: 'send', room: 'k1', text: `n${i}`, cid: `k${i}` });
    for (let i = 1; i <= 8; i++) await ada.next('ack');
    ada.send({ type: 'history', qid: 'q', room: 'k1', limit: 50 });
    const p = await ada.next('page');
    assert.deepEqual((p.messages as Envelope[]).map((m) => m.seq), [8, 7, 6, 5, 4]);
    assert.equal(p.more, false);
  });

  test('forgets a cid once its message has left the retained history', async () => {
    const ada = await h.chat(relay, { nick: 'o-ada', rooms: [{ room: 'o1', since: 0 }] });
    ada.send({ type: 'send', room: 'o1', text: 'first', cid: 'old' });
    const first = await ada.next('ack');
    for (let i = 1; i <= 5; i++) ada.send({ type: 'send', room: 'o1', text: `n${i}`, cid: `o${i}` });
    for (let i = 1; i <= 5; i++) await ada.next('ack');
    ada.send({ type: 'send', room: 'o1', text: 'first', cid: 'old' });
    const again = await ada.next('ack');
    assert.equal(again.dup, undefined);
    assert.notEqual(again.id, first.id);
    assert.equal(again.seq, 7);
  });

  test('answers a ping with a pong carrying the same ts', async () => {
    const ada = await h.chat(relay, { nick: 'ping-ada' });
    ada.send({ type: 'ping', ts: 1_764_000_000_000 });
    assert.deepEqual(await ada.next('pong'), { type: 'pong', ts: 1_764_000_000_000 });
    ada.send({ type: 'ping' });
    assert.deepEqual(await ada.next('pong'), { type: 'pong' });
  });
});
