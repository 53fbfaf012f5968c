/**
 * What only the SQLite store does (the store and retention contracts cover
 * the rest): survive a reopen, ack after the commit of its turn, refuse a
 * whole transaction that cannot be written, refuse a newer schema, open for
 * maintenance beside a running relay, and prune in the background of one.
 */
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { RoomMessage } from '@parley/protocol';
import { createRelay } from '../src/index.js';
import { UnavailableError } from '../src/store/errors.js';
import { eventually, get, Harness } from './helpers.js';
import { SQLITE_SCHEMA_VERSION, SchemaTooNewError, SqliteStore, StoreNotReadyError } from '../src/store/sqlite-store.js';

const draft = (room: string, n: number): Omit<RoomMessage, 'seq'> => ({ type: 'msg', room, id: `m${n}`, ts: n, from: 'u_ada', name: 'Ada', text: `t${n}` });
const dir = mkdtempSync(join(tmpdir(), 'parley-sqlite-'));
let files = 0;
const file = (): string => join(dir, `db-${++files}`, 'parley.db');
const LIMITS = { historyLimit: 100, inboxLimit: 100 };

after(() => rmSync(dir, { recursive: true, force: true }));

describe('SqliteStore', () => {
  test('keeps messages, seqs, epochs and cids across a reopen of the file', async () => {
    const path = file();
    const a = new SqliteStore({ path, ...LIMITS });
    const first = await a.appendRoom(draft('lobby', 1), 'u_ada', 'c1');
    await a.appendRoom(draft('lobby', 2), 'u_ada', 'c2');
    await a.appendDirect({ type: 'direct', id: 'd1', ts: 3, from: 'u_ada', name: 'Ada', to: 'u_bob', text: 'psst' }, 'c3');
    const head = await a.roomHead('lobby');
    a.close();
    const b = new SqliteStore({ path, ...LIMITS });
    assert.deepEqual(await b.roomHead('lobby'), head, 'the same seq and epoch: no gap after a restart');
    assert.deepEqual((await b.replayRoom('lobby', 0)).messages.map((m) => m.text), ['t1', 't2']);
    assert.deepEqual(await b.appendRoom(draft('lobby', 9), 'u_ada', 'c1'), { ack: first.ack }, 'a cid sent before the restart is recognised');
    assert.equal((await b.appendRoom(draft('lobby', 3), 'u_ada', 'c4')).ack.seq, 3);
    assert.equal(await b.inboxSeq('u_bob'), 1);
    b.close();
  });

  test('acks only after the commit of its turn: one transaction for every append of the turn', async () => {
    const path = file();
    const store = new SqliteStore({ path, ...LIMITS });
    const outside = new Database(path, { readonly: true });
    const count = (): number => (outside.prepare('SELECT count(*) AS n FROM room_messages').get() as { n: number }).n;
    let acked = 0;
    const appends = Array.from({ length: 200 }, (_, i) => store.appendRoom(draft(`r${i % 7}`, i), 'u_ada', `c${i}`).then(() => acked++));
    await Promise.resolve();
    assert.equal(acked, 0, 'nothing is acked before the commit');
    assert.equal(count(), 0, 'and nothing is visible outside before it');
    await Promise.all(appends);
    assert.equal(count(), 200);
    outside.close();
    store.close();
  });

  test('refuses every append of a transaction it cannot write, stores none of them, and recovers', async () => {
    const path = file();
    const store = new SqliteStore({ path, ...LIMITS, busyTimeoutMs: 20 });
    await store.appendRoom(draft('lobby', 1), 'u_ada', 'c1');
    // another process holds the write lock (a long backup or a stray sqlite3 shell)
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    const results = await Promise.allSettled([store.appendRoom(draft('lobby', 2), 'u_ada', 'c2'), store.appendRoom(draft('lobby', 3), 'u_ada', 'c3')]);
    assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected']);
    for (const r of results) assert.ok((r as PromiseRejectedResult).reason instanceof UnavailableError);
    assert.equal(store.available, false);
    await assert.rejects(store.appendRoom(draft('lobby', 5), 'u_ada', 'c5'), UnavailableError, 'refused at once while the file refuses writes');
    other.exec('ROLLBACK');
    other.close();
    await eventually(() => store.available, 'the store to find the file writable');
    const later = await store.appendRoom(draft('lobby', 4), 'u_ada', 'c2');
    assert.equal(later.ack.seq, 2, 'the refused seqs were handed out again');
    assert.ok(later.message, 'the refused cid was not remembered');
    assert.deepEqual((await store.replayRoom('lobby', 0)).messages.map((m) => m.text), ['t1', 't4']);
    store.close();
  });

  test("drops at its next start an anonymous user's inbox that a crash left behind, and keeps a token user's", async () => {
    const path = file();
    const a = new SqliteStore({ path, ...LIMITS });
    await a.ephemeralInbox('ada');
    await a.appendDirect({ type: 'direct', id: 'd1', ts: 1, from: 'ada', name: 'ada', to: 'u_grace', text: 'hi' }, 'c1');
    // the process dies here: no dropInbox for ada
    a.close();
    const b = new SqliteStore({ path, ...LIMITS });
    assert.deepEqual(await b.replayInbox('ada', 0), { messages: [] }, "the next visitor called ada reads nothing");
    assert.equal(await b.inboxSeq('ada'), 0);
    assert.deepEqual((await b.replayInbox('u_grace', 0)).messages.map((m) => m.text), ['hi'], "the token user's inbox stays");
    b.close();
  });

  test('refuses to open a file whose schema is newer than it knows, in one line', () => {
    const path = file();
    new SqliteStore({ path, ...LIMITS }).close();
    const db = new Database(path);
    db.prepare('UPDATE parley_schema SET version = ?').run(SQLITE_SCHEMA_VERSION + 1);
    db.close();
    assert.throws(() => new SqliteStore({ path, ...LIMITS }), (err: Error) => err instanceof SchemaTooNewError && !err.message.includes('\n') && err.message.includes(path));
  });

  test('opens for maintenance beside a running store: leaves anonymous inboxes alone, makes and migrates nothing', async () => {
    const path = file();
    const relay = new SqliteStore({ path, ...LIMITS });
    await relay.ephemeralInbox('ada');
    await relay.appendDirect({ type: 'direct', id: 'd1', ts: 1, from: 'u_grace', name: 'Grace', to: 'ada', text: 'hi' }, 'c1');
    const maintenance = new SqliteStore({ path, maintenance: true });
    assert.deepEqual((maintenance.exportUser('ada').direct).map((m) => m.text), ['hi'], 'the live anonymous inbox is still there');
    maintenance.close();
    assert.deepEqual((await relay.replayInbox('ada', 0)).messages.map((m) => m.text), ['hi'], 'and the relay still serves it');
    relay.close();
    const missing = file();
    assert.throws(() => new SqliteStore({ path: missing, maintenance: true }), (err: Error) => err instanceof StoreNotReadyError && err.message.includes(missing));
    assert.equal(existsSync(missing), false, 'no file was made');
    const empty = join(dir, `not-parley-${files}.db`);
    new Database(empty).close();
    assert.throws(() => new SqliteStore({ path: empty, maintenance: true }), /schema version 0, older than this command knows/);
  });

  test('waits for the write lock a maintenance command holds instead of refusing, even when its turn reads first', async () => {
    const path = file();
    const store = new SqliteStore({ path, ...LIMITS });
    await store.appendRoom(draft('lobby', 1), 'u_ada', 'c1');
    // another process (parley-relay user erase) holds the write lock for 300 ms
    const holder = spawn(process.execPath, ['-e', `const D = require('better-sqlite3'); const db = new D(${JSON.stringify(path)}); db.exec('BEGIN IMMEDIATE'); console.log('locked'); setTimeout(() => { db.exec('COMMIT'); db.close(); }, 300);`], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => holder.stdout!.once('data', () => resolve()));
    const started = Date.now();
    // a direct message reads its cid before it writes: in a deferred transaction that read could not wait for the lock
    const r = await store.appendDirect({ type: 'direct', id: 'd1', ts: 2, from: 'u_ada', name: 'Ada', to: 'u_bob', text: 'psst' }, 'c2');
    assert.ok(Date.now() - started >= 200, 'it waited for the lock');
    assert.equal(r.ack.seq, 1);
    assert.equal(store.available, true, 'and was never refused');
    await new Promise((resolve) => holder.once('exit', resolve));
    store.close();
  });

  test('an erase zeroes what it removes in the file, not only unlinks it', async () => {
    const path = file();
    const relay = new SqliteStore({ path, ...LIMITS });
    const secret = 'erase-me-'.repeat(8);
    await relay.appendRoom({ ...draft('lobby', 1), text: secret }, 'u_ada', 'c1');
    await relay.appendDirect({ type: 'direct', id: 'd1', ts: 2, from: 'u_ada', name: 'Ada', to: 'u_bob', text: secret }, 'c2');
    relay.close();
    const maintenance = new SqliteStore({ path, maintenance: true });
    assert.deepEqual(await maintenance.eraseUser('u_ada'), { user: 'u_ada', roomMessages: 1, directMessages: 1, inboxMessages: 1 });
    maintenance.close();
    assert.equal(existsSync(path + '-wal'), false, 'the last close checkpointed the WAL into the file');
    assert.equal(readFileSync(path).includes(secret), false);
  });

  test('makes the folder of a new file and starts it at the current schema', () => {
    const path = file();
    const store = new SqliteStore({ path, ...LIMITS });
    store.close();
    const db = new Database(path, { readonly: true });
    assert.equal((db.prepare('SELECT version FROM parley_schema').get() as { version: number }).version, SQLITE_SCHEMA_VERSION);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    db.close();
  });
});

