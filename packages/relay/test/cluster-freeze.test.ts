/**
 * Redis that stops answering without closing anything (SIGSTOP, or a link
 * that takes bytes and answers nothing), through a proxy that freezes: the
 * relay's health says so within its probe timeout and comes back by itself,
 * and a send the relay refused with `unavailable` is never stored, published
 * or delivered when Redis answers again.
 */
import { CloseCode, ErrorCode } from '@parley/protocol';
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import type { RelayHandle } from '../src/index.js';
import { RedisHealth } from '../src/cluster/redis-health.js';
import { RedisKeys } from '../src/cluster/redis-keys.js';
import { defineScripts } from '../src/cluster/redis-scripts.js';
import { RedisStore } from '../src/cluster/redis-store.js';
import { REDIS_COMMAND_TIMEOUT_MS, REDIS_PROBE_INTERVAL_MS, REDIS_PROBE_TIMEOUT_MS } from '../src/cluster/redis-timing.js';
import { createLogger } from '../src/observability/logger.js';
import { UnavailableError } from '../src/store/errors.js';
import { ClusterHarness, RedisProxy, eventually } from './cluster-helpers.js';
import { get, sleep } from './helpers.js';

const health = async (relay: RelayHandle): Promise<{ status: number; body: Record<string, unknown> }> => {
  const r = await get(relay, '/healthz');
  return { status: r.status, body: JSON.parse(r.text) as Record<string, unknown> };
};

/** Longest the relay may take to notice a frozen Redis: a probe round, then the probe's timeout (and some slack for a busy machine). */
const NOTICE_MS = REDIS_PROBE_INTERVAL_MS + REDIS_PROBE_TIMEOUT_MS + 1500;

