import { CloseCode, ErrorCode } from '@parley/protocol';
import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import { after, before, describe, test } from 'node:test';
import type { RelayHandle } from '../src/index.js';
import { Harness } from './helpers.js';

const SECRET = 'a-test-secret-that-is-at-least-32-chars';

/** Signs a token; `exp` in seconds from now. */
function token(claims: Record<string, unknown>, { exp = 60, secret = SECRET, alg = 'HS256' } = {}): Promise<string> {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg }).setIssuedAt();
  if (exp !== 0) jwt.setExpirationTime(Math.floor(Date.now() / 1000) + exp);
  return jwt.sign(new TextEncoder().encode(secret));
}

describe('signed tokens', () => {
  const h = new Harness();
  let relay: RelayHandle;
  before(async () => {
    relay = await h.relay({ tokenSecret: SECRET, anonymous: false });
  });
  after(() => h.close());

  test('welcomes a valid token as its subject with its display name', async () => {
    const c = await h.open(relay.wsUrl);
    const w = await c.hello({ token: await token({ sub: 'u-42', name: '  Ada L. ' }) });
    assert.deepEqual(w.user, { id: 'u-42', name: 'Ada L.' });
  });

  test('uses the subject as the name when the token has none', async () => {
    const c = await h.open(relay.wsUrl);
    const w = await c.hello({ token: await token({ sub: 'plain-sub' }) });
    assert.deepEqual(w.user, { id: 'plain-sub', name: 'plain-sub' });
  });

  test('refuses a bad signature with auth_failed and closes with 4500', async () => {
    const c = await h.open(relay.wsUrl);
    c.send({ type: 'hello', token: await token({ sub: 'x' }, { secret: 'another-secret-that-is-long-enough-xx' }) });
    const e = await c.next('error');
    assert.deepEqual([e.code, e.ref], [ErrorCode.AuthFailed, 'hello']);
    assert.equal((await c.closedWithin()).code, CloseCode.AuthFailed);
  });

  test('refuses an expired token with token_expired and closes with 4003', async () => {
    const c = await h.open(relay.wsUrl);
    c.send({ type: 'hello', token: await token({ sub: 'late' }, { exp: -10 }) });
    assert.equal((await c.next('error')).code, ErrorCode.TokenExpired);
    assert.equal((await c.closedWithin()).code, CloseCode.TokenExpired);
  });

  test('refuses a token without expiry, with another algorithm, or with malformed claims', async () => {
    const bad = [
      await token({ sub: 'forever' }, { exp: 0 }),
      await token({ sub: 'hs512' }, { alg: 'HS512' }),
      await token({ sub: 'bad sub!' }),
      await token({ sub: 'x', name: 'a\u202Eb' }),
      await token({ sub: 'x', rooms: 'lobby' }),
      'not.a.jwt',
    ];
    for (const t of bad) {
      const c = await h.open(relay.wsUrl);
      c.send({ type: 'hello', token: t });
      assert.equal((await c.next('error')).code, ErrorCode.AuthFailed, t);
      assert.equal((await c.closedWithin()).code, CloseCode.AuthFailed);
    }
  });

  test('refuses with auth_failed and 4500, naming the maximum, a token that lives longer than maxTokenLifetime', async () => {
    const HUNDRED_YEARS_S = 100 * 365 * 86_400;
    const now = Math.floor(Date.now() / 1000);
    const key = new TextEncoder().encode(SECRET);
    const bad = [
      await token({ sub: 'centenarian' }, { exp: HUNDRED_YEARS_S }),
      // without iat the lifetime counts from now
      await new SignJWT({ sub: 'no-iat' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(now + 31 * 86_400).sign(key),
      // an iat in the future does not make a long-lived token look young
      await new SignJWT({ sub: 'future-iat' }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt(now + HUNDRED_YEARS_S - 60).setExpirationTime(now + HUNDRED_YEARS_S).sign(key),
    ];
    for (const t of bad) {
      const c = await h.open(relay.wsUrl);
      c.send({ type: 'hello', token: t });
      const e = await c.next('error');
      assert.deepEqual([e.code, e.ref], [ErrorCode.AuthFailed, 'hello']);
      assert.match(String(e.message), /longer than this relay's maximum of 2592000 s/);
      assert.equal((await c.closedWithin()).code, CloseCode.AuthFailed);
    }
    const c = await h.open(relay.wsUrl);
    const w = await c.hello({ token: await token({ sub: 'month' }, { exp: 29 * 86_400 }) });
    assert.equal((w.user as { id: string }).id, 'month', 'a token within the maximum is welcomed');
  });

  test('holds a token to a maxTokenLifetime the relay is given', async () => {
    const strict = await h.relay({ tokenSecret: SECRET, maxTokenLifetime: 120 });
    const ok = await h.open(strict.wsUrl);
    await ok.hello({ token: await token({ sub: 'brief' }, { exp: 60 }) });
    const long = await h.open(strict.wsUrl);
    long.send({ type: 'hello', token: await token({ sub: 'too-long' }, { exp: 300 }) });
    assert.match(String((await long.next('error')).message), /maximum of 120 s/);
    assert.equal((await long.closedWithin()).code, CloseCode.AuthFailed);
  });

  test('refuses a room the token does not allow with room_forbidden', async () => {
    const c = await h.open(relay.wsUrl);
    const w = await c.hello({ token: await token({ sub: 'limited', rooms: ['ok'] }), rooms: [{ room: 'ok', since: 0 }, { room: 'secret', since: 0 }] });
    assert.deepEqual((w.rooms as Array<{ room: string }>).map((r) => r.room), ['ok']);
    assert.equal((await c.next('error')).code, ErrorCode.RoomForbidden);
    c.send({ type: 'join', room: 'secret' });
    assert.equal((await c.next('error')).code, ErrorCode.RoomForbidden);
    c.send({ type: 'join', room: 'ok' });
    await c.next('joined');
  });

  test('refuses anonymous nicknames when they are turned off', async () => {
    const c = await h.open(relay.wsUrl);
    c.send({ type: 'hello', nick: 'anon' });
    assert.equal((await c.next('error')).code, ErrorCode.AnonymousDisabled);
  });

  test('lets one subject hold several sessions: presence once, dms to every session', async () => {
    const t = await token({ sub: 'multi', name: 'Multi' });
    const watcher = await h.open(relay.wsUrl);
    await watcher.hello({ token: await token({ sub: 'watcher' }), rooms: [{ room: 'pm', since: 0 }] });
    const one = await h.open(relay.wsUrl);
    await one.hello({ token: t, rooms: [{ room: 'pm', since: 0 }] });
    const two = await h.open(relay.wsUrl);
    await two.hello({ token: t, rooms: [{ room: 'pm', since: 0 }] });
    assert.equal((await watcher.next('presence')).event, 'join');
    await watcher.noneBefore('presence');
    watcher.send({ type: 'dm', to: 'multi', text: 'both of you', cid: 'w1' });
    assert.equal((await one.next('direct')).text, 'both of you');
    assert.equal((await two.next('direct')).text, 'both of you');
    one.send({ type: 'dm', to: 'watcher', text: 'from one', cid: 'o1' });
    assert.equal((await two.next('direct', (d) => d.text === 'from one')).from, 'multi', "echoed to the sender's other session");
  });

  test('closes with 4003 when the token expires while connected', async () => {
    const c = await h.open(relay.wsUrl);
    await c.hello({ token: await token({ sub: 'short' }, { exp: 2 }) });
    assert.equal((await c.closedWithin(4000)).code, CloseCode.TokenExpired);
  });

  test('refuses a token with auth_failed and 4500 when no token secret is configured', async () => {
    const open = await h.relay();
    const c = await h.open(open.wsUrl);
    c.send({ type: 'hello', token: await token({ sub: 'x' }) });
    assert.equal((await c.next('error')).code, ErrorCode.AuthFailed);
    assert.equal((await c.closedWithin()).code, CloseCode.AuthFailed);
  });
});
