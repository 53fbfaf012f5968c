/**
 * The SDK catches up after missing a lot: behind a proxy that was down while
 * 10 MiB of long messages were sent to its room, it resumes and delivers
 * every one, in order, once (the relay paces the replay to the socket, so a
 * reader that keeps reading is never cut for "reading too slowly").
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '@parley/relay';
import { collect, Harness } from './harness.js';
import { until } from './wait.js';

describe('catching up after a long absence', () => {
  const h = new Harness();
  after(() => h.close());

  it('resumes behind a proxy that was down during 10 MiB of 4,000-character messages and delivers each once, in order', async () => {
    const missed = 2700;
    const store = new MemoryStore({ historyLimit: 5000, inboxLimit: 100 });
    const relay = await h.relay({}, { store });
    const proxy = await h.proxy(relay.wsUrl);
    const reader = await h.open({ url: proxy.url, nick: 'reader', rooms: ['big'] });
    const got = collect(reader);
    let closes = 0;
    reader.on('status', (s) => s.to === 'reconnecting' && closes++);
    proxy.refusing = true;
    proxy.cut();
    await until(() => reader.state !== 'open', 'the reader to notice the cut');
    // meanwhile the room fills: stored straight into the relay's store, as a crowd of senders would
    const text = 'y'.repeat(4000);
    for (let i = 1; i <= missed; i++) {
      await store.appendRoom({ type: 'msg', room: 'big', id: `m${i}`, ts: Date.now(), from: 'u_w', name: 'W', text: `${i}:${text}` }, 'u_w', `c${i}`);
    }
    proxy.refusing = false;
    await until(() => got.length >= missed, `all ${missed} messages (have ${got.length})`, 60_000);
    assert.deepEqual(got.map((m) => m.seq), Array.from({ length: missed }, (_, i) => i + 1), 'each once, in order');
    assert.equal(closes, 1, 'one reconnect: never cut while catching up');
  });
});
