import { CloseCode, ErrorCode } from '@parley/protocol';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RelayHandle } from '../src/index.js';
import { Harness, sleep, type Envelope } from './helpers.js';

const WINDOW_MS = 400;

describe('resume', () => {
  const h = new Harness();
  let relay: RelayHandle;
  before(async () => {
    relay = await h.relay({ resumeWindowMs: WINDOW_MS, historyLimit: 4 });
  });
  after(() => h.close());

  test('gives the nickname back and replays missed room messages in order after since', async () => {
    const ada = await h.chat(relay, { nick: 'ada', rooms: [{ room: 'r1', since: 0 }] });
    const bob = await h.open(relay.wsUrl);
    const w = await bob.hello({ nick: 'bob', rooms: [{ room: 'r1', since: 0 }] });
    ada.send({ type: 'send', room: 'r1', text: 'one', cid: 'a1' });
    const seen = await bob.next('msg');
    await bob.close();
    ada.send({ type: 'send', room: 'r1', text: 'two', cid: 'a2' });
    ada.send({ type: 'send', room: 'r1', text: 'three', cid: 'a3' });
    await ada.next('ack');
    await ada.next('ack');
    await ada.next('ack');
    const back = await h.open(relay.wsUrl);
    const w2 = await back.hello({ resume: w.resume, rooms: [{ room: 'r1', since: seen.seq }] });
    assert.equal(w2.resumed, true);
    assert.deepEqual(w2.user, { id: 'bob', name: 'bob' });
    assert.equal(w2.session, w.session);
    assert.notEqual(w2.resume, w.resume, 'the secret is rotated');
    const replay = [await back.next('msg'), await back.next('msg')];
    assert.deepEqual(replay.map((m) => m.text), ['two', 'three']);
    await back.noneBefore('gap');
  });

  test('holds the nickname during the window: nobody else can take it', async () => {
    const c = await h.open(relay.wsUrl);
    await c.hello({ nick: 'held' });
    await c.close();
    const thief = await h.open(relay.wsUrl);
    thief.send({ type: 'hello', nick: 'HELD' });
    assert.equal((await thief.next('error')).code, ErrorCode.NicknameTaken);
  });

  test('causes no presence change for a session that resumes within the window', async () => {
    const ada = await h.chat(relay, { nick: 'fl-ada', rooms: [{ room: 'fl', since: 0 }] });
    const bob = await h.open(relay.wsUrl);
    const w = await bob.hello({ nick: 'fl-bob', rooms: [{ room: 'fl', since: 0 }] });
    assert.equal((await ada.next('presence')).event, 'join');
    await bob.close();
    const WELL_WITHIN_WINDOW_MS = WINDOW_MS / 4; // the point: it comes back after a while, but within the window
    await sleep(WELL_WITHIN_WINDOW_MS);
    const back = await h.open(relay.wsUrl);
    await back.hello({ resume: w.resume, rooms: [{ room: 'fl', since: 0 }] });
    // the point: a leave, had the resume not kept the session, comes only once the window ends; wait past it
    await ada.none('presence', WINDOW_MS + 200);
  });

  test('after the window: announces the leave, frees the nickname and ignores the stale secret', async () => {
    const ada = await h.chat(relay, { nick: 'ex-ada', rooms: [{ room: 'ex', since: 0 }] });
    const bob = await h.open(relay.wsUrl);
    const w = await bob.hello({ nick: 'ex-bob', rooms: [{ room: 'ex', since: 0 }] });
    await ada.next('presence');
    await bob.close();
    const left = await ada.next('presence');
    assert.deepEqual(left.event, 'leave');
    const back = await h.open(relay.wsUrl);
    const w2 = await back.hello({ resume: w.resume, nick: 'ex-bob' });
    assert.equal(w2.resumed, false);
    assert.notEqual(w2.session, w.session);
  });

  test('answers a stale secret without nick or token with an error and keeps the connection open', async () => {
    const c = await h.open(relay.wsUrl);
    c.send({ type: 'hello', resume: 'r_not-a-real-secret' });
    const e = await c.next('error');
    assert.equal(e.code, ErrorCode.BadField);
    assert.equal(e.ref, 'hello');
    assert.match(String(e.message), /resume/);
    await c.hello({ nick: 'fresh-after-stale' });
  });

  test('sends a gap before the retained messages when history no longer reaches back', async () => {
    const ada = await h.chat(relay, { nick: 'gap-ada', rooms: [{ room: 'g', since: 0 }] });
    const bob = await h.open(relay.wsUrl);
    const w = await bob.hello({ nick: 'gap-bob', rooms: [{ room: 'g', since: 0 }] });
    ada.send({ type: 'send', room: 'g', text: 'm1', cid: 'g1' });
    await bob.next('msg');
    await bob.close();
    for (let i = 2; i <= 8; i++) ada.send({ type: 'send', room: 'g', text: `m${i}`, cid: `g${i}` });
    for (let i = 1; i <= 8; i++) await ada.next('ack');
    const back = await h.open(relay.wsUrl);
    back.send({ type: 'hello', resume: w.resume, rooms: [{ room: 'g', since: 1 }] });
    await back.next('welcome');
    const gap = await back.next();
    assert.deepEqual(gap, { type: 'gap', room: 'g', start: 2, end: 4 });
    const replay: Envelope[] = [];
    for (let i = 0; i < 4; i++) replay.push(await back.next('msg'));
    assert.deepEqual(replay.map((m) => m.seq), [5, 6, 7, 8]);
  });

  test('replays from where a resumed session joined when it says it delivered nothing (since 0)', async () => {
    const ada = await h.chat(relay, { nick: 'z-ada', rooms: [{ room: 'z', since: 0 }] });
    ada.send({ type: 'send', room: 'z', text: 'before bob', cid: 'z0' });
    await ada.next('ack');
    const bob = await h.open(relay.wsUrl);
    const w = await bob.hello({ nick: 'z-bob', rooms: [{ room: 'z', since: 0 }] });
    await bob.close();
    ada.send({ type: 'send', room: 'z', text: 'missed', cid: 'z1' });
    await ada.next('ack');
    const back = await h.open(relay.wsUrl);
    await back.hello({ resume: w.resume, rooms: [{ room: 'z', since: 0 }] });
    assert.equal((await back.next('msg')).text, 'missed');
    await back.noneBefore('msg', (m) => m.text === 'before bob');
  });

  test('replays missed direct messages after the inbox cursor, with a gap past the retained inbox', async () => {
    const small = await h.relay({ resumeWindowMs: WINDOW_MS, inboxLimit: 2 });
    const ada = await h.chat(small, { nick: 'ada' });
    const bob = await h.open(small.wsUrl);
    const w = await bob.hello({ nick: 'bob' });
    await bob.close();
    for (let i = 1; i <= 3; i++) ada.send({ type: 'dm', to: 'bob', text: `d${i}`, cid: `d${i}` });
    for (let i = 1; i <= 3; i++) await ada.next('ack');
    const back = await h.open(small.wsUrl);
    back.send({ type: 'hello', resume: w.resume, inbox: 0 });
    await back.next('welcome');
    assert.deepEqual(await back.next(), { type: 'gap', start: 1, end: 1 });
    assert.deepEqual([(await back.next('direct')).text, (await back.next('direct')).text], ['d2', 'd3']);
  });

  test('closes an older connection still holding the session with 4502', async () => {
    const old = await h.open(relay.wsUrl);
    const w = await old.hello({ nick: 'twin' });
    const fresh = await h.open(relay.wsUrl);
    const w2 = await fresh.hello({ resume: w.resume });
    assert.equal(w2.resumed, true);
    assert.equal((await old.closedWithin()).code, CloseCode.Replaced);
    fresh.send({ type: 'ping' });
    await fresh.next('pong');
  });

  test('accepts a resent cid after a resume as a duplicate', async () => {
    const ada = await h.open(relay.wsUrl);
    const w = await ada.hello({ nick: 'dup-ada', rooms: [{ room: 'dup', since: 0 }] });
    ada.send({ type: 'send', room: 'dup', text: 'x', cid: 'once' });
    const first = await ada.next('ack');
    await ada.close();
    const back = await h.open(relay.wsUrl);
    await back.hello({ resume: w.resume, rooms: [{ room: 'dup', since: first.seq }] });
    back.send({ type: 'send', room: 'dup', text: 'x', cid: 'once' });
    assert.deepEqual(await back.next('ack'), { ...first, dup: true });
    await back.noneBefore('msg');
  });

  test('lets an old secret stop working once the session resumed with a new one', async () => {
    const c = await h.open(relay.wsUrl);
    const w = await c.hello({ nick: 'rot' });
    await c.close();
    const back = await h.open(relay.wsUrl);
    await back.hello({ resume: w.resume });
    const other = await h.open(relay.wsUrl);
    other.send({ type: 'hello', resume: w.resume });
    assert.equal((await other.next('error')).code, ErrorCode.BadField);
  });
});

