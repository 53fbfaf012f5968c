/**
 * A {@link Store} in Redis, shared by every relay of a cluster. Each room and
 * inbox is a counter (`seq`), a sorted set of encoded messages scored by
 * `seq` and trimmed to the retention limit, and a sorted set of idempotency
 * keys scored the same way, so a `cid` is remembered exactly as long as the
 * message it acknowledged. One Lua script assigns the `seq`, stores the
 * message, remembers the `cid` and publishes the encoded envelope: two relays
 * can never hand out the same `seq` or publish out of order. A room also has
 * an epoch, set once (SET NX, so every relay agrees) when its keys are made,
 * and gone with them: it survives relay restarts, not the loss of the keys.
 *
 * Idempotency keys are per room (and per sender's inbox for direct
 * messages): a client resends a `cid` to the room it first sent it to.
 *
 * A send carries a deadline in Redis's clock ({@link REDIS_WRITE_DEADLINE_MS}
 * after it is sent): a script that runs later stores nothing, so a send the
 * relay answered `unavailable` (its command timed out) is never stored and
 * delivered afterwards.
 */
import type { DirectMessage, RoomMessage } from '@parley/protocol';
import { ReplyError } from 'ioredis';
import { UnavailableError } from '../store/errors.js';
import type { RedisKeys } from './redis-keys.js';
import type { RedisHealth } from './redis-health.js';
import type { RunScript } from './redis-scripts.js';
import { newEpoch } from '../wire/ids.js';
import { REDIS_WRITE_DEADLINE_MS } from './redis-timing.js';
import type { AckInfo, DirectAppend, DirectDraft, Page, Replay, RoomAppend, RoomDraft, RoomHead, Store } from '../store/store.js';
import type { Redis } from 'ioredis';

/** Retention of a {@link RedisStore}. */
export interface RedisStoreOptions {
  /** Messages kept per room. */
  historyLimit: number;
  /** Direct messages kept per inbox. */
  inboxLimit: number;
  /** How long an orphaned inbox (its user ended meanwhile) is kept, ms. */
  resumeWindowMs: number;
}

/**
 * The encoded message up to its `seq`: the script appends the `seq` and `}`.
 * The result is exactly `JSON.stringify({ ...draft, seq })`.
 */
function head(draft: RoomDraft | DirectDraft): string {
  return JSON.stringify(draft).slice(0, -1) + ',"seq":';
}

const ackOf = (m: { id: string; seq: number; ts: number }): AckInfo => ({ id: m.id, seq: m.seq, ts: m.ts });

/** A store script's answer when it ran past its deadline and stored nothing. */
const TOO_LATE = 2;

/** Throws when a store script answered that it ran too late (nothing was stored). */
function storedInTime(r: [number, ...unknown[]]): void {
  if (r[0] === TOO_LATE) throw new UnavailableError(new Error('Redis ran the send after its deadline: nothing was stored'));
}

/**
 * Runs a Redis call, turning a lost or slow connection into an
 * {@link UnavailableError} (a script's own error stays what it is).
 */
export async function guarded<T>(health: RedisHealth, call: () => Promise<T>): Promise<T> {
  if (!health.available) throw new UnavailableError();
  return queued(call);
}

/**
 * Runs a Redis call even while Redis is away: ioredis holds it until the
 * connection is back (for clean-ups that must happen eventually). The
 * promise still fails with an {@link UnavailableError} after the command
 * timeout; the call itself is sent later all the same.
 */
export async function queued<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof ReplyError) throw err;
    throw new UnavailableError(err);
  }
}

/**
 * @example
 * ```ts
 * const store = new RedisStore(redis, run, new RedisKeys('parley:'), health, { historyLimit: 1000, inboxLimit: 500, resumeWindowMs: 120_000 });
 * const { ack, message } = await store.appendRoom(draft, 'ada', 'c1');
 * ```
 */
export class RedisStore implements Store {
  constructor(
    private readonly redis: Redis,
    private readonly run: RunScript,
    private readonly keys: RedisKeys,
    private readonly health: RedisHealth,
    private readonly options: RedisStoreOptions,
  ) {}

  async appendRoom(draft: RoomDraft, user: string, cid: string, except = ''): Promise<RoomAppend> {
    const k = this.keys.room(draft.room);
    const channel = this.keys.roomChannel(draft.room);
    const r = (await guarded(this.health, async () => {
      const deadline = Math.floor((await this.health.remoteNow()) + REDIS_WRITE_DEADLINE_MS);
      const args = [k.seq, k.log, k.cids, k.epoch, user + '\n' + cid, head(draft), this.options.historyLimit, channel, except, newEpoch(), deadline];
      return this.run('parleyAppendRoom', ...args);
    })) as [number, string | number];
    storedInTime(r);
    if (r[0] === 1) return { ack: ackOf(JSON.parse(r[1] as string) as RoomMessage) };
    const message = { ...draft, seq: r[1] as number } as RoomMessage;
    return { ack: ackOf(message), message };
  }

