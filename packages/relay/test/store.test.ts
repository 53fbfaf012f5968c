import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MemoryStore } from '../src/store/memory-store.js';
import { SeqLog } from '../src/store/seq-log.js';

const draft = (room: string, n: number) => ({ type: 'msg' as const, room, id: `m${n}`, ts: n, from: 'ada', name: 'ada', text: `t${n}` });
const dm = (from: string, to: string, n: number) => ({ type: 'direct' as const, id: `d${n}`, ts: n, from, name: from, to, text: `t${n}` });

describe('SeqLog', () => {
  test('keeps the newest capacity items addressed by seq', () => {
    const log = new SeqLog<{ seq: number }>(3);
    for (let i = 1; i <= 5; i++) log.push({ seq: log.nextSeq });
    assert.equal(log.firstSeq, 3);
    assert.equal(log.lastSeq, 5);
    assert.equal(log.at(2), undefined);
    assert.deepEqual(log.at(4), { seq: 4 });
  });

  test('replays after a cursor, with a gap when the log no longer reaches back', () => {
    const log = new SeqLog<{ seq: number }>(3);
    for (let i = 1; i <= 5; i++) log.push({ seq: log.nextSeq });
    assert.deepEqual(log.after(4), { items: [{ seq: 5 }] });
    assert.deepEqual(log.after(5), { items: [] });
    assert.deepEqual(log.after(0), { gap: { start: 1, end: 2 }, items: [{ seq: 3 }, { seq: 4 }, { seq: 5 }] });
    assert.deepEqual(log.after(9).items.length, 3, 'a cursor from an earlier incarnation gets everything');
  });

  test('pages newest first and says whether more is retained', () => {
    const log = new SeqLog<{ seq: number }>(10);
    for (let i = 1; i <= 5; i++) log.push({ seq: log.nextSeq });
    assert.deepEqual(log.page(undefined, 2), { items: [{ seq: 5 }, { seq: 4 }], more: true });
    assert.deepEqual(log.page(3, 5), { items: [{ seq: 2 }, { seq: 1 }], more: false });
    assert.deepEqual(log.page(1, 5), { items: [], more: false });
  });

  test('refuses a seq out of order', () => {
    const log = new SeqLog<{ seq: number }>(2);
    assert.throws(() => log.push({ seq: 2 }), RangeError);
  });
});

describe('MemoryStore', () => {
  test('deletes an idempotency record when its message leaves the history', () => {
    const store = new MemoryStore({ historyLimit: 2, inboxLimit: 2 });
    for (let i = 1; i <= 10; i++) store.appendRoom(draft('r', i), 'ada', `c${i}`);
    assert.equal(store.idempotencyRecords, 2);
    for (let i = 1; i <= 10; i++) store.appendDirect(dm('ada', 'bob', i), `d${i}`);
    assert.equal(store.idempotencyRecords, 4);
  });

  test('forgets a dropped room or inbox with its idempotency records', () => {
    const store = new MemoryStore({ historyLimit: 10, inboxLimit: 10 });
    store.appendRoom(draft('r', 1), 'ada', 'c1');
    store.appendDirect(dm('ada', 'bob', 2), 'c2');
    store.dropRoom('r');
    store.dropInbox('ada');
    store.dropInbox('bob');
    assert.deepEqual(store.logs, { rooms: 0, inboxes: 0 });
    assert.equal(store.idempotencyRecords, 0);
    assert.equal(store.roomSeq('r'), 0);
  });
});
