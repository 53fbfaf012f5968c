/**
 * Token identity against a real relay: a token function is asked before
 * every connect, an expired token reconnects with a fresh one, a refused one stops.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { CloseCode } from '@parley/protocol';
import { State, type StatusEvent } from '../src/index.js';
import { ManualClock } from './clock.js';
import { Harness } from './harness.js';
import { next, until } from './wait.js';

const SECRET = 'test-secret-of-at-least-32-bytes-length!';
const b64 = (v: object | Buffer) => (Buffer.isBuffer(v) ? v : Buffer.from(JSON.stringify(v))).toString('base64url');

/** An HS256 JWT, as an auth server would make it. */
function jwt(claims: object, secret = SECRET): string {
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
  return `${head}.${b64(createHmac('sha256', secret).update(head).digest())}`;
}

describe('tokens', () => {
  const h = new Harness();
  after(() => h.close());

  it('asks the token function before every connect, and reconnects with a fresh token when one expires (4003)', async () => {
    const relay = await h.relay({ tokenSecret: SECRET });
    const issued: number[] = [];
    const token = async () => {
      // the first token lives about a second, the next ones an hour
      const exp = Math.floor(Date.now() / 1000) + (issued.length === 0 ? 1 : 3600);
      issued.push(exp);
      return jwt({ sub: 'u1', name: 'Ada', exp });
    };
    const client = h.client({ url: relay.wsUrl, token, rooms: ['t'] });
    const statuses: StatusEvent[] = [];
    client.on('status', (s) => statuses.push(s));
    client.connect();
    await until(() => client.state === State.Open, 'the first session');
    assert.deepEqual(client.user, { id: 'u1', name: 'Ada' });
    await until(() => statuses.some((s) => s.code === CloseCode.TokenExpired), 'the expiry close', 5000);
    await until(() => client.state === State.Open && issued.length === 2, 'a session with a fresh token', 5000);
    assert.equal((await client.members('t')).length, 1, 'the new session answers');
    assert.equal(client.state, State.Open);
    assert.equal(issued.length, 2, 'one token per session: no more');
  });

  it('stops for good when the relay refuses the token', async () => {
    const relay = await h.relay({ tokenSecret: SECRET });
    let asked = 0;
    const clock = new ManualClock(); // a retry could only come from a timer
    const client = h.client({
      url: relay.wsUrl,
      clock,
      token: () => (asked++, jwt({ sub: 'u2', exp: Math.floor(Date.now() / 1000) + 60 }, 'another-secret-of-at-least-32-bytes!!')),
    });
    const error = next(client, 'error');
    const closed = next(client, 'status', (s) => s.to === State.Closed);
    client.connect();
    assert.equal((await error).code, 'auth_failed');
    assert.equal((await closed).reason, 'auth_failed');
    clock.advance(10 * 60_000);
    assert.equal(asked, 1, 'no second attempt');
    assert.equal(client.state, State.Closed);
  });
});