  async appendDirect(draft: DirectDraft, cid: string, except = ''): Promise<DirectAppend> {
    const to = this.keys.inbox(draft.to);
    const from = this.keys.inbox(draft.from);
    const args = [
      to.seq, to.log, to.cids, from.seq, from.log, from.cids, this.keys.user(draft.to),
      cid, head(draft), this.options.inboxLimit, this.keys.userChannel(draft.to), this.keys.userChannel(draft.from), except, this.options.resumeWindowMs,
    ];
    const r = (await guarded(this.health, async () => {
      const deadline = Math.floor((await this.health.remoteNow()) + REDIS_WRITE_DEADLINE_MS);
      return this.run('parleyAppendDirect', ...args, deadline);
    })) as [number, string | number, number];
    storedInTime(r);
    if (r[0] === 1) return { ack: ackOf(JSON.parse(r[1] as string) as DirectMessage) };
    const recipientCopy = { ...draft, seq: r[1] as number } as DirectMessage;
    if (draft.from === draft.to) return { ack: ackOf(recipientCopy), recipientCopy };
    const senderCopy = { ...draft, seq: r[2] } as DirectMessage;
    return { ack: ackOf(senderCopy), recipientCopy, senderCopy };
  }

  roomSeq(room: string): Promise<number> {
    return this.seq(this.keys.room(room).seq);
  }

  async roomHead(room: string): Promise<RoomHead> {
    const k = this.keys.room(room);
    const [seq, epoch] = (await guarded(this.health, () => this.run('parleyRoomHead', k.seq, k.epoch, newEpoch()))) as [number, string];
    return { seq, epoch };
  }

  inboxSeq(user: string): Promise<number> {
    return this.seq(this.keys.inbox(user).seq);
  }

  replayRoom(room: string, since: number, limit?: number): Promise<Replay<RoomMessage>> {
    return this.replay(this.keys.room(room), since, limit);
  }

  replayInbox(user: string, since: number, limit?: number): Promise<Replay<DirectMessage>> {
    return this.replay(this.keys.inbox(user), since, limit);
  }

  pageRoom(room: string, before: number | undefined, limit: number): Promise<Page<RoomMessage>> {
    return this.page(this.keys.room(room).log, before, limit);
  }

  pageInbox(user: string, before: number | undefined, limit: number): Promise<Page<DirectMessage>> {
    return this.page(this.keys.inbox(user).log, before, limit);
  }

  /** Forgets a room's history unless someone (on any relay) is in it. */
  async dropRoom(room: string): Promise<void> {
    const k = this.keys.room(room);
    await guarded(this.health, () => this.run('parleyDropLog', 5, this.keys.members(room), k.seq, k.log, k.cids, k.epoch));
  }

  /** Forgets an inbox unless its user still has a session (on any relay). */
  async dropInbox(user: string): Promise<void> {
    const k = this.keys.inbox(user);
    await guarded(this.health, () => this.run('parleyDropLog', 4, this.keys.user(user) + '/sessions', k.seq, k.log, k.cids));
  }

  private async seq(key: string): Promise<number> {
    const v = await guarded(this.health, () => this.redis.get(key));
    return v === null ? 0 : Number(v);
  }

  /** Everything after `since`, with a gap when history no longer reaches back (as `SeqLog.after`). */
  private async replay<T>(k: { seq: string; log: string }, since: number, limit = -1): Promise<Replay<T>> {
    const [last, first, items] = (await guarded(this.health, () => this.run('parleyReplay', k.seq, k.log, since, limit))) as [number, number, string[]];
    const messages = items.map((s) => JSON.parse(s) as T);
    if (since <= last && since + 1 < first) return { gap: { start: since + 1, end: first - 1 }, messages };
    return { messages };
  }

  private async page<T>(log: string, before: number | undefined, limit: number): Promise<Page<T>> {
    const top = before === undefined ? '+inf' : `(${before}`;
    const items = await guarded(this.health, () => this.redis.zrevrangebyscore(log, top, '-inf', 'LIMIT', 0, limit + 1));
    return { messages: items.slice(0, limit).map((s) => JSON.parse(s) as T), more: items.length > limit };
  }
}