describe('a deliberate close', () => {
  const h = new Harness();
  let relay: RelayHandle;
  before(async () => {
    relay = await h.relay({ resumeWindowMs: 60_000 }); // far longer than any wait below
  });
  after(() => h.close());

  test('ends the session at once on a close with 1000: leave announced, nickname free, secret dead', async () => {
    const ada = await h.chat(relay, { nick: 'dc-ada', rooms: [{ room: 'dc', since: 0 }] });
    const bob = await h.open(relay.wsUrl);
    const w = await bob.hello({ nick: 'dc-bob', rooms: [{ room: 'dc', since: 0 }] });
    assert.equal((await ada.next('presence')).event, 'join');
    bob.ws.close(CloseCode.Normal);
    await bob.closedWithin();
    const left = await ada.next('presence', undefined, 1000);
    assert.deepEqual([left.event, left.user], ['leave', { id: 'dc-bob', name: 'dc-bob' }]);
    const back = await h.open(relay.wsUrl);
    const w2 = await back.hello({ resume: w.resume, nick: 'DC-BOB' });
    assert.equal(w2.resumed, false, 'the secret no longer works');
    assert.deepEqual(w2.user, { id: 'DC-BOB', name: 'DC-BOB' }, 'the nickname was free');
  });

  test('keeps the session for the resume window after any other close (1001, as a page unload sends)', async () => {
    const ada = await h.chat(relay, { nick: 'nav-ada', rooms: [{ room: 'nav', since: 0 }] });
    const bob = await h.open(relay.wsUrl);
    const w = await bob.hello({ nick: 'nav-bob', rooms: [{ room: 'nav', since: 0 }] });
    await ada.next('presence');
    bob.ws.close(CloseCode.GoingAway);
    await bob.closedWithin();
    await ada.none('presence', 300);
    const back = await h.open(relay.wsUrl);
    assert.equal((await back.hello({ resume: w.resume })).resumed, true);
  });
});
