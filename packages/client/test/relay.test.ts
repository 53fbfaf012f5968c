/**
 * The client against a real relay: connect, send, receive, query, fail.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { RelayHandle } from '@parley/relay';
import { State, type ParleyError } from '../src/index.js';
import { ManualClock } from './clock.js';
import { Harness } from './harness.js';
import { memoryStorage, next } from './wait.js';

/** Long enough for any timer the client could set to fall due. */
const FOREVER = 10 * 60_000;

describe('against a real relay', () => {
  const h = new Harness();
  let relay: RelayHandle;
  before(async () => {
    relay = await h.relay();
  });
  after(() => h.close());

  it('connects, sends and receives: the ack carries the seq the others see', async () => {
    const ada = await h.open({ url: relay.wsUrl, nick: 'ada', rooms: ['r1'] });
    const bob = await h.open({ url: relay.wsUrl, nick: 'bob', rooms: ['r1'] });
    assert.deepEqual(ada.user, { id: 'ada', name: 'ada' });
    const atBob = next(bob, 'message');
    const atAda = next(ada, 'message');
    const ack = await ada.send('r1', 'hello');
    const m = await atBob;
    assert.deepEqual([m.text, m.from, m.name, m.room, m.id, m.seq], ['hello', 'ada', 'ada', 'r1', ack.id, ack.seq]);
    assert.equal((await atAda).id, ack.id, 'the sender gets its own message once');
    assert.deepEqual(ada.outbox, []);
  });

  it('emits members on welcome and presence when someone joins', async () => {
    const ada = h.client({ url: relay.wsUrl, nick: 'mem-ada', rooms: ['r2'] });
    const first = next(ada, 'members');
    ada.connect();
    assert.deepEqual((await first).members, [{ id: 'mem-ada', name: 'mem-ada' }]);
    const joined = next(ada, 'presence', (p) => p.event === 'join');
    await h.open({ url: relay.wsUrl, nick: 'mem-bob', rooms: ['r2'] });
    assert.equal((await joined).user.id, 'mem-bob');
    assert.deepEqual((await ada.members('r2')).map((m) => m.id).sort(), ['mem-ada', 'mem-bob']);
  });

  it('pages history newest first', async () => {
    const ada = await h.open({ url: relay.wsUrl, nick: 'hist-ada', rooms: ['r3'] });
    for (const t of ['a', 'b', 'c']) await ada.send('r3', t);
    const page = await ada.history('r3', { limit: 2 });
    assert.deepEqual(
      page.messages.map((m) => m.text),
      ['c', 'b'],
    );
    assert.equal(page.more, true);
    const older = await ada.history('r3', { before: page.messages[1]!.seq });
    assert.deepEqual(older.messages.map((m) => m.text), ['a']);
  });

  it('sends direct messages to the addressee and the sender only', async () => {
    const ada = await h.open({ url: relay.wsUrl, nick: 'dm-ada' });
    const bob = await h.open({ url: relay.wsUrl, nick: 'dm-bob' });
    const atBob = next(bob, 'direct');
    const atAda = next(ada, 'direct');
    const ack = await ada.sendDirect('dm-bob', 'psst');
    assert.equal((await atBob).text, 'psst');
    assert.equal((await atAda).id, ack.id);
    await assert.rejects(ada.sendDirect('nobody-here', 'hi'), (e: ParleyError) => e.code === 'unknown_user');
  });

  it('relays typing to the others in the room', async () => {
    const ada = await h.open({ url: relay.wsUrl, nick: 'ty-ada', rooms: ['r4'] });
    const bob = await h.open({ url: relay.wsUrl, nick: 'ty-bob', rooms: ['r4'] });
    const typing = next(bob, 'typing');
    ada.typing('r4', true);
    assert.deepEqual(await typing, { type: 'typing', room: 'r4', from: 'ty-ada', name: 'ty-ada', on: true });
  });

  it('joins and leaves rooms at run time', async () => {
    const ada = await h.open({ url: relay.wsUrl, nick: 'jl-ada' });
    const bob = await h.open({ url: relay.wsUrl, nick: 'jl-bob', rooms: ['r5'] });
    const members = next(ada, 'members', (e) => e.room === 'r5');
    ada.join('r5');
    assert.deepEqual((await members).members.map((m) => m.id).sort(), ['jl-ada', 'jl-bob']);
    const got = next(ada, 'message');
    await bob.send('r5', 'welcome in');
    assert.equal((await got).text, 'welcome in');
    const left = next(bob, 'presence', (p) => p.event === 'leave');
    ada.leave('r5');
    assert.equal((await left).user.id, 'jl-ada');
    await assert.rejects(ada.send('r5', 'after leaving'), (e: ParleyError) => e.code === 'not_in_room');
  });

  it('refuses a taken nickname: error, state closed, no retry; connect() with another nickname works', async () => {
    await h.open({ url: relay.wsUrl, nick: 'taken' });
    const clock = new ManualClock(); // a retry could only come from a timer
    const late = h.client({ url: relay.wsUrl, nick: 'TAKEN', clock });
    const error = next(late, 'error');
    const closed = next(late, 'status', (s) => s.to === State.Closed);
    late.connect();
    assert.equal((await error).code, 'nickname_taken');
    assert.equal((await closed).reason, 'nickname_taken');
    assert.equal(clock.pending, 0, 'no retry is scheduled');
    clock.advance(FOREVER);
    assert.equal(late.state, State.Closed);
    const opened = next(late, 'status', (s) => s.to === State.Open);
    late.connect({ nick: 'not-taken' });
    await opened;
    assert.equal(late.user?.name, 'not-taken');
  });

  it('stops reconnecting when another connection resumes the session (4502, do not retry)', async () => {
    const storage = memoryStorage();
    const clock = new ManualClock();
    const first = await h.open({ url: relay.wsUrl, nick: 'twin', storage, clock });
    const closed = next(first, 'status', (s) => s.to === State.Closed);
    const copy = memoryStorage();
    copy.map.set('parley', storage.map.get('parley')!);
    const second = await h.open({ url: relay.wsUrl, nick: 'twin', storage: copy });
    const status = await closed;
    assert.equal(status.code, 4502);
    assert.equal(clock.pending, 0, 'no retry is scheduled');
    clock.advance(FOREVER);
    assert.equal(first.state, State.Closed);
    assert.equal(second.state, State.Open);
    assert.equal(second.user?.id, 'twin');
  });
});
