/**
 * A durable {@link Store} in PostgreSQL (node-postgres), for one relay or
 * any number of them: rooms, their `seq`s, messages, inboxes and idempotency
 * records live in the database, in a schema of their own (`parley` unless
 * the URL's `schema` parameter names another).
 *
 * Group commit: every write of one turn of the event loop goes into one
 * call of the `parley_apply` function, which is one statement and so one
 * transaction; while it runs, the next turn's writes gather for the next
 * call. Each write's promise resolves only after the commit.
 *
 * `seq`s are assigned in the database, under the room's (inbox's) row lock:
 * no two relays can hand out the same `seq`, a rolled-back write takes its
 * `seq` back with it, and a room's `seq`s commit in order, so there are no
 * gaps. Every call locks its rows in one order (rooms, then inboxes, each
 * sorted by name), so relays writing to the same rooms never deadlock.
 *
 * In a cluster the store publishes what it committed (`published`), in
 * commit order; each relay's feed fills from the database what another
 * relay's publish has not brought yet (see `cluster/feed.ts`).
 *
 * A database that cannot be reached or refuses a write: every write of the
 * call is answered with an {@link UnavailableError} and none of it is
 * stored; writes are then refused at once until a probe (every
 * {@link POSTGRES_PROBE_MS}) gets an answer. When the connection breaks
 * after the call was sent, the outcome is unknown: the store asks again on
 * a fresh connection whether each write is there, and answers what it finds.
 */
import type { DirectMessage, RoomMessage } from '@parley/protocol';
import pg from 'pg';
import { redactUrl } from '../config/config.js';
import { newEpoch } from '../wire/ids.js';
import { SchemaTooNewError, UnavailableError } from './errors.js';
import type { AckInfo, DirectAppend, DirectDraft, Page, Replay, RoomAppend, RoomDraft, RoomHead, Store } from './store.js';

/** How often a store that failed a write asks the database whether it answers again, ms. */
export const POSTGRES_PROBE_MS = 1000;
/** The schema version this code writes and reads. */
export const POSTGRES_SCHEMA_VERSION = 1;
/** The schema the tables live in unless the URL's `schema` parameter names another. */
export const POSTGRES_DEFAULT_SCHEMA = 'parley';
/** Longest one statement may run (server side) or wait for its answer (client side), ms. */
export const POSTGRES_STATEMENT_TIMEOUT_MS = 5000;
/** Longest a new connection may take, ms. */
export const POSTGRES_CONNECT_TIMEOUT_MS = 3000;
/** Connections used for reads (history, replay), besides the one that writes. */
export const POSTGRES_READ_CONNECTIONS = 4;
/** Times a call that lost a deadlock or serialization race is tried again before it is refused. */
const RETRIES = 3;

/** Where a {@link PostgresStore} keeps its tables, and whom it tells of new messages. */
export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database`, optionally `?schema=name`. */
  url: string;
  /** Told of every committed message, in commit order (the cluster publishes them). */
  published?: Published;
  /** Connections for reads. Default {@link POSTGRES_READ_CONNECTIONS}. */
  readConnections?: number;
}

/** What a cluster's store does with a committed message: publish its encoded form. */
export interface Published {
  room(room: string, json: string, except: string): void;
  user(userId: string, json: string, except: string): void;
}

/** A URL's schema parameter (or the default), and the URL without it. */
export function postgresTarget(url: string): { url: string; schema: string } {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema') ?? POSTGRES_DEFAULT_SCHEMA;
  parsed.searchParams.delete('schema');
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`the schema name "${schema}" must be lower-case letters, digits and _`);
  return { url: parsed.toString(), schema };
}

/** Each migration takes the schema from its index to the next version; `S` is the quoted schema. */
const MIGRATIONS: ReadonlyArray<(S: string) => string> = [
  (S) => `
    CREATE TABLE ${S}.rooms (room text PRIMARY KEY, epoch text NOT NULL, seq bigint NOT NULL DEFAULT 0);
    CREATE TABLE ${S}.room_messages (
      room text NOT NULL, seq bigint NOT NULL, usr text NOT NULL, cid text NOT NULL, ts bigint NOT NULL, body text NOT NULL,
      PRIMARY KEY (room, seq)
    );
    CREATE UNIQUE INDEX room_cids ON ${S}.room_messages (room, usr, cid);
    CREATE INDEX room_times ON ${S}.room_messages (ts);
    CREATE TABLE ${S}.inboxes (owner text PRIMARY KEY, seq bigint NOT NULL DEFAULT 0);
    CREATE TABLE ${S}.inbox_messages (
      owner text NOT NULL, seq bigint NOT NULL, sender text NOT NULL, cid text, ts bigint NOT NULL, body text NOT NULL,
      PRIMARY KEY (owner, seq)
    );
    CREATE UNIQUE INDEX inbox_cids ON ${S}.inbox_messages (owner, cid) WHERE cid IS NOT NULL;
    CREATE INDEX inbox_times ON ${S}.inbox_messages (ts);
    CREATE TABLE ${S}.ephemeral_inboxes (owner text PRIMARY KEY);
    ${APPLY(S)}
  `,
];

/**
 * The one function every write goes through: a JSON array of operations in,
 * a JSON array of results out (one per operation, same order), in one
 * transaction. Operations: `room` (a room message: room, user, cid, ts, head,
 * epoch), `dm` (a direct message: from, to, cid, ts, head), `head` (a room's
 * head, made with `epoch` when new), `drop-room`, `drop-inbox`, `ephemeral`.
 * A message's stored text is `head || seq || '}'`: the encoded draft with
 * its `seq` appended, exactly `JSON.stringify({ ...draft, seq })`.
 */
const APPLY = (S: string): string => `
CREATE OR REPLACE FUNCTION ${S}.parley_apply(ops jsonb) RETURNS jsonb LANGUAGE plpgsql AS $fn$
DECLARE
  op jsonb;
  results jsonb := '[]'::jsonb;
  earlier text;
  a bigint;
  b bigint;
