import type { RoomMessage, ServerMessage } from '@parley/protocol';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Feed, type FeedItem, type FeedSource } from '../src/cluster/feed.js';
import { Outbound } from '../src/wire/outbound.js';
import type { Replay } from '../src/store/store.js';

const msg = (seq: number): RoomMessage => ({ type: 'msg', room: 'r', id: `m${seq}`, seq, ts: seq, from: 'ada', name: 'ada', text: `t${seq}` });
const item = (seq: number, except = ''): FeedItem => ({ seq, out: new Outbound(msg(seq)), except });
const presence = (): FeedItem => ({ seq: undefined, out: new Outbound({ type: 'presence', room: 'r', event: 'join', user: { id: 'x', name: 'x' } }), except: '' });

/** A source whose history holds seqs first..last. */
function history(first: number, last: number, reads: number[] = []): FeedSource & { last: number; first: number } {
  const h = {
    first,
    last,
    latest: async () => h.last,
    after: async (since: number): Promise<Replay<RoomMessage>> => {
      reads.push(since);
      const from = Math.max(since + 1, h.first);
      const messages = [];
      for (let s = from; s <= h.last; s++) messages.push(msg(s));
      return since + 1 < h.first ? { gap: { start: since + 1, end: h.first - 1 }, messages } : { messages };
    },
    gap: (start: number, end: number): ServerMessage => ({ type: 'gap', room: 'r', start, end }),
  };
  return h;
}

/** What the feed delivered: seqs of messages, `gap a-b`, or the type of anything else. */
function recorder(): { seen: string[]; deliver: (i: FeedItem) => void } {
  const seen: string[] = [];
  return {
    seen,
    deliver: (i) => {
      const e = i.out.envelope;
      seen.push(e.type === 'msg' ? String(e.seq) : e.type === 'gap' ? `gap ${e.start}-${e.end}` : e.type);
    },
  };
}

describe('Feed (ordered delivery from the subscription)', () => {
  test('delivers in seq order, skips what it already delivered, and passes envelopes without seq straight on', async () => {
    const r = recorder();
    const feed = new Feed(history(1, 3), r.deliver);
    await feed.start();
    feed.push(item(4));
    feed.push(presence());
    feed.push(item(4));
    feed.push(item(5));
    assert.deepEqual(r.seen, ['4', 'presence', '5']);
  });

  test('holds what arrives before it knows where the channel stands, then drops what was already history', async () => {
    const r = recorder();
    const source = history(1, 5);
    const feed = new Feed(source, r.deliver);
    feed.push(item(5));
    feed.push(presence());
    feed.push(item(6)); // published after the relay read seq 5
    await feed.start();
    assert.deepEqual(r.seen, ['presence', '6']);
  });

  test('fills a hole from history before going on with what was held back', async () => {
    const r = recorder();
    const reads: number[] = [];
    const source = history(1, 2, reads);
    const feed = new Feed(source, r.deliver);
    await feed.start();
    source.last = 6;
    feed.push(item(5)); // 3 and 4 were lost on the way
    feed.push(item(6));
    await feed.delivered(6, 1000);
    assert.deepEqual(r.seen, ['3', '4', '5', '6']);
    assert.deepEqual(reads, [2]);
  });

  test('says gap when history no longer reaches back, never skipping silently', async () => {
    const r = recorder();
    const source = history(1, 2);
    const feed = new Feed(source, r.deliver);
    await feed.start();
    source.first = 6;
    source.last = 8;
    feed.push(item(8));
    await feed.delivered(8, 1000);
    assert.deepEqual(r.seen, ['gap 3-5', '6', '7', '8']);
  });

  test('catches up after a reconnect even when nothing new arrives', async () => {
    const r = recorder();
    const source = history(1, 1);
    const feed = new Feed(source, r.deliver);
    await feed.start();
    source.last = 3;
    await feed.resync();
    assert.deepEqual(r.seen, ['2', '3']);
    assert.equal(feed.lastSeq, 3);
  });

  test('resolves delivered() once the seq went out, or after the time limit', async () => {
    const feed = new Feed(history(1, 1), () => {});
    await feed.start();
    let done = false;
    const waiting = feed.delivered(2, 5000).then(() => (done = true));
    await Promise.resolve();
    assert.equal(done, false);
    feed.push(item(2));
    await waiting;
    const t = performance.now();
    await feed.delivered(9, 50);
    assert.ok(performance.now() - t >= 45);
  });
});
