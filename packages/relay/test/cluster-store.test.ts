import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Redis } from 'ioredis';
import { createLogger } from '../src/observability/logger.js';
import { RedisHealth } from '../src/cluster/redis-health.js';
import { RedisKeys } from '../src/cluster/redis-keys.js';
import { defineScripts } from '../src/cluster/redis-scripts.js';
import { RedisStore } from '../src/cluster/redis-store.js';
import { deletePrefix, requireRedis, testPrefix } from './cluster-helpers.js';

const draft = (room: string, n: number) => ({ type: 'msg' as const, room, id: `m${n}`, ts: n, from: 'ada', name: 'ada', text: `t${n}` });
const dm = (from: string, to: string, n: number) => ({ type: 'direct' as const, id: `d${n}`, ts: n, from, name: from, to, text: `t${n}` });

describe('RedisStore', () => {
  let redis: Redis;
  let other: Redis;
  const prefix = testPrefix();
  const keys = new RedisKeys(prefix);
  const log = createLogger('silent');
  const make = (r: Redis, historyLimit = 10, inboxLimit = 10) =>
    new RedisStore(r, defineScripts(r), keys, new RedisHealth({ command: r }, log), { historyLimit, inboxLimit, resumeWindowMs: 1000 });

  before(async () => {
    redis = await requireRedis();
    other = await requireRedis();
    // every store made here adds its health watcher to the same two connections
    redis.setMaxListeners(50);
    other.setMaxListeners(50);
  });
  after(async () => {
    await deletePrefix(redis, prefix);
    redis.disconnect();
    other.disconnect();
  });

  test('stores exactly JSON.stringify({ ...draft, seq }) and publishes it with the session to skip', async () => {
    const store = make(redis);
    const sub = await requireRedis();
    try {
      const got = new Promise<string>((resolve) => sub.on('message', (_c, m) => resolve(m)));
      await sub.subscribe(keys.roomChannel('pub'));
      const r = await store.appendRoom({ ...draft('pub', 1), text: 'quote " newline \n emoji 🎉' }, 'ada', 'c1', 's_x.1');
      assert.equal(await got, 's_x.1\n' + JSON.stringify(r.message));
      assert.deepEqual((await store.replayRoom('pub', 0)).messages, [r.message]);
    } finally {
      sub.disconnect();
    }
  });

  test('never hands out one seq twice when two relays append to one room at once', async () => {
    const a = make(redis, 1000);
    const b = make(other, 1000);
    const sends = Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).appendRoom(draft('race', i), i % 2 ? 'ada' : 'bob', `c${i}`));
    const seqs = (await Promise.all(sends)).map((r) => r.ack.seq).sort((x, y) => x - y);
    assert.deepEqual(seqs, Array.from({ length: 200 }, (_, i) => i + 1));
    const replay = await a.replayRoom('race', 0);
    assert.deepEqual(replay.messages.map((m) => m.seq), seqs);
  });

  test('lets an inbox addressed to a user who ended meanwhile expire', async () => {
    const store = make(redis);
    await store.appendDirect(dm('ada3', 'ghost', 1), 'x');
    const ttl = await redis.pttl(keys.inbox('ghost').log);
    assert.ok(ttl > 0 && ttl <= 1000, `ttl ${ttl}`);
  });

  test('drops a room only when nobody is in it, epoch included', async () => {
    const store = make(redis);
    await store.appendRoom(draft('drop', 1), 'ada', 'c1');
    await redis.hset(keys.members('drop'), '{"id":"ada","name":"ada"}', 1);
    await store.dropRoom('drop');
    assert.equal(await store.roomSeq('drop'), 1);
    await redis.del(keys.members('drop'));
    await store.dropRoom('drop');
    assert.equal(await store.roomSeq('drop'), 0);
    assert.equal(await redis.exists(keys.room('drop').epoch), 0);
    assert.deepEqual(await store.replayRoom('drop', 0), { messages: [] });
  });

  test('drops an inbox only when its user has no session left', async () => {
    const store = make(redis);
    await store.appendDirect(dm('dra', 'drb', 1), 'c1');
    await redis.sadd(keys.user('dra') + '/sessions', 's1');
    await store.dropInbox('dra');
    assert.equal(await store.inboxSeq('dra'), 1);
    await redis.del(keys.user('dra') + '/sessions');
    await store.dropInbox('dra');
    assert.equal(await store.inboxSeq('dra'), 0);
  });

  test('starts a room\'s epoch once, with its first seq, the same for every relay, and a new one when its keys are gone', async () => {
    const a = make(redis);
    const b = make(other);
    await a.appendRoom(draft('ep', 1), 'ada', 'c1');
    const head = await b.roomHead('ep');
    assert.equal(head.seq, 1);
    assert.match(head.epoch, /^e_[A-Za-z0-9_-]{12}$/);
    assert.equal(await redis.get(keys.room('ep').epoch), head.epoch, 'stored beside the seq');
    await b.appendRoom(draft('ep', 2), 'bob', 'c2');
    assert.deepEqual(await a.roomHead('ep'), { seq: 2, epoch: head.epoch }, 'later appends and other relays keep it');
    const empty = await a.roomHead('ep-empty');
    assert.deepEqual(await b.roomHead('ep-empty'), empty, 'an empty room someone entered has one too');
    const k = keys.room('ep');
    await redis.del(k.seq, k.log, k.cids, k.epoch); // Redis lost the room (a flush)
    await b.appendRoom(draft('ep', 3), 'ada', 'c3');
    const fresh = await a.roomHead('ep');
    assert.equal(fresh.seq, 1);
    assert.notEqual(fresh.epoch, head.epoch);
  });
});
