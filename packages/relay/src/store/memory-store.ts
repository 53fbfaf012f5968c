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
import type { AckInfo, DirectAppend, DirectDraft, Page, Replay, RoomAppend, RoomDraft, RoomHead, Store } from './store.js';

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

/**
 * @example
 * ```ts
 * const store = new MemoryStore({ historyLimit: 1000, inboxLimit: 500 });
 * ```
 */
export class MemoryStore implements Store {
  private readonly rooms = new Map<string, RoomLog>();
  private readonly inboxes = new Map<string, Log<DirectMessage>>();

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

  replayRoom(room: string, since: number): Replay<RoomMessage> {
    return replay(this.rooms.get(room), since);
  }

  replayInbox(user: string, since: number): Replay<DirectMessage> {
    return replay(this.inboxes.get(user), since);
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

function replay<T>(log: SeqLog<Entry<T>> | undefined, since: number): Replay<T> {
  if (!log) return { messages: [] };
  const r = log.after(since);
  const messages = r.items.map((e) => e.message);
  return r.gap ? { gap: r.gap, messages } : { messages };
}

function page<T>(log: SeqLog<Entry<T>> | undefined, before: number | undefined, limit: number): Page<T> {
  if (!log) return { messages: [], more: false };
  const p = log.page(before, limit);
  return { messages: p.items.map((e) => e.message), more: p.more };
}
