/**
 * The default {@link Store}: history in memory, bounded by the retention limits.
 *
 * Each room and inbox is a ring buffer of at most `historyLimit` /
 * `inboxLimit` messages. An idempotency record lives in the log whose `seq`
 * its ack carries (`(user, cid)` in a room, `cid` in the sender's inbox for a
 * direct message; docs/protocol.md, "Idempotency") exactly as long as the
 * message it acknowledged: it is deleted when that message falls out of
 * history, or when its room or inbox is dropped. A room gets a new
 * epoch whenever its log is made: when the room is first entered or written
 * to, and again after it was dropped (or the relay restarted).
 */
import type { DirectMessage, RoomMessage } from '@parley/protocol';
import { newEpoch } from '../wire/ids.js';
import { SeqLog } from './seq-log.js';
import type { AckInfo, DirectAppend, DirectDraft, EraseResult, Page, PruneStep, Replay, RetentionPolicy, RoomAppend, RoomDraft, RoomHead, Store, UserExport } from './store.js';
import { assembleExport, tombstone } from './user-records.js';

interface Entry<T> {
  seq: number;
  message: T;
  /** The idempotency key this message answers, when it is the copy that acks. */
  key?: string;
}

/** Retention limits of a {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /** Messages kept per room. */
  historyLimit: number;
  /** Direct messages kept per inbox. */
  inboxLimit: number;
}

const idempotencyKey = (user: string, cid: string): string => user + '\n' + cid;

/** A room's or inbox's messages, and the acks of the `cid`s they answer. */
class Log<T> extends SeqLog<Entry<T>> {
  readonly accepted = new Map<string, AckInfo>();
}

/** A room's log and the epoch naming this run of its `seq`s. */
class RoomLog extends Log<RoomMessage> {
  readonly epoch = newEpoch();
}

/** Where a pass of {@link MemoryStore.prune} stands: the names it set out to visit, and how far it got. */
interface PrunePass {
  rooms: string[];
  inboxes: string[];
  /** Index into `rooms`, then (past its end) into `inboxes`. */
  next: number;
}

/**
 * @example
 * ```ts
 * const store = new MemoryStore({ historyLimit: 1000, inboxLimit: 500 });
 * ```
 */
export class MemoryStore implements Store {
  private readonly rooms = new Map<string, RoomLog>();
  private readonly inboxes = new Map<string, Log<DirectMessage>>();
  private pass: PrunePass | undefined;

  constructor(private readonly options: MemoryStoreOptions) {}

  /** Idempotency records held (for tests and metrics). */
  get idempotencyRecords(): number {
    let n = 0;
    for (const log of this.rooms.values()) n += log.accepted.size;
    for (const log of this.inboxes.values()) n += log.accepted.size;
    return n;
  }

  /** Rooms and inboxes held (for tests and metrics). */
  get logs(): { rooms: number; inboxes: number } {
    return { rooms: this.rooms.size, inboxes: this.inboxes.size };
  }

  appendRoom(draft: RoomDraft, user: string, cid: string): RoomAppend {
    const key = idempotencyKey(user, cid);
    const earlier = this.rooms.get(draft.room)?.accepted.get(key);
    if (earlier) return { ack: earlier };
    const log = this.room(draft.room);
    const message = { ...draft, seq: log.nextSeq } as RoomMessage;
    this.push(log, { seq: message.seq, message, key });
    const ack = { id: message.id, seq: message.seq, ts: message.ts };
    log.accepted.set(key, ack);
    return { ack, message };
  }

  appendDirect(draft: DirectDraft, cid: string): DirectAppend {
    const key = cid;
    const earlier = this.inboxes.get(draft.from)?.accepted.get(key);
    if (earlier) return { ack: earlier };
    const to = this.inbox(draft.to);
    const recipientCopy = { ...draft, seq: to.nextSeq } as DirectMessage;
    const self = draft.from === draft.to;
    this.push(to, self ? { seq: recipientCopy.seq, message: recipientCopy, key } : { seq: recipientCopy.seq, message: recipientCopy });
    let senderCopy: DirectMessage | undefined;
    const from = self ? to : this.inbox(draft.from);
    if (!self) {
      senderCopy = { ...draft, seq: from.nextSeq } as DirectMessage;
      this.push(from, { seq: senderCopy.seq, message: senderCopy, key });
    }
    const acked = senderCopy ?? recipientCopy;
    const ack = { id: acked.id, seq: acked.seq, ts: acked.ts };
    from.accepted.set(key, ack);
    return senderCopy ? { ack, recipientCopy, senderCopy } : { ack, recipientCopy };
  }

  roomSeq(room: string): number {
    return this.rooms.get(room)?.lastSeq ?? 0;
  }

  roomHead(room: string): RoomHead {
    const log = this.room(room);
    return { seq: log.lastSeq, epoch: log.epoch };
  }

  inboxSeq(user: string): number {
    return this.inboxes.get(user)?.lastSeq ?? 0;
  }

  replayRoom(room: string, since: number, limit?: number): Replay<RoomMessage> {
    return replay(this.rooms.get(room), since, limit);
  }

  replayInbox(user: string, since: number, limit?: number): Replay<DirectMessage> {
    return replay(this.inboxes.get(user), since, limit);
  }

