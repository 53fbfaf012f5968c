import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LocalBroker } from '../src/broker.js';
import { Directory } from '../src/directory.js';
import { FlushScheduler } from '../src/flush-scheduler.js';
import { Outbound } from '../src/outbound.js';
import { RoomRegistry } from '../src/rooms.js';
import type { Peer } from '../src/session.js';
import { SocketWriter, type WriterSocket } from '../src/socket-writer.js';

type Written = { frame: Buffer; data: Buffer; opcode: number };

/** Enough of a socket for a writer: records every frame written to its wire, with the payload read back out of it. */
function fakeSocket(bufferedAmount = 0) {
  const sent: Written[] = [];
  const wire = {
    write(frame: Buffer): boolean {
      const short = frame[1]! & 0x7f;
      const start = short < 126 ? 2 : short === 126 ? 4 : 10;
      const length = short < 126 ? short : short === 126 ? frame.readUInt16BE(2) : Number(frame.readBigUInt64BE(2));
      assert.equal(frame.length, start + length, 'one whole frame per write');
      sent.push({ frame, data: frame.subarray(start), opcode: frame[0]! });
      return true;
    },
  };
  const ws: WriterSocket = { readyState: 1, bufferedAmount, wire };
  return { ws, wire, sent };
}

const msg = (n: number) => new Outbound({ type: 'msg', room: 'r', id: `m${n}`, seq: n, ts: 0, from: 'a', name: 'a', text: `t${n}` });

