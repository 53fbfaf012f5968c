/**
 * Where messages live: the relay's storage interface. The in-memory
 * {@link MemoryStore} is `createRelay`'s default, the SQLite store the
 * command line's; a shared store (Redis) implements the same interface so
 * several relays serve the same rooms.
 *
 * Every method may answer synchronously or with a promise. Implementations
 * must assign `seq`s atomically: two appends to one room never get the same
 * `seq`, and `seq`s grow by exactly one. A shared store (`RedisStore`) also
 * publishes what it stores in the same atomic step; its broker then delivers
 * it from the subscription.
 */
import type { DirectMessage, RoomMessage } from '@parley/protocol';
import type { SeqGap } from './seq-log.js';

/** A value, or a promise of it. */
export type Awaitable<T> = T | Promise<T>;

/** What an `ack` says: the accepted message's id, `seq` and time. */
export interface AckInfo {
  id: string;
  seq: number;
  ts: number;
}

/** A room message before the store gives it a `seq`. */
export type RoomDraft = Omit<RoomMessage, 'seq'>;

/** A direct message before the store gives it each inbox's `seq`. */
export type DirectDraft = Omit<DirectMessage, 'seq'>;

/** The outcome of an append: the ack, and the stored message unless it was a duplicate. */
export interface RoomAppend {
  ack: AckInfo;
  /** Absent when `(user, cid)` had been accepted before: nothing new was stored. */
  message?: RoomMessage;
}

/** The outcome of a direct append: the ack (sender's inbox `seq`) and each inbox's copy. */
export interface DirectAppend {
  ack: AckInfo;
  /** The addressee's copy (and the sender's when they are the same user); absent for a duplicate. */
  recipientCopy?: DirectMessage;
  /** The sender's copy; absent for a duplicate or a message to oneself. */
  senderCopy?: DirectMessage;
}

/** A room's latest `seq` and the epoch naming its current run of `seq`s. */
export interface RoomHead {
  /** The latest `seq` (0 when none yet). */
  seq: number;
  /** Changes whenever the room's sequence starts over (the room was forgotten, the store lost it). */
  epoch: string;
}

/** Messages after a cursor, oldest first, after a gap when history no longer reaches back. */
export interface Replay<T> {
  gap?: SeqGap;
  messages: T[];
}

/** A history page, newest first. */
export interface Page<T> {
  messages: T[];
  more: boolean;
}

/**
 * What history a durable store keeps: by age, by count per room and per
 * inbox, or both; neither keeps everything. A store only ever deletes a log's
 * oldest messages, so what it keeps of a room runs without holes from its
 * first retained `seq` to its latest, and a resume from before that gets a `gap`.
 *
 * @example
 * ```ts
 * const policy: RetentionPolicy = { maxAgeMs: 30 * 86_400_000, maxCount: 10_000 }; // 30d,10000
 * ```
 */
export interface RetentionPolicy {
  /** Deletes messages whose `ts` is older than this, ms. */
  maxAgeMs?: number;
  /** Keeps at most this many of the newest messages per room and per inbox. */
  maxCount?: number;
}

/** What one {@link Store.prune} step did. */
export interface PruneStep {
  /** Messages deleted in this step. */
  deleted: number;
  /**
   * `true` when the step finished a pass over every room and inbox: nothing
   * more to do for now. `false` when it stopped at its budget: call again
   * (the next call carries on where this one stopped).
   */
  done: boolean;
}

/** Everything a store holds of one user, for a data request (GDPR article 15). */
export interface UserExport {
  user: string;
  /** Room messages `user` sent, oldest first. */
  rooms: RoomMessage[];
  /**
   * Direct messages `user` sent (wherever a copy is still held) and every
   * message in their inbox, one copy of each (their own inbox's when it holds
   * one), oldest first.
   */
  direct: DirectMessage[];
}

/** What {@link Store.eraseUser} changed. */
export interface EraseResult {
  user: string;
  /** Room messages `user` sent, now tombstones. */
  roomMessages: number;
  /** Direct messages `user` sent that other users' inboxes held, now tombstones. */
  directMessages: number;
  /** Messages deleted with `user`'s own inbox (what they sent and received there). */
  inboxMessages: number;
}

/**
 * @example
 * ```ts
 * const { ack, message } = await store.appendRoom(draft, 'ada', 'c1');
 * if (message) broker.toRoom(message.room, new Outbound(message));
 * ```
 */
