/**
 * The PostgreSQL store behind a link that freezes (a proxy that takes bytes
 * and passes nothing on, closing nothing, like a database stopped with
 * SIGSTOP): a write the store refused is not committed when the database
 * gets it afterwards, so history agrees with what the client was told.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { RoomMessage } from '@parley/protocol';
import { UnavailableError } from '../src/store/errors.js';
import { PostgresStore } from '../src/store/postgres-store.js';
import { RedisProxy } from './cluster-helpers.js';
import { eventually, sleep } from './helpers.js';
import { dropSchema, POSTGRES_URL, schemaUrl, testSchema } from './postgres-helpers.js';

const draft = (room: string, n: number, from = 'u_ada'): Omit<RoomMessage, 'seq'> => ({ type: 'msg', room, id: `m${n}.${from}`, ts: n, from, name: 'Ada', text: `t${n}` });

const schemas: string[] = [];
after(async () => {
  for (const s of schemas) await dropSchema(s);
});

describe('PostgresStore behind a frozen link', () => {
  test('refuses a write the database does not answer, and the write is not committed when the database gets it after the thaw', async () => {
    const schema = testSchema();
    schemas.push(schema);
    const proxy = await new RedisProxy(new URL(POSTGRES_URL)).start();
    const published: string[] = [];
    const store = await PostgresStore.open({ url: schemaUrl(schema, proxy.port), published: { room: (_room, json) => published.push(json), user: () => {} } });
    try {
      await store.appendRoom(draft('lobby', 1), 'u_ada', 'c1');
      proxy.freeze();
      await assert.rejects(store.appendRoom(draft('lobby', 2), 'u_ada', 'c2'), UnavailableError);
      assert.equal(store.available, false);
      // the call the store gave up on reaches the database only now, after the refusal
      proxy.thaw();
      await eventually(() => store.available, 'the store to find the database again', 10_000);
      await sleep(300);
      assert.deepEqual((await store.replayRoom('lobby', 0)).messages.map((m) => m.text), ['t1'], 'the refused write is not in history');
      const later = await store.appendRoom(draft('lobby', 3), 'u_ada', 'c2');
      assert.ok(later.message, 'the refused cid was not remembered');
      assert.equal(later.ack.seq, 2, 'the refused write took no seq');
      assert.deepEqual(published.map((j) => (JSON.parse(j) as RoomMessage).text), ['t1', 't3'], 'nothing refused was published');
    } finally {
      proxy.thaw();
      await store.close();
      await proxy.close();
    }
  });
});
