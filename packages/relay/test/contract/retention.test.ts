/**
 * The retention and data-request contract: what every store with `prune`,
 * `exportUser` and `eraseUser` promises, run against each kind in
 * implementations.ts that has them (the Redis store, bounded by its limits,
 * has none and is skipped).
 */
import assert from 'node:assert/strict';
import { after, afterEach, describe, test, type TestContext } from 'node:test';
import type { DirectMessage, RoomMessage } from '@parley/protocol';
import type { RetentionPolicy, Store } from '../../src/store/store.js';
import { closeStoreKinds, STORE_KINDS, type StoreUnderTest } from './implementations.js';

const T0 = 1_700_000_000_000;
/** Message `n` was accepted at `T0 + n` seconds. */
const at = (n: number): number => T0 + n * 1000;
const draft = (room: string, n: number, from = 'u_ada'): Omit<RoomMessage, 'seq'> => ({ type: 'msg', room, id: `m${n}`, ts: at(n), from, name: from.slice(2), text: `t${n}` });
const dm = (from: string, to: string, n: number): Omit<DirectMessage, 'seq'> => ({ type: 'direct', id: `d${n}`, ts: at(n), from, name: from.slice(2), to, text: `t${n}` });
const texts = (messages: Array<{ text: string }>): string[] => messages.map((m) => m.text);
const seqs = (messages: Array<{ seq: number }>): number[] => messages.map((m) => m.seq);
/** Limits far above what the tests write: only the policy deletes. */
const ROOMY = { historyLimit: 1000, inboxLimit: 1000 };

type Capable = Store & Required<Pick<Store, 'prune' | 'exportUser' | 'eraseUser'>>;

/** Steps `prune` until the store says it is done; answers the total and each step's count. */
async function pruneAll(store: Capable, policy: RetentionPolicy, now: number, budget = 100): Promise<{ deleted: number; steps: number[] }> {
  const steps: number[] = [];
  for (let i = 0; i < 1000; i++) {
    const step = await store.prune(policy, now, budget);
    steps.push(step.deleted);
    if (step.done) return { deleted: steps.reduce((a, b) => a + b, 0), steps };
  }
  throw new Error('prune never said it was done');
}

after(closeStoreKinds);

