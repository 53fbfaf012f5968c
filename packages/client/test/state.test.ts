/**
 * The connection state machine, driven through an in-memory socket.
 */
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { CloseCode } from '@parley/protocol';
import { createClient, State, type ClientOptions, type ParleyClient, type StatusEvent } from '../src/index.js';
import { ManualClock } from './clock.js';
import { fakeSockets, msg, welcome } from './fake-socket.js';
import { next, until } from './wait.js';

/** Long enough for any timer the client could set (backoff, heartbeat, requests) to fall due. */
const FOREVER = 10 * 60_000;

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
  const statuses: StatusEvent[] = [];
  client.on('status', (s) => statuses.push(s));
  return { ...fake, client, statuses };
}

/** Connects and completes the handshake on the newest socket. */
function openSession(fake: ReturnType<typeof setup>, w = welcome()) {
  const socket = fake.last();
  socket.open();
  socket.receive(w);
  return socket;
}

describe('state machine', () => {
  it('starts idle and walks idle -> connecting -> open, emitting each change once', () => {
    const t = setup();
    assert.equal(t.client.state, State.Idle);
    t.client.connect();
    assert.equal(t.client.state, State.Connecting);
    openSession(t);
    assert.equal(t.client.state, State.Open);
    assert.deepEqual(
      t.statuses.map((s) => [s.from, s.to]),
      [
        [State.Idle, State.Connecting],
        [State.Connecting, State.Open],
      ],
    );
  });

  it('offers the parley.v1 subprotocol and says hello with nick, rooms and cursors', () => {
    const t = setup();
    t.client.connect();
    const socket = t.last();
    assert.equal(socket.url, 'ws://relay.test/chat');
    assert.equal(socket.protocols, 'parley.v1');
    socket.open();
    assert.deepEqual(socket.sent, [{ type: 'hello', nick: 'ada', rooms: [{ room: 'lobby', since: 0 }] }]);
  });

  it('treats connect() as a no-op while connecting, open or reconnecting, a new nick or token included', async () => {
    const t = setup();
    t.client.connect();
    t.client.connect({ nick: 'grace' }); // connecting
    openSession(t);
    t.client.connect({ nick: 'grace', token: 'tok' }); // open
    assert.equal(t.sockets.length, 1);
    t.last().drop(1006);
    t.client.connect({ nick: 'grace' }); // reconnecting
    await until(() => t.sockets.length === 2, 'the reconnect');
    t.last().open();
    assert.deepEqual(
      t.last().sent[0],
      { type: 'hello', nick: 'ada', resume: 'r_secret', rooms: [{ room: 'lobby', since: 0 }], inbox: 0 },
      'the session is resumed as who it was',
    );
    assert.equal(t.sockets.length, 2);
  });

  it('goes open -> reconnecting on a retryable close and resumes with the secret and cursors', async () => {
    const t = setup();
    t.client.connect();
    const first = openSession(t, welcome({ rooms: [{ room: 'lobby', seq: 3 }], inbox: 2 }));
    first.receive(msg(4));
    first.drop(CloseCode.GoingAway, 'bye');
    assert.equal(t.client.state, State.Reconnecting);
    assert.deepEqual(t.statuses.at(-1), { from: State.Open, to: State.Reconnecting, reason: 'bye', code: 1001 });
    await until(() => t.sockets.length === 2, 'a second socket');
    t.last().open();
    assert.deepEqual(t.last().sent[0], {
      type: 'hello',
      nick: 'ada',
      resume: 'r_secret',
      rooms: [{ room: 'lobby', since: 4 }],
      inbox: 2,
    });
    t.last().receive(welcome({ rooms: [{ room: 'lobby', seq: 4 }], resumed: true }));
    assert.equal(t.client.state, State.Open);
  });

  it('ignores every callback of a stale socket', async () => {
    const t = setup();
    const got: string[] = [];
    t.client.on('message', (m) => got.push(m.text));
    t.client.connect();
    const old = openSession(t);
    const lateMessage = old.onmessage!;
    const lateClose = old.onclose!;
    old.drop(1006);
    await until(() => t.sockets.length === 2, 'a second socket');
    openSession(t);
    lateMessage({ data: JSON.stringify(msg(1, 'from the old socket')) });
    lateClose({ code: 4502, reason: 'late' });
    assert.deepEqual(got, []);
    assert.equal(t.client.state, State.Open);
  });

  for (const code of [CloseCode.Normal, CloseCode.PolicyViolation, CloseCode.MessageTooBig, CloseCode.AuthFailed, CloseCode.ProtocolAbuse, CloseCode.Replaced, CloseCode.UnsupportedProtocol]) {
    it(`stops for good after close code ${code} ("do not retry")`, () => {
      const clock = new ManualClock();
      const t = setup({ clock });
      t.client.connect();
      openSession(t).drop(code, 'no');
      assert.equal(t.client.state, State.Closed);
      assert.deepEqual(t.statuses.at(-1), { from: State.Open, to: State.Closed, reason: 'no', code });
      assert.equal(clock.pending, 0, 'nothing is scheduled');
      clock.advance(FOREVER);
      assert.equal(t.sockets.length, 1, 'no reconnect attempt');
    });
  }

  it('keeps retrying with backoff when the relay cannot be reached at all', async () => {
    const t = setup();
    t.client.connect();
    for (let i = 1; i <= 4; i++) {
      await until(() => t.sockets.length === i, `attempt ${i}`);
      t.last().drop(1006);
    }
    assert.equal(t.client.state, State.Reconnecting);
    assert.deepEqual(
      t.statuses.map((s) => s.to),
      [State.Connecting, State.Reconnecting],
      'repeated failures emit no repeated status',
    );
  });

  it('close() closes the socket with 1000, rejects pending queries and never reconnects', async () => {
    const clock = new ManualClock();
    const t = setup({ clock });
    t.client.connect();
    const socket = openSession(t);
    const members = t.client.members('lobby');
    t.client.close();
    assert.equal(socket.closedWith, 1000);
    assert.equal(t.client.state, State.Closed);
    await assert.rejects(members, { code: 'closed' });
    assert.equal(clock.pending, 0, 'nothing is scheduled, the query timeout included');
    clock.advance(FOREVER);
    assert.equal(t.sockets.length, 1);
    t.client.close();
    assert.deepEqual(t.statuses.map((s) => s.to), [State.Connecting, State.Open, State.Closed], 'a second close() changes nothing');
  });

  it('a refused hello emits error and closes with its code; connect() with a new nick tries again', async () => {
    const clock = new ManualClock();
    const t = setup({ clock });
    t.client.connect();
    const socket = t.last();
    socket.open();
    const error = next(t.client, 'error');
    socket.receive({ type: 'error', code: 'nickname_taken', message: 'taken', ref: 'hello' });
    assert.deepEqual(await error, { type: 'error', code: 'nickname_taken', message: 'taken', ref: 'hello' });
    assert.equal(t.client.state, State.Closed);
    assert.deepEqual(t.statuses.at(-1), { from: State.Connecting, to: State.Closed, reason: 'nickname_taken', code: 1000 });
    clock.advance(FOREVER);
    assert.equal(t.sockets.length, 1, 'no reconnect with the refused nickname');
    t.client.connect({ nick: 'ada2' });
    assert.equal(t.client.state, State.Connecting);
    t.last().open();
    assert.equal(t.last().sent[0].nick, 'ada2');
  });

  for (const code of ['unavailable', 'internal', 'rate_limited']) {
    it(`retries a hello refused with ${code} (the relay could not answer it now), with backoff`, async () => {
      const t = setup();
      t.client.connect();
      const socket = t.last();
      socket.open();
      socket.receive({ type: 'error', code, message: 'later', ref: 'hello' });
      assert.equal(t.client.state, State.Reconnecting);
      assert.equal(socket.closedWith, CloseCode.Normal, 'the socket is closed, ending any half-made session');
      assert.deepEqual(t.statuses.at(-1), { from: State.Connecting, to: State.Reconnecting, reason: code, code: CloseCode.InternalError });
      await until(() => t.sockets.length === 2, 'another attempt');
      openSession(t);
      assert.equal(t.client.state, State.Open);
    });
  }

  it('does not resume the old session when connect() is given another identity', async () => {
    const t = setup();
    t.client.connect();
    openSession(t);
    t.client.close();
    t.client.connect();
    t.last().open();
    assert.equal(t.last().sent[0].resume, 'r_secret', 'the same identity resumes');
    t.last().receive(welcome());
    t.client.close();
    t.client.connect({ nick: 'grace' });
    t.last().open();
    assert.deepEqual(t.last().sent[0], { type: 'hello', nick: 'grace', rooms: [{ room: 'lobby', since: 0 }], inbox: 0 });
  });

  it('reconnects after a heartbeat timeout: ping after the interval the relay announced, dead after its timeout', () => {
    const clock = new ManualClock();
    const t = setup({ clock });
    t.client.connect();
    const socket = openSession(t, welcome({ ping: 40, pingTimeout: 30 }));
    clock.advance(39);
    assert.equal(socket.sentOf('ping').length, 0, 'not before the interval');
    clock.advance(1);
    assert.equal(socket.sentOf('ping').length, 1, 'a ping after 40 ms of silence');
    clock.advance(29);
    assert.equal(t.client.state, State.Open, 'not dead before the timeout');
    clock.advance(1);
    assert.equal(t.client.state, State.Reconnecting);
    assert.equal(socket.closedWith, CloseCode.HeartbeatTimeout);
    assert.deepEqual(t.statuses.at(-1), { from: State.Open, to: State.Reconnecting, reason: 'heartbeat', code: CloseCode.HeartbeatTimeout });
    clock.advance(20); // the largest backoff of setup()
    assert.equal(t.sockets.length, 2, 'a new socket');
  });

  it('does not ping while frames keep arriving, and any frame answers a ping', () => {
    const clock = new ManualClock();
    const t = setup({ clock });
    t.client.connect();
    const socket = openSession(t, welcome({ ping: 60, pingTimeout: 60 }));
    for (let i = 1; i <= 6; i++) {
      clock.advance(59);
      socket.receive(msg(i));
    }
    assert.equal(socket.sentOf('ping').length, 0, 'six times 59 ms, each time with a frame');
    clock.advance(60);
    assert.equal(socket.sentOf('ping').length, 1, 'a ping after 60 ms of silence');
    clock.advance(59);
    socket.receive({ type: 'pong' });
    clock.advance(59);
    assert.equal(t.client.state, State.Open, 'the pong answered it: 118 ms after the ping, alive');
    assert.equal(socket.sentOf('ping').length, 1);
  });

  it('rotates through a URL list when a relay cannot be reached, and stays on the one that works', async () => {
    const t = setup({ url: ['ws://a/chat', 'ws://b/chat'] });
    t.client.connect();
    t.last().drop(1006);
    await until(() => t.sockets.length === 2, 'a second attempt');
    assert.equal(t.last().url, 'ws://b/chat');
    openSession(t);
    t.last().drop(1001);
    await until(() => t.sockets.length === 3, 'a third attempt');
    assert.equal(t.last().url, 'ws://b/chat');
  });

  it('asks a URL function and a token function before every attempt', async () => {
    let urls = 0;
    let tokens = 0;
    const t = setup({ nick: undefined, url: async () => `ws://n${++urls}/chat`, token: async () => `tok${++tokens}` });
    t.client.connect();
    await until(() => t.sockets.length === 1, 'a socket');
    t.last().open();
    assert.equal(t.last().url, 'ws://n1/chat');
    assert.equal(t.last().sent[0].token, 'tok1');
    t.last().drop(1006);
    await until(() => t.sockets.length === 2, 'a second socket');
    t.last().open();
    assert.equal(t.last().url, 'ws://n2/chat');
    assert.equal(t.last().sent[0].token, 'tok2');
  });

  it('retries when the token function throws', async () => {
    let calls = 0;
    const t = setup({
      token: async () => {
        if (++calls < 3) throw new Error('token service down');
        return 'tok';
      },
    });
    t.client.connect();
    await until(() => t.sockets.length === 1, 'a socket after two failures');
    assert.equal(calls, 3);
    assert.equal(t.client.state, State.Reconnecting);
    assert.equal(t.statuses.at(-1)!.reason, 'failed');
  });

  it('resets the backoff after a connection stayed healthy for resetAfter', async () => {
    const delays: number[] = [];
    let now = 0;
    const timers: Array<() => void> = [];
    const clock = {
      now: () => now,
      setTimeout: (fn: () => void, ms: number) => {
        if (ms !== 20000 && ms !== 10000 && ms !== 1000 && ms !== 100) delays.push(ms);
        timers.push(fn);
        return fn;
      },
      clearTimeout: () => {},
    };
    const random = Math.random;
    Math.random = () => 0.999999;
    try {
      const t = setup({ clock, backoff: { base: 10, cap: 1000, factor: 2, resetAfter: 5000 } });
      t.client.connect();
      const fail = () => {
        t.last().drop(1006);
        const before = t.sockets.length;
        timers.at(-1)!(); // fire the reconnect timer
        assert.equal(t.sockets.length, before + 1);
      };
      fail();
      fail();
      fail();
      assert.deepEqual(delays, [9, 19, 39]);
      openSession(t);
      now += 4999;
      fail(); // not healthy long enough: keeps growing
      assert.equal(delays.at(-1), 79);
      openSession(t);
      now += 5000;
      fail(); // healthy for resetAfter: starts over
      assert.equal(delays.at(-1), 9);
    } finally {
      Math.random = random;
    }
  });
});