export interface Store {
  /**
   * Whether what the store acks survives a restart of the relay (SQLite). A
   * durable store keeps a room's history when nobody is in it and a token
   * user's inbox when their last session ends; its appends resolve only
   * once committed.
   */
  readonly durable?: boolean;
  /**
   * Assigns the room's next `seq`, stores the message and remembers `(user, cid)`.
   * When `(user, cid)` was accepted before (and is still retained), stores
   * nothing and answers the original ack. `except` names a session that must
   * not get the message (a plain sender); a store that publishes passes it on.
   */
  appendRoom(draft: RoomDraft, user: string, cid: string, except?: string): Awaitable<RoomAppend>;
  /** Stores a direct message in the addressee's and the sender's inbox, idempotently as above. */
  appendDirect(draft: DirectDraft, cid: string, except?: string): Awaitable<DirectAppend>;
  /** The room's latest `seq` (0 when none). */
  roomSeq(room: string): Awaitable<number>;
  /**
   * The room's latest `seq` and epoch. A room the store holds nothing of
   * starts a sequence here, with a new epoch (ask only about rooms someone
   * is in: what is started here is forgotten like the room's history).
   */
  roomHead(room: string): Awaitable<RoomHead>;
  /** The inbox's latest `seq` (0 when none). */
  inboxSeq(user: string): Awaitable<number>;
  /**
   * Room messages after `since`, oldest first: all of them, or the first
   * `limit` (a replay reads page by page, so that a client that missed a
   * lot costs the relay one page of memory at a time).
   */
  replayRoom(room: string, since: number, limit?: number): Awaitable<Replay<RoomMessage>>;
  /** Inbox messages after `since`, as {@link replayRoom}. */
  replayInbox(user: string, since: number, limit?: number): Awaitable<Replay<DirectMessage>>;
  /** Room messages below `before`, newest first. */
  pageRoom(room: string, before: number | undefined, limit: number): Awaitable<Page<RoomMessage>>;
  /** Inbox messages below `before`, newest first. */
  pageInbox(user: string, before: number | undefined, limit: number): Awaitable<Page<DirectMessage>>;
  /** Forgets a room's history (nobody is in it and nobody can resume into it). */
  dropRoom(room: string): Awaitable<void>;
  /** Forgets a user's inbox (the user left and can no longer resume). */
  dropInbox(user: string): Awaitable<void>;
  /**
   * Marks `user`'s inbox as one that must not outlive its sessions (an
   * anonymous nickname is no account: the next visitor to pick it must not
   * read it). A durable store drops such inboxes at its next start, since a
   * crash ended their sessions without a `dropInbox`.
   */
  ephemeralInbox?(user: string): Awaitable<void>;
  /**
   * `false` while the store refuses writes (its file is locked by another
   * process, the disk is full): `/healthz` then says `degraded`. A store
   * that cannot tell leaves it out.
   */
  readonly available?: boolean;
  /**
   * One bounded step of applying `policy` at time `now` (ms): deletes at
   * most `budget` messages the policy no longer keeps, each log's oldest
   * first (rooms, then inboxes), and looks at no more than about `budget`
   * rooms and inboxes, so that a step never holds the event loop for long.
   * A room or inbox keeps its `seq` counter and epoch when its last message
   * goes. Implemented by the memory, SQLite and PostgreSQL stores.
   *
   * @example
   * ```ts
   * let step; do step = await store.prune!({ maxCount: 10_000 }, Date.now(), 500); while (!step.done);
   * ```
   */
  prune?(policy: RetentionPolicy, now: number, budget: number): Awaitable<PruneStep>;
  /**
   * Every message `user` sent (room and direct) and every message in their
   * inbox, oldest first.
   *
   * @example
   * ```ts
   * const { rooms, direct } = await store.exportUser!('u_ada');
   * ```
   */
  exportUser?(user: string): Awaitable<UserExport>;
  /**
   * Replaces every message `user` sent with a tombstone (same `room`/`to`,
   * `id`, `seq` and `ts`; empty `from`, `name` and `text`; `deleted: true`),
   * deletes the messages of their inbox (keeping its `seq` counter, so
   * numbering goes on) and their idempotency records, in one transaction.
   * Answers the counts; a second erase answers zeros.
   *
   * @example
   * ```ts
   * const counts = await store.eraseUser!('u_ada'); // { user: 'u_ada', roomMessages: 12, directMessages: 3, inboxMessages: 5 }
   * ```
   */
  eraseUser?(user: string): Awaitable<EraseResult>;
  /** Commits what is pending and lets go of files and connections (relay shutdown). */
  close?(): Awaitable<void>;
}
