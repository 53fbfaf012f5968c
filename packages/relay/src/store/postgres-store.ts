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
 *
 * A call carries a deadline in the database's clock: one that starts later
 * (held by a frozen link or server) stores nothing. The relay waits for its
 * answer past the deadline plus the statement timeout, so a call it gives
 * up on has ended, or will store nothing when it arrives.
 */
import type { DirectMessage, RoomMessage } from '@parley/protocol';
import pg from 'pg';
import { POSTGRES_SCHEMA_NAME, redactUrl } from '../config/config.js';
import { newEpoch } from '../wire/ids.js';
import { SchemaTooNewError, UnavailableError } from './errors.js';
import type { AckInfo, DirectAppend, DirectDraft, EraseResult, Page, PruneStep, Replay, RetentionPolicy, RoomAppend, RoomDraft, RoomHead, Store, UserExport } from './store.js';
import { assembleExport, tombstone } from './user-records.js';
import { RemoteClock } from './remote-clock.js';

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
/** How long after it is sent a call may still start in the database (in the database's clock), ms; later, it stores nothing. */
export const POSTGRES_WRITE_DEADLINE_MS = 1000;
/** Room for the database's clock to step or drift against the relay's, and for a call's answer to come back, ms. */
export const POSTGRES_CLOCK_MARGIN_MS = 1000;
/**
 * Longest the relay waits for a call's answer, ms: by then the call has
 * started before its deadline and ended (committed, or cancelled by the
 * statement timeout), or it will store nothing.
 */
const WRITE_ANSWER_TIMEOUT_MS = POSTGRES_WRITE_DEADLINE_MS + POSTGRES_STATEMENT_TIMEOUT_MS + POSTGRES_CLOCK_MARGIN_MS;
/** The database's clock, ms since the epoch. */
const CLOCK_SQL = `(extract(epoch FROM clock_timestamp()) * 1000)::float8`;
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
  if (!POSTGRES_SCHEMA_NAME.test(schema)) throw new Error(`the schema name "${schema}" must be lower-case letters, digits and _`);
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
    CREATE TABLE ${S}.inboxes (owner text PRIMARY KEY, seq bigint NOT NULL DEFAULT 0);
    CREATE TABLE ${S}.inbox_messages (
      owner text NOT NULL, seq bigint NOT NULL, sender text NOT NULL, cid text, ts bigint NOT NULL, body text NOT NULL,
      PRIMARY KEY (owner, seq)
    );
    CREATE UNIQUE INDEX inbox_cids ON ${S}.inbox_messages (owner, cid) WHERE cid IS NOT NULL;
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
 *
 * Room messages are stored as one set (one statement, whatever their
 * number), before the other operations, which run in call order; a `head`
 * answers the room as it stood before the call's messages.
 */