describe('a relay on SQLite', () => {
  const h = new Harness();
  after(() => h.close());

  test("handles a connection's sends without waiting for each commit, yet acks them in order, and answers what follows after them", async () => {
    const relay = await createRelay({ port: 0, host: '127.0.0.1', log: false, rateBurst: 1000, store: `sqlite:${file()}` });
    try {
      const ada = await h.chat(relay, { nick: 'ada', rooms: [{ room: 'lobby', since: 0 }] });
      const bob = await h.chat(relay, { nick: 'bob', rooms: [{ room: 'lobby', since: 0 }] });
      const frame = Array.from({ length: 50 }, (_, i) => JSON.stringify({ type: 'send', room: 'lobby', text: `t${i}`, cid: `c${i}` }));
      frame.push(JSON.stringify({ type: 'ping', ts: 7 }));
      ada.send(frame.join('\n'));
      const answers: string[] = [];
      for (;;) {
        const e = await ada.next(undefined, (x) => x.type === 'ack' || x.type === 'pong');
        answers.push(e.type === 'ack' ? `${e.cid}:${e.seq}` : 'pong');
        if (e.type === 'pong') break;
      }
      assert.deepEqual(answers, [...Array.from({ length: 50 }, (_, i) => `c${i}:${i + 1}`), 'pong'], 'acks in order, each with its seq, and the ping answered after them');
      const seen: number[] = [];
      while (seen.length < 50) seen.push((await bob.next('msg')).seq as number);
      assert.deepEqual(seen, Array.from({ length: 50 }, (_, i) => i + 1), 'broadcast in seq order');
    } finally {
      await relay.close();
    }
  });
});

