import { CloseCode, ErrorCode, MAX_TEXT_LENGTH, SUBPROTOCOL } from '@parley/protocol';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RelayHandle } from '../src/index.js';
import { Harness, sleep } from './helpers.js';

describe('handshake', () => {
  const h = new Harness();
  let relay: RelayHandle;
  /** The hello timeout of this file's relay, ms. */
  const HELLO_TIMEOUT_MS = 400;
  before(async () => {
    relay = await h.relay({ helloTimeoutMs: HELLO_TIMEOUT_MS, maxRooms: 5, clientPingMs: 15_000, clientPingTimeoutMs: 5000 });
  });
  after(() => h.close());

  test('selects the parley.v1 subprotocol', async () => {
    const c = await h.open(relay.wsUrl);
    assert.equal(c.ws.protocol, SUBPROTOCOL);
  });

  test('welcomes a nickname with a session, the user, a resume secret and the limits in force', async () => {
    const c = await h.open(relay.wsUrl);
    const w = await c.hello({ nick: '  Ada Lovelace ' });
    assert.match(String(w.session), /^s_/);
    assert.equal((w.user as { name: string }).name, 'Ada Lovelace');
    assert.equal(typeof (w.user as { id: string }).id, 'string');
    assert.match(String(w.resume), /^r_[A-Za-z0-9_-]{32}$/);
    assert.equal(w.resumed, false);
    assert.equal(w.inbox, 0);
    assert.deepEqual(w.rooms, []);
    assert.deepEqual(w.limits, { text: MAX_TEXT_LENGTH, rooms: 5, frame: 1_048_576, ping: 15_000, pingTimeout: 5000 });
  });

  test('joins the rooms the hello names and reports their state in welcome', async () => {
    const c = await h.open(relay.wsUrl);
    const w = await c.hello({ nick: 'roomy', rooms: [{ room: 'hs-a', since: 0 }, { room: 'hs-b', since: 0 }] });
    assert.deepEqual(
      (w.rooms as Array<{ room: string }>).map((r) => r.room),
      ['hs-a', 'hs-b'],
    );
    assert.deepEqual((w.rooms as Array<{ members: unknown }>)[0]!.members, [{ id: 'roomy', name: 'roomy' }]);
  });

  test('refuses a taken nickname case-insensitively and keeps the connection open for another hello', async () => {
    await h.chat(relay, { nick: 'Grace' });
    const c = await h.open(relay.wsUrl);
    for (const nick of ['grace', 'GRACE', 'Ｇｒａｃｅ']) {
      c.send({ type: 'hello', nick });
      const e = await c.next('error');
      assert.equal(e.code, ErrorCode.NicknameTaken);
      assert.equal(e.ref, 'hello');
    }
    const w = await c.hello({ nick: 'Grace2' });
    assert.equal((w.user as { name: string }).name, 'Grace2');
  });

  test('refuses nicknames with control or invisible characters', async () => {
    const c = await h.open(relay.wsUrl);
    for (const nick of ['a\u200Bb', 'evil\u202Eoops', 'tab\there', '', '   ', 'x'.repeat(33), '\u3164']) {
      c.send({ type: 'hello', nick });
      const e = await c.next('error');
      assert.equal(e.code, ErrorCode.BadNickname, JSON.stringify(nick));
      assert.equal(e.ref, 'hello');
    }
  });

  test('asks for a nick or token when the hello has neither', async () => {
    const c = await h.open(relay.wsUrl);
    c.send({ type: 'hello' });
    const e = await c.next('error');
    assert.equal(e.code, ErrorCode.BadField);
    assert.equal(e.ref, 'hello');
  });

  test('accepts only hello and ping before welcome', async () => {
    const c = await h.open(relay.wsUrl);
    c.send({ type: 'ping', ts: 7 });
    assert.deepEqual(await c.next('pong'), { type: 'pong', ts: 7 });
    c.send({ type: 'send', room: 'lobby', text: 'hi', cid: 'c1' });
    const e = await c.next('error');
    assert.equal(e.code, ErrorCode.NotAuthenticated);
    assert.equal(e.ref, 'c1');
  });

  test('refuses a second hello with already_authenticated', async () => {
    const c = await h.chat(relay, { nick: 'twice' });
    c.send({ type: 'hello', nick: 'again' });
    const e = await c.next('error');
    assert.equal(e.code, ErrorCode.AlreadyAuthenticated);
    assert.equal(e.ref, 'hello');
  });

  test('closes with 4002 when no hello arrives within the hello timeout', async () => {
    const c = await h.open(relay.wsUrl);
    const started = Date.now();
    const { code } = await c.closedWithin();
    assert.equal(code, CloseCode.HelloTimeout);
    assert.ok(Date.now() - started >= HELLO_TIMEOUT_MS - 100, 'not before the timeout');
  });

  test('does not close a welcomed session at the hello timeout', async () => {
    const c = await h.chat(relay, { nick: 'patient' });
    // the point of the test: the hello timer, had it been left running, would have fired by now
    await sleep(HELLO_TIMEOUT_MS + 200);
    c.send({ type: 'ping' });
    await c.next('pong');
  });

  test('refuses a client that offers no subprotocol with 4503 naming parley.v1', async () => {
    const c = await h.open(relay.wsUrl, []);
    const { code, reason } = await c.closedWithin();
    assert.equal(code, CloseCode.UnsupportedProtocol);
    assert.match(reason, /parley\.v1/);
  });

  test('refuses a client that offers only another subprotocol with 4503', async () => {
    const c = await h.open(relay.wsUrl, ['chat.v9']);
    const { code, reason } = await c.closedWithin();
    assert.equal(code, CloseCode.UnsupportedProtocol);
    assert.match(reason, /parley\.v1/);
  });

  test('answers a hello with a nick with anonymous_disabled when anonymous nicknames are off', async () => {
    const closed = await h.relay({ anonymous: false });
    const c = await h.open(closed.wsUrl);
    c.send({ type: 'hello', nick: 'ada' });
    const e = await c.next('error');
    assert.equal(e.code, ErrorCode.AnonymousDisabled);
    assert.equal(e.ref, 'hello');
  });
});
