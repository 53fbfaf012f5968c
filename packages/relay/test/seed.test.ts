import { CloseCode } from '@parley/protocol';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RelayHandle } from '../src/index.js';
import { Harness, eventually, get, sleep, type TestClient } from './helpers.js';

describe('seed profile (plain WebSocket clients)', () => {
  const h = new Harness();
  let relay: RelayHandle;
  let base: string;
  before(async () => {
    relay = await h.relay();
    base = relay.url.replace(/^http/, 'ws');
  });
  after(() => h.close());

  const plain = (path: string) => h.open(base + path, []);
  /** Waits until `watcher` (a protocol client in the lobby) has seen each of `nicks` join. */
  const joined = async (watcher: TestClient, ...nicks: string[]): Promise<void> => {
    for (const nick of nicks) await watcher.next('presence', (p) => p.event === 'join' && (p.user as { id: string }).id === nick);
  };

  test('/ws echoes text as text and binary as binary', async () => {
    const c = await plain('/ws');
    c.send('hello there');
    assert.equal(await c.nextFrame(), 'hello there');
    const bytes = Buffer.from([0, 1, 2, 255]);
    c.ws.send(bytes, { binary: true });
    assert.deepEqual(await c.nextFrame(), bytes);
  });

  test('/ws echoes frames in all three RFC 6455 length forms', async () => {
    const c = await plain('/ws');
    for (const size of [100, 1000, 70_000]) {
      const text = 'e'.repeat(size);
      c.send(text);
      assert.equal(await c.nextFrame(), text);
    }
  });

  test('/ws/<nickname> delivers each text to every other member as exactly {"sender","msg"}', async () => {
    const lobby = await h.chat(relay, { nick: 'lobby-ada-bob', rooms: [{ room: 'lobby', since: 0 }] });
    const ada = await plain('/ws/ada');
    const bob = await plain('/ws/bob');
    await joined(lobby, 'ada', 'bob'); // both are in the lobby before ada speaks
    ada.send('hi "bob" \\ </script>');
    assert.equal(await bob.nextFrame(), '{"sender":"ada","msg":"hi \\"bob\\" \\\\ </script>"}');
    // a sentinel: bob answers; had ada got her own text back, it would be her first frame
    bob.send('back to ada');
    assert.equal(await ada.nextFrame(), '{"sender":"bob","msg":"back to ada"}', 'the sender does not get its own message back');
  });

  test('puts plain and protocol clients in the same default room', async () => {
    const proto = await h.chat(relay, { nick: 'proto', rooms: [{ room: 'lobby', since: 0 }] });
    const carl = await plain('/ws/carl');
    const joined = await proto.next('presence', (p) => (p.user as { id: string }).id === 'carl');
    assert.equal(joined.event, 'join');
    carl.send('from plain');
    const m = await proto.next('msg', (x) => x.from === 'carl');
    assert.deepEqual([m.room, m.name, m.text], ['lobby', 'carl', 'from plain']);
    proto.send({ type: 'send', room: 'lobby', text: 'from protocol', cid: 'p1' });
    assert.equal(await carl.nextFrame(), '{"sender":"proto","msg":"from protocol"}');
  });

  test('never batches frames to plain clients: one message per frame', async () => {
    const proto = await h.chat(relay, { nick: 'batcher', rooms: [{ room: 'lobby', since: 0 }] });
    const dora = await plain('/ws/dora');
    await proto.next('presence', (p) => (p.user as { id: string }).id === 'dora');
    proto.send([1, 2, 3].map((i) => JSON.stringify({ type: 'send', room: 'lobby', text: `b${i}`, cid: `b${i}` })).join('\n'));
    const frames = [await dora.nextFrame(), await dora.nextFrame(), await dora.nextFrame()];
    assert.deepEqual(frames, ['{"sender":"batcher","msg":"b1"}', '{"sender":"batcher","msg":"b2"}', '{"sender":"batcher","msg":"b3"}']);
  });

  test('sends a {"to_user","msg"} text to that user only', async () => {
    const proto = await h.chat(relay, { nick: 'hana', rooms: [{ room: 'lobby', since: 0 }] });
    const erin = await plain('/ws/erin');
    const finn = await plain('/ws/finn');
    const gus = await plain('/ws/gus');
    await joined(proto, 'erin', 'finn', 'gus'); // every nickname is held before erin writes to finn
    erin.send(JSON.stringify({ to_user: 'finn', msg: 'secret' }));
    assert.equal(await finn.nextFrame(), '{"sender":"erin","msg":"secret"}');
    erin.send(JSON.stringify({ to_user: 'hana', msg: 'to protocol' }));
    const d = await proto.next('direct');
    assert.deepEqual([d.from, d.to, d.text], ['erin', 'hana', 'to protocol']);
    proto.send({ type: 'dm', to: 'finn', text: 'back', cid: 'd1' });
    assert.equal(await finn.nextFrame(), '{"sender":"hana","msg":"back"}');
    // a sentinel: a private message to gus, after the others; anything leaked to him would come first
    erin.send(JSON.stringify({ to_user: 'gus', msg: 'for gus' }));
    assert.equal(await gus.nextFrame(), '{"sender":"erin","msg":"for gus"}');
    assert.ok(!gus.frames.some((f) => String(f).includes('secret') || String(f).includes('back')), 'gus sees no private message');
  });

  test('closes a plain client whose nickname is taken with 1008 and a readable reason', async () => {
    await plain('/ws/ivy');
    const again = await plain('/ws/IVY');
    const { code, reason } = await again.closedWithin();
    assert.equal(code, CloseCode.PolicyViolation);
    assert.match(reason, /taken/);
  });

  test('frees a plain nickname as soon as the client leaves, announcing the leave', async () => {
    const proto = await h.chat(relay, { nick: 'watcher', rooms: [{ room: 'lobby', since: 0 }] });
    const jack = await plain('/ws/jack');
    await proto.next('presence', (p) => (p.user as { id: string }).id === 'jack' && p.event === 'join');
    await jack.close();
    await proto.next('presence', (p) => (p.user as { id: string }).id === 'jack' && p.event === 'leave');
    await plain('/ws/jack');
  });

  test('decodes a percent-encoded nickname', async () => {
    const proto = await h.chat(relay, { nick: 'reader', rooms: [{ room: 'lobby', since: 0 }] });
    const k = await plain('/ws/' + encodeURIComponent('Kim Lee'));
    k.send('annyeong');
    const m = await proto.next('msg', (x) => x.text === 'annyeong');
    assert.equal(m.name, 'Kim Lee');
  });

  test('gives a plain client that follows a drained one from the same address that bucket, not a fresh burst', async () => {
    const limited = await h.relay({ rateBurst: 3, ratePerSecond: 3 });
    const at = limited.url.replace(/^http/, 'ws');
    const lobby = await h.chat(limited, { nick: 'lobby', rooms: [{ room: 'lobby', since: 0 }] });
    const watcher = await h.open(`${at}/ws/watcher`, []);
    const first = await h.open(`${at}/ws/first`, []);
    await joined(lobby, 'watcher', 'first');
    for (let i = 0; i < 3; i++) first.send(`first ${i}`);
    for (let i = 0; i < 3; i++) assert.equal(await watcher.nextFrame(), `{"sender":"first","msg":"first ${i}"}`);
    await first.close();
    const second = await h.open(`${at}/ws/second`, []);
    await joined(lobby, 'second');
    second.send('too soon');
    await eventually(async () => /^parley_drops_total\{reason="rate_limited"\} 1$/m.test((await get(limited, '/metrics')).text), 'the text sent too soon to be dropped');
    const EMPTY_TO_FULL_MS = 1000; // 3 tokens at 3/s: the point of this step is that the bucket refills
    await sleep(EMPTY_TO_FULL_MS);
    second.send('in time');
    assert.equal(await watcher.nextFrame(), '{"sender":"second","msg":"in time"}', 'the one sent too soon never came');
  });

  test('answers a plain HTTP GET to a seed path with 426 and a readable body', async () => {
    for (const path of ['/ws', '/ws/somebody']) {
      const r = await get(relay, path);
      assert.equal(r.status, 426);
      assert.match(r.text, /WebSocket/);
      assert.equal(r.headers.get('upgrade'), 'websocket');
    }
  });
});
