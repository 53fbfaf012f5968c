import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LocalBroker } from '../src/fanout/broker.js';
import { anonymousClaim } from '../src/sessions/claim.js';
import { Directory } from '../src/sessions/directory.js';
import { FlushScheduler } from '../src/fanout/flush-scheduler.js';
import { Outbound } from '../src/wire/outbound.js';
import { RoomRegistry } from '../src/sessions/rooms.js';
import type { RoomBatch } from '../src/fanout/room-batch.js';
import type { Peer, Session } from '../src/sessions/session.js';
import { SocketWriter, type WriterOptions, type WriterSocket } from '../src/fanout/socket-writer.js';

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

const msg = (n: number, room = 'r') => new Outbound({ type: 'msg', room, id: `m${n}`, seq: n, ts: 0, from: 'a', name: 'a', text: `t${n}` });

/**
 * A protocol connection in miniature: a real SocketWriter on a fake socket,
 * holding broadcasts back as ChatConnection does.
 */
class FakePeer implements Peer, WriterOptions {
  readonly kind = 'chat';
  readonly batch = true;
  readonly sendBufferBytes = 1 << 20;
  readonly writer: SocketWriter;
  held: Outbound[] | null = null;
  slow = 0;
  delivered = 0;
  session!: Session;

  constructor(
    readonly socket: ReturnType<typeof fakeSocket>,
    scheduler: FlushScheduler,
  ) {
    this.writer = new SocketWriter(socket.ws, scheduler, this);
  }

  get holding(): boolean {
    return this.held !== null;
  }
  attachedSession(): Session | undefined {
    return this.session.peer === this ? this.session : undefined;
  }
  onSlow(): void {
    this.slow++;
  }
  deliver(out: Outbound): void {
    this.delivered++;
    if (this.held) this.held.push(out);
    else this.writer.push(out.bytes, out.frame);
  }
  takeBatch(batch: RoomBatch, session: Session): void {
    this.writer.takeBatch(batch, session);
  }
  reply(cid: string): void {
    this.writer.push(new Outbound({ type: 'ack', cid, id: cid, seq: 0, ts: 0 }).bytes);
  }
  hold(): void {
    this.writer.catchUp();
    this.held ??= [];
  }
  close(): void {}
}

/** A local broker over a real registry and scheduler, and a way to put fake peers in rooms. */
function roomSetup() {
  const scheduler = new FlushScheduler();
  const directory = new Directory();
  const rooms = new RoomRegistry();
  const counts = { deliveries: 0 };
  const recipients = { inRoom: (room: string) => rooms.sessions(room), ofUser: (id: string) => directory.sessionsOf(id) };
  const broker = new LocalBroker(recipients, scheduler, (_out, n) => (counts.deliveries += n));
  const join = (nick: string, names: string[], bufferedAmount = 0): FakePeer => {
    const peer = new FakePeer(fakeSocket(bufferedAmount), scheduler);
    const session = directory.open(directory.claim(anonymousClaim(nick))!, nick, 'chat');
    peer.session = session;
    session.peer = peer;
    for (const name of names) rooms.add(name, session);
    return peer;
  };
  return { scheduler, broker, rooms, join, counts };
}

/** Every envelope a fake peer's socket got, as `type seq-or-cid`. */
const envelopes = (p: FakePeer): string[] =>
  p.socket.sent.flatMap((f) => f.data.toString().split('\n')).map((l) => {
    const e = JSON.parse(l);
    return `${e.type} ${e.type === 'ack' ? e.cid : e.seq}`;
  });
const seqs = (p: FakePeer): number[] => p.socket.sent.flatMap((f) => f.data.toString().split('\n')).map((l) => JSON.parse(l).seq);

