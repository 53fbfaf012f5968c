// The relay's stores side by side, in process: appends per second (each
// resolved, i.e. acked: committed for SQLite and PostgreSQL) from many
// senders in many rooms, and the bytes on disk per message. The rounds
// alternate the stores so that a busy machine slows them alike; the ratios
// are the figures. PostgreSQL is measured in a fresh schema of
// BENCH_POSTGRES_URL (the tests' database by default), dropped after each
// round; --no-postgres leaves it out.
//
//   node bench/stores.mjs [--messages=200000] [--rounds=3] [--batch=1000] [--no-postgres]
//
// Needs the relay built (`npx tsc -b`). Prints a table; writes nothing.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MemoryStore, PostgresStore, SqliteStore } from '@parley/relay';
import pg from 'pg';
import { BENCH_POSTGRES_URL } from './peers/parley-stores.mjs';

const { values } = parseArgs({
  options: { messages: { type: 'string', default: '200000' }, rounds: { type: 'string', default: '3' }, batch: { type: 'string', default: '1000' }, 'no-postgres': { type: 'boolean', default: false } },
});
const MESSAGES = Number(values.messages);
const ROUNDS = Number(values.rounds);
/** Appends started per event-loop turn: many senders' sends arriving together. */
const BATCH = Number(values.batch);
const ROOMS = 100;
const SENDERS = 500;
/** About what people write most: one line of chat. */
const TEXT = 'a typical chat line of about eighty characters, which is what people write most';

/** The bytes a PostgreSQL schema's tables and indexes take. */
async function schemaBytes(schema) {
  const client = new pg.Client({ connectionString: BENCH_POSTGRES_URL });
  await client.connect();
  try {
    const r = await client.query(`SELECT coalesce(sum(pg_total_relation_size(format('%I.%I', schemaname, tablename))), 0) AS b FROM pg_tables WHERE schemaname = $1`, [schema]);
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    return Number(r.rows[0].b);
  } finally {
    await client.end();
  }
}

async function open(kind, dir) {
  const limits = { historyLimit: MESSAGES, inboxLimit: 1000 };
  if (kind === 'sqlite') return { store: new SqliteStore({ path: join(dir, 'parley.db'), ...limits }) };
  if (kind === 'memory') return { store: new MemoryStore(limits) };
  const schema = `parley_bench_${Math.random().toString(36).slice(2, 10)}`;
  const url = new URL(BENCH_POSTGRES_URL);
  url.searchParams.set('schema', schema);
  return { store: await PostgresStore.open({ url: url.toString() }), schema };
}

async function round(kind) {
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-store-'));
  const { store, schema } = await open(kind, dir);
  const t0 = performance.now();
  for (let b = 0; b < MESSAGES / BATCH; b++) {
    const acks = [];
    for (let i = 0; i < BATCH; i++) {
      const n = b * BATCH + i;
      const user = `user${n % SENDERS}`;
      const draft = { type: 'msg', room: `room${n % ROOMS}`, id: `m_${n.toString(36)}.bench`, ts: 1_764_000_000_000 + n, from: user, name: `User ${n % SENDERS}`, text: TEXT };
      acks.push(store.appendRoom(draft, user, `c_${user}_${n}`));
    }
    await Promise.all(acks);
  }
  const seconds = (performance.now() - t0) / 1000;
  await store.close?.();
  const bytes = schema ? await schemaBytes(schema) : readdirSync(dir).reduce((a, f) => a + statSync(join(dir, f)).size, 0);
  rmSync(dir, { recursive: true, force: true });
  return { kind, perSecond: MESSAGES / seconds, bytesPerMessage: bytes / MESSAGES };
}

const KINDS = values['no-postgres'] ? ['memory', 'sqlite'] : ['memory', 'sqlite', 'postgres'];
const results = Object.fromEntries(KINDS.map((k) => [k, []]));
for (let r = 0; r < ROUNDS; r++) {
  for (const kind of KINDS) {
    const res = await round(kind);
    results[kind].push(res);
    console.log(`round ${r + 1}/${ROUNDS} ${kind}: ${Math.round(res.perSecond).toLocaleString('en')} acked appends/s`);
  }
}
const best = (kind) => results[kind].reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
const mem = best('memory');
const sql = best('sqlite');
console.log(`\n${MESSAGES.toLocaleString('en')} messages of ${TEXT.length} characters, ${ROOMS} rooms, ${SENDERS} senders, ${BATCH} appends per turn (best of ${ROUNDS})`);
console.log('store    acked appends/s   bytes on disk per message');
console.log(`memory   ${Math.round(mem.perSecond).toLocaleString('en').padStart(15)}   -`);
console.log(`sqlite   ${Math.round(sql.perSecond).toLocaleString('en').padStart(15)}   ${Math.round(sql.bytesPerMessage)}`);
console.log(`sqlite / memory: ${(sql.perSecond / mem.perSecond).toFixed(3)}x; disk per million messages: ${((sql.bytesPerMessage * 1e6) / 1048576).toFixed(0)} MiB`);
if (results.postgres) {
  const pgs = best('postgres');
  console.log(`postgres ${Math.round(pgs.perSecond).toLocaleString('en').padStart(15)}   ${Math.round(pgs.bytesPerMessage)}`);
  console.log(`postgres / memory: ${(pgs.perSecond / mem.perSecond).toFixed(3)}x; database per million messages: ${((pgs.bytesPerMessage * 1e6) / 1048576).toFixed(0)} MiB`);
}
