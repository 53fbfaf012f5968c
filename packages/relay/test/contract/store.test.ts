/**
 * The store contract: what every `Store` promises, run against each
 * implementation in implementations.ts. Behaviour that only one store has
 * (the Redis store's publish, its two-relay races) is tested beside it.
 */
import assert from 'node:assert/strict';
import { after, afterEach, describe, test } from 'node:test';
import type { DirectMessage, RoomMessage } from '@parley/protocol';
import { closeStoreKinds, STORE_KINDS, type StoreLimits, type StoreUnderTest } from './implementations.js';

const draft = (room: string, n: number, text = `t${n}`): Omit<RoomMessage, 'seq'> => ({ type: 'msg', room, id: `m${n}`, ts: 1_700_000_000_000 + n, from: 'u_ada', name: 'Ada', text });
const dm = (from: string, to: string, n: number): Omit<DirectMessage, 'seq'> => ({ type: 'direct', id: `d${n}`, ts: 1_700_000_000_000 + n, from, name: from, to, text: `t${n}` });
const texts = (messages: Array<{ text: string }>): string[] => messages.map((m) => m.text);

after(closeStoreKinds);

for (const kind of STORE_KINDS) {
  describe(`store contract: ${kind.name}`, () => {
    let open: StoreUnderTest[] = [];
    const make = async (limits: Partial<StoreLimits> = {}) => {
      const s = await kind.make({ historyLimit: 10, inboxLimit: 10, ...limits });
      open.push(s);
      return s.store;
    };
    afterEach(async () => {
      await Promise.all(open.map((s) => s.close()));
      open = [];
    });

    test('gives each room its own seqs, from 1, one more per message', async () => {
      const store = await make();
      const seqs = [];
      for (let i = 1; i <= 3; i++) seqs.push((await store.appendRoom(draft('a', i), 'u_ada', `c${i}`)).ack.seq);
      seqs.push((await store.appendRoom(draft('b', 4), 'u_ada', 'c4')).ack.seq);
      assert.deepEqual(seqs, [1, 2, 3, 1]);
      assert.equal(await store.roomSeq('a'), 3);
      assert.equal(await store.roomSeq('never'), 0);
    });

    test('stores a message exactly as drafted, with its seq', async () => {
      const store = await make();
      const d = draft('a', 1, 'quote " newline \n emoji 🎉 and 中文');
      const r = await store.appendRoom(d, 'u_ada', 'c1');
      assert.deepEqual(r.message, { ...d, seq: 1 });
      assert.deepEqual(r.ack, { id: d.id, seq: 1, ts: d.ts });
      assert.deepEqual((await store.replayRoom('a', 0)).messages, [{ ...d, seq: 1 }]);
    });

    test('answers a repeated (user, cid) in a room with the first ack and stores nothing', async () => {
      const store = await make();
      const first = await store.appendRoom(draft('a', 1), 'u_ada', 'c1');
      const again = await store.appendRoom(draft('a', 2, 'resent'), 'u_ada', 'c1');
      assert.deepEqual(again, { ack: first.ack });
      assert.equal(await store.roomSeq('a'), 1);
      assert.deepEqual(texts((await store.replayRoom('a', 0)).messages), ['t1']);
    });

    test('keeps cids apart per user: the same cid from another user is a new message', async () => {
      const store = await make();
      const ada = await store.appendRoom(draft('a', 1), 'u_ada', 'c1');
      const bob = await store.appendRoom(draft('a', 2), 'u_bob', 'c1');
      assert.ok(bob.message);
      assert.equal(bob.ack.seq, ada.ack.seq + 1);
    });

    test('keeps cids apart per room: the same (user, cid) in another room is a new message there', async () => {
      const store = await make();
      await store.appendRoom(draft('a', 1), 'u_ada', 'c1');
      const b = await store.appendRoom(draft('b', 2), 'u_ada', 'c1');
      assert.ok(b.message, 'stored in room b');
      assert.deepEqual(b.ack, { id: 'm2', seq: 1, ts: draft('b', 2).ts });
      const again = await store.appendRoom(draft('b', 3), 'u_ada', 'c1');
      assert.deepEqual(again, { ack: b.ack }, 'and remembered there');
    });

    test('keeps a direct message in both inboxes with their own seqs, and acks with the sender seq', async () => {
      const store = await make();
      await store.appendDirect(dm('u_cy', 'u_bob', 1), 'x');
      const r = await store.appendDirect(dm('u_ada', 'u_bob', 2), 'y');
      assert.deepEqual(r.recipientCopy, { ...dm('u_ada', 'u_bob', 2), seq: 2 });
      assert.deepEqual(r.senderCopy, { ...dm('u_ada', 'u_bob', 2), seq: 1 });
      assert.deepEqual(r.ack, { id: 'd2', seq: 1, ts: dm('u_ada', 'u_bob', 2).ts });
      assert.equal(await store.inboxSeq('u_bob'), 2);
      assert.equal(await store.inboxSeq('u_ada'), 1);
      assert.equal(await store.inboxSeq('u_nobody'), 0);
    });

    test('keeps one copy of a direct message to oneself', async () => {
      const store = await make();
      const r = await store.appendDirect(dm('u_ada', 'u_ada', 1), 'z');
      assert.equal(r.senderCopy, undefined);
      assert.equal(r.recipientCopy!.seq, 1);
      assert.equal(r.ack.seq, 1);
      assert.equal((await store.replayInbox('u_ada', 0)).messages.length, 1);
    });

    test('answers a repeated (sender, cid) of a direct message with the first ack, whoever it is addressed to', async () => {
      const store = await make();
      const first = await store.appendDirect(dm('u_ada', 'u_bob', 1), 'c1');
      assert.deepEqual(await store.appendDirect(dm('u_ada', 'u_bob', 2), 'c1'), { ack: first.ack });
      assert.deepEqual(await store.appendDirect(dm('u_ada', 'u_cy', 3), 'c1'), { ack: first.ack }, 'the sender inbox is the scope');
      assert.equal(await store.inboxSeq('u_bob'), 1);
      assert.equal(await store.inboxSeq('u_cy'), 0);
    });

    test('keeps room cids and direct cids apart', async () => {
      const store = await make();
      await store.appendRoom(draft('a', 1), 'u_ada', 'c1');
      const d = await store.appendDirect(dm('u_ada', 'u_bob', 2), 'c1');
      assert.ok(d.recipientCopy, 'the direct message is stored');
      await store.appendDirect(dm('u_ada', 'u_bob', 3), 'c2');
      const r = await store.appendRoom(draft('a', 4), 'u_ada', 'c2');
      assert.ok(r.message, 'and so is the room message');
    });

    const BOUNDED = 'a durable store keeps what its retention policy keeps, not historyLimit: see retention.test.ts';

    test('replays after a cursor in order, and says where history no longer reaches back', async (t) => {
      const store = await make({ historyLimit: 3 });
      if (store.durable) return t.skip(BOUNDED);
      for (let i = 1; i <= 5; i++) await store.appendRoom(draft('a', i), 'u_ada', `c${i}`);
      assert.deepEqual(await store.replayRoom('a', 3), { messages: [{ ...draft('a', 4), seq: 4 }, { ...draft('a', 5), seq: 5 }] });
      assert.deepEqual(texts((await store.replayRoom('a', 2)).messages), ['t3', 't4', 't5']);
      assert.equal((await store.replayRoom('a', 2)).gap, undefined, 'seq 3 is still held: no gap');
      const behind = await store.replayRoom('a', 0);
      assert.deepEqual(behind.gap, { start: 1, end: 2 });
      assert.deepEqual(texts(behind.messages), ['t3', 't4', 't5']);
      assert.deepEqual(await store.replayRoom('a', 5), { messages: [] });
      assert.deepEqual(await store.replayRoom('never', 0), { messages: [] });
    });

    test('replays at most limit messages, the oldest after the cursor, page by page to the end', async () => {
      const store = await make();
      for (let i = 1; i <= 7; i++) await store.appendRoom(draft('a', i), 'u_ada', `c${i}`);
      for (let i = 1; i <= 3; i++) await store.appendDirect(dm('u_ada', 'u_bob', i), `d${i}`);
      const pages: string[][] = [];
      for (let since = 0; ; ) {
        const { messages } = await store.replayRoom('a', since, 3);
        if (messages.length === 0) break;
        pages.push(texts(messages));
        since = messages.at(-1)!.seq;
      }
      assert.deepEqual(pages, [['t1', 't2', 't3'], ['t4', 't5', 't6'], ['t7']]);
      assert.deepEqual(texts((await store.replayInbox('u_bob', 1, 1)).messages), ['t2']);
      assert.deepEqual(texts((await store.replayRoom('a', 5)).messages), ['t6', 't7'], 'no limit: everything after the cursor');
    });

    test('replays an inbox the same way', async (t) => {
      const store = await make({ inboxLimit: 2 });
      if (store.durable) return t.skip(BOUNDED);
      for (let i = 1; i <= 4; i++) await store.appendDirect(dm('u_ada', 'u_bob', i), `c${i}`);
      const r = await store.replayInbox('u_bob', 1);
      assert.deepEqual(r.gap, { start: 2, end: 2 });
      assert.deepEqual(texts(r.messages), ['t3', 't4']);
      assert.deepEqual(await store.replayInbox('u_bob', 4), { messages: [] });
    });

    test('a durable store keeps every message and cid past historyLimit and inboxLimit (no retention policy)', async (t) => {
      const store = await make({ historyLimit: 2, inboxLimit: 2 });
      if (!store.durable) return t.skip('the memory and Redis stores keep historyLimit and inboxLimit');
      const first = await store.appendRoom(draft('a', 1), 'u_ada', 'c1');
      for (let i = 2; i <= 5; i++) await store.appendRoom(draft('a', i), 'u_ada', `c${i}`);
      for (let i = 6; i <= 9; i++) await store.appendDirect(dm('u_ada', 'u_bob', i), `c${i}`);
      assert.deepEqual(await store.replayRoom('a', 0), { messages: [1, 2, 3, 4, 5].map((n) => ({ ...draft('a', n), seq: n })) }, 'no gap, nothing trimmed');
      assert.deepEqual(texts((await store.replayInbox('u_bob', 0)).messages), ['t6', 't7', 't8', 't9']);
      assert.equal((await store.replayInbox('u_bob', 0)).gap, undefined);
      assert.deepEqual(await store.appendRoom(draft('a', 10), 'u_ada', 'c1'), { ack: first.ack }, 'the oldest cid is still recognised');
    });

    test('forgets a cid when its message leaves the history: sent again, it is a new message', async (t) => {
      const store = await make({ historyLimit: 2 });
      if (store.durable) return t.skip(BOUNDED);
      const first = await store.appendRoom(draft('a', 1), 'u_ada', 'c1');
      await store.appendRoom(draft('a', 2), 'u_ada', 'c2');
      assert.deepEqual(await store.appendRoom(draft('a', 3), 'u_ada', 'c2'), { ack: (await store.replayRoom('a', 1)).messages.map((m) => ({ id: m.id, seq: m.seq, ts: m.ts }))[0] });
      await store.appendRoom(draft('a', 4), 'u_ada', 'c4');
      const resent = await store.appendRoom(draft('a', 5), 'u_ada', 'c1');
      assert.ok(resent.message, 'c1 fell out with its message');
      assert.notEqual(resent.ack.seq, first.ack.seq);
    });

    test('pages a room newest first, below a seq, and says whether more is retained', async () => {
      const store = await make();
      for (let i = 1; i <= 5; i++) await store.appendRoom(draft('a', i), 'u_ada', `c${i}`);
      const top = await store.pageRoom('a', undefined, 2);
      assert.deepEqual(texts(top.messages), ['t5', 't4']);
      assert.equal(top.more, true);
      const next = await store.pageRoom('a', 4, 2);
      assert.deepEqual(texts(next.messages), ['t3', 't2']);
      const last = await store.pageRoom('a', 2, 5);
      assert.deepEqual(texts(last.messages), ['t1']);
      assert.equal(last.more, false);
      assert.deepEqual(await store.pageRoom('never', undefined, 5), { messages: [], more: false });
    });

    test('pages an inbox newest first', async () => {
      const store = await make();
      for (let i = 1; i <= 3; i++) await store.appendDirect(dm('u_ada', 'u_bob', i), `c${i}`);
      const page = await store.pageInbox('u_ada', undefined, 2);
      assert.deepEqual(texts(page.messages), ['t3', 't2']);
      assert.equal(page.more, true);
      assert.deepEqual(page.messages.map((m) => m.seq), [3, 2], "the sender's own seqs");
    });

    test("names each run of a room's seqs with an epoch: the same while it lasts, a new one after the room is dropped", async () => {
      const store = await make();
      const empty = await store.roomHead('a');
      assert.equal(empty.seq, 0);
      assert.match(empty.epoch, /^e_[A-Za-z0-9_-]{12}$/);
      await store.appendRoom(draft('a', 1), 'u_ada', 'c1');
      assert.deepEqual(await store.roomHead('a'), { seq: 1, epoch: empty.epoch });
      assert.notEqual((await store.roomHead('b')).epoch, empty.epoch, 'each room has its own');
      await store.dropRoom('a');
      assert.equal(await store.roomSeq('a'), 0);
      await store.appendRoom(draft('a', 2), 'u_ada', 'c1');
      const again = await store.roomHead('a');
      assert.equal(again.seq, 1, 'the sequence started over');
      assert.notEqual(again.epoch, empty.epoch, 'with a new epoch');
      assert.ok((await store.appendRoom(draft('a', 3), 'u_ada', 'c1')).message === undefined, 'a cid sent after the drop is remembered again');
    });

    test('forgets a dropped room with its cids, and a dropped inbox', async () => {
      const store = await make();
      await store.appendRoom(draft('a', 1), 'u_ada', 'c1');
      await store.dropRoom('a');
      assert.ok((await store.appendRoom(draft('a', 2), 'u_ada', 'c1')).message, 'c1 was forgotten with the room');
      await store.appendDirect(dm('u_ada', 'u_bob', 3), 'c3');
      await store.dropInbox('u_bob');
      assert.equal(await store.inboxSeq('u_bob'), 0);
      assert.deepEqual(await store.replayInbox('u_bob', 0), { messages: [] });
      assert.equal(await store.inboxSeq('u_ada'), 1, "the sender's inbox is its own");
    });
  });
}
