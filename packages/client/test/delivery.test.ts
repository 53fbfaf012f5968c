/**
 * Delivery, outbox and persistence, driven through an in-memory socket.
 */
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { ClientErrorCode, createClient, State, type ClientOptions, type ParleyClient, type ParleyError } from '../src/index.js';
import { fakeSockets, msg, welcome } from './fake-socket.js';
import { memoryStorage, next, until } from './wait.js';

const clients: ParleyClient[] = [];
afterEach(() => clients.splice(0).forEach((c) => c.close()));

function setup(over: Partial<ClientOptions> = {}) {
  const fake = fakeSockets();
  const client = createClient({
    url: 'ws://relay.test/chat',
    nick: 'ada',
    rooms: ['lobby'],
    WebSocket: fake.WebSocket,
    storage: null,
    backoff: { base: 5, cap: 20 },
    ...over,
  });
  clients.push(client);
  const texts: string[] = [];
  client.on('message', (m) => texts.push(m.text));
  return { ...fake, client, texts };
}

function openSession(t: ReturnType<typeof setup>, w = welcome()) {
  const socket = t.last();
  socket.open();
  socket.receive(w);
  return socket;
}

async function reconnect(t: ReturnType<typeof setup>, w = welcome({ resumed: true, rooms: [{ room: 'lobby', seq: 100 }] })) {
  const before = t.sockets.length;
  t.last().drop(1006);
  await until(() => t.sockets.length === before + 1, 'a new socket');
  return openSession(t, w);
}

describe('delivery', () => {
  it('delivers batched envelopes in order', () => {
    const t = setup();
    t.client.connect();
    openSession(t).receive(msg(1), msg(2), msg(3));
    assert.deepEqual(t.texts, ['m1', 'm2', 'm3']);
  });

  it('drops a message already delivered, by id and by seq', () => {
    const t = setup();
    t.client.connect();
    const socket = openSession(t);
    socket.receive(msg(1), msg(2));
    socket.receive(msg(2)); // same id
    socket.receive({ ...msg(1), id: 'another' }); // at or below the cursor
    socket.receive(msg(3, 'm3', 'lobby', 'm_lobby_1')); // a known id with a new seq
    socket.receive(msg(4));
    assert.deepEqual(t.texts, ['m1', 'm2', 'm4']);
  });

  it('starts a new room at its current seq and delivers what follows', () => {
    const t = setup();
    t.client.connect();
    const socket = openSession(t, welcome({ rooms: [{ room: 'lobby', seq: 40 }] }));
    socket.receive(msg(40), msg(41));
    assert.deepEqual(t.texts, ['m41']);
  });

  it('drops replayed duplicates after a resume and keeps the order of the replay', async () => {
    const t = setup();
    t.client.connect();
    openSession(t).receive(msg(1), msg(2));
    const socket = await reconnect(t);
    assert.equal(socket.sent[0].rooms[0].since, 2);
    socket.receive(msg(2), msg(3), msg(4));
    assert.deepEqual(t.texts, ['m1', 'm2', 'm3', 'm4']);
  });

  it('emits gap and moves the cursor past it', async () => {
    const t = setup();
    t.client.connect();
    openSession(t).receive(msg(1));
    const socket = await reconnect(t);
    const gap = next(t.client, 'gap');
    socket.receive({ type: 'gap', room: 'lobby', start: 2, end: 40 }, msg(41));
    assert.deepEqual(await gap, { type: 'gap', room: 'lobby', start: 2, end: 40 });
    assert.deepEqual(t.texts, ['m1', 'm41']);
    const again = await reconnect(t);
    assert.equal(again.sent[0].rooms[0].since, 41);
  });

  it('tracks the private inbox cursor and drops duplicate directs', async () => {
    const t = setup();
    const got: string[] = [];
    t.client.on('direct', (d) => got.push(d.text));
    t.client.connect();
    const direct = (seq: number) => ({ type: 'direct', id: `d_${seq}`, seq, ts: 1, from: 'grace', name: 'grace', to: 'ada', text: `d${seq}` });
    openSession(t, welcome({ inbox: 0 })).receive(direct(1), direct(1), direct(2));
    const socket = await reconnect(t, welcome({ inbox: 3 }));
    assert.equal(socket.sent[0].inbox, 2);
    socket.receive(direct(2), direct(3));
    assert.deepEqual(got, ['d1', 'd2', 'd3']);
  });

  it('emits members with the full list on welcome and on joined, and passes presence on', () => {
    const t = setup();
    const seen: Array<[string, string[]]> = [];
    const presence: string[] = [];
    t.client.on('members', (e) => seen.push([e.room, e.members.map((m) => m.id)]));
    t.client.on('presence', (p) => presence.push(`${p.event} ${p.user.id}`));
    t.client.connect();
    const socket = openSession(t);
    socket.receive({ type: 'presence', room: 'lobby', event: 'join', user: { id: 'grace', name: 'grace' } });
    t.client.join('dev');
    socket.receive({ type: 'joined', room: 'dev', seq: 0, members: [{ id: 'ada', name: 'ada' }, { id: 'bob', name: 'bob' }] });
    assert.deepEqual(seen, [
      ['lobby', ['ada']],
      ['dev', ['ada', 'bob']],
    ]);
    assert.deepEqual(presence, ['join grace']);
  });

  it('joins and leaves rooms, remembering them for the next hello', async () => {
    const t = setup();
    t.client.connect();
    const socket = openSession(t);
    t.client.join('dev');
    socket.receive({ type: 'joined', room: 'dev', seq: 7, members: [] });
    t.client.leave('lobby');
    assert.deepEqual(socket.sent.slice(1), [
      { type: 'join', room: 'dev' },
      { type: 'leave', room: 'lobby' },
    ]);
    assert.deepEqual(t.client.rooms, ['dev']);
    const again = await reconnect(t);
    assert.deepEqual(again.sent[0].rooms, [{ room: 'dev', since: 7 }]);
  });

  it('answers history and members queries, also when asked while disconnected', async () => {
    const t = setup();
    const page = t.client.history('lobby', { before: 10, limit: 2 });
    t.client.connect();
    const socket = openSession(t);
    const query = socket.sentOf('history')[0];
    assert.deepEqual({ ...query, qid: undefined }, { type: 'history', room: 'lobby', before: 10, limit: 2, qid: undefined });
    socket.receive({ type: 'page', qid: query.qid, room: 'lobby', messages: [msg(9)], more: true });
    assert.equal((await page).messages.length, 1);
    const who = t.client.members('lobby');
    const q2 = socket.sentOf('members')[0];
    socket.receive({ type: 'members', qid: q2.qid, room: 'lobby', members: [{ id: 'ada', name: 'ada' }] });
    assert.deepEqual(await who, [{ id: 'ada', name: 'ada' }]);
  });

  it('rejects a query with the relay error, or with timeout when no answer comes', async () => {
    const t = setup({ requestTimeout: 50 });
    t.client.connect();
    const socket = openSession(t);
    const refused = t.client.members('nowhere');
    socket.receive({ type: 'error', code: 'not_in_room', message: 'join first', ref: socket.sentOf('members')[0].qid });
    await assert.rejects(refused, (e: ParleyError) => e instanceof Error && e.code === 'not_in_room' && e.ref !== undefined);
    await assert.rejects(t.client.history(null), { code: ClientErrorCode.Timeout });
  });
});

