/**
 * The guarantees across failures, against a real relay through a sabotaging proxy:
 * no lost and no doubled messages, half-open detection, dropped acks, restarts.
 */
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { CloseCode } from '@parley/protocol';
import { State, type ParleyClient, type SocketConstructor, type StatusEvent } from '../src/index.js';
import { ManualClock } from './clock.js';
import { collect, fence, Harness, recordingSocket } from './harness.js';
import { memoryStorage, next, until } from './wait.js';

const h = new Harness();
afterEach(() => h.close());

/** The largest reconnect delay of the harness's clients (`FAST.backoff.cap`). */
const FAST_BACKOFF_CAP = 200;

const texts = (n: number, prefix = 'm') => Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);

/** Resolves with the time (ms) of the next status change to `to`. */
const statusTo = (client: ParleyClient, to: string, ms = 10_000) => next(client, 'status', (s) => s.to === to, ms);

describe('resilience', () => {
  it('loses and doubles nothing when the reader socket is killed mid-stream', async () => {
    const relay = await h.relay({ rateBurst: 1000, ratePerSecond: 1000 });
    const proxy = await h.proxy(relay.wsUrl);
    const reader = await h.open({ url: proxy.url, nick: 'reader', rooms: ['s'] });
    const writer = await h.open({ url: relay.wsUrl, nick: 'writer', rooms: ['s'] });
    const got = collect(reader);
    const statuses: StatusEvent[] = [];
    reader.on('status', (s) => statuses.push(s));
    const all = texts(40);
    const sending = Promise.all(all.map((t) => writer.send('s', t)));
    await until(() => got.length >= 5, 'the first messages');
    proxy.refusing = true; // the reader stays away while the writer goes on
    proxy.cut(); // mid-stream
    const atCut = got.length;
    await sending; // the relay has every message while the reader is away
    assert.ok(atCut < 40 && got.length === atCut, `cut mid-stream (${atCut} of 40), and the rest is for the replay`);
    proxy.refusing = false;
    await until(() => got.length >= 40, 'every message', 10_000);
    const last = await fence(writer, 's', reader);
    assert.deepEqual(got.map((m) => m.text), [...all, last]);
    assert.deepEqual(got.map((m) => m.seq), [...all, last].map((_, i) => i + 1));
    assert.ok(statuses.some((s) => s.to === State.Reconnecting), 'the reader did reconnect');
    assert.equal(proxy.accepted, 2, 'one connection before the cut, one after');
  });

  it('loses and doubles nothing when the writer socket is killed mid-stream (resends are deduped)', async () => {
    const relay = await h.relay({ rateBurst: 1000, ratePerSecond: 1000 });
    const proxy = await h.proxy(relay.wsUrl);
    const writer = await h.open({ url: proxy.url, nick: 'writer', rooms: ['s'] });
    const reader = await h.open({ url: relay.wsUrl, nick: 'reader', rooms: ['s'] });
    const got = collect(reader);
    const acks: string[] = [];
    writer.on('ack', (a) => acks.push(a.cid));
    const all = texts(40);
    const sending = Promise.all(all.map((t) => writer.send('s', t)));
    await until(() => acks.length >= 3, 'the first acks');
    proxy.cut();
    const done = await sending;
    assert.equal(new Set(done.map((a) => a.id)).size, 40, 'every send resolved with its own message');
    await until(() => got.length >= 40, 'every message', 10_000);
    const last = await fence(writer, 's', reader);
    assert.equal(got.pop()!.text, last, 'nothing after the fence');
    assert.deepEqual(got.map((m) => m.text).sort(), [...all].sort());
    assert.equal(new Set(got.map((m) => m.id)).size, 40, 'no message twice');
    assert.deepEqual(writer.outbox, []);
  });

  it('detects a half-open connection within the heartbeat timeout and recovers', async () => {
    const ping = 200;
    const timeout = 300;
    const relay = await h.relay({ clientPingMs: ping, clientPingTimeoutMs: timeout, pingIntervalMs: 60_000 });
    const proxy = await h.proxy(relay.wsUrl);
    const reader = await h.open({ url: proxy.url, nick: 'stalled', rooms: ['h'] });
    const writer = await h.open({ url: relay.wsUrl, nick: 'writer', rooms: ['h'] });
    const got = collect(reader);
    const stalledAt = Date.now();
    proxy.stall(); // nothing closes: the socket looks open, but nothing gets through
    const dropped = statusTo(reader, State.Reconnecting);
    await writer.send('h', 'while stalled');
    const status = await dropped;
    const took = Date.now() - stalledAt;
    assert.equal(status.reason, 'heartbeat');
    assert.equal(status.code, CloseCode.HeartbeatTimeout);
    assert.ok(took <= ping + timeout + 250, `detected after ${took} ms, expected within ${ping + timeout} ms`);
    assert.ok(took >= timeout, `not before the timeout (${took} ms)`);
    await statusTo(reader, State.Open);
    await until(() => got.length === 1, 'the message sent while stalled');
    assert.equal(got[0]!.text, 'while stalled');
  });

  it('resends after a dropped ack, and the relay answers the original ack instead of a second message', async () => {
    const relay = await h.relay();
    const proxy = await h.proxy(relay.wsUrl);
    const writer = await h.open({ url: proxy.url, nick: 'writer', rooms: ['a'] });
    const reader = await h.open({ url: relay.wsUrl, nick: 'reader', rooms: ['a'] });
    const atReader = collect(reader);
    const atWriter = collect(writer);
    let dropped = 0;
    proxy.onServerChunk = (chunk) => {
      if (dropped || !chunk.includes('"type":"ack"')) return 'forward';
      dropped++;
      return 'cut'; // the relay accepted the send, the writer never hears of it
    };
    const ack = await writer.send('a', 'exactly once');
    assert.equal(dropped, 1);
    assert.equal(ack.dup, true, 'the resend was answered with the original ack');
    const last = await fence(writer, 'a', reader, writer);
    assert.deepEqual(atReader.map((m) => m.text), ['exactly once', last]);
    assert.deepEqual(atWriter.map((m) => m.id).slice(0, -1), [ack.id]);
    const page = await reader.history('a');
    assert.deepEqual(page.messages.map((m) => m.text), [last, 'exactly once'], 'stored once (newest first)');
  });

  it('comes back after a relay restart and sends what was queued while it was down', async () => {
    const first = await h.relay({ resumeWindowMs: 1000 });
    const port = first.port;
    const url = first.wsUrl;
    const sockets = recordingSocket();
    const ada = await h.open({ url, nick: 'ada', rooms: ['rs'], WebSocket: sockets.WebSocket });
    const bob = await h.open({ url, nick: 'bob', rooms: ['rs'] });
    const atBob = collect(bob);
    await ada.send('rs', 'before');
    await until(() => atBob.length === 1, 'the first message');
    const going = statusTo(ada, State.Reconnecting);
    h.forget(first);
    await first.close();
    assert.equal((await going).code, CloseCode.GoingAway);
    const queued = ada.send('rs', 'queued while down');
    assert.equal(ada.outbox.length, 1);
    const before = sockets.opened;
    await until(() => sockets.opened >= before + 2, 'two attempts while the relay is down');
    assert.equal(ada.state, State.Reconnecting);
    assert.equal(ada.outbox.length, 1, 'still queued');
    const second = await h.relay({ port });
    const queuedAck = await queued;
    await until(() => ada.state === State.Open && bob.state === State.Open, 'both clients back');
    const last = await fence(ada, 'rs', bob);
    assert.deepEqual(
      atBob.map((m) => m.text),
      ['before', 'queued while down', last],
      'what was queued reaches bob once, from the new relay (by replay or live)',
    );
    assert.equal(atBob[1]!.id, queuedAck.id);
    assert.equal(second.port, port);
  });

  it('stops for good after a fatal close code and keeps going after a retryable one', async () => {
    const relay = await h.relay();
    const proxy = await h.proxy(relay.wsUrl);
    const clock = new ManualClock(); // reconnects wait for the test to move it
    const sockets = recordingSocket();
    const client = await h.open({ url: proxy.url, nick: 'fatal', clock, WebSocket: sockets.WebSocket });
    const dropped = statusTo(client, State.Reconnecting);
    proxy.closeWith(CloseCode.TryAgainLater); // 1013: retry
    assert.equal((await dropped).code, CloseCode.TryAgainLater);
    assert.equal(clock.pending, 1, 'a reconnect waits out its backoff');
    const back = statusTo(client, State.Open);
    clock.advance(FAST_BACKOFF_CAP);
    await back;
    assert.equal(sockets.opened, 2);
    const closed = statusTo(client, State.Closed);
    proxy.closeWith(CloseCode.ProtocolAbuse); // 4501: do not retry
    assert.equal((await closed).code, CloseCode.ProtocolAbuse);
    assert.equal(clock.pending, 0, 'nothing is scheduled');
    clock.advance(10 * 60_000);
    assert.equal(sockets.opened, 2, 'no new connection');
    assert.equal(client.state, State.Closed);
  });

  it('sends the outbox of a client that vanished (a page reload) exactly once, from its saved state', async () => {
    const relay = await h.relay();
    const proxy = await h.proxy(relay.wsUrl);
    const storage = memoryStorage();
    let unloaded = false;
    // the page's WebSocket: after the "reload" the old page can open nothing
    const PageSocket = class extends WebSocket {
      constructor(url: string, protocols: string | string[]) {
        if (unloaded) throw new Error('the page is gone');
        super(url, protocols);
      }
    } as unknown as SocketConstructor;
    const reader = await h.open({ url: relay.wsUrl, nick: 'reader', rooms: ['p'] });
    const got = collect(reader);
    const before = await h.open({ url: proxy.url, nick: 'reloader', rooms: ['p'], storage, WebSocket: PageSocket });
    proxy.stall(); // the send leaves the page but never reaches the relay
    const lost = before.send('p', 'typed just before the reload');
    lost.catch(() => {});
    unloaded = true;
    proxy.cut();
    const after = h.client({ url: relay.wsUrl, nick: 'reloader', storage });
    assert.deepEqual(after.outbox.map((e) => e.text), ['typed just before the reload']);
    const welcome = next(after, 'welcome');
    const ack = next(after, 'ack');
    after.connect();
    assert.equal((await welcome).resumed, true, 'the session is taken back with the saved secret');
    await ack;
    const last = await fence(after, 'p', reader);
    assert.deepEqual(got.map((m) => m.text), ['typed just before the reload', last]);
    assert.deepEqual(after.outbox, []);
  });
});
