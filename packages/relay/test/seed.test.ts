import { CloseCode, DEFAULT_RATE_BURST } from '@parley/protocol';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RelayHandle } from '../src/index.js';
import { SEED_PROBE_TIMEOUT_MS } from '../src/connection/seed-connection.js';
import { Harness, get, type TestClient } from './helpers.js';

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

  test('/ws echoes every frame past the rate limit too, in order, pacing the flood instead of dropping it', async () => {
    const paced = await h.relay({ rateBurst: 5, ratePerSecond: 50 });
    const at = paced.url.replace(/^http/, 'ws');
    const flooder = await h.open(`${at}/ws`, []);
    const other = await h.open(`${at}/ws`, []);
    const FRAMES = 100;
    const started = Date.now();
    for (let i = 0; i < FRAMES; i++) flooder.send(`f${i}`);
    // another client of the same relay is served at once meanwhile
    other.send('me too');
    assert.equal(await other.nextFrame(), 'me too');
    const PROMPT_MS = 1000; // the flood needs about 1.9 s; the other's echo must not wait for it
    assert.ok(Date.now() - started < PROMPT_MS, `the other client waited ${Date.now() - started} ms`);
    const got: Array<string | Buffer> = [];
    for (let i = 0; i < FRAMES; i++) got.push(await flooder.nextFrame());
    assert.deepEqual(got, Array.from({ length: FRAMES }, (_, i) => `f${i}`), 'every frame came back, in order');
    // 95 frames past a burst of 5 at 50/s take 1.9 s: the rate limit still holds
    const AT_LEAST_MS = 1500;
    assert.ok(Date.now() - started >= AT_LEAST_MS, `100 echoes in ${Date.now() - started} ms`);
    assert.equal(flooder.ws.readyState, flooder.ws.OPEN, 'and the socket stays open');
  });

  test('/ws/<nickname> delivers every text of a plain client past the rate limit, in order', async () => {
    const paced = await h.relay({ rateBurst: 5, ratePerSecond: 50 });
    const at = paced.url.replace(/^http/, 'ws');
    const lobby = await h.chat(paced, { nick: 'lobby', rooms: [{ room: 'lobby', since: 0 }] });
    const reader = await h.open(`${at}/ws/reader`, []);
    const writer = await h.open(`${at}/ws/writer`, []);
    await joined(lobby, 'reader', 'writer');
    const TEXTS = 40;
    for (let i = 0; i < TEXTS; i++) writer.send(`w${i}`);
    const got: Array<string | Buffer> = [];
    for (let i = 0; i < TEXTS; i++) got.push(await reader.nextFrame());
    assert.deepEqual(got, Array.from({ length: TEXTS }, (_, i) => `{"sender":"writer","msg":"w${i}"}`));
    assert.equal(writer.ws.readyState, writer.ws.OPEN);
  });

  test('paces a plain client at the rate limit by default: a burst of the default size, then the sustained rate', async () => {
    const lobby = await h.chat(relay, { nick: 'pace-watch', rooms: [{ room: 'lobby', since: 0 }] });
    const sender = await plain('/ws/pacer');
    await joined(lobby, 'pacer');
    const EXTRA = 5; // past the burst: these wait for the bucket (10/s by default)
    for (let i = 0; i < DEFAULT_RATE_BURST + EXTRA; i++) sender.send(`p${i}`);
    const started = Date.now();
    for (let i = 0; i < DEFAULT_RATE_BURST + EXTRA; i++) assert.equal((await lobby.next('msg', (m) => m.from === 'pacer')).text, `p${i}`);
    const AT_LEAST_MS = 350; // 5 tokens at 10/s are 500 ms
    assert.ok(Date.now() - started >= AT_LEAST_MS, `the last came ${Date.now() - started} ms after the first`);
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

  test('gives a nickname held by a half-open plain socket to a plain client from the same address once the holder fails a ping', async () => {
    const lobby = await h.chat(relay, { nick: 'half-watch', rooms: [{ room: 'lobby', since: 0 }] });
    // a socket that never answers pings: what the relay sees of a half-open link
    const stale = await h.open(`${base}/ws/hal`, [], { autoPong: false });
    await joined(lobby, 'hal');
    const started = Date.now();
    const back = await plain('/ws/hal');
    const left = await lobby.next('presence', (p) => (p.user as { id: string }).id === 'hal' && p.event === 'leave', SEED_PROBE_TIMEOUT_MS + 3000);
    assert.equal(left.event, 'leave');
    await joined(lobby, 'hal');
    const took = Date.now() - started;
    assert.ok(took >= SEED_PROBE_TIMEOUT_MS - 100 && took < SEED_PROBE_TIMEOUT_MS + 2000, `the nickname came back after ${took} ms`);
    back.send('I am back');
    assert.equal((await lobby.next('msg', (m) => m.text === 'I am back')).name, 'hal');
    assert.equal((await stale.closedWithin()).code, CloseCode.HeartbeatTimeout);
  });

  test('keeps a nickname whose plain holder answers the ping, or is from another address, however long it stays silent', async () => {
    const proxied = await h.relay({ trustedProxies: ['127.0.0.1'] });
    const at = proxied.url.replace(/^http/, 'ws');
    const from = (ip: string, nick: string, autoPong = true) => h.open(`${at}/ws/${nick}`, [], { autoPong, headers: { 'X-Forwarded-For': ip } });
    const lobby = await h.chat(proxied, { nick: 'addr-watch', rooms: [{ room: 'lobby', since: 0 }] });
    await from('203.0.113.1', 'mute', false);
    await from('203.0.113.1', 'live');
    await joined(lobby, 'mute', 'live');
    const other = await from('203.0.113.2', 'mute');
    assert.equal((await other.closedWithin(SEED_PROBE_TIMEOUT_MS + 3000)).code, CloseCode.PolicyViolation, 'another address never takes it');
    const again = await from('203.0.113.1', 'live');
    const { code, reason } = await again.closedWithin();
    assert.deepEqual([code, /taken/.test(reason)], [CloseCode.PolicyViolation, true], 'a holder that answers keeps it');
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
    const limited = await h.relay({ rateBurst: 3, ratePerSecond: 1 });
    const at = limited.url.replace(/^http/, 'ws');
    const lobby = await h.chat(limited, { nick: 'lobby', rooms: [{ room: 'lobby', since: 0 }] });
    const watcher = await h.open(`${at}/ws/watcher`, []);
    const first = await h.open(`${at}/ws/first`, []);
    await joined(lobby, 'watcher', 'first');
    const drainedAt = Date.now();
    for (let i = 0; i < 3; i++) first.send(`first ${i}`);
    for (let i = 0; i < 3; i++) assert.equal(await watcher.nextFrame(), `{"sender":"first","msg":"first ${i}"}`);
    await first.close();
    const second = await h.open(`${at}/ws/second`, []);
    await joined(lobby, 'second');
    second.send('too soon');
    // not dropped, but held until the inherited bucket has a token: one second after the first drained it (1/s)
    assert.equal(await watcher.nextFrame(), '{"sender":"second","msg":"too soon"}');
    const ONE_TOKEN_LESS_SLACK_MS = 900;
    assert.ok(Date.now() - drainedAt >= ONE_TOKEN_LESS_SLACK_MS, `delivered ${Date.now() - drainedAt} ms after the first drained the bucket`);
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
