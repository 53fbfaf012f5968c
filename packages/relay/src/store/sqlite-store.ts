/**
 * A durable {@link Store} in one SQLite file (better-sqlite3, WAL mode): the
 * default of the `parley-relay` command. One relay owns the file.
 *
 * Group commit: every append of one turn of the event loop goes into one
 * transaction, committed in a `setImmediate` after that turn; each append's
 * promise resolves only after the commit, so an `ack` (and the broadcast,
 * which could otherwise hand out a `seq` that a crash takes back) follows the
 * commit. A commit that fails is rolled back and every append in it is
 * answered with an {@link UnavailableError}: a refused send is never stored.
 *
 * Keeps every message unless a retention policy deletes the oldest (see
 * {@link SqliteStore.prune}); `historyLimit` and `inboxLimit` bound only the
 * memory and Redis stores.
 *
 * Reads go through a second connection, which sees only what is committed.
 * `seq`s are assigned from a per-room (per-inbox) counter in memory, loaded
 * from the file on first use. `synchronous=NORMAL` (the WAL default we keep):
 * a commit survives the relay process being killed at any moment; a power
 * loss can lose the last commits since the OS last wrote the WAL out.
 */
import type { DirectMessage, RoomMessage } from '@parley/protocol';
import Database from 'better-sqlite3';
import type { Database as DB, Statement } from 'better-sqlite3';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { newEpoch } from '../wire/ids.js';
import { SchemaTooNewError, UnavailableError } from './errors.js';
import type { AckInfo, DirectAppend, DirectDraft, EraseResult, Page, PruneStep, Replay, RetentionPolicy, RoomAppend, RoomDraft, RoomHead, Store, UserExport } from './store.js';
import { assembleExport, tombstone } from './user-records.js';

/** How often a store that failed a write tries one again, to find out it can write, ms. */
export const SQLITE_PROBE_MS = 1000;

/** The schema version this code writes and reads. */
export const SQLITE_SCHEMA_VERSION = 1;
/** How long a statement waits for a lock held by another connection, ms (`busyTimeoutMs`). */
export const SQLITE_BUSY_TIMEOUT_MS = 1000;

/** Where a {@link SqliteStore} keeps history, and how it opens the file. */
export interface SqliteStoreOptions {
  /** The database file; its folder is made when missing (unless `maintenance`). */
  path: string;
  /** Ignored: the SQLite store keeps everything its retention policy keeps (accepted so the memory store's options fit). */
  historyLimit?: number;
  /** Ignored, as `historyLimit`. */
  inboxLimit?: number;
  /** How long a write waits for a lock another process holds (a backup tool, say) before it is refused, ms. Default {@link SQLITE_BUSY_TIMEOUT_MS}. */
  busyTimeoutMs?: number;
  /**
   * Opened by a maintenance command (`parley-relay user export|erase`)
   * beside a relay that may be running on the file: the file must exist
   * with this code's schema (nothing is made or migrated), and the
   * anonymous inboxes a relay drops at its start are left alone (their
   * sessions may be live). Default false.
   */
  maintenance?: boolean;
}

/** The store file does not exist, or has an older schema, for a maintenance open. */
export class StoreNotReadyError extends Error {
  override readonly name = 'StoreNotReadyError';
}

/** The error of a store written by a newer relay, the same for every store. */
export { SchemaTooNewError };

/** Each migration takes the schema from its index to the next version. Version 0 is an empty file. */
const MIGRATIONS: ReadonlyArray<(db: DB) => void> = [
  (db) =>
    db.exec(`
      CREATE TABLE rooms (room TEXT PRIMARY KEY, epoch TEXT NOT NULL, seq INTEGER NOT NULL) WITHOUT ROWID;
      CREATE TABLE room_messages (
        room TEXT NOT NULL, seq INTEGER NOT NULL, user TEXT NOT NULL, cid TEXT NOT NULL, body TEXT NOT NULL,
        PRIMARY KEY (room, seq)
      ) WITHOUT ROWID;
      CREATE UNIQUE INDEX room_cids ON room_messages (room, user, cid);
      CREATE TABLE inboxes (user TEXT PRIMARY KEY, seq INTEGER NOT NULL) WITHOUT ROWID;
      CREATE TABLE inbox_messages (
        user TEXT NOT NULL, seq INTEGER NOT NULL, cid TEXT, body TEXT NOT NULL,
        PRIMARY KEY (user, seq)
      ) WITHOUT ROWID;
      CREATE UNIQUE INDEX inbox_cids ON inbox_messages (user, cid) WHERE cid IS NOT NULL;
      CREATE TABLE ephemeral_inboxes (user TEXT PRIMARY KEY) WITHOUT ROWID;
    `),
];