describe('outbox', () => {
  it('gives each send a cid, keeps it until the ack, and resolves with the ack', async () => {
    const t = setup();
    t.client.connect();
    const socket = openSession(t);
    const sending = t.client.send('lobby', 'hello');
    const [sent] = socket.sentOf('send');
    assert.match(sent.cid, /^[A-Za-z0-9_.:~-]{1,64}$/);
    assert.equal(sending.cid, sent.cid, 'the promise carries the cid it was sent with');
    assert.deepEqual(t.client.outbox.map((e) => [e.cid, e.room, e.text]), [[sent.cid, 'lobby', 'hello']]);
    const ack = { type: 'ack', cid: sent.cid, id: 'm_1', seq: 1, ts: 5 };
    socket.receive(ack);
    assert.deepEqual(await sending, ack);
    assert.deepEqual(t.client.outbox, []);
  });

  it('tells two sends of the same text apart by the cid each promise carries, before and after the ack', async () => {
    const t = setup();
    const first = t.client.send('lobby', 'same');
    const second = t.client.send('lobby', 'same');
    const direct = t.client.sendDirect('grace', 'same');
    assert.equal(new Set([first.cid, second.cid, direct.cid]).size, 3, 'one cid per message');
    assert.deepEqual(t.client.outbox.map((e) => e.cid), [first.cid, second.cid, direct.cid]);
    t.client.connect();
    const socket = openSession(t);
    assert.deepEqual(socket.sent.slice(1).map((e) => e.cid), [first.cid, second.cid, direct.cid]);
    // the relay answers the second first
    socket.receive({ type: 'ack', cid: second.cid, id: 'm_2', seq: 2, ts: 2 }, { type: 'ack', cid: first.cid, id: 'm_1', seq: 1, ts: 1 });
    socket.receive({ type: 'error', code: 'unknown_user', message: 'gone', ref: direct.cid });
    assert.deepEqual([(await first).id, (await second).id], ['m_1', 'm_2']);
    await assert.rejects(direct, (e: ParleyError) => e.code === 'unknown_user' && e.ref === direct.cid);
  });

  it('queues while disconnected and sends once the session opens', async () => {
    const t = setup();
    const a = t.client.send('lobby', 'one');
    const b = t.client.sendDirect('grace', 'two');
    assert.equal(t.client.outbox.length, 2);
    t.client.connect();
    const socket = openSession(t);
    const sent = socket.sent.slice(1);
    assert.deepEqual(
      sent.map((e) => [e.type, e.room ?? e.to, e.text]),
      [
        ['send', 'lobby', 'one'],
        ['dm', 'grace', 'two'],
      ],
    );
    for (const [i, e] of sent.entries()) socket.receive({ type: 'ack', cid: e.cid, id: `x${i}`, seq: i + 1, ts: 1 });
    assert.equal((await a).id, 'x0');
    assert.equal((await b).id, 'x1');
  });

  it('resends unacknowledged sends after a reconnect with the same cid, and is done with them at the dup ack', async () => {
    const t = setup();
    t.client.connect();
    const first = openSession(t);
    const sending = t.client.send('lobby', 'hello');
    const { cid } = first.sentOf('send')[0];
    const second = await reconnect(t);
    assert.deepEqual(second.sentOf('send'), [{ type: 'send', room: 'lobby', text: 'hello', cid }]);
    const acks: string[] = [];
    t.client.on('ack', (a) => acks.push(a.cid));
    second.receive({ type: 'ack', cid, id: 'm_1', seq: 1, ts: 5, dup: true });
    second.receive({ type: 'ack', cid, id: 'm_1', seq: 1, ts: 5, dup: true }); // an ack twice changes nothing more
    assert.deepEqual(await sending, { type: 'ack', cid, id: 'm_1', seq: 1, ts: 5, dup: true });
    assert.deepEqual(t.client.outbox, []);
    assert.deepEqual(acks, [cid, cid], 'each ack is passed on');
    assert.deepEqual((await reconnect(t)).sentOf('send'), [], 'not sent again after the next reconnect');
  });

  it('rejects with a typed outbox_full error past the bound, without queueing', async () => {
    const t = setup({ outboxLimit: 2 });
    t.client.send('lobby', 'a');
    t.client.send('lobby', 'b');
    const refused = t.client.send('lobby', 'c');
    await assert.rejects(refused, (e: ParleyError) => e instanceof Error && e.code === ClientErrorCode.OutboxFull && e.ref !== undefined && e.ref === refused.cid);
    assert.deepEqual(t.client.outbox.map((e) => e.text), ['a', 'b']);
  });

  it('rejects a send the relay refuses and removes it from the outbox', async () => {
    const t = setup();
    t.client.connect();
    const socket = openSession(t);
    const sending = t.client.send('nowhere', 'hi');
    const errors: string[] = [];
    t.client.on('error', (e) => errors.push(e.code));
    socket.receive({ type: 'error', code: 'not_in_room', message: 'no', ref: socket.sentOf('send')[0].cid });
    await assert.rejects(sending, { code: 'not_in_room' });
    assert.deepEqual(t.client.outbox, []);
    assert.deepEqual(errors, ['not_in_room']);
  });

  it('sends again, later, what the relay refused as rate limited', async () => {
    const t = setup();
    t.client.connect();
    const socket = openSession(t);
    const sending = t.client.send('lobby', 'hi');
    const { cid } = socket.sentOf('send')[0];
    socket.receive({ type: 'error', code: 'rate_limited', message: 'slow down', ref: cid });
    assert.equal(t.client.outbox.length, 1);
    await until(() => socket.sentOf('send').length === 2, 'a resend', 3000);
    socket.receive({ type: 'ack', cid, id: 'm', seq: 1, ts: 1 });
    assert.equal((await sending).id, 'm');
  });

  it('paces a large outbox under the relay rate limit', async () => {
    const t = setup();
    for (let i = 0; i < 25; i++) t.client.send('lobby', `m${i}`);
    t.client.connect();
    const socket = openSession(t);
    assert.equal(socket.sentOf('send').length, 20, 'a burst first');
    await until(() => socket.sentOf('send').length === 25, 'the rest', 3000);
  });

  it('keeps sends pending across close() and sends them on the next connect()', async () => {
    const t = setup();
    const sending = t.client.send('lobby', 'later');
    t.client.close();
    assert.equal(t.client.outbox.length, 1);
    t.client.connect();
    const socket = openSession(t);
    const { cid } = socket.sentOf('send')[0];
    socket.receive({ type: 'ack', cid, id: 'm', seq: 1, ts: 1 });
    assert.equal((await sending).cid, cid);
  });

  it('resets a cursor that is ahead of the relay (a relay that lost its history) and delivers from there', async () => {
    const t = setup();
    t.client.connect();
    openSession(t).receive(msg(1), msg(2), msg(3));
    // the restarted relay has one message already, and replays it (the cursor 3 is beyond its history)
    const socket = await reconnect(t, welcome({ rooms: [{ room: 'lobby', seq: 1 }] }));
    socket.receive(msg(1, 'new1', 'lobby', 'm_restarted_1'), msg(2, 'new2', 'lobby', 'm_restarted_2'));
    assert.deepEqual(t.texts, ['m1', 'm2', 'm3', 'new1', 'new2']);
    assert.equal((await reconnect(t)).sent[0].rooms[0].since, 2);
  });
});