for (const kind of STORE_KINDS) {
  describe(`retention and data-request contract: ${kind.name}`, () => {
    let open: StoreUnderTest[] = [];
    /** A store of this kind, or a skipped test when the kind has no retention or data requests. */
    const make = async (t: TestContext): Promise<Capable | undefined> => {
      const s = await kind.make(ROOMY);
      open.push(s);
      const { store } = s;
      if (!store.prune || !store.exportUser || !store.eraseUser) {
        t.skip(`the ${kind.name} store has no retention or data requests (its history is bounded by its limits)`);
        return undefined;
      }
      return store as Capable;
    };
    afterEach(async () => {
      await Promise.all(open.map((s) => s.close()));
      open = [];
    });

    describe('prune', () => {
      test('deletes the messages older than maxAgeMs, oldest first, and a resume from before them gets a gap', async (t) => {
        const store = await make(t);
        if (!store) return;
        for (let n = 1; n <= 5; n++) await store.appendRoom(draft('a', n), 'u_ada', `c${n}`);
        const head = await store.roomHead('a');
        assert.equal((await pruneAll(store, { maxAgeMs: 2500 }, at(5))).deleted, 2, 't1 and t2 are older than 2.5 s at t5');
        assert.deepEqual(await store.replayRoom('a', 0), { gap: { start: 1, end: 2 }, messages: [3, 4, 5].map((n) => ({ ...draft('a', n), seq: n })) });
        assert.deepEqual(await store.replayRoom('a', 2), { messages: [3, 4, 5].map((n) => ({ ...draft('a', n), seq: n })) }, 'from within what is kept: no gap');
        assert.deepEqual(await store.roomHead('a'), head, 'the same seq and epoch');
        assert.deepEqual(texts((await store.pageRoom('a', undefined, 10)).messages), ['t5', 't4', 't3']);
        assert.equal((await store.pageRoom('a', undefined, 10)).more, false);
      });

      test('keeps the newest maxCount messages of each room, and forgets the cids of the rest', async (t) => {
        const store = await make(t);
        if (!store) return;
        for (let n = 1; n <= 5; n++) await store.appendRoom(draft('a', n), 'u_ada', `c${n}`);
        await store.appendRoom(draft('b', 6), 'u_ada', 'c6');
        assert.equal((await pruneAll(store, { maxCount: 2 }, at(5))).deleted, 3);
        assert.deepEqual(await store.replayRoom('a', 1), { gap: { start: 2, end: 3 }, messages: [4, 5].map((n) => ({ ...draft('a', n), seq: n })) });
        assert.deepEqual(texts((await store.replayRoom('b', 0)).messages), ['t6'], 'a room within the count keeps everything');
        const resent = await store.appendRoom(draft('a', 7), 'u_ada', 'c1');
        assert.ok(resent.message, 'c1 went with its message: sent again, it is a new one');
        assert.equal(resent.ack.seq, 6);
        assert.deepEqual(await store.appendRoom(draft('a', 8), 'u_ada', 'c5'), { ack: { id: 'm5', seq: 5, ts: at(5) } }, 'a kept message still answers its cid');
      });

      test('applies age and count together: a message goes when either says so', async (t) => {
        const store = await make(t);
        if (!store) return;
        for (let n = 1; n <= 6; n++) await store.appendRoom(draft('a', n), 'u_ada', `c${n}`);
        for (let n = 1; n <= 2; n++) await store.appendRoom(draft('b', n), 'u_ada', `c${n}`);
        await pruneAll(store, { maxAgeMs: 4500, maxCount: 3 }, at(6));
        assert.deepEqual(seqs((await store.replayRoom('a', 0)).messages), [4, 5, 6], 'the count keeps 3 although the age would keep t2 on');
        assert.deepEqual(seqs((await store.replayRoom('b', 0)).messages), [2], 'the age drops t1 although the count would keep it');
      });

      test('treats inboxes the same way, each with its own seqs', async (t) => {
        const store = await make(t);
        if (!store) return;
        for (let n = 1; n <= 4; n++) await store.appendDirect(dm('u_ada', 'u_bob', n), `c${n}`);
        await store.appendDirect(dm('u_cy', 'u_bob', 10), 'x');
        assert.equal((await pruneAll(store, { maxCount: 2 }, at(10))).deleted, 2 + 3 + 0, "ada's copies, bob's and nothing of cy's");
        assert.deepEqual(await store.replayInbox('u_bob', 0), { gap: { start: 1, end: 3 }, messages: [{ ...dm('u_ada', 'u_bob', 4), seq: 4 }, { ...dm('u_cy', 'u_bob', 10), seq: 5 }] });
        assert.deepEqual(texts((await store.replayInbox('u_ada', 0)).messages), ['t3', 't4']);
        assert.deepEqual(texts((await store.replayInbox('u_cy', 0)).messages), ['t10']);
        await pruneAll(store, { maxAgeMs: 5000 }, at(10));
        assert.deepEqual(texts((await store.replayInbox('u_bob', 0)).messages), ['t10'], 'and by age');
        assert.ok((await store.appendDirect(dm('u_ada', 'u_bob', 11), 'c1')).senderCopy, "a pruned direct message's cid is forgotten too");
      });

      test('keeps a room whose every message went: its seq and epoch go on, and a resume gets the gap', async (t) => {
        const store = await make(t);
        if (!store) return;
        for (let n = 1; n <= 3; n++) await store.appendRoom(draft('a', n), 'u_ada', `c${n}`);
        const head = await store.roomHead('a');
        await pruneAll(store, { maxAgeMs: 1000 }, at(100));
        assert.deepEqual(await store.replayRoom('a', 1), { gap: { start: 2, end: 3 }, messages: [] });
        assert.deepEqual(await store.roomHead('a'), head);
        assert.equal((await store.appendRoom(draft('a', 4), 'u_ada', 'c4')).ack.seq, 4, 'numbering goes on');
        assert.deepEqual(await store.replayRoom('a', 0), { gap: { start: 1, end: 3 }, messages: [{ ...draft('a', 4), seq: 4 }] });
        assert.deepEqual(await store.replayRoom('a', 3), { messages: [{ ...draft('a', 4), seq: 4 }] });
      });

      test('deletes at most budget messages a step, and says done only after the whole pass', async (t) => {
        const store = await make(t);
        if (!store) return;
        for (const room of ['a', 'b', 'c']) for (let n = 1; n <= 10; n++) await store.appendRoom(draft(room, n), 'u_ada', `c${n}`);
        const { deleted, steps } = await pruneAll(store, { maxCount: 1 }, at(10), 4);
        assert.equal(deleted, 27);
        assert.ok(steps.every((n) => n <= 4), `steps ${steps.join(',')}`);
        assert.ok(steps.length >= 7, 'at least 27 / 4 steps');
        for (const room of ['a', 'b', 'c']) assert.deepEqual(seqs((await store.replayRoom(room, 9)).messages), [10]);
        assert.deepEqual(await store.prune({ maxCount: 1 }, at(10), 4), { deleted: 0, done: true }, 'the next pass finds nothing');
      });

      test('deletes nothing without a policy, and nothing that the policy keeps', async (t) => {
        const store = await make(t);
        if (!store) return;
        for (let n = 1; n <= 3; n++) await store.appendRoom(draft('a', n), 'u_ada', `c${n}`);
        await store.appendDirect(dm('u_ada', 'u_bob', 4), 'c4');
        assert.deepEqual(await store.prune({}, at(1e9), 100), { deleted: 0, done: true });
        assert.equal((await pruneAll(store, { maxAgeMs: 10_000, maxCount: 3 }, at(4))).deleted, 0);
        assert.deepEqual(texts((await store.replayRoom('a', 0)).messages), ['t1', 't2', 't3']);
        assert.deepEqual(texts((await store.replayInbox('u_bob', 0)).messages), ['t4']);
      });
    });

    /** Ada and Bob talk in two rooms and privately; Cy writes to Bob. */
    async function conversation(store: Capable): Promise<void> {
      await store.appendRoom(draft('a', 1), 'u_ada', 'c1');
      await store.appendRoom(draft('a', 2, 'u_bob'), 'u_bob', 'c1');
      await store.appendRoom(draft('b', 3), 'u_ada', 'c3');
      await store.appendDirect(dm('u_ada', 'u_bob', 4), 'c4');
      await store.appendDirect(dm('u_bob', 'u_ada', 5), 'c5');
      await store.appendDirect(dm('u_cy', 'u_bob', 6), 'c6');
      await store.appendRoom(draft('a', 7), 'u_ada', 'c7');
      await store.appendDirect(dm('u_ada', 'u_ada', 8), 'c8');
    }

    describe('exportUser', () => {
      test('gives every room message the user sent and every message of their inbox, oldest first', async (t) => {
        const store = await make(t);
        if (!store) return;
        await conversation(store);
        assert.deepEqual(await store.exportUser('u_ada'), {
          user: 'u_ada',
          rooms: [
            { ...draft('a', 1), seq: 1 },
            { ...draft('b', 3), seq: 1 },
            { ...draft('a', 7), seq: 3 },
          ],
          direct: [
            { ...dm('u_ada', 'u_bob', 4), seq: 1 },
            { ...dm('u_bob', 'u_ada', 5), seq: 2 },
            { ...dm('u_ada', 'u_ada', 8), seq: 3 },
          ],
        });
      });

      test("includes what the user sent that only the addressee's inbox still holds, once", async (t) => {
        const store = await make(t);
        if (!store) return;
        await conversation(store);
        await store.dropInbox('u_ada');
        const { direct } = await store.exportUser('u_ada');
        assert.deepEqual(direct, [{ ...dm('u_ada', 'u_bob', 4), seq: 1 }], "bob's copy, with bob's seq");
      });

      test('gives an unknown user empty lists', async (t) => {
        const store = await make(t);
        if (!store) return;
        await conversation(store);
        assert.deepEqual(await store.exportUser('u_nobody'), { user: 'u_nobody', rooms: [], direct: [] });
      });
    });

    describe('eraseUser', () => {
      const gone = <T extends RoomMessage | DirectMessage>(m: T): T => ({ ...m, from: '', name: '', text: '', deleted: true });

      test("replaces what the user sent with tombstones in seq order, deletes their inbox, and leaves everyone else's messages", async (t) => {
        const store = await make(t);
        if (!store) return;
        await conversation(store);
        const heads = [await store.roomHead('a'), await store.roomHead('b')];
        assert.deepEqual(await store.eraseUser('u_ada'), { user: 'u_ada', roomMessages: 3, directMessages: 1, inboxMessages: 3 });
        assert.deepEqual(await store.replayRoom('a', 0), {
          messages: [gone({ ...draft('a', 1), seq: 1 }), { ...draft('a', 2, 'u_bob'), seq: 2 }, gone({ ...draft('a', 7), seq: 3 })],
        });
        assert.deepEqual(await store.replayRoom('a', 1), { messages: [{ ...draft('a', 2, 'u_bob'), seq: 2 }, gone({ ...draft('a', 7), seq: 3 })] }, 'resume still works');
        assert.deepEqual(seqs((await store.pageRoom('a', undefined, 2)).messages), [3, 2], 'and pages');
        assert.deepEqual((await store.pageRoom('a', 3, 5)).messages, [gone({ ...draft('a', 1), seq: 1 }), { ...draft('a', 2, 'u_bob'), seq: 2 }].reverse());
        assert.deepEqual([await store.roomHead('a'), await store.roomHead('b')], heads, 'no seq or epoch moved');
        assert.deepEqual((await store.replayInbox('u_bob', 0)).messages, [
          gone({ ...dm('u_ada', 'u_bob', 4), seq: 1 }),
          { ...dm('u_bob', 'u_ada', 5), seq: 2 },
          { ...dm('u_cy', 'u_bob', 6), seq: 3 },
        ]);
        const inbox = await store.replayInbox('u_ada', 0);
        assert.deepEqual(inbox, { gap: { start: 1, end: 3 }, messages: [] }, "ada's inbox is empty, and a resume is told so");
        assert.equal(await store.inboxSeq('u_ada'), 3, 'it numbers on from where it was');
        assert.deepEqual(await store.exportUser('u_ada'), { user: 'u_ada', rooms: [], direct: [] });
      });

      test('is idempotent: a second erase changes nothing and answers zeros', async (t) => {
        const store = await make(t);
        if (!store) return;
        await conversation(store);
        await store.eraseUser('u_ada');
        const before = [await store.replayRoom('a', 0), await store.replayRoom('b', 0), await store.replayInbox('u_bob', 0), await store.replayInbox('u_ada', 0)];
        assert.deepEqual(await store.eraseUser('u_ada'), { user: 'u_ada', roomMessages: 0, directMessages: 0, inboxMessages: 0 });
        assert.deepEqual([await store.replayRoom('a', 0), await store.replayRoom('b', 0), await store.replayInbox('u_bob', 0), await store.replayInbox('u_ada', 0)], before);
      });

      test('answers zeros for an unknown user and changes nothing', async (t) => {
        const store = await make(t);
        if (!store) return;
        await conversation(store);
        const before = await store.exportUser('u_bob');
        assert.deepEqual(await store.eraseUser('u_nobody'), { user: 'u_nobody', roomMessages: 0, directMessages: 0, inboxMessages: 0 });
        assert.deepEqual(await store.exportUser('u_bob'), before);
        assert.equal((await store.replayRoom('a', 0)).messages.length, 3);
      });

      test('a cid sent again after the erase is a new, whole message after the tombstone; nothing erased comes back', async (t) => {
        const store = await make(t);
        if (!store) return;
        await conversation(store);
        await store.eraseUser('u_ada');
        const again = await store.appendRoom(draft('a', 9), 'u_ada', 'c1');
        assert.deepEqual(again, { ack: { id: 'm9', seq: 4, ts: at(9) }, message: { ...draft('a', 9), seq: 4 } }, 'not the old ack of a tombstone');
        assert.deepEqual(await store.appendRoom(draft('a', 10), 'u_ada', 'c1'), { ack: again.ack }, 'and from now on remembered');
        const room = (await store.replayRoom('a', 0)).messages;
        assert.deepEqual(room[0], gone({ ...draft('a', 1), seq: 1 }), 'the tombstone stays one');
        assert.deepEqual(seqs(room), [1, 2, 3, 4]);
        const direct = await store.appendDirect(dm('u_ada', 'u_bob', 11), 'c4');
        assert.equal(direct.ack.seq, 4, "the sender's inbox numbers on");
        assert.ok(direct.recipientCopy, 'a direct cid sent again is a new message too');
        assert.deepEqual(seqs((await store.replayInbox('u_bob', 0)).messages), [1, 2, 3, 4]);
        assert.deepEqual((await store.exportUser('u_ada')).rooms, [{ ...draft('a', 9), seq: 4 }], 'only what was sent after the erase');
      });
    });
  });
}
