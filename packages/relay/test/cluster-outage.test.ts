import { CloseCode, ErrorCode } from '@parley/protocol';
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { RelayHandle } from '../src/index.js';
import { ClusterHarness, RedisProxy, eventually } from './cluster-helpers.js';
import { get, sleep } from './helpers.js';

const health = async (relay: RelayHandle): Promise<{ status: number; body: Record<string, unknown> }> => {
  const r = await get(relay, '/healthz');
  return { status: r.status, body: JSON.parse(r.text) as Record<string, unknown> };
};

describe('cluster: Redis going away and coming back', () => {
  const c = new ClusterHarness();
  let proxy: RedisProxy;
  const running: RelayHandle[] = [];
  /** A relay for this test only: relays sweep with their own settings, so each test stops the previous test's first. */
  const relay = async (options: Parameters<ClusterHarness['options']>[0]): Promise<RelayHandle> => {
    const r = await c.relay(c.options(options));
    running.push(r);
    return r;
  };
  beforeEach(async () => {
    await proxy.restore();
    await Promise.all(running.splice(0).map((r) => r.close()));
  });
  before(async () => {
    await c.init();
    proxy = await new RedisProxy().start();
  });
  after(async () => {
    await proxy.close();
    await c.close();
  });

  test('reports degraded, refuses sends with unavailable, and catches up by itself when Redis is back', async () => {
    const cut = await relay({ redis: proxy.url });
    const fine = await relay({});
    const ada = await c.chat(cut, { nick: 'o-ada', rooms: [{ room: 'out', since: 0 }] });
    const bob = await c.chat(fine, { nick: 'o-bob', rooms: [{ room: 'out', since: 0 }] });
    await ada.next('presence');

    await proxy.cut();
    await eventually(async () => (await health(cut)).status === 503, '/healthz to say degraded');
    const down = await health(cut);
    assert.deepEqual([down.body.status, down.body.redis], ['degraded', 'down']);
    assert.match((await get(cut, '/metrics')).text, /^parley_redis_up 0$/m);
    assert.equal((await health(fine)).status, 200, 'the other relay is unaffected');

    ada.send({ type: 'send', room: 'out', text: 'during', cid: 'a1' });
    const refused = await ada.next('error');
    assert.deepEqual([refused.code, refused.ref], [ErrorCode.Unavailable, 'a1']);
    for (let i = 1; i <= 3; i++) bob.send({ type: 'send', room: 'out', text: `b${i}`, cid: `b${i}` });
    for (let i = 1; i <= 3; i++) await bob.next('ack');
    const late = await c.open(cut.wsUrl);
    late.send({ type: 'hello', nick: 'o-late' });
    assert.equal((await late.closedWithin()).code, CloseCode.Unavailable, 'a hello is closed with 4005 (retry), not refused');
    assert.ok(!late.received.some((e) => e.type === 'error' && e.ref === 'hello'), 'no hello-refusal a client would take as final');

    await proxy.restore();
    await eventually(async () => (await health(cut)).status === 200, '/healthz to say ok again', 5000);
    assert.deepEqual(
      [(await ada.next('msg')).text, (await ada.next('msg')).text, (await ada.next('msg')).text],
      ['b1', 'b2', 'b3'],
      'what was published meanwhile arrives, in order',
    );
    assert.match((await get(cut, '/metrics')).text, /^parley_cluster_repaired_total [1-9]/m);
    ada.send({ type: 'send', room: 'out', text: 'during', cid: 'a1' });
    assert.equal((await ada.next('ack')).seq, 4);
    assert.equal((await bob.next('msg', (e) => e.from === 'o-ada')).text, 'during');
  });

  test('a relay declared dead while cut off takes its sessions back when Redis returns, without presence changes', async () => {
    const options = { nodeTtlMs: 300, resumeWindowMs: 10_000 };
    const cut = await relay({ ...options, redis: proxy.url });
    const fine = await relay(options);
    const ada = await c.chat(cut, { nick: 'z-ada', rooms: [{ room: 'zombie', since: 0 }] });
    const bob = await c.chat(fine, { nick: 'z-bob', rooms: [{ room: 'zombie', since: 0 }] });
    await ada.next('presence');
    const node = (await health(cut)).body.node as string;
    const [sid] = await c.redis.smembers(`${c.prefix}node/${node}/sessions`);
    const owner = () => c.redis.hget(`${c.prefix}session/${sid}`, 'owner');
    try {
      await proxy.cut();
      await eventually(async () => (await owner()) === '', 'the other relay to orphan the cut-off session', 3000);
      assert.notEqual(await c.redis.zscore(c.prefix + 'orphans', sid!), null);
      await proxy.restore();
      await eventually(async () => (await owner()) === node, 'the session to be taken back', 5000);
      assert.equal(await c.redis.zscore(c.prefix + 'orphans', sid!), null);
      ada.send({ type: 'send', room: 'zombie', text: 'still here', cid: 'z1' });
      assert.equal((await bob.next('msg')).text, 'still here');
      await bob.none('presence', 100);
    } finally {
      await proxy.restore();
    }
  });

  test('closes with 4005 a session that ended while its relay was cut off, so the client starts afresh', async () => {
    // the cut-off relay's heartbeat expires fast; the sweeping one sweeps every second and ends orphans after 300 ms
    const cut = await relay({ nodeTtlMs: 600, resumeWindowMs: 300, redis: proxy.url });
    const fine = await relay({ nodeTtlMs: 3000, resumeWindowMs: 300 });
    const ada = await c.chat(cut, { nick: 'g-ada', rooms: [{ room: 'gone', since: 0 }] });
    const bob = await c.chat(fine, { nick: 'g-bob', rooms: [{ room: 'gone', since: 0 }] });
    await ada.next('presence');

    await proxy.cut();
    const left = await bob.next('presence', undefined, 6000);
    assert.equal(left.event, 'leave', 'the cut-off session is announced as left after ttl and window');
    await sleep(100);
    await proxy.restore();
    assert.equal((await ada.closedWithin(5000)).code, CloseCode.Unavailable);
    const again = await c.open(cut.wsUrl);
    const w = await again.hello({ nick: 'g-ada', rooms: [{ room: 'gone', since: 0 }] });
    assert.equal(w.resumed, false, 'the nickname is free again');
  });
});