describe('epochs', () => {
  const at = (epoch: string, seq: number) => welcome({ resumed: true, rooms: [{ room: 'lobby', seq, epoch }] });

  it('keeps each room\'s epoch beside its cursor and sends both in hello and in join', async () => {
    const t = setup();
    t.client.connect();
    openSession(t, welcome({ rooms: [{ room: 'lobby', seq: 0, epoch: 'e_one' }] })).receive(msg(1), msg(2));
    const socket = await reconnect(t, at('e_one', 2));
    assert.deepEqual(socket.sent[0].rooms, [{ room: 'lobby', since: 2, epoch: 'e_one' }]);
    t.client.join('lobby');
    assert.deepEqual(socket.sentOf('join'), [{ type: 'join', room: 'lobby', since: 2, epoch: 'e_one' }]);
    t.client.leave('lobby');
    t.client.join('lobby');
    assert.deepEqual(socket.sentOf('join')[1], { type: 'join', room: 'lobby' }, 'leave() forgets the cursor and its epoch');
  });

  it('keeps the cursor while the epoch stays the same', async () => {
    const t = setup();
    t.client.connect();
    openSession(t, welcome({ rooms: [{ room: 'lobby', seq: 0, epoch: 'e_one' }] })).receive(msg(1), msg(2), msg(3));
    const socket = await reconnect(t, at('e_one', 5));
    socket.receive(msg(2), msg(4));
    assert.deepEqual(t.texts, ['m1', 'm2', 'm3', 'm4']);
  });

  it('starts a room over on a gap without end, emits it, and delivers the new sequence from 1', async () => {
    const t = setup();
    t.client.connect();
    openSession(t, welcome({ rooms: [{ room: 'lobby', seq: 0, epoch: 'e_one' }] })).receive(msg(1), msg(2), msg(3));
    const socket = await reconnect(t, welcome({ rooms: [{ room: 'lobby', seq: 5, epoch: 'e_two' }] }));
    const gap = next(t.client, 'gap');
    socket.receive({ type: 'gap', room: 'lobby', start: 4 }, ...[1, 2, 3, 4, 5].map((n) => msg(n, `new${n}`, 'lobby', `m_two_${n}`)));
    assert.deepEqual(await gap, { type: 'gap', room: 'lobby', start: 4 });
    assert.deepEqual(t.texts, ['m1', 'm2', 'm3', 'new1', 'new2', 'new3', 'new4', 'new5']);
    assert.deepEqual((await reconnect(t, at('e_two', 5))).sent[0].rooms, [{ room: 'lobby', since: 5, epoch: 'e_two' }]);
  });

  it('starts a room over when the relay announces another epoch without a gap (an older relay)', async () => {
    const t = setup();
    t.client.connect();
    openSession(t, welcome({ rooms: [{ room: 'lobby', seq: 0, epoch: 'e_one' }] })).receive(msg(1), msg(2), msg(3));
    // the new sequence already passed the cursor, so "ahead of the relay" cannot tell
    const socket = await reconnect(t, welcome({ rooms: [{ room: 'lobby', seq: 6, epoch: 'e_two' }] }));
    socket.receive(...[2, 3, 4].map((n) => msg(n, `new${n}`, 'lobby', `m_two_${n}`)));
    assert.deepEqual(t.texts, ['m1', 'm2', 'm3', 'new2', 'new3', 'new4']);
    t.client.join('dev');
    socket.receive({ type: 'joined', room: 'dev', seq: 1, epoch: 'e_dev', members: [] }, msg(2, 'dev2', 'dev'));
    socket.receive({ type: 'joined', room: 'dev', seq: 9, epoch: 'e_dev2', members: [] }, msg(1, 'dev1 again', 'dev', 'm_dev2_1'));
    assert.deepEqual(t.texts.slice(-2), ['dev2', 'dev1 again'], 'joined says so too');
  });

  it('emits a gap for the private inbox and starts it over when the relay could not take the session back', async () => {
    const t = setup();
    const gaps: unknown[] = [];
    const got: string[] = [];
    t.client.on('gap', (g) => gaps.push(g));
    t.client.on('direct', (d) => got.push(d.text));
    t.client.connect();
    const direct = (seq: number, id = `d_${seq}`) => ({ type: 'direct', id, seq, ts: 1, from: 'grace', name: 'grace', to: 'ada', text: id });
    openSession(t, welcome({ inbox: 0 })).receive(direct(1), direct(2));
    let socket = await reconnect(t, welcome({ resumed: true, inbox: 2 }));
    assert.deepEqual(gaps, [], 'none after a resume');
    socket = await reconnect(t, welcome({ resumed: false, inbox: 4 })); // the inbox lives on in another session of the user
    assert.deepEqual(gaps, [{ type: 'gap', start: 3 }]);
    socket.receive(direct(1, 'd_new_1'));
    assert.deepEqual(got, ['d_1', 'd_2', 'd_new_1'], 'its cursor restarted at 0');
    await reconnect(t, welcome({ resumed: false, inbox: 0 }));
    assert.equal(gaps.length, 2, 'every lost session');
  });

  it('emits no inbox gap for a first session or an inbox it never delivered from', async () => {
    const t = setup();
    const gaps: unknown[] = [];
    t.client.on('gap', (g) => gaps.push(g));
    t.client.connect();
    openSession(t, welcome({ resumed: false }));
    await reconnect(t, welcome({ resumed: false }));
    assert.deepEqual(gaps, []);
  });
});