describe('fan-out', () => {
  test('serializes a broadcast once, touches no member before the flush, then writes every member the same frame', () => {
    const { scheduler, broker, join, counts } = roomSetup();
    const members = ['a', 'b', 'c'].map((nick) => join(nick, ['r']));
    const out = msg(1);
    broker.toRoom('r', out);
    assert.equal(members.reduce((n, m) => n + m.delivered, 0), 0, 'no per-member work before the flush');
    assert.equal(counts.deliveries, 0);
    scheduler.flushAll();
    for (const m of members) assert.equal(m.socket.sent.length, 1);
    assert.ok(members.every((m) => m.socket.sent[0]!.frame === out.frame), 'the very same Buffer');
    assert.equal(counts.deliveries, 3);
  });

  test('joins what one event sends a room into one frame, shared by every member', () => {
    const { scheduler, broker, join } = roomSetup();
    const [a, b] = [join('a', ['r']), join('b', ['r'])];
    broker.toRoom('r', msg(1));
    broker.toRoom('r', msg(2));
    scheduler.flushAll();
    assert.equal(a.socket.sent.length, 1);
    assert.ok(a.socket.sent[0]!.frame === b.socket.sent[0]!.frame);
    assert.deepEqual(seqs(a), [1, 2]);
  });

  test('keeps a member\'s replies and room messages in the order they were made', () => {
    const { scheduler, broker, join } = roomSetup();
    const [sender, other] = [join('a', ['r']), join('b', ['r'])];
    broker.toRoom('r', msg(1));
    sender.reply('ack1');
    broker.toRoom('r', msg(2));
    sender.reply('ack2');
    broker.toRoom('r', msg(3));
    scheduler.flushAll();
    assert.deepEqual(envelopes(sender), ['msg 1', 'ack ack1', 'msg 2', 'ack ack2', 'msg 3']);
    assert.equal(sender.socket.sent.length, 1, 'still one frame');
    assert.deepEqual(envelopes(other), ['msg 1', 'msg 2', 'msg 3']);
  });

  test('puts what was queued for a member before a room message ahead of it', () => {
    const { scheduler, broker, join } = roomSetup();
    const [a, b] = [join('a', ['r']), join('b', ['r'])];
    a.reply('first');
    broker.toRoom('r', msg(1));
    scheduler.flushAll();
    assert.deepEqual(envelopes(a), ['ack first', 'msg 1']);
    assert.equal(a.socket.sent.length, 1);
    assert.deepEqual(envelopes(b), ['msg 1']);
  });

  test('leaves out the one a broadcast excepts, and counts only who got it', () => {
    const { scheduler, broker, join, counts } = roomSetup();
    const [typist, other] = [join('a', ['r']), join('b', ['r'])];
    broker.toRoom('r', msg(1));
    broker.toRoom('r', msg(2), typist.session);
    scheduler.flushAll();
    assert.deepEqual(envelopes(typist), ['msg 1']);
    assert.deepEqual(envelopes(other), ['msg 1', 'msg 2']);
    assert.equal(counts.deliveries, 3);
  });

  test('hands a pending batch over before a room changes hands or members, so it reaches exactly who was there', () => {
    const { scheduler, broker, join, rooms } = roomSetup();
    const [a, b] = [join('a', ['r']), join('b', ['r'])];
    broker.toRoom('r', msg(1));
    // b leaves and c arrives in the same event, after the broadcast (the sessions layer settles first)
    broker.settle();
    rooms.remove('r', b.session);
    const c = join('c', ['r']);
    broker.toRoom('r', msg(2));
    scheduler.flushAll();
    assert.deepEqual(seqs(a), [1, 2]);
    assert.deepEqual(seqs(b), [1]);
    assert.deepEqual(seqs(c), [2]);
  });

  test('flushes one room\'s batch before another room\'s starts, so a member of both gets them in order', () => {
    const { scheduler, broker, join } = roomSetup();
    const both = join('a', ['r', 's']);
    broker.toRoom('r', msg(1));
    broker.toRoom('s', msg(2, 's'));
    broker.toRoom('r', msg(3));
    scheduler.flushAll();
    assert.deepEqual(envelopes(both), ['msg 1', 'msg 2', 'msg 3']);
  });

  test('holds back what a batch brings to a connection that holds, and lets what came before pass', () => {
    const { scheduler, broker, join } = roomSetup();
    const a = join('a', ['r']);
    broker.toRoom('r', msg(1));
    a.hold();
    broker.toRoom('r', msg(2));
    scheduler.flushAll();
    assert.deepEqual(seqs(a), [1]);
    assert.deepEqual(a.held!.map((o) => o.envelope.type === 'msg' && o.envelope.seq), [2]);
  });

  test('cuts off a member too slow for the batch frame and still writes to the rest', () => {
    const { scheduler, broker, join } = roomSetup();
    const slow = join('a', ['r'], 1 << 20);
    const fine = join('b', ['r']);
    broker.toRoom('r', msg(1));
    scheduler.flushAll();
    assert.equal(slow.slow, 1);
    assert.equal(slow.socket.sent.length, 0);
    assert.deepEqual(seqs(fine), [1]);
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