describe('fan-out', () => {
  test('serializes a broadcast once and hands every recipient the same bytes', () => {
    const directory = new Directory();
    const rooms = new RoomRegistry();
    const got: Buffer[] = [];
    let deliveries = 0;
    const broker = new LocalBroker(rooms, directory, (_out, n) => (deliveries += n));
    for (const nick of ['a', 'b', 'c']) {
      const s = directory.open(directory.claimAnonymous(nick)!, nick, 'chat');
      s.peer = { kind: 'chat', deliver: (out) => got.push(out.bytes), close: () => {} } satisfies Peer;
      rooms.add('r', s);
    }
    broker.toRoom('r', msg(1));
    assert.equal(got.length, 3);
    assert.ok(got[0] === got[1] && got[1] === got[2], 'the very same Buffer');
    assert.equal(deliveries, 3);
  });

  test('writes a lone broadcast envelope to every socket as the one shared final text frame', () => {
    const scheduler = new FlushScheduler();
    const a = fakeSocket();
    const b = fakeSocket();
    const out = msg(1);
    for (const s of [a, b]) new SocketWriter(s.ws, scheduler, { batch: true, sendBufferBytes: 1 << 20, onSlow: () => {} }).push(out.bytes, out.frame);
    scheduler.flushAll();
    assert.ok(a.sent[0]!.frame === out.frame && b.sent[0]!.frame === out.frame, 'the very same Buffer');
    assert.deepEqual(a.sent[0]!.data, out.bytes);
    assert.equal(a.sent[0]!.opcode, 0x81);
  });

  test('frames a lone envelope pushed without a frame itself', () => {
    const scheduler = new FlushScheduler();
    const s = fakeSocket();
    const out = msg(1);
    new SocketWriter(s.ws, scheduler, { batch: true, sendBufferBytes: 1 << 20, onSlow: () => {} }).push(out.bytes);
    scheduler.flushAll();
    assert.deepEqual(s.sent[0]!.data, out.bytes);
    assert.equal(s.sent[0]!.opcode, 0x81);
  });

  test('joins everything of one turn into one newline-separated frame', () => {
    const scheduler = new FlushScheduler();
    const s = fakeSocket();
    const w = new SocketWriter(s.ws, scheduler, { batch: true, sendBufferBytes: 1 << 20, onSlow: () => {} });
    const first = msg(1);
    w.push(first.bytes, first.frame);
    w.push(msg(2).bytes);
    scheduler.flushAll();
    assert.equal(s.sent.length, 1);
    assert.equal(s.sent[0]!.opcode, 0x81);
    assert.deepEqual(s.sent[0]!.data.toString().split('\n').map((l) => JSON.parse(l).seq), [1, 2]);
  });

  test('joins a room\'s batch once and hands every member the same frame', () => {
    const scheduler = new FlushScheduler();
    const members = [fakeSocket(), fakeSocket(), fakeSocket()];
    const [m1, m2] = [msg(1), msg(2)];
    const writers = members.map((s) => new SocketWriter(s.ws, scheduler, { batch: true, sendBufferBytes: 1 << 20, onSlow: () => {} }));
    for (const w of writers) {
      w.push(m1.bytes, m1.frame);
      w.push(m2.bytes, m2.frame);
    }
    // the third member also got a reply of its own: its frame differs
    const reply = new Outbound({ type: 'pong', ts: 1 });
    writers[2]!.push(reply.bytes);
    scheduler.flushAll();
    const [a, b, c] = members.map((s) => s.sent[0]!);
    assert.ok(a!.frame === b!.frame, 'one frame for both members with the same batch');
    assert.notEqual(c!.frame, a!.frame);
    assert.deepEqual(a!.data.toString().split('\n').map((l) => JSON.parse(l).seq), [1, 2]);
    assert.deepEqual(c!.data.toString().split('\n').map((l) => JSON.parse(l).type), ['msg', 'msg', 'pong']);
  });

  test('flushes what a flush queues in a later flush, never the one running', async () => {
    const scheduler = new FlushScheduler();
    const s = fakeSocket();
    const w = new SocketWriter(s.ws, scheduler, { batch: true, sendBufferBytes: 1 << 20, onSlow: () => {} });
    let n = 0;
    let flushes = 0;
    // every frame written queues the next message: each must go out alone, in a flush of its own
    const write = s.wire.write;
    s.wire.write = (frame) => {
      write(frame);
      if (++n < 5) w.push(msg(n + 1).bytes);
      return true;
    };
    const count = (): void => {
      flushes++;
      if (flushes < 5) scheduler.onceFlushed(count);
    };
    scheduler.onceFlushed(count);
    w.push(msg(1).bytes);
    await new Promise((r) => setImmediate(r));
    assert.equal(flushes, 5);
    assert.deepEqual(s.sent.map((f) => JSON.parse(f.data.toString()).seq), [1, 2, 3, 4, 5]);
  });

  test('flushes once the handling of the current event is done, its promise jobs included', async () => {
    const scheduler = new FlushScheduler();
    const s = fakeSocket();
    const w = new SocketWriter(s.ws, scheduler, { batch: true, sendBufferBytes: 1 << 20, onSlow: () => {} });
    // as the relay handles frames: each in a promise job chained on the one before, with awaits inside
    let tail = Promise.resolve();
    for (let i = 1; i <= 3; i++) {
      tail = tail.then(async () => {
        await Promise.resolve();
        w.push(msg(i).bytes);
      });
    }
    assert.equal(s.sent.length, 0, 'nothing is written while the event is being handled');
    await new Promise((r) => setImmediate(r));
    assert.equal(s.sent.length, 1, 'all three in one frame');
    assert.deepEqual(s.sent[0]!.data.toString().split('\n').map((l) => JSON.parse(l).seq), [1, 2, 3]);
  });

  test('stop drops what is marked', async () => {
    const scheduler = new FlushScheduler();
    let flushed = 0;
    scheduler.mark({ flush: () => flushed++ });
    scheduler.stop();
    await new Promise((r) => setImmediate(r));
    assert.equal(flushed, 0);
  });

  test('sends one message per frame to plain clients', () => {
    const s = fakeSocket();
    const w = new SocketWriter(s.ws, new FlushScheduler(), { batch: false, sendBufferBytes: 1 << 20, onSlow: () => {} });
    const first = msg(1);
    w.push(first.seed!, first.seedFrame!);
    w.push(msg(2).seed!);
    assert.equal(s.sent[0]!.frame, first.seedFrame);
    assert.deepEqual(s.sent.map((x) => x.data.toString()), ['{"sender":"a","msg":"t1"}', '{"sender":"a","msg":"t2"}']);
  });

  test('calls a reader too slow once its buffer passes the cap, and sends nothing more', () => {
    const s = fakeSocket(900);
    let slow = 0;
    const w = new SocketWriter(s.ws, new FlushScheduler(), { batch: true, sendBufferBytes: 1000, onSlow: () => slow++ });
    assert.equal(w.push(Buffer.alloc(50)), true);
    assert.equal(w.push(Buffer.alloc(100)), false);
    assert.equal(w.push(Buffer.alloc(1)), false);
    assert.equal(slow, 1);
  });
});
