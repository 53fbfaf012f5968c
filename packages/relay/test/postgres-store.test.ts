/**
 * What only the PostgreSQL store does (the store and sessions contracts
 * cover the rest): `seq`s assigned in the database for several relays at
 * once, survival of a reopen, refusal while the database cannot be reached
 * (nothing refused is stored) and recovery by itself, the truth about a
 * write whose answer was lost, a newer schema refused; and relays of a
 * cluster keeping their history in it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import { CloseCode, type DirectMessage, type RoomMessage } from '@parley/protocol';
import { createRelay, type RelayHandle } from '../src/index.js';
import { UnavailableError } from '../src/store/errors.js';
import { POSTGRES_SCHEMA_VERSION, PostgresStore } from '../src/store/postgres-store.js';
import { SchemaTooNewError } from '../src/store/errors.js';
import { ClusterHarness, RedisProxy, RelayProcess } from './cluster-helpers.js';
import { eventually, get, Harness } from './helpers.js';
import { dropSchema, pgQuery, POSTGRES_URL, schemaUrl, testSchema } from './postgres-helpers.js';

const draft = (room: string, n: number, from = 'u_ada'): Omit<RoomMessage, 'seq'> => ({ type: 'msg', room, id: `m${n}.${from}`, ts: n, from, name: 'Ada', text: `t${n}` });
const dm = (n: number, from: string, to: string): Omit<DirectMessage, 'seq'> => ({ type: 'direct', id: `d${n}`, ts: n, from, name: from, to, text: `d${n}` });

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const schemas: string[] = [];
function schema(): string {
  const s = testSchema();
  schemas.push(s);
  return s;
}
after(async () => {
  for (const s of schemas) await dropSchema(s);
});

describe('PostgresStore', () => {
  test('gives two stores (two relays) on one schema one gap-free seq per room, under concurrent appends to the same rooms', async () => {
    const url = schemaUrl(schema());
    const [a, b] = await Promise.all([PostgresStore.open({ url }), PostgresStore.open({ url })]);
    try {
      const appends: Promise<unknown>[] = [];
      for (let turn = 0; turn < 20; turn++) {
        for (let i = 0; i < 25; i++) {
          const n = turn * 25 + i;
          // rooms in both orders on both sides: a store that locked rows in arrival order would deadlock
          appends.push(a.appendRoom(draft(`r${n % 5}`, n, 'u_a'), 'u_a', `a${n}`));
          appends.push(b.appendRoom(draft(`r${4 - (n % 5)}`, n, 'u_b'), 'u_b', `b${n}`));
          if (i % 5 === 0) appends.push(a.appendDirect(dm(n, 'u_a', 'u_b'), `da${n}`), b.appendDirect(dm(n + 10_000, 'u_b', 'u_a'), `db${n}`));
        }
        await new Promise((r) => setImmediate(r));
      }
      await Promise.all(appends);
      for (let r = 0; r < 5; r++) {
        const seqs = (await a.replayRoom(`r${r}`, 0)).messages.map((m) => m.seq);
        assert.deepEqual(seqs, Array.from({ length: 200 }, (_, i) => i + 1), `room r${r}: every seq once, none missing`);
        assert.equal(await b.roomSeq(`r${r}`), 200);
      }
      const inbox = (await b.replayInbox('u_b', 0)).messages.map((m) => m.seq);
      assert.deepEqual(inbox, Array.from({ length: 200 }, (_, i) => i + 1), "u_b's inbox: its own copies and what it got, one seq each");
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  test('stores a cid sent twice in one turn once, and answers both with its ack', async () => {
    const store = await PostgresStore.open({ url: schemaUrl(schema()) });
    try {
      await store.appendRoom(draft('lobby', 1), 'u_ada', 'c1');
      const [again, first, second] = await Promise.all([
        store.appendRoom(draft('lobby', 2), 'u_ada', 'c1'),
        store.appendRoom(draft('lobby', 3), 'u_ada', 'c3'),
        store.appendRoom(draft('lobby', 4), 'u_ada', 'c3'),
      ]);
      assert.equal(again.message, undefined, 'a cid of an earlier turn is a repeat');
      assert.equal(again.ack.seq, 1);
      assert.ok(first.message);
      assert.equal(second.message, undefined, 'the second of the turn is a repeat of the first');
      assert.deepEqual(second.ack, first.ack);
      assert.deepEqual((await store.replayRoom('lobby', 0)).messages.map((m) => m.text), ['t1', 't3']);
    } finally {
      await store.close();
    }
  });

  test('keeps messages, seqs, epochs and cids across a reopen, and drops the inbox of an anonymous user a stop left behind', async () => {
    const url = schemaUrl(schema());
    const a = await PostgresStore.open({ url });
    const first = await a.appendRoom(draft('lobby', 1), 'u_ada', 'c1');
    await a.appendRoom(draft('lobby', 2), 'u_ada', 'c2');
    await a.ephemeralInbox('ada');
    await a.appendDirect(dm(3, 'ada', 'u_grace'), 'c3');
    const head = await a.roomHead('lobby');
    await a.close();
    const b = await PostgresStore.open({ url });
    try {
      assert.deepEqual(await b.roomHead('lobby'), head, 'the same seq and epoch: no gap after a restart');
      assert.deepEqual((await b.replayRoom('lobby', 0)).messages.map((m) => m.text), ['t1', 't2']);
      assert.deepEqual(await b.appendRoom(draft('lobby', 9), 'u_ada', 'c1'), { ack: first.ack }, 'a cid sent before the restart is recognised');
      assert.equal((await b.appendRoom(draft('lobby', 3), 'u_ada', 'c4')).ack.seq, 3);
      assert.deepEqual(await b.replayInbox('ada', 0), { messages: [] }, 'the next visitor called ada reads nothing');
      assert.deepEqual((await b.replayInbox('u_grace', 0)).messages.map((m) => m.text), ['d3'], "the token user's inbox stays");
    } finally {
      await b.close();
    }
  });

  test('refuses every write while the database cannot be reached, stores none of them, and recovers by itself', async () => {
    const proxy = await new RedisProxy(new URL(POSTGRES_URL)).start();
    const store = await PostgresStore.open({ url: schemaUrl(schema(), proxy.port) });
    try {
      await store.appendRoom(draft('lobby', 1), 'u_ada', 'c1');
      await proxy.cut();
      const results = await Promise.allSettled([store.appendRoom(draft('lobby', 2), 'u_ada', 'c2'), store.appendDirect(dm(3, 'u_ada', 'u_bob'), 'c3')]);
      assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected']);
      for (const r of results) assert.ok((r as PromiseRejectedResult).reason instanceof UnavailableError);
      assert.equal(store.available, false);
      await assert.rejects(store.appendRoom(draft('lobby', 4), 'u_ada', 'c4'), UnavailableError, 'refused at once while the database is away');
      await assert.rejects(Promise.resolve(store.replayRoom('lobby', 0)), UnavailableError, 'reads say unavailable too');
      await proxy.restore();
      await eventually(() => store.available, 'the store to find the database again', 10_000);
      const later = await store.appendRoom(draft('lobby', 5), 'u_ada', 'c2');
      assert.equal(later.ack.seq, 2, 'the refused write took no seq');
      assert.ok(later.message, 'the refused cid was not remembered');
      assert.deepEqual((await store.replayRoom('lobby', 0)).messages.map((m) => m.text), ['t1', 't5'], 'nothing refused is in history');
      assert.deepEqual(await store.replayInbox('u_bob', 0), { messages: [] });
    } finally {
      await store.close();
      await proxy.close();
    }
  });

  test('acks a write whose answer the connection lost once it finds it committed, and broadcasts it once', async () => {
    const proxy = await new RedisProxy(new URL(POSTGRES_URL)).start();
    const published: string[] = [];
    const store = await PostgresStore.open({
      url: schemaUrl(schema(), proxy.port),
      published: { room: (_room, json) => published.push(json), user: () => {} },
    });
    try {
      await store.appendRoom(draft('lobby', 1), 'u_ada', 'c1');
      await store.replayRoom('lobby', 0); // the read connection exists before the answer is lost
      const lost = proxy.loseNextAnswer(300);
      const r = await store.appendRoom(draft('lobby', 2), 'u_ada', 'c2');
      await lost;
      assert.equal(r.ack.seq, 2);
      assert.ok(r.message, 'answered as the new message it is');
      assert.deepEqual((await store.replayRoom('lobby', 0)).messages.map((m) => m.text), ['t1', 't2']);
      assert.equal(published.length, 2, 'published once each');
      assert.equal(store.available, true);
    } finally {
      await store.close();
      await proxy.close();
    }
  });

  test('refuses a schema newer than it knows, in one line', async () => {
    const s = schema();
    await (await PostgresStore.open({ url: schemaUrl(s) })).close();
    await pgQuery(`UPDATE "${s}".parley_schema SET version = $1`, [POSTGRES_SCHEMA_VERSION + 1]);
    await assert.rejects(PostgresStore.open({ url: schemaUrl(s) }), (err: Error) => err instanceof SchemaTooNewError && !err.message.includes('\n') && err.message.includes(s));
  });

  test('exports and erases a user from the command line (parley-relay user), beside a store in use', async () => {
    const url = schemaUrl(schema());
    const store = await PostgresStore.open({ url });
    try {
      await store.appendRoom(draft('lobby', 1), 'u_ada', 'c1');
      await store.appendRoom(draft('lobby', 2, 'u_bob'), 'u_bob', 'c2');
      const cli = (args: string[]) => spawnSync(process.execPath, [CLI, 'user', ...args, '--store', url], { encoding: 'utf8', timeout: 20_000 });
      const exported = cli(['export', 'u_ada']);
      assert.equal(exported.status, 0, exported.stderr);
      assert.deepEqual((JSON.parse(exported.stdout) as { rooms: RoomMessage[] }).rooms.map((m) => m.text), ['t1']);
      const erased = cli(['erase', 'u_ada']);
      assert.equal(erased.status, 0, erased.stderr);
      assert.equal((JSON.parse(erased.stdout) as { roomMessages: number }).roomMessages, 1);
      const after = (await store.replayRoom('lobby', 0)).messages;
      assert.deepEqual(after.map((m) => [m.seq, m.text, m.from, m.deleted ?? false]), [[1, '', '', true], [2, 't2', 'u_bob', false]], 'a tombstone in its seq, the others untouched');
      assert.equal((await store.appendRoom(draft('lobby', 3), 'u_ada', 'c3')).ack.seq, 3, 'the store numbers on');
    } finally {
      await store.close();
    }
  });

  test('names the database, without its password, when it cannot be reached', async () => {
    await assert.rejects(
      PostgresStore.open({ url: 'postgres://parley:hunter2@127.0.0.1:1/parley_test' }),
      (err: Error) => err.message.includes('127.0.0.1:1') && !err.message.includes('hunter2'),
    );
  });
});

describe('a relay on PostgreSQL', () => {
  const h = new Harness();
  after(() => h.close());

  test('names the database in its start-up log, never the password', async () => {
    const url = new URL(schemaUrl(schema()));
    const password = decodeURIComponent(url.password);
    const p = await RelayProcess.start({ port: 0, host: '127.0.0.1', store: url.toString(), log: 'info' });
    try {
      await eventually(() => p.logs.some((l) => l.store === 'postgres'), 'a line that says where history is kept');
      const line = p.logs.find((l) => l.store === 'postgres')!;
      assert.match(String(line.msg), /history is kept in PostgreSQL at postgres:\/\/parley:\*\*\*@127\.0\.0\.1:5432\/parley_test/);
      const all = JSON.stringify(p.logs);
      assert.ok(!all.includes(`:${password}@`), 'the password appears in no log line');
    } finally {
      await p.kill('SIGTERM');
    }
  });

  test('says degraded with the store down in /healthz while the database is away, refuses sends with unavailable, and recovers', async () => {
    const proxy = await new RedisProxy(new URL(POSTGRES_URL)).start();
    const relay = await createRelay({ port: 0, host: '127.0.0.1', log: false, store: schemaUrl(schema(), proxy.port) });
    try {
      const ada = await h.chat(relay, { nick: 'ada', rooms: [{ room: 'lobby', since: 0 }] });
      ada.send({ type: 'send', room: 'lobby', text: 'kept', cid: 'c1' });
      await ada.next('ack');
      await proxy.cut();
      ada.send({ type: 'send', room: 'lobby', text: 'refused', cid: 'c2' });
      const e = await ada.next('error');
      assert.equal(e.code, 'unavailable');
      const health = JSON.parse((await get(relay, '/healthz')).text) as { status: string; store: string };
      assert.deepEqual([health.status, health.store], ['degraded', 'down']);
      await proxy.restore();
      await eventually(async () => JSON.parse((await get(relay, '/healthz')).text).status === 'ok', 'the store to be back', 10_000);
      ada.send({ type: 'send', room: 'lobby', text: 'after', cid: 'c3' });
      assert.equal((await ada.next('ack')).seq, 2, 'the refused send took no seq');
      ada.send({ type: 'history', qid: 'q', room: 'lobby', limit: 10 });
      const page = await ada.next('page');
      assert.deepEqual((page.messages as RoomMessage[]).map((m) => m.text), ['after', 'kept'], 'the refused send is not in history');
    } finally {
      await relay.close();
      await proxy.close();
    }
  });
});

describe('relays of a cluster keeping history in PostgreSQL', () => {
  const c = new ClusterHarness();
  after(() => c.close());

  test('give clients on every relay the same gap-free seq order, with senders on every relay, and keep nothing of the history in Redis', async () => {
    await c.init();
    const store = schemaUrl(schema());
    const relays = await c.startRelays(3, { store, rateBurst: 1000 });
    const clients = await Promise.all(relays.map((r, i) => c.chat(r, { nick: `p${i}`, rooms: [{ room: 'lobby', since: 0 }] })));
    const PER = 60;
    for (let k = 0; k < PER; k++) for (const [i, cl] of clients.entries()) cl.send({ type: 'send', room: 'lobby', text: `${i}:${k}`, cid: `c${k}` });
    for (const cl of clients) {
      const seqs: number[] = [];
      while (seqs.length < PER * clients.length) seqs.push((await cl.next('msg')).seq as number);
      assert.deepEqual(seqs, Array.from({ length: PER * clients.length }, (_, i) => i + 1), 'every seq once, in order, on every relay');
    }
    const keys = await c.redis.keys(`${c.prefix}room/lobby/*`);
    assert.deepEqual(keys.filter((k) => /\/(seq|log|cids)$/.test(k)), [], 'no history keys in Redis');
    const [row] = await pgQuery<{ n: string }>(`SELECT count(*) AS n FROM "${new URL(store).searchParams.get('schema')}".room_messages`);
    assert.equal(Number(row!.n), PER * clients.length);
  });

  test('replays to a session taken back on another relay what it missed, from the database', async () => {
    const store = schemaUrl(schema());
    const [a, b] = (await c.startRelays(2, { store })) as [RelayHandle, RelayHandle];
    const ada = await c.open(a.wsUrl);
    const welcome = await ada.hello({ nick: 'ada', rooms: [{ room: 'lobby', since: 0 }] });
    const bob = await c.chat(b, { nick: 'bob', rooms: [{ room: 'lobby', since: 0 }] });
    await ada.close();
    for (let i = 1; i <= 5; i++) bob.send({ type: 'send', room: 'lobby', text: `m${i}`, cid: `b${i}` });
    for (let i = 1; i <= 5; i++) await bob.next('ack');
    const back = await c.open(b.wsUrl);
    const resumed = await back.hello({ resume: welcome.resume, rooms: [{ room: 'lobby', since: 0 }] });
    assert.equal(resumed.session, welcome.session);
    const texts: string[] = [];
    while (texts.length < 5) texts.push((await back.next('msg')).text as string);
    assert.deepEqual(texts, ['m1', 'm2', 'm3', 'm4', 'm5']);
  });

  test("starts the inbox of an anonymous nickname claimed afresh empty: the next visitor called ada reads nothing of the last one's", async () => {
    const [a, b] = (await c.startRelays(2, { store: schemaUrl(schema()) })) as [RelayHandle, RelayHandle];
    const ada = await c.chat(a, { nick: 'anon-ada' });
    const bob = await c.chat(b, { nick: 'anon-bob' });
    bob.send({ type: 'dm', to: 'anon-ada', text: 'for the first ada', cid: 'd1' });
    assert.equal((await ada.next('direct')).text, 'for the first ada');
    ada.ws.close(CloseCode.Normal); // ends the session at once, cluster-wide: the nickname is free
    await ada.closedWithin();
    let next: Awaited<ReturnType<typeof c.open>> | undefined;
    await eventually(async () => {
      await next?.close();
      next = await c.open(b.wsUrl);
      const w = await next.hello({ nick: 'anon-ada' }).catch(() => undefined);
      return w !== undefined;
    }, 'the nickname to be free again', 10_000);
    next!.send({ type: 'history', qid: 'q', limit: 10 });
    const page = await next!.next('page');
    assert.deepEqual(page.messages, [], 'nothing of the first ada');
  });
});