/**
 * Opens the file and brings its schema to {@link SQLITE_SCHEMA_VERSION}; for
 * `maintenance`, opens an existing file of that schema and changes nothing.
 */
function openDatabase(path: string, busyTimeoutMs: number, maintenance: boolean): DB {
  if (maintenance) {
    if (!existsSync(path)) throw new StoreNotReadyError(`there is no store at ${path} (check --store and --data-dir)`);
  } else if (path !== ':memory:') {
    mkdirSync(dirname(path), { recursive: true });
  }
  const db = new Database(path, { fileMustExist: maintenance });
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    if (!maintenance) db.exec('CREATE TABLE IF NOT EXISTS parley_schema (version INTEGER NOT NULL)');
    const versioned = maintenance ? db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'parley_schema'").get() !== undefined : true;
    const row = versioned ? (db.prepare('SELECT version FROM parley_schema').get() as { version: number } | undefined) : undefined;
    const found = row?.version ?? 0;
    if (found > SQLITE_SCHEMA_VERSION) throw new SchemaTooNewError(path, found, SQLITE_SCHEMA_VERSION);
    if (maintenance) {
      if (found < SQLITE_SCHEMA_VERSION) throw new StoreNotReadyError(`the store ${path} has schema version ${found}, older than this command knows (${SQLITE_SCHEMA_VERSION}): start the relay once to migrate it`);
      return db;
    }
    if (found < SQLITE_SCHEMA_VERSION) {
      db.transaction(() => {
        for (let v = found; v < SQLITE_SCHEMA_VERSION; v++) MIGRATIONS[v]!(db);
        db.prepare('DELETE FROM parley_schema').run();
        db.prepare('INSERT INTO parley_schema (version) VALUES (?)').run(SQLITE_SCHEMA_VERSION);
      })();
    }
    // inboxes of anonymous users whose sessions a crash or stop ended: nobody may read them any more
    db.transaction(() => {
      db.exec('DELETE FROM inbox_messages WHERE user IN (SELECT user FROM ephemeral_inboxes)');
      db.exec('DELETE FROM inboxes WHERE user IN (SELECT user FROM ephemeral_inboxes)');
      db.exec('DELETE FROM ephemeral_inboxes');
    })();
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** A log's counter: what is committed, and the next `seq` to hand out. */
interface Counter {
  committed: number;
  next: number;
  epoch: string;
}

/** A substring every stored direct message from `user` contains: a cheap filter before the exact `json_extract`. */
const fromNeedle = (user: string): string => `"from":${JSON.stringify(user)}`;

const ackOf = (m: { id: string; seq: number; ts: number }): AckInfo => ({ id: m.id, seq: m.seq, ts: m.ts });

/** Where a pass of {@link SqliteStore.prune} stands: the table it walks, and the last name it finished. */
interface PrunePass {
  inboxes: boolean;
  after: string;
}

/**
 * @example
 * ```ts
 * const store = new SqliteStore({ path: 'parley-data/parley.db' });
 * const { ack } = await store.appendRoom(draft, 'ada', 'c1'); // resolves once committed
 * await store.close();
 * ```
 */
export class SqliteStore implements Store {
  readonly durable = true;
  private readonly db: DB;
  private readonly reader: DB;
  private readonly rooms = new Map<string, Counter>();
  private readonly inboxes = new Map<string, Counter>();
  /** Rooms whose head moved in the open transaction (written once, at the commit). */
  private readonly touched = new Set<string>();
  /** Settles the appends of the open transaction once it commits (or fails). */
  private waiting: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];
  private scheduled = false;
  private closed = false;
  /** Set after a write failed, until a probe (or a commit) succeeds: writes are refused at once meanwhile. */
  private probe: NodeJS.Timeout | undefined;
  private readonly sql: Record<string, Statement>;
  private readonly read: Record<string, Statement>;
  private readonly commitNow = (): void => this.commit();
  private pass: PrunePass = { inboxes: false, after: '' };

  /** @throws {SchemaTooNewError} when the file's schema is newer than this code's */
  constructor(private readonly options: SqliteStoreOptions) {
    const busy = options.busyTimeoutMs ?? SQLITE_BUSY_TIMEOUT_MS;
    this.db = openDatabase(options.path, busy, options.maintenance === true);
    this.reader = new Database(options.path, { readonly: true, fileMustExist: true });
    this.reader.pragma(`busy_timeout = ${busy}`);
    const w = (q: string): Statement => this.db.prepare(q);
    const r = (q: string): Statement => this.reader.prepare(q);
    this.sql = {
      room: w('SELECT epoch, seq FROM rooms WHERE room = ?'),
      newRoom: w('INSERT INTO rooms (room, epoch, seq) VALUES (?, ?, 0)'),
      roomSeq: w('UPDATE rooms SET seq = ? WHERE room = ?'),
      roomCid: w('SELECT body FROM room_messages WHERE room = ? AND user = ? AND cid = ?'),
      addRoom: w('INSERT INTO room_messages (room, seq, user, cid, body) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING'),
      pruneRoom: w('DELETE FROM room_messages WHERE room = ? AND seq <= ?'),
      roomsAfter: w('SELECT room AS name, seq FROM rooms WHERE room > ? ORDER BY room LIMIT ?'),
      roomOldest: w('SELECT min(seq) AS first FROM room_messages WHERE room = ?'),
      roomTimes: w("SELECT seq, json_extract(body, '$.ts') AS ts FROM room_messages WHERE room = ? AND seq > ? ORDER BY seq LIMIT ?"),
      userRoomMessages: w('SELECT room, seq, body FROM room_messages WHERE user = ?'),
      tombstoneRoom: w("UPDATE room_messages SET user = '', cid = ?, body = ? WHERE room = ? AND seq = ?"),
      sentDirect: w("SELECT user, seq, body FROM inbox_messages WHERE user <> ? AND instr(body, ?) > 0 AND json_extract(body, '$.from') = ?"),
      tombstoneDirect: w('UPDATE inbox_messages SET body = ? WHERE user = ? AND seq = ?'),
      dropRoom: w('DELETE FROM rooms WHERE room = ?'),
      dropRoomMessages: w('DELETE FROM room_messages WHERE room = ?'),
      inbox: w('SELECT seq FROM inboxes WHERE user = ?'),
      newInbox: w('INSERT INTO inboxes (user, seq) VALUES (?, 0)'),
      inboxSeq: w('UPDATE inboxes SET seq = ? WHERE user = ?'),
      inboxCid: w('SELECT body FROM inbox_messages WHERE user = ? AND cid = ?'),
      addInbox: w('INSERT INTO inbox_messages (user, seq, cid, body) VALUES (?, ?, ?, ?)'),
      pruneInbox: w('DELETE FROM inbox_messages WHERE user = ? AND seq <= ?'),
      inboxesAfter: w('SELECT user AS name, seq FROM inboxes WHERE user > ? ORDER BY user LIMIT ?'),
      inboxOldest: w('SELECT min(seq) AS first FROM inbox_messages WHERE user = ?'),
      inboxTimes: w("SELECT seq, json_extract(body, '$.ts') AS ts FROM inbox_messages WHERE user = ? AND seq > ? ORDER BY seq LIMIT ?"),
      dropInbox: w('DELETE FROM inboxes WHERE user = ?'),
      dropInboxMessages: w('DELETE FROM inbox_messages WHERE user = ?'),
      ephemeral: w('INSERT OR IGNORE INTO ephemeral_inboxes (user) VALUES (?)'),
      notEphemeral: w('DELETE FROM ephemeral_inboxes WHERE user = ?'),
    };
    this.read = {
      roomFirst: r('SELECT min(seq) AS first FROM room_messages WHERE room = ?'),
      roomAfter: r('SELECT body FROM room_messages WHERE room = ? AND seq > ? ORDER BY seq LIMIT ?'),
      roomBelow: r('SELECT body FROM room_messages WHERE room = ? AND seq < ? ORDER BY seq DESC LIMIT ?'),
      inboxFirst: r('SELECT min(seq) AS first FROM inbox_messages WHERE user = ?'),
      inboxAfter: r('SELECT body FROM inbox_messages WHERE user = ? AND seq > ? ORDER BY seq LIMIT ?'),
      inboxBelow: r('SELECT body FROM inbox_messages WHERE user = ? AND seq < ? ORDER BY seq DESC LIMIT ?'),
      userRooms: r('SELECT body FROM room_messages WHERE user = ? ORDER BY room, seq'),
      userInbox: r('SELECT body FROM inbox_messages WHERE user = ? ORDER BY seq'),
      userSent: r("SELECT body FROM inbox_messages WHERE user <> ? AND instr(body, ?) > 0 AND json_extract(body, '$.from') = ? ORDER BY user, seq"),
    };
  }

  /** The database file. */
  get path(): string {
    return this.options.path;
  }

  /** Whether writes go through (`false` from a failed write until a probe finds the file writable again). */
  get available(): boolean {
    return this.probe === undefined;
  }

  async appendRoom(draft: RoomDraft, user: string, cid: string): Promise<RoomAppend> {
    const result = this.write(() => this.addRoom(draft, user, cid));
    await this.committed();
    return result;
  }

  private addRoom(draft: RoomDraft, user: string, cid: string): RoomAppend {
    const log = this.roomCounter(draft.room);
    const message = { ...draft, seq: log.next } as RoomMessage;
    // one statement in the usual case: the unique (room, user, cid) index turns a repeat into no change
    if (this.sql.addRoom!.run(draft.room, message.seq, user, cid, JSON.stringify(message)).changes === 0) {
      const earlier = this.sql.roomCid!.get(draft.room, user, cid) as { body: string };
      return { ack: ackOf(JSON.parse(earlier.body) as RoomMessage) };
    }
    log.next++;
    this.touched.add(draft.room);
    return { ack: ackOf(message), message };
  }

  async appendDirect(draft: DirectDraft, cid: string): Promise<DirectAppend> {
    const result = this.write(() => this.addDirectMessage(draft, cid));
    await this.committed();
    return result;
  }

  private addDirectMessage(draft: DirectDraft, cid: string): DirectAppend {
    const earlier = this.sql.inboxCid!.get(draft.from, cid) as { body: string } | undefined;
    let result: DirectAppend;
    if (earlier) {
      result = { ack: ackOf(JSON.parse(earlier.body) as DirectMessage) };
    } else {
      const self = draft.from === draft.to;
      const recipientCopy = this.addDirect(draft, draft.to, self ? cid : null);
      const senderCopy = self ? undefined : this.addDirect(draft, draft.from, cid);
      result = senderCopy ? { ack: ackOf(senderCopy), recipientCopy, senderCopy } : { ack: ackOf(recipientCopy), recipientCopy };
    }
    return result;
  }

  roomSeq(room: string): number {
    return this.rooms.get(room)?.committed ?? (this.sql.room!.get(room) as { seq: number } | undefined)?.seq ?? 0;
  }

  async roomHead(room: string): Promise<RoomHead> {
    const known = this.rooms.get(room) ?? this.loadRoom(room);
    if (known) return { seq: known.committed, epoch: known.epoch };
    const log = this.write(() => this.roomCounter(room));
    await this.committed();
    return { seq: log.committed, epoch: log.epoch };
  }

  inboxSeq(user: string): number {
    return this.inboxes.get(user)?.committed ?? (this.sql.inbox!.get(user) as { seq: number } | undefined)?.seq ?? 0;
  }

  replayRoom(room: string, since: number, limit?: number): Replay<RoomMessage> {
    return this.replay(this.read.roomFirst!, this.read.roomAfter!, room, since, this.roomSeq(room), limit);
  }

  replayInbox(user: string, since: number, limit?: number): Replay<DirectMessage> {
    return this.replay(this.read.inboxFirst!, this.read.inboxAfter!, user, since, this.inboxSeq(user), limit);
  }

  pageRoom(room: string, before: number | undefined, limit: number): Page<RoomMessage> {
    return this.page(this.read.roomBelow!, room, before, limit);
  }

  pageInbox(user: string, before: number | undefined, limit: number): Page<DirectMessage> {
    return this.page(this.read.inboxBelow!, user, before, limit);
  }

  async dropRoom(room: string): Promise<void> {
    this.write(() => {
      this.sql.dropRoomMessages!.run(room);
      this.sql.dropRoom!.run(room);
      this.rooms.delete(room);
      this.touched.delete(room);
    });
    await this.committed();
  }

  async dropInbox(user: string): Promise<void> {
    this.write(() => {
      this.sql.dropInboxMessages!.run(user);
      this.sql.dropInbox!.run(user);
      this.sql.notEphemeral!.run(user);
      this.inboxes.delete(user);
    });
    await this.committed();
  }

  async ephemeralInbox(user: string): Promise<void> {
    this.write(() => this.sql.ephemeral!.run(user));
    await this.committed();
  }

  /**
   * One step of applying `policy` (see {@link Store.prune}), in this turn's
   * transaction: walks the rooms, then the inboxes, in name order from where
   * the last step stopped, and deletes each one's oldest messages that are
   * older than `maxAgeMs` or beyond the newest `maxCount`. A room or inbox
   * keeps its `seq` counter and epoch, so a resume from before what is left
   * gets a `gap`.
   */
  async prune(policy: RetentionPolicy, now: number, budget: number): Promise<PruneStep> {
    if (policy.maxAgeMs === undefined && policy.maxCount === undefined) return { deleted: 0, done: true };
    const step = this.write(() => this.pruneStep(policy, now, budget));
    await this.committed();
    return step;
  }

  /** Every message `user` sent and every message of their inbox (what is committed), oldest first. */
  exportUser(user: string): UserExport {
    const bodies = <T>(rows: unknown[]): T[] => (rows as Array<{ body: string }>).map((r) => JSON.parse(r.body) as T);
    return assembleExport(
      user,
      bodies<RoomMessage>(this.read.userRooms!.all(user)),
      bodies<DirectMessage>(this.read.userInbox!.all(user)),
      bodies<DirectMessage>(this.read.userSent!.all(user, fromNeedle(user), user)),
    );
  }

  /**
   * Tombstones what `user` sent and deletes their inbox's messages, in one
   * transaction (see {@link Store.eraseUser}); their idempotency records go
   * with it (a room tombstone's `cid` becomes its message id, its user empty).
   * Seqs do not change, so a relay running on the file numbers on unaffected.
   */
  async eraseUser(user: string): Promise<EraseResult> {
    const result = this.write(() => {
      const r: EraseResult = { user, roomMessages: 0, directMessages: 0, inboxMessages: 0 };
      // what is overwritten or deleted here is zeroed in the file, not only unlinked
      this.db.pragma('secure_delete = ON');
      try {
        this.tombstones(user, r);
      } finally {
        this.db.pragma('secure_delete = OFF');
      }
      return r;
    });
    await this.committed();
    return result;
  }

  /** The erase itself: tombstones for what `user` sent, their inbox emptied; counts into `r`. */
  private tombstones(user: string, r: EraseResult): void {
    for (const row of this.sql.userRoomMessages!.all(user) as Array<{ room: string; seq: number; body: string }>) {
      const message = JSON.parse(row.body) as RoomMessage;
      this.sql.tombstoneRoom!.run(message.id, JSON.stringify(tombstone(message)), row.room, row.seq);
      r.roomMessages++;
    }
    for (const row of this.sql.sentDirect!.all(user, fromNeedle(user), user) as Array<{ user: string; seq: number; body: string }>) {
      this.sql.tombstoneDirect!.run(JSON.stringify(tombstone(JSON.parse(row.body) as DirectMessage)), row.user, row.seq);
      r.directMessages++;
    }
    // the inbox row (its seq counter) stays: a session of the user still open numbers on from it
    r.inboxMessages = this.sql.dropInboxMessages!.run(user).changes;
  }

  /** Commits what is pending and closes both connections. */
  close(): void {
    if (this.closed) return;
    this.commit();
    this.closed = true;
    clearInterval(this.probe);
    this.probe = undefined;
    this.reader.close();
    this.db.close();
  }

  private addDirect(draft: DirectDraft, owner: string, cid: string | null): DirectMessage {
    const log = this.inboxCounter(owner);
    const copy = { ...draft, seq: log.next++ } as DirectMessage;
    this.sql.addInbox!.run(owner, copy.seq, cid, JSON.stringify(copy));
    this.sql.inboxSeq!.run(copy.seq, owner);
    return copy;
  }

  private pruneStep(policy: RetentionPolicy, now: number, budget: number): PruneStep {
    const cutoff = policy.maxAgeMs === undefined ? undefined : now - policy.maxAgeMs;
    let deleted = 0;
    let looked = 0;
    while (looked < budget && deleted < budget) {
      const inboxes = this.pass.inboxes;
      const logs = (inboxes ? this.sql.inboxesAfter! : this.sql.roomsAfter!).all(this.pass.after, budget - looked) as Array<{ name: string; seq: number }>;
      if (logs.length === 0) {
        this.pass = { inboxes: !inboxes, after: '' };
        if (inboxes) return { deleted, done: true };
        continue;
      }
      for (const { name, seq } of logs) {
        looked++;
        const counter = (inboxes ? this.inboxes : this.rooms).get(name);
        const room = budget - deleted;
        const n = this.pruneLog(inboxes, name, counter ? counter.next - 1 : seq, policy.maxCount, cutoff, room);
        deleted += n;
        // a log that used the whole budget may hold more: the next step starts with it again
        if (n === room) return { deleted, done: false };
        this.pass.after = name;
      }
    }
    return { deleted, done: false };
  }

  /** Deletes at most `budget` of the oldest messages of one room or inbox that the policy no longer keeps. */
  private pruneLog(inbox: boolean, name: string, last: number, maxCount: number | undefined, cutoff: number | undefined, budget: number): number {
    const first = ((inbox ? this.sql.inboxOldest! : this.sql.roomOldest!).get(name) as { first: number | null }).first;
    if (first === null) return 0;
    const limit = first - 1 + budget;
    let through = first - 1;
    if (maxCount !== undefined) through = Math.min(Math.max(through, last - maxCount), limit);
    if (cutoff !== undefined && through < limit) {
      const rows = (inbox ? this.sql.inboxTimes! : this.sql.roomTimes!).all(name, through, limit - through) as Array<{ seq: number; ts: number }>;
      for (const row of rows) {
        if (row.ts >= cutoff) break;
        through = row.seq;
      }
    }
    if (through < first) return 0;
    return (inbox ? this.sql.pruneInbox! : this.sql.pruneRoom!).run(name, through).changes;
  }

  private loadRoom(room: string): Counter | undefined {
    const row = this.sql.room!.get(room) as { epoch: string; seq: number } | undefined;
    if (!row) return undefined;
    const log = { committed: row.seq, next: row.seq + 1, epoch: row.epoch };
    this.rooms.set(room, log);
    return log;
  }

  /** The room's counter, its row made in the open transaction when the room is new. */
  private roomCounter(room: string): Counter {
    const known = this.rooms.get(room) ?? this.loadRoom(room);
    if (known) return known;
    const log = { committed: 0, next: 1, epoch: newEpoch() };
    this.sql.newRoom!.run(room, log.epoch);
    this.rooms.set(room, log);
    return log;
  }

  private inboxCounter(user: string): Counter {
    let log = this.inboxes.get(user);
    if (log) return log;
    const row = this.sql.inbox!.get(user) as { seq: number } | undefined;
    if (!row) this.sql.newInbox!.run(user);
    const seq = row?.seq ?? 0;
    log = { committed: seq, next: seq + 1, epoch: '' };
    this.inboxes.set(user, log);
    return log;
  }

  /**
   * Runs `fn` in this turn's transaction. When a statement fails (the file
   * is locked by another process, the disk is full), the whole transaction
   * is rolled back and refused: every append in it, this one included, is
   * answered with an {@link UnavailableError}, and nothing of it is stored.
   */
  private write<T>(fn: () => T): T {
    // while the file refuses writes, refuse at once: waiting out the lock would stall every client
    if (this.probe !== undefined) throw new UnavailableError(new Error('the store refuses writes'));
    if (this.closed) throw new UnavailableError(new Error('the store is closed'));
    try {
      this.begin();
      return fn();
    } catch (err) {
      this.fail(err);
      throw new UnavailableError(err);
    }
  }

  /** Rolls the open transaction back and refuses everything waiting for it. */
  private fail(err: unknown): void {
    const waiting = this.waiting;
    this.waiting = [];
    try {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
    } catch {
      // the transaction is gone already
    }
    // what the counters handed out in this transaction is gone: read them afresh
    this.rooms.clear();
    this.inboxes.clear();
    this.touched.clear();
    const refused = new UnavailableError(err);
    for (const w of waiting) w.reject(refused);
    this.probe ??= setInterval(() => this.tryWrite(), SQLITE_PROBE_MS);
    this.probe.unref?.();
  }

  /** After a failed write: an empty write transaction, not waiting for locks; when it commits, writes go through again. */
  private tryWrite(): void {
    if (this.closed || this.db.inTransaction) return;
    this.db.pragma('busy_timeout = 0');
    try {
      this.db.exec('BEGIN IMMEDIATE');
      this.db.exec('COMMIT');
      clearInterval(this.probe);
      this.probe = undefined;
    } catch {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
    } finally {
      this.db.pragma(`busy_timeout = ${this.options.busyTimeoutMs ?? SQLITE_BUSY_TIMEOUT_MS}`);
    }
  }

  /**
   * Opens this turn's transaction (once) and schedules its commit. IMMEDIATE
   * takes the write lock at once, waiting (up to the busy timeout) for a
   * maintenance command that holds it: a deferred transaction that read
   * first could not wait, and would fail at its first write.
   */
  private begin(): void {
    if (this.db.inTransaction) return;
    this.db.exec('BEGIN IMMEDIATE');
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.commitNow);
    }
  }

  /** Resolves once the open transaction has committed. */
  private committed(): Promise<void> {
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  private commit(): void {
    this.scheduled = false;
    if (!this.db.open || !this.db.inTransaction) return;
    const waiting = this.waiting;
    this.waiting = [];
    try {
      for (const room of this.touched) this.sql.roomSeq!.run(this.rooms.get(room)!.next - 1, room);
      this.touched.clear();
      this.db.exec('COMMIT');
    } catch (err) {
      this.waiting = waiting;
      this.fail(err);
      return;
    }
    for (const log of this.rooms.values()) log.committed = log.next - 1;
    for (const log of this.inboxes.values()) log.committed = log.next - 1;
    for (const w of waiting) w.resolve();
  }

  private replay<T>(first: Statement, after: Statement, name: string, since: number, last: number, limit = -1): Replay<T> {
    // LIMIT -1: no limit
    const messages = (after.all(name, since, limit) as Array<{ body: string }>).map((r) => JSON.parse(r.body) as T);
    // a log whose every message was pruned still has its counter: all of it is gone
    const head = (first.get(name) as { first: number | null }).first ?? last + 1;
    if (since <= last && since + 1 < head) return { gap: { start: since + 1, end: head - 1 }, messages };
    return { messages };
  }

  private page<T>(below: Statement, name: string, before: number | undefined, limit: number): Page<T> {
    const rows = below.all(name, before ?? Number.MAX_SAFE_INTEGER, limit + 1) as Array<{ body: string }>;
    return { messages: rows.slice(0, limit).map((r) => JSON.parse(r.body) as T), more: rows.length > limit };
  }
}
