import { ErrorCode } from '@parley/protocol';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RelayHandle } from '../src/index.js';
import { Harness } from './helpers.js';

describe('rooms', () => {
  const h = new Harness();
  let relay: RelayHandle;
  before(async () => {
    relay = await h.relay({ maxRooms: 2 });
  });
  after(() => h.close());

  test('answers join with joined: the room, its latest seq, its epoch and its members', async () => {
    const ada = await h.chat(relay, { nick: 'r-ada' });
    ada.send({ type: 'join', room: 'r1' });
    const j = await ada.next('joined');
    assert.match(String(j.epoch), /^e_[A-Za-z0-9_-]{12}$/);
    assert.deepEqual(j, { type: 'joined', room: 'r1', seq: 0, epoch: j.epoch, members: [{ id: 'r-ada', name: 'r-ada' }] });
  });

  test('announces a join and a leave to the other members, and answers leave with left', async () => {
    const ada = await h.chat(relay, { nick: 'p-ada', rooms: [{ room: 'r2', since: 0 }] });
    const bob = await h.chat(relay, { nick: 'p-bob' });
    bob.send({ type: 'join', room: 'r2' });
    const j = await bob.next('joined');
    assert.deepEqual(j.members, [
      { id: 'p-ada', name: 'p-ada' },
      { id: 'p-bob', name: 'p-bob' },
    ]);
    assert.deepEqual(await ada.next('presence'), { type: 'presence', room: 'r2', event: 'join', user: { id: 'p-bob', name: 'p-bob' } });
    bob.send({ type: 'leave', room: 'r2' });
    assert.deepEqual(await bob.next('left'), { type: 'left', room: 'r2' });
    assert.deepEqual(await ada.next('presence'), { type: 'presence', room: 'r2', event: 'leave', user: { id: 'p-bob', name: 'p-bob' } });
    await bob.noneBefore('presence');
  });

  test('answers joined again to a second join of the same room, without a second presence', async () => {
    const ada = await h.chat(relay, { nick: 'j-ada', rooms: [{ room: 'r3', since: 0 }] });
    const bob = await h.chat(relay, { nick: 'j-bob', rooms: [{ room: 'r3', since: 0 }] });
    await ada.next('presence');
    bob.send({ type: 'join', room: 'r3' });
    assert.equal((await bob.next('joined')).room, 'r3');
    await ada.noneBefore('presence');
  });

  test('announces a member who disconnects for good as left once the resume window ends', async () => {
    const quick = await h.relay({ resumeWindowMs: 200 });
    const ada = await h.chat(quick, { nick: 'ada', rooms: [{ room: 'x', since: 0 }] });
    const bob = await h.chat(quick, { nick: 'bob', rooms: [{ room: 'x', since: 0 }] });
    await ada.next('presence');
    await bob.close();
    const p = await ada.next('presence');
    assert.equal(p.event, 'leave');
  });

  test('answers members with everyone in the room', async () => {
    const ada = await h.chat(relay, { nick: 'm-ada', rooms: [{ room: 'r4', since: 0 }] });
    await h.chat(relay, { nick: 'm-bob', rooms: [{ room: 'r4', since: 0 }] });
    ada.send({ type: 'members', qid: 'q1', room: 'r4' });
    const m = await ada.next('members');
    assert.equal(m.qid, 'q1');
    assert.deepEqual((m.members as Array<{ id: string }>).map((x) => x.id).sort(), ['m-ada', 'm-bob']);
  });

  test('relays typing to the other members only, throttled, and always relays a stop', async () => {
    const ada = await h.chat(relay, { nick: 't-ada', rooms: [{ room: 'r5', since: 0 }] });
    const bob = await h.chat(relay, { nick: 't-bob', rooms: [{ room: 'r5', since: 0 }] });
    await ada.next('presence');
    ada.send({ type: 'typing', room: 'r5', on: true });
    assert.deepEqual(await bob.next('typing'), { type: 'typing', room: 'r5', from: 't-ada', name: 't-ada', on: true });
    ada.send({ type: 'typing', room: 'r5', on: true });
    ada.send({ type: 'typing', room: 'r5', on: false });
    // the stop is the sentinel: a second "on" let through would come before it
    assert.equal((await bob.next('typing')).on, false);
    await ada.noneBefore('typing');
    bob.send({ type: 'history', qid: 'h', room: 'r5' });
    assert.deepEqual((await bob.next('page')).messages, [], 'typing is never stored');
  });

  test('refuses to send, type, page or list members in a room the session is not in', async () => {
    const ada = await h.chat(relay, { nick: 'n-ada' });
    ada.send({ type: 'send', room: 'nope', text: 'hi', cid: 'c1' });
    ada.send({ type: 'typing', room: 'nope', on: true });
    ada.send({ type: 'history', room: 'nope', qid: 'q1' });
    ada.send({ type: 'members', room: 'nope', qid: 'q2' });
    const errors = [await ada.next('error'), await ada.next('error'), await ada.next('error'), await ada.next('error')];
    assert.deepEqual(
      errors.map((e) => [e.code, e.ref]),
      [
        [ErrorCode.NotInRoom, 'c1'],
        [ErrorCode.NotInRoom, undefined],
        [ErrorCode.NotInRoom, 'q1'],
        [ErrorCode.NotInRoom, 'q2'],
      ],
    );
  });

  test('refuses a join past the rooms limit with too_many_rooms', async () => {
    const ada = await h.chat(relay, { nick: 'l-ada', rooms: [{ room: 'a1', since: 0 }, { room: 'a2', since: 0 }] });
    ada.send({ type: 'join', room: 'a3' });
    assert.equal((await ada.next('error')).code, ErrorCode.TooManyRooms);
    ada.send({ type: 'leave', room: 'a1' });
    await ada.next('left');
    ada.send({ type: 'join', room: 'a3' });
    assert.equal((await ada.next('joined')).room, 'a3');
  });

  test('refuses a bad room name with bad_room', async () => {
    const ada = await h.chat(relay, { nick: 'b-ada' });
    for (const room of ['', 'a b', 'x'.repeat(65), 'é']) {
      ada.send({ type: 'join', room });
      assert.equal((await ada.next('error')).code, ErrorCode.BadRoom, room);
    }
  });
});