describe('cluster: Redis frozen (answers nothing, closes nothing)', () => {
  const c = new ClusterHarness();
  let proxy: RedisProxy;
  const running: RelayHandle[] = [];
  const relay = async (options: Parameters<ClusterHarness['options']>[0]): Promise<RelayHandle> => {
    const r = await c.relay(c.options(options));
    running.push(r);
    return r;
  };
  before(async () => {
    await c.init();
    proxy = await new RedisProxy().start();
  });
  beforeEach(async () => {
    proxy.thaw();
    await Promise.all(running.splice(0).map((r) => r.close()));
  });
  after(async () => {
    proxy.thaw();
    await proxy.close();
    await c.close();
  });

  test('/healthz says degraded with redis down within the probe timeout, and ok again by itself once Redis answers', async () => {
    const frozen = await relay({ redis: proxy.url });
    assert.equal((await health(frozen)).status, 200);
    proxy.freeze();
    const since = Date.now();
    try {
      await eventually(async () => (await health(frozen)).status === 503, '/healthz to say degraded', NOTICE_MS);
      const down = await health(frozen);
      assert.deepEqual([down.body.status, down.body.redis], ['degraded', 'down']);
      assert.ok(Date.now() - since >= REDIS_PROBE_TIMEOUT_MS - 100, 'not before a probe went unanswered for the timeout');
      assert.match((await get(frozen, '/metrics')).text, /^parley_redis_up 0$/m);
      const ada = await c.chat(await relay({}), { nick: 'h-ada', rooms: [{ room: 'h', since: 0 }] });
      const late = await c.open(frozen.wsUrl);
      late.send({ type: 'hello', nick: 'h-late' });
      assert.equal((await late.closedWithin(1000)).code, CloseCode.Unavailable, 'a hello is closed (retry) at once while Redis is down, not after a command timeout');
      await ada.none('presence', 100);
    } finally {
      proxy.thaw();
    }
    await eventually(async () => (await health(frozen)).status === 200, '/healthz to say ok again', NOTICE_MS);
    assert.equal((await health(frozen)).body.redis, 'up');
    const bob = await c.chat(frozen, { nick: 'h-bob', rooms: [{ room: 'h', since: 0 }] });
    bob.send({ type: 'send', room: 'h', text: 'back', cid: 'h1' });
    assert.equal((await bob.next('ack')).seq, 1);
  });

  test('never stores or delivers a send it answered unavailable while Redis was frozen', async () => {
    const frozen = await relay({ redis: proxy.url });
    const fine = await relay({});
    const ada = await c.chat(frozen, { nick: 'f-ada', rooms: [{ room: 'frost', since: 0 }] });
    const bob = await c.chat(fine, { nick: 'f-bob', rooms: [{ room: 'frost', since: 0 }] });
    await ada.next('presence');
    ada.send({ type: 'send', room: 'frost', text: 'before', cid: 'f0' });
    assert.equal((await ada.next('ack')).seq, 1);
    assert.equal((await bob.next('msg')).text, 'before');

    proxy.freeze();
    try {
      // sent before the relay noticed: the command is held on the way to Redis
      ada.send({ type: 'send', room: 'frost', text: 'during', cid: 'f1' });
      const refused = await ada.next('error', undefined, REDIS_COMMAND_TIMEOUT_MS + 2000);
      assert.deepEqual([refused.code, refused.ref], [ErrorCode.Unavailable, 'f1']);
    } finally {
      proxy.thaw();
    }
    await eventually(async () => (await health(frozen)).status === 200, '/healthz to say ok again', NOTICE_MS);
    await bob.none('msg', 500);
    assert.deepEqual(await c.redis.zrange(`${c.prefix}room/frost/log`, 0, -1).then((l) => l.map((j) => (JSON.parse(j) as { text: string }).text)), ['before'], 'the refused send is not in history');

    ada.send({ type: 'send', room: 'frost', text: 'during', cid: 'f1' });
    const ack = await ada.next('ack');
    assert.equal(ack.seq, 2, 'the refused send took no seq; its cid is stored now, once');
    assert.equal((await bob.next('msg')).text, 'during');
    await bob.none('msg', 300);
  });

  test('a direct message refused while Redis was frozen is in neither inbox afterwards', async () => {
    const dproxy = await new RedisProxy().start();
    const r = new Redis(dproxy.url, { maxRetriesPerRequest: null, commandTimeout: REDIS_COMMAND_TIMEOUT_MS });
    const log = createLogger('silent');
    const h = new RedisHealth({ command: r }, log);
    const keys = new RedisKeys(c.prefix);
    const store = new RedisStore(r, defineScripts(r), keys, h, { historyLimit: 100, inboxLimit: 100, resumeWindowMs: 60_000 });
    const dm = (n: number) => ({ type: 'direct' as const, id: `d${n}`, ts: n, from: 'u_fa', name: 'fa', to: 'u_fb', text: `t${n}` });
    try {
      await eventually(() => h.available, 'the store to be ready');
      await store.appendDirect(dm(1), 'c1');
      dproxy.freeze();
      const started = Date.now();
      await assert.rejects(store.appendDirect(dm(2), 'c2'), UnavailableError);
      assert.ok(Date.now() - started >= REDIS_COMMAND_TIMEOUT_MS - 50, 'refused by the command timeout');
      dproxy.thaw();
      await eventually(() => h.available, 'the health to see Redis again', NOTICE_MS);
      await sleep(100);
      const texts = async (user: string) => (await store.replayInbox(user, 0)).messages.map((m) => m.text);
      assert.deepEqual(await texts('u_fb'), ['t1'], "the refused message is not in the addressee's inbox");
      assert.deepEqual(await texts('u_fa'), ['t1'], "nor in the sender's");
      const again = await store.appendDirect(dm(3), 'c2');
      assert.ok(again.recipientCopy, 'the refused cid was not remembered');
      assert.equal(again.ack.seq, 2);
    } finally {
      dproxy.thaw();
      h.stop();
      r.disconnect();
      await dproxy.close();
    }
  });
});