BEGIN
  -- rows first, locked in one order (rooms, then inboxes, each by name): relays never deadlock
  INSERT INTO ${S}.rooms (room, epoch)
    SELECT DISTINCT ON (o->>'room') o->>'room', o->>'epoch' FROM jsonb_array_elements(ops) o
    WHERE o->>'k' IN ('room', 'head') ORDER BY o->>'room'
    ON CONFLICT DO NOTHING;
  PERFORM 1 FROM ${S}.rooms WHERE room IN (
    SELECT o->>'room' FROM jsonb_array_elements(ops) o WHERE o->>'k' IN ('room', 'drop-room')
  ) ORDER BY room FOR UPDATE;
  INSERT INTO ${S}.inboxes (owner)
    SELECT u FROM (
      SELECT o->>'to' AS u FROM jsonb_array_elements(ops) o WHERE o->>'k' = 'dm'
      UNION SELECT o->>'from' FROM jsonb_array_elements(ops) o WHERE o->>'k' = 'dm'
    ) owners ORDER BY u
    ON CONFLICT DO NOTHING;
  PERFORM 1 FROM ${S}.inboxes WHERE owner IN (
    SELECT o->>'to' FROM jsonb_array_elements(ops) o WHERE o->>'k' = 'dm'
    UNION SELECT o->>'from' FROM jsonb_array_elements(ops) o WHERE o->>'k' IN ('dm', 'drop-inbox', 'ephemeral')
  ) ORDER BY owner FOR UPDATE;
  FOR op IN SELECT value FROM jsonb_array_elements(ops) LOOP
    CASE op->>'k'
    WHEN 'room' THEN
      SELECT m.body INTO earlier FROM ${S}.room_messages m
        WHERE m.room = op->>'room' AND m.usr = op->>'user' AND m.cid = op->>'cid';
      IF FOUND THEN
        results := results || jsonb_build_array(jsonb_build_array(1, earlier));
      ELSE
        UPDATE ${S}.rooms SET seq = seq + 1 WHERE room = op->>'room' RETURNING seq INTO a;
        INSERT INTO ${S}.room_messages (room, seq, usr, cid, ts, body)
          VALUES (op->>'room', a, op->>'user', op->>'cid', (op->>'ts')::bigint, (op->>'head') || a || '}');
        results := results || jsonb_build_array(jsonb_build_array(0, a));
      END IF;
    WHEN 'dm' THEN
      SELECT m.body INTO earlier FROM ${S}.inbox_messages m WHERE m.owner = op->>'from' AND m.cid = op->>'cid';
      IF FOUND THEN
        results := results || jsonb_build_array(jsonb_build_array(1, earlier));
      ELSE
        UPDATE ${S}.inboxes SET seq = seq + 1 WHERE owner = op->>'to' RETURNING seq INTO a;
        INSERT INTO ${S}.inbox_messages (owner, seq, sender, cid, ts, body)
          VALUES (op->>'to', a, op->>'from', CASE WHEN op->>'to' = op->>'from' THEN op->>'cid' END,
                  (op->>'ts')::bigint, (op->>'head') || a || '}');
        b := a;
        IF op->>'to' <> op->>'from' THEN
          UPDATE ${S}.inboxes SET seq = seq + 1 WHERE owner = op->>'from' RETURNING seq INTO b;
          INSERT INTO ${S}.inbox_messages (owner, seq, sender, cid, ts, body)
            VALUES (op->>'from', b, op->>'from', op->>'cid', (op->>'ts')::bigint, (op->>'head') || b || '}');
        END IF;
        results := results || jsonb_build_array(jsonb_build_array(0, a, b));
      END IF;
    WHEN 'head' THEN
      SELECT seq INTO a FROM ${S}.rooms WHERE room = op->>'room';
      results := results || jsonb_build_array(jsonb_build_array(a, (SELECT epoch FROM ${S}.rooms WHERE room = op->>'room')));
    WHEN 'drop-room' THEN
      DELETE FROM ${S}.room_messages WHERE room = op->>'room';
      DELETE FROM ${S}.rooms WHERE room = op->>'room';
      results := results || 'null'::jsonb;
    WHEN 'drop-inbox' THEN
      DELETE FROM ${S}.inbox_messages WHERE owner = op->>'from';
      DELETE FROM ${S}.inboxes WHERE owner = op->>'from';
      DELETE FROM ${S}.ephemeral_inboxes WHERE owner = op->>'from';
      results := results || 'null'::jsonb;
    WHEN 'ephemeral' THEN
      INSERT INTO ${S}.ephemeral_inboxes (owner) VALUES (op->>'from') ON CONFLICT DO NOTHING;
      results := results || 'null'::jsonb;
    END CASE;
  END LOOP;
  RETURN results;
