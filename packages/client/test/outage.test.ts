/**
 * A relay in Redis mode that cannot answer a hello for now (Redis cut, or
 * refusing writes): the client keeps trying with backoff and gets in once
 * Redis is back, never stopping for good. Needs the test Redis
 * (127.0.0.1:6379 or PARLEY_TEST_REDIS_URL), like the relay's cluster tests,
 * whose Redis helpers it borrows.
 */
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ErrorCode } from '@parley/protocol';
import { RedisProxy, REDIS_URL, deletePrefix, eventually, requireRedis, testPrefix } from '../../relay/test/cluster-helpers.js';
import { State, type ClientErrorEvent, type StatusEvent } from '../src/index.js';
import { Harness } from './harness.js';
import { until } from './wait.js';

describe('a relay that cannot reach Redis', () => {
  const prefix = testPrefix();
  let redis: Redis;
  let h: Harness;
  before(async () => {
    redis = await requireRedis();
  });
  afterEach(() => h.close());
  after(async () => {
    await deletePrefix(redis, prefix);
    redis.disconnect();
  });

  /** A client that records its statuses and errors, not yet connected. */
  function watched(url: string, nick: string) {
    const client = h.client({ url, nick, rooms: ['out'] });
    const statuses: StatusEvent[] = [];
    const errors: ClientErrorEvent[] = [];
    client.on('status', (s) => statuses.push(s));
    client.on('error', (e) => errors.push(e));
    return { client, statuses, errors };
  }

  it('keeps retrying while Redis is cut, and gets in once it is back', async () => {
    h = new Harness();
    const proxy = await new RedisProxy().start();
    try {
      const relay = await h.relay({ redis: proxy.url, redisPrefix: prefix });
      await proxy.cut();
      await eventually(async () => (await fetch(relay.url + '/healthz')).status === 503, 'the relay to notice');
      const { client, statuses, errors } = watched(relay.wsUrl, 'cut-ada');
      client.connect();
      await until(() => errors.filter((e) => e.code === ErrorCode.Unavailable).length >= 2, 'two refused attempts', 8000);
      assert.notEqual(client.state, State.Closed);
      await proxy.restore();
      await until(() => client.state === State.Open, 'a session once Redis is back', 10_000);
      assert.ok(!statuses.some((s) => s.to === State.Closed), 'never stopped for good');
    } finally {
      await proxy.close();
    }
  });

  it('retries a hello the relay failed on (internal, ref "hello": Redis refused the write), and gets in once Redis accepts it', async () => {
    h = new Harness();
    const user = `parley-test-${randomBytes(5).toString('hex')}`;
    const password = randomBytes(12).toString('hex');
    // a Redis user of this test's keys only, whose scripts can be refused (as a full Redis refuses writes)
    await redis.call('ACL', 'SETUSER', user, 'on', `>${password}`, `~${prefix}*`, `&${prefix}*`, '+@all');
    try {
      const url = new URL(REDIS_URL);
      url.username = user;
      url.password = password;
      const relay = await h.relay({ redis: url.toString(), redisPrefix: prefix });
      await redis.call('ACL', 'SETUSER', user, '-@scripting');
      const { client, statuses, errors } = watched(relay.wsUrl, 'full-ada');
      client.connect();
      await until(() => errors.filter((e) => e.code === ErrorCode.Internal && e.ref === 'hello').length >= 2, 'two refused hellos', 8000);
      assert.notEqual(client.state, State.Closed);
      assert.ok(statuses.some((s) => s.to === State.Reconnecting && s.reason === ErrorCode.Internal));
      await redis.call('ACL', 'SETUSER', user, '+@scripting');
      await until(() => client.state === State.Open, 'a session once Redis accepts writes again', 10_000);
      assert.ok(!statuses.some((s) => s.to === State.Closed), 'never stopped for good');
    } finally {
      await h.close();
      await redis.call('ACL', 'DELUSER', user);
    }
  });
});