  pageRoom(room: string, before: number | undefined, limit: number): Page<RoomMessage> {
    return page(this.rooms.get(room), before, limit);
  }

  pageInbox(user: string, before: number | undefined, limit: number): Page<DirectMessage> {
    return page(this.inboxes.get(user), before, limit);
  }

  dropRoom(room: string): void {
    this.drop(this.rooms, room);
  }

  dropInbox(user: string): void {
    this.drop(this.inboxes, user);
  }

  prune(policy: RetentionPolicy, now: number, budget: number): PruneStep {
    if (policy.maxAgeMs === undefined && policy.maxCount === undefined) return { deleted: 0, done: true };
    const pass = (this.pass ??= { rooms: [...this.rooms.keys()], inboxes: [...this.inboxes.keys()], next: 0 });
    const cutoff = policy.maxAgeMs === undefined ? undefined : now - policy.maxAgeMs;
    let deleted = 0;
    for (let looked = 0; looked < budget && deleted < budget; looked++) {
      const inRooms = pass.next < pass.rooms.length;
      const name = inRooms ? pass.rooms[pass.next] : pass.inboxes[pass.next - pass.rooms.length];
      if (name === undefined) {
        this.pass = undefined;
        return { deleted, done: true };
      }
      const log: Log<RoomMessage | DirectMessage> | undefined = inRooms ? this.rooms.get(name) : this.inboxes.get(name);
      const room = budget - deleted;
      const n = log ? this.pruneLog(log, policy.maxCount, cutoff, room) : 0;
      deleted += n;
      // a log that used the whole budget may hold more: visit it again next step
      if (n < room) pass.next++;
    }
    return { deleted, done: false };
  }

  exportUser(user: string): UserExport {
    const rooms: RoomMessage[] = [];
    for (const log of this.rooms.values()) log.forEach((e) => e.message.from === user && rooms.push(e.message));
    const inbox: DirectMessage[] = [];
    this.inboxes.get(user)?.forEach((e) => inbox.push(e.message));
    const elsewhere: DirectMessage[] = [];
    for (const [owner, log] of this.inboxes) if (owner !== user) log.forEach((e) => e.message.from === user && elsewhere.push(e.message));
    return assembleExport(user, rooms, inbox, elsewhere);
  }

  eraseUser(user: string): EraseResult {
    const result: EraseResult = { user, roomMessages: 0, directMessages: 0, inboxMessages: 0 };
    const erase = <T extends RoomMessage | DirectMessage>(log: Log<T>): number => {
      let n = 0;
      log.forEach((e) => {
        if (e.message.from !== user) return;
        e.message = tombstone(e.message);
        if (e.key !== undefined) log.accepted.delete(e.key);
        e.key = undefined;
        n++;
      });
      return n;
    };
    for (const log of this.rooms.values()) result.roomMessages += erase(log);
    for (const [owner, log] of this.inboxes) if (owner !== user) result.directMessages += erase(log);
    const own = this.inboxes.get(user);
    if (own) {
      // the inbox keeps its seq counter: a session of the user still open numbers on from it
      result.inboxMessages = own.dropThrough(own.lastSeq).length;
      own.accepted.clear();
    }
    return result;
  }

  /** Deletes at most `budget` of the oldest messages of `log` that the policy no longer keeps. */
  private pruneLog<T extends { ts: number }>(log: Log<T>, maxCount: number | undefined, cutoff: number | undefined, budget: number): number {
    let through = log.firstSeq - 1;
    if (maxCount !== undefined) through = Math.max(through, log.lastSeq - maxCount);
    through = Math.min(through, log.firstSeq - 1 + budget);
    if (cutoff !== undefined) {
      const last = Math.min(log.lastSeq, log.firstSeq - 1 + budget);
      while (through < last && log.at(through + 1)!.message.ts < cutoff) through++;
    }
    const dropped = log.dropThrough(through);
    for (const e of dropped) if (e.key !== undefined) log.accepted.delete(e.key);
    return dropped.length;
  }

  private room(name: string): RoomLog {
    let log = this.rooms.get(name);
    if (!log) this.rooms.set(name, (log = new RoomLog(this.options.historyLimit)));
    return log;
  }

  private inbox(name: string): Log<DirectMessage> {
    let log = this.inboxes.get(name);
    if (!log) this.inboxes.set(name, (log = new Log<DirectMessage>(this.options.inboxLimit)));
    return log;
  }

  private push<T>(log: Log<T>, entry: Entry<T>): void {
    const evicted = log.push(entry);
    if (evicted?.key) log.accepted.delete(evicted.key);
  }

  private drop<T>(map: Map<string, Log<T>>, name: string): void {
    map.delete(name);
  }
}

function replay<T>(log: SeqLog<Entry<T>> | undefined, since: number, limit = Infinity): Replay<T> {
  if (!log) return { messages: [] };
  const r = log.after(since);
  const messages = (r.items.length > limit ? r.items.slice(0, limit) : r.items).map((e) => e.message);
  return r.gap ? { gap: r.gap, messages } : { messages };
}

function page<T>(log: SeqLog<Entry<T>> | undefined, before: number | undefined, limit: number): Page<T> {
  if (!log) return { messages: [], more: false };
  const p = log.page(before, limit);
  return { messages: p.items.map((e) => e.message), more: p.more };
}