END
$fn$;
`;

/** One write waiting for its call: the operation, and how its promise settles. */
interface Pending {
  op: Record<string, string | number>;
  resolve(result: unknown): void;
  reject(err: Error): void;
}

/** SQLSTATE classes of a call that changed nothing and may simply be tried again: deadlock, serialization. */
const RETRYABLE = new Set(['40P01', '40001']);

/**
 * SQLSTATEs after which a call's outcome is unknown: the connection broke
 * (class 08) or the server ended it (57P01-57P05): it may have committed.
 * Any other error from the database refused the call, and nothing of it was stored.
 */
const UNKNOWN_OUTCOME = /^(08|57P0)/;

/** The id in an encoded message. */
const idOf = (body: string): string => (JSON.parse(body) as { id: string }).id;

const ackOf = (m: { id: string; seq: number; ts: number }): AckInfo => ({ id: m.id, seq: m.seq, ts: m.ts });

/** The encoded draft up to its `seq`: the database appends the `seq` and `}`. */
const head = (draft: RoomDraft | DirectDraft): string => JSON.stringify(draft).slice(0, -1) + ',"seq":';

/**
 * @example
 * ```ts
 * const store = await PostgresStore.open({ url: 'postgres://parley@db.internal/chat' });
 * const { ack } = await store.appendRoom(draft, 'ada', 'c1'); // resolves once committed
 * await store.close();
 * ```
 */
export class PostgresStore implements Store {
  readonly durable = true;
  private queue: Pending[] = [];
  private scheduled = false;
  /** The call in flight, if any. */
  private running: Promise<void> | undefined;
  private closed = false;
  private probe: NodeJS.Timeout | undefined;
  private readonly flushNow = (): void => void this.flush();

  private constructor(
    private readonly writer: pg.Pool,
    private readonly reader: pg.Pool,
    /** The quoted schema name. */
    private readonly S: string,
    private readonly published: Published | undefined,
  ) {}

  /**
   * Connects, creates or migrates the schema, and drops the inboxes of
   * anonymous users whose sessions ended with a relay that stopped (one
   * relay: with several, `forgetEphemeral: false` and the cluster drops an
   * anonymous inbox when its nickname is claimed again).
   *
   * @throws {SchemaTooNewError} when the schema is newer than this code's
   * @throws Error naming the (password-less) URL when the database cannot be reached
   */
  static async open(options: PostgresStoreOptions & { forgetEphemeral?: boolean }): Promise<PostgresStore> {
    const { url, schema } = postgresTarget(options.url);
    const base: pg.PoolConfig = {
      connectionString: url,
      connectionTimeoutMillis: POSTGRES_CONNECT_TIMEOUT_MS,
      query_timeout: POSTGRES_STATEMENT_TIMEOUT_MS,
      statement_timeout: POSTGRES_STATEMENT_TIMEOUT_MS,
      application_name: 'parley-relay',
      idleTimeoutMillis: 0,
    };
    const writer = new pg.Pool({ ...base, max: 1 });
    const reader = new pg.Pool({ ...base, max: options.readConnections ?? POSTGRES_READ_CONNECTIONS });
    // a connection that breaks while idle is replaced at its next use; the error must not end the process
    for (const pool of [writer, reader]) pool.on('error', () => {});
    const S = `"${schema}"`;
    try {
      await migrate(writer, S, schema, options.url);
      if (options.forgetEphemeral !== false) {
        await writer.query(`
          WITH gone AS (DELETE FROM ${S}.ephemeral_inboxes RETURNING owner),
               messages AS (DELETE FROM ${S}.inbox_messages WHERE owner IN (SELECT owner FROM gone))
          DELETE FROM ${S}.inboxes WHERE owner IN (SELECT owner FROM gone)`);
      }
    } catch (err) {
      await Promise.allSettled([writer.end(), reader.end()]);
      if (err instanceof SchemaTooNewError) throw err;
      throw new Error(`cannot use PostgreSQL at ${redactUrl(options.url)}: ${(err as Error).message}`);
    }
    return new PostgresStore(writer, reader, S, options.published);
  }

  /** Whether writes go through (`false` from a failed write until a probe gets an answer). */
  get available(): boolean {
    return this.probe === undefined;
  }

  async appendRoom(draft: RoomDraft, user: string, cid: string, except = ''): Promise<RoomAppend> {
    const r = (await this.apply({ k: 'room', id: draft.id, room: draft.room, user, cid, ts: draft.ts, head: head(draft), epoch: '' })) as [number, string | number];
    if (r[0] === 1) return { ack: ackOf(JSON.parse(r[1] as string) as RoomMessage) };
    const message = { ...draft, seq: Number(r[1]) } as RoomMessage;
    this.published?.room(draft.room, JSON.stringify(message), except);
    return { ack: ackOf(message), message };
  }

  async appendDirect(draft: DirectDraft, cid: string, except = ''): Promise<DirectAppend> {
    const r = (await this.apply({ k: 'dm', id: draft.id, from: draft.from, to: draft.to, cid, ts: draft.ts, head: head(draft) })) as [number, string | number, number];
    if (r[0] === 1) return { ack: ackOf(JSON.parse(r[1] as string) as DirectMessage) };
    const recipientCopy = { ...draft, seq: Number(r[1]) } as DirectMessage;
    this.published?.user(draft.to, JSON.stringify(recipientCopy), except);
    if (draft.from === draft.to) return { ack: ackOf(recipientCopy), recipientCopy };
    const senderCopy = { ...draft, seq: Number(r[2]) } as DirectMessage;
    this.published?.user(draft.from, JSON.stringify(senderCopy), except);
    return { ack: ackOf(senderCopy), recipientCopy, senderCopy };
  }

  async roomSeq(room: string): Promise<number> {
    const rows = await this.read<{ seq: string }>(`SELECT seq FROM ${this.S}.rooms WHERE room = $1`, [room]);
    return rows.length ? Number(rows[0]!.seq) : 0;
  }

  async roomHead(room: string): Promise<RoomHead> {
    const rows = await this.read<{ seq: string; epoch: string }>(`SELECT seq, epoch FROM ${this.S}.rooms WHERE room = $1`, [room]);
    if (rows.length) return { seq: Number(rows[0]!.seq), epoch: rows[0]!.epoch };
    const [seq, epoch] = (await this.apply({ k: 'head', room, epoch: newEpoch() })) as [number, string];
    return { seq: Number(seq), epoch };
  }

  async inboxSeq(user: string): Promise<number> {
    const rows = await this.read<{ seq: string }>(`SELECT seq FROM ${this.S}.inboxes WHERE owner = $1`, [user]);
    return rows.length ? Number(rows[0]!.seq) : 0;
  }

  replayRoom(room: string, since: number): Promise<Replay<RoomMessage>> {
    return this.replay('rooms', 'room_messages', 'room', room, since);
  }

  replayInbox(user: string, since: number): Promise<Replay<DirectMessage>> {
    return this.replay('inboxes', 'inbox_messages', 'owner', user, since);
  }

  pageRoom(room: string, before: number | undefined, limit: number): Promise<Page<RoomMessage>> {
    return this.page('room_messages', 'room', room, before, limit);
  }

  pageInbox(user: string, before: number | undefined, limit: number): Promise<Page<DirectMessage>> {
    return this.page('inbox_messages', 'owner', user, before, limit);
  }

  async dropRoom(room: string): Promise<void> {
    await this.apply({ k: 'drop-room', room });
  }

  async dropInbox(user: string): Promise<void> {
    await this.apply({ k: 'drop-inbox', from: user });
  }

  async ephemeralInbox(user: string): Promise<void> {
    await this.apply({ k: 'ephemeral', from: user });
  }

  /** Waits for the writes already made, then closes every connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.probe);
    this.probe = undefined;
    while (this.running || this.queue.length) await this.flush();
    await Promise.allSettled([this.writer.end(), this.reader.end()]);
  }

  /** Queues one write for this turn's call; resolves with its result once committed. */
  private apply(op: Pending['op']): Promise<unknown> {
    if (this.closed) return Promise.reject(new UnavailableError(new Error('the store is closed')));
    // while the database refuses writes, refuse at once: waiting on it would stall every client
    if (this.probe !== undefined) return Promise.reject(new UnavailableError(new Error('the database does not answer')));
    return new Promise((resolve, reject) => {
      this.queue.push({ op, resolve, reject });
      if (!this.scheduled && !this.running) {
        this.scheduled = true;
        setImmediate(this.flushNow);
      }
    });
  }

  /** Sends what is queued as one call; what queues meanwhile goes in the next. */
  private flush(): Promise<void> {
    this.scheduled = false;
    if (this.running || this.queue.length === 0) return this.running ?? Promise.resolve();
    const batch = this.queue;
    this.queue = [];
    this.running = this.send(batch).finally(() => {
      this.running = undefined;
      if (this.queue.length && !this.scheduled) {
        this.scheduled = true;
        setImmediate(this.flushNow);
      }
    });
    return this.running;
  }

  private async send(batch: Pending[]): Promise<void> {
    // one epoch per room new in this call (used only when the room has no row yet)
    const epochs = new Map<string, string>();
    for (const { op } of batch) {
      if (op.k !== 'room') continue;
      let epoch = epochs.get(op.room as string);
      if (!epoch) epochs.set(op.room as string, (epoch = newEpoch()));
      op.epoch = epoch;
    }
    let results: unknown[];
    try {
      results = await this.call(batch);
    } catch (err) {
      const refused = new UnavailableError(err);
      for (const p of batch) p.reject(refused);
      this.unavailable();
      return;
    }
    for (let i = 0; i < batch.length; i++) batch[i]!.resolve(results[i]);
  }

  /** One call of `parley_apply`, tried again after a lost deadlock; after a broken connection, what did commit is found out. */
  private async call(batch: Pending[]): Promise<unknown[]> {
    const ops = JSON.stringify(batch.map((p) => p.op));
    for (let attempt = 1; ; attempt++) {
      const client = await this.writer.connect(); // no connection: nothing was sent, the caller refuses
      try {
        const r = await client.query<{ r: unknown[] }>(`SELECT ${this.S}.parley_apply($1::jsonb) AS r`, [ops]);
        client.release();
        return r.rows[0]!.r;
      } catch (err) {
        const refused = err instanceof pg.DatabaseError && !UNKNOWN_OUTCOME.test(err.code ?? '');
        // a connection that failed mid-call is not reused (its answer may still be on the way)
        client.release(refused ? undefined : (err as Error));
        if (refused && RETRYABLE.has(err.code ?? '') && attempt < RETRIES) continue;
        if (refused) throw err; // the database said no: nothing of the call is stored
        return this.settleUnknown(batch, err);
      }
    }
  }

  /**
   * The connection broke after the call was sent: it may have committed.
   * The call is one transaction, so it committed whole or not at all: the
   * store asks on another connection for each message by its idempotency
   * key, and answers as if the call had returned when every message it
   * wrote is there (with this call's id), or throws when one is missing or
   * the database cannot be asked.
   */
  private async settleUnknown(batch: Pending[], cause: unknown): Promise<unknown[]> {
    const results: unknown[] = [];
    for (const { op } of batch) {
      if (op.k === 'room') {
        const rows = await this.read<{ body: string; seq: string }>(
          `SELECT body, seq FROM ${this.S}.room_messages WHERE room = $1 AND usr = $2 AND cid = $3`,
          [op.room, op.user, op.cid],
        );
        if (!rows[0]) throw cause;
        results.push(idOf(rows[0].body) === op.id ? [0, Number(rows[0].seq)] : [1, rows[0].body]);
      } else if (op.k === 'dm') {
        const rows = await this.read<{ body: string; seq: string }>(`SELECT body, seq FROM ${this.S}.inbox_messages WHERE owner = $1 AND cid = $2`, [op.from, op.cid]);
        if (!rows[0]) throw cause;
        if (idOf(rows[0].body) !== op.id) {
          results.push([1, rows[0].body]);
          continue;
        }
        const copy = await this.read<{ seq: string }>(
          `SELECT seq FROM ${this.S}.inbox_messages WHERE owner = $1 AND sender = $2 AND ts = $3 AND position($4 in body) > 0`,
          [op.to, op.from, op.ts, `"id":${JSON.stringify(op.id)}`],
        );
        results.push([0, Number(copy[0]?.seq ?? rows[0].seq), Number(rows[0].seq)]);
      } else if (op.k === 'head') {
        const rows = await this.read<{ seq: string; epoch: string }>(`SELECT seq, epoch FROM ${this.S}.rooms WHERE room = $1`, [op.room]);
        if (!rows[0]) throw cause;
        results.push([Number(rows[0].seq), rows[0].epoch]);
      } else {
        throw cause; // a drop or a mark: idempotent, the caller may do it again
      }
    }
    return results;
  }

  /** A write failed: refuse writes until the database answers a probe. */
  private unavailable(): void {
    if (this.probe !== undefined || this.closed) return;
    this.probe = setInterval(() => {
      this.writer.query('SELECT 1').then(
        () => {
          clearInterval(this.probe);
          this.probe = undefined;
        },
        () => {},
      );
    }, POSTGRES_PROBE_MS);
    this.probe.unref?.();
  }

  private async read<T extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<T[]> {
    try {
      return (await this.reader.query<T>(text, values)).rows;
    } catch (err) {
      throw new UnavailableError(err);
    }
  }

  private async replay<T>(logs: string, table: string, key: string, name: string, since: number): Promise<Replay<T>> {
    const rows = await this.read<{ last: string | null; first: string | null }>(
      `SELECT (SELECT seq FROM ${this.S}.${logs} WHERE ${key} = $1) AS last, (SELECT min(seq) FROM ${this.S}.${table} WHERE ${key} = $1) AS first`,
      [name],
    );
    const messages = (await this.read<{ body: string }>(`SELECT body FROM ${this.S}.${table} WHERE ${key} = $1 AND seq > $2 ORDER BY seq`, [name, since])).map(
      (r) => JSON.parse(r.body) as T,
    );
    const last = Number(rows[0]?.last ?? 0);
    const first = rows[0]?.first === null || rows[0]?.first === undefined ? null : Number(rows[0].first);
    if (first !== null && since <= last && since + 1 < first) return { gap: { start: since + 1, end: first - 1 }, messages };
    return { messages };
  }

  private async page<T>(table: string, key: string, name: string, before: number | undefined, limit: number): Promise<Page<T>> {
    const rows = await this.read<{ body: string }>(
      `SELECT body FROM ${this.S}.${table} WHERE ${key} = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3`,
      [name, before ?? Number.MAX_SAFE_INTEGER, limit + 1],
    );
    return { messages: rows.slice(0, limit).map((r) => JSON.parse(r.body) as T), more: rows.length > limit };
  }
}

/** Creates the schema or brings it to {@link POSTGRES_SCHEMA_VERSION}, one relay at a time (an advisory lock). */
async function migrate(pool: pg.Pool, S: string, schema: string, url: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`parley:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${S}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${S}.parley_schema (version integer NOT NULL)`);
    const row = (await client.query<{ version: number }>(`SELECT version FROM ${S}.parley_schema`)).rows[0];
    const found = row?.version ?? 0;
    if (found > POSTGRES_SCHEMA_VERSION) throw new SchemaTooNewError(`PostgreSQL ${redactUrl(url)} (schema ${schema})`, found, POSTGRES_SCHEMA_VERSION);
    for (let v = found; v < POSTGRES_SCHEMA_VERSION; v++) await client.query(MIGRATIONS[v]!(S));
    if (found < POSTGRES_SCHEMA_VERSION) {
      await client.query(`DELETE FROM ${S}.parley_schema`);
      await client.query(`INSERT INTO ${S}.parley_schema (version) VALUES ($1)`, [POSTGRES_SCHEMA_VERSION]);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