describe('a relay on SQLite with a retention policy', () => {
  const h = new Harness();
  after(() => h.close());

  test('deletes in the background what the policy no longer keeps while it serves, and a resume from before it gets a gap', async () => {
    const relay = await createRelay({ port: 0, host: '127.0.0.1', log: false, rateBurst: 1000, store: `sqlite:${file()}`, retention: '3', retentionIntervalMs: 50 });
    try {
      const ada = await h.chat(relay, { nick: 'ada', rooms: [{ room: 'lobby', since: 0 }] });
      const history = async (): Promise<number[]> => {
        ada.send({ type: 'history', room: 'lobby', qid: 'q' });
        return ((await ada.next('page')).messages as Array<{ seq: number }>).map((m) => m.seq);
      };
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < 5; i++) ada.send({ type: 'send', room: 'lobby', text: `t${round}.${i}`, cid: `c${round}.${i}` });
        for (let i = 0; i < 5; i++) await ada.next('ack');
      }
      await eventually(async () => (await history()).length === 3, 'the job to keep the newest 3');
      assert.deepEqual(await history(), [15, 14, 13]);
      ada.send({ type: 'send', room: 'lobby', text: 'still served', cid: 'late' });
      assert.equal((await ada.next('ack')).seq, 16, 'numbering goes on');
      const bob = await h.chat(relay, { nick: 'bob', rooms: [{ room: 'lobby', since: 2 }] });
      const gap = await bob.next('gap');
      assert.equal(gap.room, 'lobby');
      assert.equal(gap.start, 3);
      assert.ok((gap.end as number) >= 12, `the gap ends where history starts (${gap.end})`);
      assert.equal((await bob.next('msg')).seq, (gap.end as number) + 1);
    } finally {
      await relay.close();
    }
  });
});

describe('a relay on SQLite whose file refuses writes', () => {
  const h = new Harness();
  after(() => h.close());

  test('answers sends with unavailable, says degraded in /healthz, stores none of them, and recovers by itself', async () => {
    const path = file();
    const relay = await createRelay({ port: 0, host: '127.0.0.1', log: false }, { store: new SqliteStore({ path, ...LIMITS, busyTimeoutMs: 20 }) });
    try {
      const ada = await h.chat(relay, { nick: 'ada', rooms: [{ room: 'lobby', since: 0 }] });
      ada.send({ type: 'send', room: 'lobby', text: 'stored', cid: 'c1' });
      await ada.next('ack');
      assert.deepEqual(JSON.parse((await get(relay, '/healthz')).text).store, 'up');
      const other = new Database(path);
      other.exec('BEGIN IMMEDIATE'); // another process holds the write lock
      ada.send({ type: 'send', room: 'lobby', text: 'refused', cid: 'c2' });
      const refused = await ada.next('error');
      assert.deepEqual([refused.code, refused.ref], ['unavailable', 'c2']);
      const health = await get(relay, '/healthz');
      assert.equal(health.status, 503);
      assert.deepEqual([JSON.parse(health.text).status, JSON.parse(health.text).store], ['degraded', 'down']);
      ada.send({ type: 'send', room: 'lobby', text: 'refused at once', cid: 'c3' });
      assert.equal((await ada.next('error')).code, 'unavailable', 'refused without waiting for the lock');
      other.exec('ROLLBACK');
      other.close();
      await eventually(async () => JSON.parse((await get(relay, '/healthz')).text).status === 'ok', 'the store to take writes again');
      ada.send({ type: 'send', room: 'lobby', text: 'after', cid: 'c4' });
      assert.equal((await ada.next('ack')).seq, 2, 'the refused sends took no seq');
      ada.send({ type: 'history', room: 'lobby', qid: 'q1' });
      const page = await ada.next('page');
      assert.deepEqual((page.messages as Array<{ text: string }>).map((m) => m.text), ['after', 'stored']);
    } finally {
      await relay.close();
    }
  });
});
