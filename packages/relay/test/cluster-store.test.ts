import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Redis } from 'ioredis';
import { createLogger } from '../src/logger.js';
import { RedisHealth } from '../src/redis-health.js';
import { RedisKeys } from '../src/redis-keys.js';
import { defineScripts } from '../src/redis-scripts.js';
import { RedisStore } from '../src/redis-store.js';
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

  test('assigns per-room seqs and answers a repeated (user, cid) with the first ack', async () => {
    const store = make(redis);
    const a = await store.appendRoom(draft('r1', 1), 'ada', 'c1');
    const b = await store.appendRoom(draft('s1', 2), 'ada', 'c2');
    const again = await store.appendRoom(draft('r1', 3), 'ada', 'c1');
    assert.deepEqual([a.ack.seq, b.ack.seq], [1, 1]);
    assert.deepEqual(again, { ack: a.ack });
    assert.equal(await store.roomSeq('r1'), 1);
    assert.notDeepEqual((await store.appendRoom(draft('r1', 4), 'bob', 'c1')).ack, a.ack, 'cids are per user');
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

  test('keeps historyLimit messages, replays with a gap when history no longer reaches back, and forgets trimmed cids', async () => {
    const store = make(redis, 3);
    for (let i = 1; i <= 5; i++) await store.appendRoom(draft('trim', i), 'ada', `c${i}`);
    assert.deepEqual(await store.replayRoom('trim', 4).then((r) => r.messages.map((m) => m.seq)), [5]);
    assert.deepEqual(await store.replayRoom('trim', 5), { messages: [] });
    const r = await store.replayRoom('trim', 0);
    assert.deepEqual(r.gap, { start: 1, end: 2 });
    assert.deepEqual(r.messages.map((m) => m.seq), [3, 4, 5]);
    assert.equal((await store.replayRoom('trim', 9)).messages.length, 3, 'a cursor from an earlier incarnation gets everything');
    assert.equal(await redis.zcard(keys.room('trim').cids), 3);
    const again = await store.appendRoom(draft('trim', 6), 'ada', 'c1');
    assert.equal(again.message?.seq, 6, 'a cid whose message left the history is new again');
  });

  test('pages newest first and says whether more is retained', async () => {
    const store = make(redis);
    for (let i = 1; i <= 5; i++) await store.appendRoom(draft('page', i), 'ada', `c${i}`);
    const p = await store.pageRoom('page', undefined, 2);
    assert.deepEqual([p.messages.map((m) => m.seq), p.more], [[5, 4], true]);
    const q = await store.pageRoom('page', 3, 5);
    assert.deepEqual([q.messages.map((m) => m.seq), q.more], [[2, 1], false]);
    assert.deepEqual(await store.pageRoom('page', 1, 5), { messages: [], more: false });
  });

  test('keeps a direct message in both inboxes with their own seqs, acks with the sender seq, and dedups by cid', async () => {
    const store = make(redis);
    await redis.hset(keys.user('bob2'), 'member', '{}');
    await store.appendDirect(dm('cy2', 'bob2', 1), 'x');
    const r = await store.appendDirect(dm('ada2', 'bob2', 2), 'y');
    assert.equal(r.recipientCopy!.seq, 2);
    assert.equal(r.senderCopy!.seq, 1);
    assert.equal(r.ack.seq, 1);
    assert.deepEqual(await store.appendDirect(dm('ada2', 'bob2', 3), 'y'), { ack: r.ack });
    await redis.hset(keys.user('ada2'), 'member', '{}');
    const self = await store.appendDirect(dm('ada2', 'ada2', 4), 'z');
    assert.equal(self.senderCopy, undefined);
    assert.equal(await store.inboxSeq('ada2'), 2);
    assert.equal(await redis.pttl(keys.inbox('bob2').log), -1, 'a live addressee keeps its inbox');
    assert.ok((await redis.pttl(keys.inbox('cy2').log)) < 0, 'the sender inbox never expires');
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
