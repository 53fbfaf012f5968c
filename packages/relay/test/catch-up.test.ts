/**
 * Catch-up always finishes: a reader that keeps reading gets everything it
 * missed, however much, without tripping the relay's send-buffer cap (the
 * replay and large history pages are paced and sized to the socket), while
 * a reader that stops reading is still cut.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { RoomMessage } from '@parley/protocol';
import { createRelay, MemoryStore, type RelayHandle } from '../src/index.js';
import { type Envelope, Harness, type TestClient } from './helpers.js';

const LONG = 'x'.repeat(4000);
/** 4,000 characters of CJK text: 12,000 bytes of UTF-8. */
const CJK = '漢'.repeat(4000);

async function filled(room: string, count: number, text: string): Promise<MemoryStore> {
  const store = new MemoryStore({ historyLimit: count, inboxLimit: count });
  for (let i = 1; i <= count; i++) {
    await store.appendRoom({ type: 'msg', room, id: `m${i}`, ts: i, from: 'u_ada', name: 'Ada', text: `${i}:${text}` }, 'u_ada', `c${i}`);
  }
  for (let i = 1; i <= 300; i++) {
    await store.appendDirect({ type: 'direct', id: `d${i}`, ts: i, from: 'u_ada', name: 'Ada', to: 'reader', text: `${i}:${text}` }, `d${i}`);
  }
  return store;
}

/** Reads `n` envelopes of `type` (anything else is kept aside), failing on a close. */
async function take(c: TestClient, type: string, n: number): Promise<Envelope[]> {
  const out: Envelope[] = [];
  while (out.length < n) out.push(await c.next(type, undefined, 20_000));
  return out;
}

describe('catch-up', () => {
  const h = new Harness();
  let relay: RelayHandle;
  after(() => h.close());

  test('a reader that missed 10 MiB of 4,000-character messages gets every one, in order, once, and is not cut', async () => {
    const missed = 2700; // 2,700 × ~4 kB: more than twice the 4 MiB send-buffer cap
    relay = await createRelay({ port: 0, host: '127.0.0.1', log: false }, { store: await filled('big', missed + 1, LONG) });
    try {
      const c = await h.open(relay.wsUrl);
      await c.hello({ nick: 'reader', rooms: [{ room: 'big', since: 1 }] });
      const got = await take(c, 'msg', missed);
      assert.deepEqual(
        got.map((m) => m.seq),
        Array.from({ length: missed }, (_, i) => i + 2),
        'every missed seq once, in order',
      );
      assert.ok(got.every((m) => (m.text as string).endsWith(LONG)), 'whole texts');
      await c.none('msg', 300);
      c.send({ type: 'ping', ts: 1 });
      await c.next('pong');
      assert.equal(c.ws.readyState, c.ws.OPEN, 'still connected');
    } finally {
      await relay.close();
    }
  });

  test('a join with since and an inbox replay of CJK text past the cap both arrive whole', async () => {
    const count = 1000; // 1,000 × 12 kB
    relay = await createRelay({ port: 0, host: '127.0.0.1', log: false }, { store: await filled('cjk', count, CJK) });
    try {
      const c = await h.open(relay.wsUrl);
      await c.hello({ nick: 'reader', rooms: [], inbox: 0 });
      const dms = await take(c, 'direct', 300);
      assert.deepEqual(dms.map((m) => m.seq), Array.from({ length: 300 }, (_, i) => i + 1));
      c.send({ type: 'join', room: 'cjk', since: 0 });
      await c.next('joined');
      const got = await take(c, 'msg', count);
      assert.deepEqual(got.map((m) => m.seq), Array.from({ length: count }, (_, i) => i + 1));
    } finally {
      await relay.close();
    }
  });

  test('history pages larger than half the send-buffer cap come cut short with more, and paging gets everything', async () => {
    const count = 200;
    relay = await createRelay({ port: 0, host: '127.0.0.1', log: false, sendBufferBytes: 1 << 20 }, { store: await filled('pages', count, CJK) });
    try {
      const c = await h.open(relay.wsUrl);
      await c.hello({ nick: 'reader', rooms: [{ room: 'pages', since: count }] });
      const seen: number[] = [];
      let before: number | undefined;
      let pages = 0;
      for (;;) {
        c.send(before === undefined ? { type: 'history', qid: `q${pages}`, room: 'pages', limit: 200 } : { type: 'history', qid: `q${pages}`, room: 'pages', limit: 200, before });
        const page = await c.next('page', undefined, 20_000);
        pages++;
        const messages = page.messages as RoomMessage[];
        assert.ok(messages.length > 0);
        seen.push(...messages.map((m) => m.seq));
        before = messages.at(-1)!.seq;
        if (!page.more) break;
      }
      assert.ok(pages > 1, `cut into ${pages} pages`);
      assert.deepEqual(seen, Array.from({ length: count }, (_, i) => count - i), 'every message once, newest first');
    } finally {
      await relay.close();
    }
  });

  test('a reader that stops reading during a replay is still cut (heartbeat or send-buffer cap), and the relay serves others', async () => {
    relay = await createRelay(
      { port: 0, host: '127.0.0.1', log: false, pingIntervalMs: 500 },
      { store: await filled('stall', 2000, LONG) },
    );
    try {
      const stalled = await h.open(relay.wsUrl);
      // stop reading from the socket: the kernel buffers fill, the relay's replay waits, the pings go unanswered
      (stalled.ws as unknown as { _socket: { pause(): void } })._socket.pause();
      stalled.send({ type: 'hello', nick: 'stalled', rooms: [{ room: 'stall', since: 1 }] });
      const other = await h.chat(relay, { nick: 'other', rooms: [{ room: 'elsewhere', since: 0 }] });
      other.send({ type: 'send', room: 'elsewhere', text: 'still served', cid: 'o1' });
      await other.next('ack');
      const start = Date.now();
      while (Date.now() - start < 10_000) {
        const text = await (await fetch(relay.url.replace('localhost', '127.0.0.1') + '/metrics')).text();
        if (/parley_closes_total\{reason="(heartbeat|slow_consumer)"\} [1-9]/.test(text)) return;
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.fail('the stalled reader was never cut');
    } finally {
      await relay.close();
    }
  });
});