const APPLY = (S: string): string => `
CREATE OR REPLACE FUNCTION ${S}.parley_apply(ops jsonb) RETURNS jsonb LANGUAGE plpgsql AS $fn$
DECLARE
  op jsonb;
  i bigint;
  others jsonb := '{}'::jsonb;
  room_fresh jsonb;
  room_earlier jsonb;
  head_results jsonb;
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

  -- heads as they stand before this call's messages (as a read of the room would answer)
  SELECT coalesce(jsonb_object_agg(t.ord::text, jsonb_build_array(x.seq, x.epoch)), '{}'::jsonb) INTO head_results
    FROM jsonb_array_elements(ops) WITH ORDINALITY AS t(o, ord) JOIN ${S}.rooms x ON x.room = t.o->>'room'
    WHERE t.o->>'k' = 'head';

  -- room messages, as one set: a cid accepted before answers its earlier message (the caller sends
  -- each cid once per call); the others get consecutive seqs per room, in call order. Every
  -- part reads the rows as they stood before the statement, so numbered sees the seqs bumped raises.
  WITH r AS (
    SELECT t.ord, t.o->>'room' AS room, t.o->>'user' AS usr, t.o->>'cid' AS cid, (t.o->>'ts')::bigint AS ts, t.o->>'head' AS head
    FROM jsonb_array_elements(ops) WITH ORDINALITY AS t(o, ord) WHERE t.o->>'k' = 'room'
  ), earlier AS (
    SELECT r.ord, m.body FROM r JOIN ${S}.room_messages m ON m.room = r.room AND m.usr = r.usr AND m.cid = r.cid
  ), fresh AS (
    SELECT r.* FROM r WHERE NOT EXISTS (SELECT 1 FROM ${S}.room_messages m WHERE m.room = r.room AND m.usr = r.usr AND m.cid = r.cid)
  ), numbered AS (
    SELECT f.*, x.seq + row_number() OVER (PARTITION BY f.room ORDER BY f.ord) AS seq FROM fresh f JOIN ${S}.rooms x ON x.room = f.room
  ), bumped AS (
    UPDATE ${S}.rooms x SET seq = x.seq + c.n FROM (SELECT room, count(*) AS n FROM fresh GROUP BY room) c WHERE x.room = c.room
  ), inserted AS (
    INSERT INTO ${S}.room_messages (room, seq, usr, cid, ts, body)
    SELECT room, seq, usr, cid, ts, head || seq || '}' FROM numbered
  )
  SELECT (SELECT coalesce(jsonb_object_agg(ord::text, seq), '{}'::jsonb) FROM numbered),
         (SELECT coalesce(jsonb_object_agg(ord::text, body), '{}'::jsonb) FROM earlier)
    INTO room_fresh, room_earlier;

  -- direct messages, drops and marks, one by one in call order
  FOR op, i IN SELECT value, ordinality FROM jsonb_array_elements(ops) WITH ORDINALITY WHERE value->>'k' NOT IN ('room', 'head') LOOP
    CASE op->>'k'
    WHEN 'dm' THEN
      SELECT m.body INTO earlier FROM ${S}.inbox_messages m WHERE m.owner = op->>'from' AND m.cid = op->>'cid';
      IF FOUND THEN
        others := others || jsonb_build_object(i::text, jsonb_build_array(1, earlier));
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
        others := others || jsonb_build_object(i::text, jsonb_build_array(0, a, b));
      END IF;
    WHEN 'drop-room' THEN
      DELETE FROM ${S}.room_messages WHERE room = op->>'room';
      DELETE FROM ${S}.rooms WHERE room = op->>'room';
      others := others || jsonb_build_object(i::text, 'null'::jsonb);
    WHEN 'drop-inbox' THEN
      DELETE FROM ${S}.inbox_messages WHERE owner = op->>'from';
      DELETE FROM ${S}.inboxes WHERE owner = op->>'from';
      DELETE FROM ${S}.ephemeral_inboxes WHERE owner = op->>'from';
      others := others || jsonb_build_object(i::text, 'null'::jsonb);
    WHEN 'ephemeral' THEN
      INSERT INTO ${S}.ephemeral_inboxes (owner) VALUES (op->>'from') ON CONFLICT DO NOTHING;
      others := others || jsonb_build_object(i::text, 'null'::jsonb);
    END CASE;
  END LOOP;
  -- every answer, in call order
  RETURN (
    SELECT jsonb_agg(CASE t.o->>'k'
        WHEN 'room' THEN CASE WHEN room_fresh ? t.ord::text THEN jsonb_build_array(0, room_fresh -> t.ord::text)
                              ELSE jsonb_build_array(1, room_earlier -> t.ord::text) END
        WHEN 'head' THEN head_results -> t.ord::text
        ELSE others -> t.ord::text END ORDER BY t.ord)
    FROM jsonb_array_elements(ops) WITH ORDINALITY AS t(o, ord)
  );
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

const ignore = (): void => {};

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
  /** Where the retention walk stands: the table it walks, and the last name it finished. */
  private pass = { inboxes: false, after: '' };
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
    /** The database's clock, from the answers of calls. */
    private readonly clock: RemoteClock,
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
    const clock = new RemoteClock();
    try {
      await migrate(writer, S, schema, options.url);
      const sent = clock.local();
      clock.sample(sent, (await writer.query<{ now: number }>(`SELECT ${CLOCK_SQL} AS now`)).rows[0]!.now, clock.local());
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
    return new PostgresStore(writer, reader, S, options.published, clock);
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

  replayRoom(room: string, since: number, limit?: number): Promise<Replay<RoomMessage>> {
    return this.replay('rooms', 'room_messages', 'room', room, since, limit);
  }

  replayInbox(user: string, since: number, limit?: number): Promise<Replay<DirectMessage>> {
    return this.replay('inboxes', 'inbox_messages', 'owner', user, since, limit);
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

  /**
   * One step of applying `policy` (see {@link Store.prune}): walks the
   * rooms, then the inboxes, in name order from where the last step
   * stopped, and deletes each one's oldest messages older than `maxAgeMs`
   * or beyond the newest `maxCount`. Every relay of a cluster may run it: a
   * delete of what another already deleted deletes nothing.
   */
  async prune(policy: RetentionPolicy, now: number, budget: number): Promise<PruneStep> {
    if (policy.maxAgeMs === undefined && policy.maxCount === undefined) return { deleted: 0, done: true };
    const cutoff = policy.maxAgeMs === undefined ? undefined : now - policy.maxAgeMs;
    let deleted = 0;
    let looked = 0;
    while (looked < budget && deleted < budget) {
      const inboxes = this.pass.inboxes;
      const [logs, table, key] = inboxes ? ['inboxes', 'inbox_messages', 'owner'] : ['rooms', 'room_messages', 'room'];
      const rows = await this.read<{ name: string; seq: string }>(
        `SELECT ${key} AS name, seq FROM ${this.S}.${logs} WHERE ${key} > $1 ORDER BY ${key} LIMIT $2`,
        [this.pass.after, budget - looked],
      );
      if (rows.length === 0) {
        this.pass = { inboxes: !inboxes, after: '' };
        if (inboxes) return { deleted, done: true };
        continue;
      }
      for (const { name, seq } of rows) {
        looked++;
        const room = budget - deleted;
        const n = await this.pruneLog(table, key, name, Number(seq), policy.maxCount, cutoff, room);
        deleted += n;
        // a log that used the whole budget may hold more: the next step starts with it again
        if (n === room) return { deleted, done: false };
        this.pass.after = name;
      }
    }
    return { deleted, done: false };
  }

  /** Every message `user` sent and every message of their inbox, oldest first. */
  async exportUser(user: string): Promise<UserExport> {
    const bodies = async <T>(text: string): Promise<T[]> => (await this.read<{ body: string }>(text, [user])).map((r) => JSON.parse(r.body) as T);
    return assembleExport(
      user,
      await bodies<RoomMessage>(`SELECT body FROM ${this.S}.room_messages WHERE usr = $1 ORDER BY ts, room, seq`),
      await bodies<DirectMessage>(`SELECT body FROM ${this.S}.inbox_messages WHERE owner = $1 ORDER BY seq`),
      await bodies<DirectMessage>(`SELECT body FROM ${this.S}.inbox_messages WHERE sender = $1 AND owner <> $1 ORDER BY ts, owner, seq`),
    );
  }

  /**
   * Tombstones what `user` sent and deletes their inbox's messages, in one
   * transaction (see {@link Store.eraseUser}); their idempotency records go
   * with it (a room tombstone's `cid` becomes its message id, its user
   * empty). Seqs do not change, so relays running on the schema number on
   * unaffected.
   */
  async eraseUser(user: string): Promise<EraseResult> {
    const r: EraseResult = { user, roomMessages: 0, directMessages: 0, inboxMessages: 0 };
    try {
      return await transaction(this.reader, async (client) => {
        const rooms = await client.query<{ room: string; seq: string; body: string }>(`SELECT room, seq, body FROM ${this.S}.room_messages WHERE usr = $1 FOR UPDATE`, [user]);
        if (rooms.rows.length) {
          const ids = rooms.rows.map((row) => (JSON.parse(row.body) as RoomMessage).id);
          const bodies = rooms.rows.map((row) => JSON.stringify(tombstone(JSON.parse(row.body) as RoomMessage)));
          await client.query(
            `UPDATE ${this.S}.room_messages m SET usr = '', cid = t.id, body = t.body
             FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[]) AS t(room, seq, id, body) WHERE m.room = t.room AND m.seq = t.seq`,
            [rooms.rows.map((row) => row.room), rooms.rows.map((row) => row.seq), ids, bodies],
          );
        }
        r.roomMessages = rooms.rows.length;
        const sent = await client.query<{ owner: string; seq: string; body: string }>(
          `SELECT owner, seq, body FROM ${this.S}.inbox_messages WHERE sender = $1 AND owner <> $1 FOR UPDATE`,
          [user],
        );
        if (sent.rows.length) {
          await client.query(
            `UPDATE ${this.S}.inbox_messages m SET sender = '', body = t.body
             FROM unnest($1::text[], $2::bigint[], $3::text[]) AS t(owner, seq, body) WHERE m.owner = t.owner AND m.seq = t.seq`,
            [sent.rows.map((row) => row.owner), sent.rows.map((row) => row.seq), sent.rows.map((row) => JSON.stringify(tombstone(JSON.parse(row.body) as DirectMessage)))],
          );
        }
        r.directMessages = sent.rows.length;
        // the inbox row (its seq counter) stays: a session of the user still open numbers on from it
        r.inboxMessages = (await client.query(`DELETE FROM ${this.S}.inbox_messages WHERE owner = $1`, [user])).rowCount ?? 0;
        return r;
      });
    } catch (err) {
      throw err instanceof pg.DatabaseError ? err : new UnavailableError(err);
    }
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

  private async send(all: Pending[]): Promise<void> {
    // a room cid sent twice in one call is stored once: the repeat is answered from the first
    const firsts = new Map<string, Pending>();
    const repeats: Array<[Pending, Pending]> = [];
    const batch: Pending[] = [];
    // one epoch per room new in this call (used only when the room has no row yet)
    const epochs = new Map<string, string>();
    for (const p of all) {
      const op = p.op;
      if (op.k === 'room') {
        const key = `${op.room}\n${op.user}\n${op.cid}`;
        const first = firsts.get(key);
        if (first) {
          repeats.push([p, first]);
          continue;
        }
        firsts.set(key, p);
        let epoch = epochs.get(op.room as string);
        if (!epoch) epochs.set(op.room as string, (epoch = newEpoch()));
        op.epoch = epoch;
      }
      batch.push(p);
    }
    let results: unknown[];
    try {
      results = await this.call(batch);
    } catch (err) {
      const refused = new UnavailableError(err);
      for (const p of all) p.reject(refused);
      this.unavailable();
      return;
    }
    const answers = new Map<Pending, unknown>();
    for (let i = 0; i < batch.length; i++) answers.set(batch[i]!, results[i]);
    for (const [repeat, first] of repeats) {
      const r = answers.get(first) as [number, string | number];
      answers.set(repeat, r[0] === 0 ? [1, `${first.op.head}${r[1]}}`] : r);
    }
    for (const p of all) p.resolve(answers.get(p));
  }

  /** One call of `parley_apply`, tried again after a lost deadlock; after a broken connection, what did commit is found out. */
  private async call(batch: Pending[]): Promise<unknown[]> {
    const ops = JSON.stringify(batch.map((p) => p.op));
    for (let attempt = 1; ; attempt++) {
      const client = await this.writer.connect(); // no connection: nothing was sent, the caller refuses
      // a socket that dies mid-call also fails the query (handled below); the event must not end the process
      client.on('error', ignore);
      const sent = this.clock.local();
      const deadline = this.clock.now()! + POSTGRES_WRITE_DEADLINE_MS;
      let answer: { r: unknown[] | null; now: number };
      try {
        const text = `SELECT CASE WHEN clock_timestamp() <= to_timestamp($2::float8 / 1000) THEN ${this.S}.parley_apply($1::jsonb) END AS r, ${CLOCK_SQL} AS now`;
        // query_timeout per query is honoured by pg, though its types leave it out
        const query = { text, values: [ops, deadline], query_timeout: WRITE_ANSWER_TIMEOUT_MS } as pg.QueryConfig;
        answer = (await client.query<{ r: unknown[] | null; now: number }>(query)).rows[0]!;
        client.removeListener('error', ignore);
        client.release();
      } catch (err) {
        client.removeListener('error', ignore);
        const refused = err instanceof pg.DatabaseError && !UNKNOWN_OUTCOME.test(err.code ?? '');
        // a connection that failed mid-call is not reused (its answer may still be on the way)
        client.release(refused ? undefined : (err as Error));
        if (refused && RETRYABLE.has(err.code ?? '') && attempt < RETRIES) continue;
        if (refused) throw err; // the database said no: nothing of the call is stored
        return this.settleUnknown(batch, err);
      }
      this.clock.sample(sent, answer.now, this.clock.local());
      // it started past its deadline: nothing of it is stored (the caller may have been told unavailable)
      if (answer.r === null) throw new UnavailableError(new Error('the call reached the database after its deadline: nothing was stored'));
      return answer.r;
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

  /** Deletes at most `budget` of the oldest messages of one room or inbox that the policy no longer keeps. */
  private async pruneLog(table: string, key: string, name: string, last: number, maxCount: number | undefined, cutoff: number | undefined, budget: number): Promise<number> {
    const [edge] = await this.read<{ first: string | null; top: string | null; stop: string | null }>(
      `WITH oldest AS (SELECT seq, ts FROM ${this.S}.${table} WHERE ${key} = $1 ORDER BY seq LIMIT $2)
       SELECT (SELECT min(seq) FROM oldest) AS first, (SELECT max(seq) FROM oldest) AS top,
              (SELECT min(seq) FROM oldest WHERE ts >= $3) AS stop`,
      [name, budget, cutoff ?? Number.MAX_SAFE_INTEGER],
    );
    if (!edge || edge.first === null) return 0;
    const first = Number(edge.first);
    const limit = first - 1 + budget;
    let through = first - 1;
    if (maxCount !== undefined) through = Math.min(Math.max(through, last - maxCount), limit);
    if (cutoff !== undefined && through < limit) through = Math.max(through, edge.stop === null ? Number(edge.top) : Number(edge.stop) - 1);
    if (through < first) return 0;
    try {
      return (await this.reader.query(`DELETE FROM ${this.S}.${table} WHERE ${key} = $1 AND seq <= $2`, [name, through])).rowCount ?? 0;
    } catch (err) {
      throw new UnavailableError(err);
    }
  }

  private async read<T extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<T[]> {
    try {
      return (await this.reader.query<T>(text, values)).rows;
    } catch (err) {
      throw new UnavailableError(err);
    }
  }

  private async replay<T>(logs: string, table: string, key: string, name: string, since: number, limit?: number): Promise<Replay<T>> {
    const rows = await this.read<{ last: string | null; first: string | null }>(
      `SELECT (SELECT seq FROM ${this.S}.${logs} WHERE ${key} = $1) AS last, (SELECT min(seq) FROM ${this.S}.${table} WHERE ${key} = $1) AS first`,
      [name],
    );
    // LIMIT NULL: no limit
    const messages = (await this.read<{ body: string }>(`SELECT body FROM ${this.S}.${table} WHERE ${key} = $1 AND seq > $2 ORDER BY seq LIMIT $3`, [name, since, limit ?? null])).map(
      (r) => JSON.parse(r.body) as T,
    );
    const last = Number(rows[0]?.last ?? 0);
    // nothing retained: history starts after the latest seq
    const first = rows[0]?.first === null || rows[0]?.first === undefined ? last + 1 : Number(rows[0].first);
    if (since <= last && since + 1 < first) return { gap: { start: since + 1, end: first - 1 }, messages };
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
  await transaction(pool, async (client) => {
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
  });
}

/**
 * Runs `work` in one transaction on a connection of its own: committed when
 * it returns, rolled back when it throws. A socket that dies meanwhile fails
 * the query, never the process; a connection that failed is not reused.
 */
async function transaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  client.on('error', ignore);
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    client.removeListener('error', ignore);
    client.release();
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    client.removeListener('error', ignore);
    client.release(err as Error);
    throw err;
  }
}