describe('persistence', () => {
  it('saves the outbox, resume secret and cursors, and a new client on the same storage picks them up', async () => {
    const storage = memoryStorage();
    const t = setup({ storage });
    t.client.connect();
    openSession(t).receive(msg(1), msg(2));
    t.last().drop(1006);
    t.client.send('lobby', 'typed before the reload');
    const { cid } = t.client.outbox[0]!;
    // the page reloads: the old client is simply gone
    const t2 = setup({ storage });
    assert.deepEqual(t2.client.outbox.map((e) => [e.cid, e.text]), [[cid, 'typed before the reload']]);
    t2.client.connect();
    const socket = openSession(t2, welcome({ resumed: true, rooms: [{ room: 'lobby', seq: 2 }] }));
    assert.deepEqual(socket.sent[0], { type: 'hello', nick: 'ada', resume: 'r_secret', rooms: [{ room: 'lobby', since: 2 }], inbox: 0 });
    assert.deepEqual(socket.sentOf('send'), [{ type: 'send', room: 'lobby', text: 'typed before the reload', cid }]);
    const acks = next(t2.client, 'ack');
    socket.receive({ type: 'ack', cid, id: 'm_3', seq: 3, ts: 1 });
    assert.equal((await acks).cid, cid);
    assert.deepEqual(JSON.parse(storage.map.get('parley')!).outbox, []);
  });

  it('saves each room\'s epoch with the cursors, for rooms of any name', async () => {
    const storage = memoryStorage();
    const rooms = ['lobby', 'constructor', '__proto__'];
    const t = setup({ storage, rooms });
    t.client.connect();
    const socket = openSession(t, welcome({ rooms: rooms.map((room, i) => ({ room, seq: 0, epoch: `e_${i}` })) }));
    socket.receive(...rooms.map((room) => msg(1, room, room)));
    const t2 = setup({ storage, rooms });
    t2.client.connect();
    t2.last().open();
    assert.deepEqual(t2.last().sent[0].rooms, rooms.map((room, i) => ({ room, since: 1, epoch: `e_${i}` })));
  });

  it('keeps two clients apart with storageKey', () => {
    const storage = memoryStorage();
    setup({ storage, storageKey: 'a' }).client.send('lobby', 'for a');
    assert.equal(setup({ storage, storageKey: 'b' }).client.outbox.length, 0);
    assert.equal(setup({ storage, storageKey: 'a' }).client.outbox.length, 1);
  });

  it('survives damaged or refusing storage', () => {
    const broken = { getItem: () => '{not json', setItem: () => { throw new Error('quota'); }, removeItem: () => {} };
    const t = setup({ storage: broken });
    t.client.send('lobby', 'still works');
    assert.equal(t.client.outbox.length, 1);
    assert.equal(t.client.state, State.Idle);
  });
});
