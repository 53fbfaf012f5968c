import { CloseCode, DEFAULT_RATE_BURST, ErrorCode, MAX_BATCH_ENVELOPES } from '@parley/protocol';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { Harness, eventually, get, sleep, type TestClient } from './helpers.js';

/** The open connections a relay reports on /healthz. */
const connections = async (relay: Parameters<typeof get>[0]): Promise<number> => (JSON.parse((await get(relay, '/healthz')).text) as { connections: number }).connections;
/** Whether the relay's /metrics text matches `line`. */
const metricMatches = async (relay: Parameters<typeof get>[0], line: RegExp): Promise<boolean> => line.test((await get(relay, '/metrics')).text);

describe('limits and bad input', () => {
  const h = new Harness();
  after(() => h.close());

  test('closes with 1009 a frame over maxPayload', async () => {
    const relay = await h.relay({ maxPayload: 65_536 });
    const c = await h.chat(relay, { nick: 'big' });
    c.send('x'.repeat(65_537));
    assert.equal((await c.closedWithin()).code, CloseCode.MessageTooBig);
    // the client sees the close before the relay has necessarily counted it
    await eventually(() => metricMatches(relay, /^parley_closes_total\{reason="message_too_big"\} 1$/m), 'the close to be counted as message_too_big');
  });

  test('accepts frames in all three RFC 6455 length forms below maxPayload', async () => {
    const relay = await h.relay({ maxPayload: 262_144 });
    const c = await h.chat(relay, { nick: 'forms', rooms: [{ room: 'f', since: 0 }] });
    // 7-bit (< 126 bytes), 16-bit (< 64 KiB) and 64-bit (> 64 KiB) payload lengths.
    c.send({ type: 'ping', ts: 1 });
    await c.next('pong');
    c.send({ type: 'send', room: 'f', text: 'y'.repeat(3000), cid: 'c16' });
    await c.next('ack');
    const batch = Array.from({ length: 20 }, (_, i) => JSON.stringify({ type: 'send', room: 'f', text: 'z'.repeat(3900), cid: `c64-${i}` })).join('\n');
    assert.ok(Buffer.byteLength(batch) > 65_535);
    c.send(batch);
    for (let i = 0; i < 20; i++) assert.equal((await c.next('ack')).cid, `c64-${i}`);
  });

  test('refuses a text over maxTextLength with text_too_long and the cid', async () => {
    const relay = await h.relay({ maxTextLength: 10 });
    const c = await h.chat(relay, { nick: 'long', rooms: [{ room: 't', since: 0 }] });
    c.send({ type: 'send', room: 't', text: '12345678901', cid: 'c1' });
    const e = await c.next('error');
    assert.deepEqual([e.code, e.ref], [ErrorCode.TextTooLong, 'c1']);
    c.send({ type: 'send', room: 't', text: '😀'.repeat(10), cid: 'c2' });
    assert.equal((await c.next('ack')).cid, 'c2', 'counts code points, not UTF-16 units');
    c.send({ type: 'send', room: 't', text: 'x'.repeat(4001), cid: 'c3' });
    assert.equal((await c.next('error')).code, ErrorCode.TextTooLong);
  });

  test('answers malformed input with an error naming the code and the cid', async () => {
    const relay = await h.relay();
    const c = await h.chat(relay, { nick: 'bad' });
    const cases: Array<[string, string, string | undefined]> = [
      ['{not json', ErrorCode.BadJson, undefined],
      ['', ErrorCode.BadJson, undefined],
      ['[1,2]', ErrorCode.BadEnvelope, undefined],
      ['{"type":7}', ErrorCode.BadEnvelope, undefined],
      ['{"type":"explode","cid":"c1"}', ErrorCode.UnknownType, 'c1'],
      ['{"type":"send","room":"lobby","text":5,"cid":"c2"}', ErrorCode.BadField, 'c2'],
      ['{"type":"send","room":"lobby","cid":"c3"}', ErrorCode.BadField, 'c3'],
      ['{"type":"history","qid":"q1","limit":5000}', ErrorCode.BadField, 'q1'],
      [JSON.stringify({ type: 'send', room: 'lobby', text: 'hi', cid: 'x'.repeat(65) }), ErrorCode.BadField, undefined],
    ];
    for (const [frame, code, ref] of cases) {
      c.send(frame);
      const e = await c.next('error');
      assert.deepEqual([e.code, e.ref], [code, ref], frame.slice(0, 60));
    }
    c.ws.send(Buffer.from('{"type":"ping"}'), { binary: true });
    assert.equal((await c.next('error')).code, ErrorCode.BadJson);
    c.send(Array.from({ length: 65 }, () => '{"type":"ping"}').join('\n'));
    assert.equal((await c.next('error')).code, ErrorCode.FrameTooLarge);
  });

  test('takes one maximal batch whole on a fresh connection: the hello that opened the session cost no token', async () => {
    const relay = await h.relay();
    const c = await h.chat(relay, { nick: 'batcher', rooms: [{ room: 'mb', since: 0 }] });
    const most = Math.min(MAX_BATCH_ENVELOPES, DEFAULT_RATE_BURST);
    const batch = Array.from({ length: most }, (_, i) => JSON.stringify({ type: 'send', room: 'mb', text: 'x', cid: `mb${i}` }));
    c.send(batch.join('\n'));
    for (let i = 0; i < most; i++) assert.equal((await c.next('ack')).cid, `mb${i}`);
    // answers come in the envelopes' order: a refusal would have come before the last ack
    assert.deepEqual(c.received.filter((e) => e.type === 'error'), []);
  });

  test('refuses a batch of the protocol ceiling on a default relay as one frame, with one frame_too_large, and stays open', async () => {
    const relay = await h.relay();
    const c = await h.chat(relay, { nick: 'big-batch', rooms: [{ room: 'bb', since: 0 }] });
    c.send(Array.from({ length: MAX_BATCH_ENVELOPES }, (_, i) => JSON.stringify({ type: 'send', room: 'bb', text: 'x', cid: `bb${i}` })).join('\n'));
    const e = await c.next('error');
    assert.deepEqual([e.code, e.ref], [ErrorCode.FrameTooLarge, undefined]);
    assert.match(String(e.message), new RegExp(`at most ${DEFAULT_RATE_BURST} envelopes`));
    c.send({ type: 'send', room: 'bb', text: 'after', cid: 'after' });
    assert.equal((await c.next('ack')).cid, 'after', 'nothing of it was taken, and the bucket is untouched');
    assert.deepEqual([c.received.filter((x) => x.type === 'ack').length, c.received.filter((x) => x.type === 'error').length], [1, 1]);
  });

  test('refuses as one frame, with frame_too_large, a batch of more envelopes than a lowered rateBurst, and stays open', async () => {
    const relay = await h.relay({ rateBurst: 5, ratePerSecond: 50, abuseStrikes: 3 });
    const c = await h.chat(relay, { nick: 'small-burst' });
    const REFILL_MS = 200; // the hello's token comes back in 20 ms at 50/s
    await sleep(REFILL_MS);
    c.send(Array.from({ length: 6 }, () => '{"type":"ping"}').join('\n'));
    const e = await c.next('error');
    assert.equal(e.code, ErrorCode.FrameTooLarge);
    assert.match(String(e.message), /at most 5 envelopes/);
    c.send(Array.from({ length: 5 }, (_, i) => JSON.stringify({ type: 'ping', ts: i })).join('\n'));
    for (let i = 0; i < 5; i++) assert.equal((await c.next('pong')).ts, i);
    assert.equal(c.received.filter((x) => x.type === 'pong').length, 5, 'nothing of the refused frame was handled');
    assert.equal(c.received.filter((x) => x.type === 'error').length, 1, 'one refusal, not one per envelope');
  });

  test('closes with 4501 after abuseStrikes invalid envelopes', async () => {
    const relay = await h.relay({ abuseStrikes: 5 });
    const c = await h.chat(relay, { nick: 'abuser' });
    for (let i = 0; i < 5; i++) c.send('nope');
    assert.equal((await c.closedWithin()).code, CloseCode.ProtocolAbuse);
    assert.equal(c.received.filter((e) => e.type === 'error').length, 5);
  });

  test('allows a burst, then refuses with rate_limited and the cid, then refills at the steady rate', async () => {
    const relay = await h.relay({ rateBurst: 5, ratePerSecond: 20 });
    const c = await h.chat(relay, { nick: 'fast', rooms: [{ room: 'r', since: 0 }] });
    // a token comes back every 50 ms (20/s): the whole burst of 5 is back within 250 ms
    const REFILL_BURST_MS = 300;
    await sleep(REFILL_BURST_MS); // the hello used a token: let the bucket refill
    for (let i = 0; i < 7; i++) c.send({ type: 'send', room: 'r', text: 'x', cid: `r${i}` });
    const acks = [];
    for (let i = 0; i < 5; i++) acks.push((await c.next('ack')).cid);
    assert.deepEqual(acks, ['r0', 'r1', 'r2', 'r3', 'r4']);
    const e = await c.next('error');
    assert.deepEqual([e.code, e.ref], [ErrorCode.RateLimited, 'r5']);
    const ONE_TOKEN_AND_SLACK_MS = 150; // one token is 50 ms at 20/s; the refill is what this checks
    await sleep(ONE_TOKEN_AND_SLACK_MS);
    c.send({ type: 'send', room: 'r', text: 'x', cid: 'later' });
    assert.equal((await c.next('ack')).cid, 'later');
  });

  test('closes with 4004 a connection that keeps sending past its rate', async () => {
    const relay = await h.relay({ rateBurst: 2, ratePerSecond: 1, abuseStrikes: 3 });
    const c = await h.chat(relay, { nick: 'flood' });
    for (let i = 0; i < 8; i++) c.send({ type: 'ping' });
    assert.equal((await c.closedWithin()).code, CloseCode.RateLimited);
  });

  test('gives a connection that follows a drained one from the same address that bucket, not a fresh burst', async () => {
    const relay = await h.relay({ rateBurst: 4, ratePerSecond: 4 });
    const drained = await h.chat(relay, { nick: 'drained', rooms: [{ room: 'r', since: 0 }] });
    const neighbour = await h.chat(relay, { nick: 'neighbour', rooms: [{ room: 'r', since: 0 }] });
    const REFILL_HELLO_TOKEN_MS = 300; // a token every 250 ms (4/s)
    await sleep(REFILL_HELLO_TOKEN_MS); // the hellos used a token each: let the buckets refill
    for (let i = 0; i < 4; i++) drained.send({ type: 'send', room: 'r', text: 'x', cid: `d${i}` });
    for (let i = 0; i < 4; i++) assert.equal((await drained.next('ack')).cid, `d${i}`);
    await drained.close();
    // the relay records the closed connection's bucket for its address when it handles the close
    await eventually(async () => (await connections(relay)) === 1, 'the relay to handle the drained connection\'s close');
    // a connection that was already there keeps its own bucket (users behind one NAT)
    for (let i = 0; i < 3; i++) neighbour.send({ type: 'send', room: 'r', text: 'x', cid: `n${i}` });
    for (let i = 0; i < 3; i++) assert.equal((await neighbour.next('ack')).cid, `n${i}`);
    // a new one, under another nickname, starts where the closed one left off
    const back = await h.chat(relay, { nick: 'back-again', rooms: [{ room: 'r', since: 0 }] });
    back.send({ type: 'send', room: 'r', text: 'x', cid: 'b0' });
    const e = await back.next('error');
    assert.deepEqual([e.code, e.ref], [ErrorCode.RateLimited, 'b0']);
    // once the bucket would be full again, a new connection gets the whole burst
    const EMPTY_TO_FULL_MS = 1100; // 4 tokens at 4/s, plus slack: the point of this step
    await sleep(EMPTY_TO_FULL_MS);
    const later = await h.chat(relay, { nick: 'later', rooms: [{ room: 'r', since: 0 }] });
    await sleep(REFILL_HELLO_TOKEN_MS);
    for (let i = 0; i < 4; i++) later.send({ type: 'send', room: 'r', text: 'x', cid: `l${i}` });
    for (let i = 0; i < 4; i++) assert.equal((await later.next('ack')).cid, `l${i}`);
  });

  test('closes with 4006 a connection past maxConnectionsPerIp, and counts a closed one back', async () => {
    const relay = await h.relay({ maxConnectionsPerIp: 2 });
    const a = await h.open(relay.wsUrl);
    await h.open(relay.wsUrl);
    const third = await h.open(relay.wsUrl);
    assert.equal((await third.closedWithin()).code, CloseCode.TooManyConnections);
    await a.close();
    // the third was refused at once; the count goes back when the relay handles a's close
    await eventually(async () => (await connections(relay)) === 1, 'the relay to count a\'s close');
    const fourth = await h.open(relay.wsUrl);
    await fourth.hello({ nick: 'room-again' });
  });

  test('counts connections from a trusted proxy under the client address its X-Forwarded-For names', async () => {
    const relay = await h.relay({ maxConnectionsPerIp: 1, trustedProxies: ['127.0.0.1'] });
    const via = (client: string) => h.open(relay.wsUrl, 'parley.v1', { headers: { 'X-Forwarded-For': client } });
    const a = await via('203.0.113.1');
    const b = await via('203.0.113.2');
    await a.hello({ nick: 'behind-a' });
    await b.hello({ nick: 'behind-b' });
    const again = await via('203.0.113.1');
    assert.equal((await again.closedWithin()).code, CloseCode.TooManyConnections);
  });

  test('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    const relay = await h.relay({ maxConnectionsPerIp: 1, trustedProxies: ['10.0.0.0/8'] });
    const a = await h.open(relay.wsUrl, 'parley.v1', { headers: { 'X-Forwarded-For': '203.0.113.1' } });
    await a.hello({ nick: 'first' });
    const spoof = await h.open(relay.wsUrl, 'parley.v1', { headers: { 'X-Forwarded-For': '203.0.113.2' } });
    assert.equal((await spoof.closedWithin()).code, CloseCode.TooManyConnections);
  });

  test('cuts off a reader whose send buffer passes sendBufferBytes with 4001', async () => {
    const relay = await h.relay({ sendBufferBytes: 65_536, rateBurst: 10_000, ratePerSecond: 10_000 });
    const slow = await h.chat(relay, { nick: 'slow', rooms: [{ room: 's', since: 0 }] });
    const fast = await h.chat(relay, { nick: 'fast', rooms: [{ room: 's', since: 0 }] });
    const socket = (slow.ws as unknown as { _socket: import('node:net').Socket })._socket;
    socket.pause();
    // Watch for the cut and start reading at once, so the close frame is read before the relay's grace ends.
    let cut = false;
    const watching = (async () => {
      while (!cut) {
        if (/parley_closes_total\{reason="slow_consumer"\} 1/.test((await get(relay, '/metrics')).text)) cut = true;
        else await sleep(20);
      }
      socket.resume();
    })();
    const text = 'w'.repeat(4000);
    let n = 0;
    // Batches small enough for the fast reader's own cap; enough of them to fill the kernel's buffers too.
    for (let round = 0; round < 2000 && !cut; round++) {
      const batch = Array.from({ length: 10 }, () => JSON.stringify({ type: 'send', room: 's', text, cid: `s${n++}` })).join('\n');
      fast.send(batch);
      await fast.next('ack', (a) => a.cid === `s${n - 1}`, 10_000);
    }
    await watching;
    assert.equal((await slow.closedWithin(10_000)).code, CloseCode.SlowConsumer);
    fast.send({ type: 'ping' });
    await fast.next('pong');
  });

  test('terminates a peer that stops answering WebSocket pings with 4000', async () => {
    const relay = await h.relay({ pingIntervalMs: 100 });
    const c = await h.open(relay.wsUrl, 'parley.v1', { autoPong: false });
    await c.hello({ nick: 'mute' });
    const started = Date.now();
    assert.equal((await c.closedWithin()).code, CloseCode.HeartbeatTimeout);
    assert.ok(Date.now() - started < 1500, 'within a few intervals');
  });

  test('keeps a peer that answers pings', async () => {
    const relay = await h.relay({ pingIntervalMs: 100 });
    const c = await h.chat(relay, { nick: 'alive' });
    const SEVERAL_INTERVALS_MS = 500; // five ping intervals: a peer that answers must outlive them
    await sleep(SEVERAL_INTERVALS_MS);
    c.send({ type: 'ping' });
    await c.next('pong');
  });

  test('survives random garbage from many clients and keeps serving', async () => {
    const relay = await h.relay({ abuseStrikes: 1000, rateBurst: 1000 });
    const clients = await Promise.all([1, 2, 3].map(() => h.open(relay.wsUrl)));
    for (const c of clients) {
      for (let i = 0; i < 50; i++) {
        const junk = randomBytes(1 + (i % 40));
        if (i % 3 === 0) c.ws.send(junk, { binary: true });
        else c.send(JSON.stringify({ type: ['hello', 'send', 'dm', 'join', 'history'][i % 5], nick: junk.toString('latin1'), room: i, text: null, cid: {}, rooms: 'x' }));
      }
      c.send('{"type":"hello","nick":' + '['.repeat(5000) + ']'.repeat(5000) + '}');
    }
    // each garbage client is either closed or has had everything it sent handled (the pong to a last ping)
    const handled = (c: TestClient): Promise<unknown> => {
      if (c.ws.readyState !== c.ws.OPEN) return c.closed;
      c.send({ type: 'ping', ts: 77 });
      return Promise.race([c.next('pong', (e) => e.ts === 77), c.closed]);
    };
    await Promise.all(clients.map(handled));
    const ok = await h.chat(relay, { nick: 'survivor' });
    ok.send({ type: 'ping' });
    await ok.next('pong');
    assert.equal((await get(relay, '/healthz')).status, 200);
  });
});
