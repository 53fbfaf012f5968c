// Token forgery and replay: tampered, re-signed, unsigned, other-algorithm,
// expired, claim-less and wrong-room tokens are refused with the documented
// error and close code; an expired token cannot be replayed, a session ends
// when its token expires, and its resume secret dies with it.
import { createRelay, type RelayHandle } from '@parley/relay';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Peer } from '../support/peer.js';
import { sleep } from '../support/wait.js';

const SECRET = 'tokens-test-secret-of-at-least-32-characters';
const b64 = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
const now = (): number => Math.floor(Date.now() / 1000);

/** Signs a JWT by hand, so every part of it can be broken. */
function sign(claims: Record<string, unknown>, o: { secret?: string; alg?: string; header?: Record<string, unknown>; hash?: string } = {}): string {
  const body = `${b64({ alg: o.alg ?? 'HS256', typ: 'JWT', ...o.header })}.${b64(claims)}`;
  return `${body}.${createHmac(o.hash ?? 'sha256', o.secret ?? SECRET).update(body).digest('base64url')}`;
}

const valid = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ sub: 'ada', name: 'Ada', exp: now() + 600, ...extra });

describe('token forgery and replay', { timeout: 30_000 }, () => {
  let relay: RelayHandle;
  const peers: Peer[] = [];
  const hello = async (fields: Record<string, unknown>): Promise<{ answer: Record<string, any>; peer: Peer }> => {
    const peer = await Peer.open(relay.wsUrl);
    peers.push(peer);
    return { answer: await peer.hello(fields), peer };
  };
  const refused = async (token: string, code: string, close: number, what: string): Promise<void> => {
    const { answer, peer } = await hello({ token });
    assert.deepEqual([answer.type, answer.code], ['error', code], what);
    assert.equal((await peer.closed).code, close, what);
  };
  before(async () => {
    relay = await createRelay({ port: 0, host: '127.0.0.1', log: false, tokenSecret: SECRET, anonymous: false });
  });
  after(async () => {
    await Promise.all(peers.map((p) => p.close()));
    await relay.close();
  });

  test('accepts a well-signed token and takes the identity from it', async () => {
    const { answer } = await hello({ token: sign(valid()) });
    assert.equal(answer.type, 'welcome');
    assert.deepEqual(answer.user, { id: 'ada', name: 'Ada' });
  });

  test('refuses tampered claims (same signature) with auth_failed and 4500', async () => {
    const [h, , s] = sign(valid()).split('.');
    await refused(`${h}.${b64(valid({ sub: 'admin' }))}.${s}`, 'auth_failed', 4500, 'tampered sub');
    await refused(`${h}.${b64(valid({ exp: now() + 999_999 }))}.${s}`, 'auth_failed', 4500, 'tampered exp');
    await refused(`${h}.${b64(valid({ rooms: undefined }))}.${s!.slice(0, -2)}AA`, 'auth_failed', 4500, 'tampered signature');
  });

  test('refuses a token signed with another secret, another algorithm, or none', async () => {
    await refused(sign(valid(), { secret: 'another-secret-of-at-least-32-characters!!' }), 'auth_failed', 4500, 'other secret');
    await refused(sign(valid(), { alg: 'HS512', hash: 'sha512' }), 'auth_failed', 4500, 'HS512');
    await refused(sign(valid(), { alg: 'HS384', hash: 'sha384' }), 'auth_failed', 4500, 'HS384');
    await refused(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(valid())}.`, 'auth_failed', 4500, 'alg none');
    await refused(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(valid())}`, 'auth_failed', 4500, 'alg none, two parts');
    await refused(sign(valid(), { alg: 'RS256' }), 'auth_failed', 4500, 'RS256 header over an HMAC');
    await refused(sign(valid(), { header: { crit: ['x'], x: 1 } }), 'auth_failed', 4500, 'unknown crit header');
  });

  test('refuses malformed tokens and claims', async () => {
    for (const [token, what] of [
      ['not-a-token', 'garbage'],
      ['a.b.c', 'three garbage parts'],
      [sign({ sub: 'ada', name: 'Ada' }), 'no exp'],
      [sign({ name: 'Ada', exp: now() + 60 }), 'no sub'],
      [sign(valid({ sub: 'ada smith' })), 'sub breaking the id rules'],
      [sign(valid({ sub: 'x'.repeat(65) })), 'sub too long'],
      [sign(valid({ name: 'A\u202eda' })), 'name with a bidi override'],
      [sign(valid({ name: 'A\u200bda' })), 'name with a zero-width space'],
      [sign(valid({ rooms: 'lobby' })), 'rooms not a list'],
      [sign(valid({ exp: 'tomorrow' })), 'exp not a number'],
      [sign(valid({ nbf: now() + 3600 })), 'not valid before an hour from now'],
    ] as const) {
      await refused(token, 'auth_failed', 4500, what);
    }
  });

  test('refuses an expired token with token_expired and 4003, so it cannot be replayed', async () => {
    await refused(sign(valid({ exp: now() - 1 })), 'token_expired', 4003, 'expired a second ago');
    await refused(sign(valid({ exp: now() - 86_400 })), 'token_expired', 4003, 'expired yesterday');
  });

  test('closes a session with 4003 when its token expires, and its resume secret dies with it', async () => {
    const { answer, peer } = await hello({ token: sign(valid({ sub: 'brief', name: 'brief', exp: now() + 2 })) });
    assert.equal(answer.type, 'welcome');
    assert.equal((await Promise.race([peer.closed, sleep(4000).then(() => ({ code: 0 }))])).code, 4003);
    const { answer: again } = await hello({ resume: answer.resume });
    assert.notEqual(again.type === 'welcome' && again.resumed, true, 'the expired session was resumed');
  });

  test('refuses the rooms a token does not name: in hello and in join', async () => {
    const { answer, peer } = await hello({ token: sign(valid({ sub: 'roomy', name: 'roomy', rooms: ['allowed'] })), rooms: [{ room: 'allowed', since: 0 }, { room: 'secret', since: 0 }] });
    assert.equal(answer.type, 'welcome');
    assert.deepEqual(answer.rooms.map((r: { room: string }) => r.room), ['allowed']);
    await peer.next((e) => e.type === 'error' && e.code === 'room_forbidden');
    peer.send({ type: 'join', room: 'secret' });
    peer.send({ type: 'join', room: 'Allowed' });
    await peer.fence();
    assert.equal(peer.all('error').filter((e) => e.code === 'room_forbidden').length, 3);
    assert.equal(peer.all('joined').length, 0);
    peer.send({ type: 'history', qid: 'h', room: 'secret' });
    const err = await peer.next((e) => e.ref === 'h');
    assert.equal(err.type, 'error', 'no history of a forbidden room');
  });

  test('refuses anonymous nicknames when the relay requires tokens', async () => {
    const { answer } = await hello({ nick: 'anon' });
    assert.deepEqual([answer.type, answer.code], ['error', 'anonymous_disabled']);
  });
});
