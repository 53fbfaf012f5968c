import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { WebSocket } from 'ws';
import { LocalBroker } from '../src/broker.js';
import { Directory } from '../src/directory.js';
import { FlushScheduler } from '../src/flush-scheduler.js';
import { Outbound } from '../src/outbound.js';
import { RoomRegistry } from '../src/rooms.js';
import type { Peer } from '../src/session.js';
import { SocketWriter } from '../src/socket-writer.js';

/** Enough of a `ws` socket for a writer: records what is sent. */
function fakeSocket(bufferedAmount = 0) {
  const sent: Array<{ data: Buffer; binary: boolean }> = [];
  const ws = { readyState: 1, bufferedAmount, send: (data: Buffer, opts: { binary: boolean }) => sent.push({ data, binary: opts.binary }) };
  return { ws: ws as unknown as WebSocket, sent };
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

  test('writes a lone envelope as the shared Buffer in a text frame', () => {
    const scheduler = new FlushScheduler();
    const a = fakeSocket();
    const b = fakeSocket();
    const out = msg(1);
    for (const s of [a, b]) new SocketWriter(s.ws, scheduler, { batch: true, sendBufferBytes: 1 << 20, onSlow: () => {} }).push(out.bytes);
    scheduler.flushAll();
    assert.equal(a.sent[0]!.data, out.bytes);
    assert.equal(b.sent[0]!.data, out.bytes);
    assert.equal(a.sent[0]!.binary, false);
  });

  test('joins everything of one turn into one newline-separated frame', () => {
    const scheduler = new FlushScheduler();
    const s = fakeSocket();
    const w = new SocketWriter(s.ws, scheduler, { batch: true, sendBufferBytes: 1 << 20, onSlow: () => {} });
    w.push(msg(1).bytes);
    w.push(msg(2).bytes);
    scheduler.flushAll();
    assert.equal(s.sent.length, 1);
    assert.deepEqual(s.sent[0]!.data.toString().split('\n').map((l) => JSON.parse(l).seq), [1, 2]);
  });

  test('flushes what a flush queues on the next turn, turn after turn', async () => {
    const scheduler = new FlushScheduler();
    const s = fakeSocket();
    const w = new SocketWriter(s.ws, scheduler, { batch: true, sendBufferBytes: 1 << 20, onSlow: () => {} });
    let n = 0;
    // every frame written queues the next message: each must go out in its own later flush
    const socket = s.ws as unknown as { send: (data: Buffer, opts: { binary: boolean }) => void };
    const write = socket.send;
    socket.send = (data, opts) => {
      write(data, opts);
      if (++n < 5) w.push(msg(n + 1).bytes);
    };
    w.push(msg(1).bytes);
    for (let turn = 1; turn <= 5; turn++) {
      await new Promise((r) => setImmediate(r));
      assert.equal(s.sent.length, turn, `turn ${turn}`);
    }
    assert.deepEqual(s.sent.map((f) => JSON.parse(f.data.toString()).seq), [1, 2, 3, 4, 5]);
  });

  test('sends one message per frame to plain clients', () => {
    const s = fakeSocket();
    const w = new SocketWriter(s.ws, new FlushScheduler(), { batch: false, sendBufferBytes: 1 << 20, onSlow: () => {} });
    w.push(msg(1).seed!);
    w.push(msg(2).seed!);
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
