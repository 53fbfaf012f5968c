/**
 * One subscribed channel (a room, or a user's inbox) turned into an ordered,
 * gap-free stream for this relay's sessions.
 *
 * Why it exists: every message, this relay's own included, reaches local
 * sessions only through the Redis subscription. The script that assigns a
 * `seq` publishes in the same atomic step, and one subscriber connection
 * receives a channel's messages in publish order, so that stream is already
 * in `seq` order; delivering one's own messages straight from the script's
 * reply instead would race the subscription and could reorder them. What
 * pub/sub cannot promise is completeness: while the subscriber reconnects,
 * messages are lost. So the feed tracks the last `seq` it delivered and, when
 * the next one is not `last + 1` (or after a reconnect), fetches the missing
 * ones from the stored history first, holding live ones back meanwhile. When
 * history no longer reaches back, local sessions get a `gap` envelope: they
 * are told, never silently skipped.
 */
import type { DirectMessage, RoomMessage, ServerMessage } from '@parley/protocol';
import { Outbound } from '../wire/outbound.js';
import type { Replay } from '../store/store.js';

/** An envelope from the channel: its `seq` (messages only), the encoded form, and the session that must not get it. */
export interface FeedItem {
  seq: number | undefined;
  out: Outbound;
  except: string;
}

/** Where a feed learns what it missed. */
export interface FeedSource {
  /** The channel's latest `seq`. */
  latest(): Promise<number>;
  /** Stored messages after `since`. */
  after(since: number): Promise<Replay<RoomMessage | DirectMessage>>;
  /** The `gap` envelope telling local sessions that `start`-`end` are gone. */
  gap(start: number, end: number): ServerMessage;
}

/** Most live envelopes held back while repairing; past it they are dropped and refetched from history. */
export const FEED_BUFFER_LIMIT = 10_000;

/** History reads in one repair before a hole that history cannot fill is reported as a gap. */
const REPAIR_ROUNDS = 3;

type Phase = 'starting' | 'live' | 'repairing' | 'stalled';

/**
 * @example
 * ```ts
 * const feed = new Feed(source, (item) => deliverLocally(item));
 * await subscribe(channel); await feed.start();
 * feed.push(item);                 // for every published envelope
 * await feed.delivered(42, 2000);  // until seq 42 went out here (or 2 s)
 * ```
 */
export class Feed {
  /** Sessions on this relay that need the channel. */
  refs = 1;
  /** Resolves when the subscription is live and the starting `seq` known. */
  ready: Promise<void> = Promise.resolve();
  private last = 0;
  private known = false;
  private phase: Phase = 'starting';
  private buffer: FeedItem[] = [];
  private waiters: Array<{ seq: number; resolve: () => void }> = [];
  private closed = false;

  /**
   * @param onRepaired called after history filled a hole, with how many messages it brought
   */
  constructor(
    private readonly source: FeedSource,
    private readonly deliver: (item: FeedItem) => void,
    private readonly onRepaired: (messages: number) => void = () => {},
  ) {}

  /** The last `seq` delivered here. */
  get lastSeq(): number {
    return this.last;
  }

  /** Learns where the channel stands (call once subscribed), then delivers what arrived meanwhile. */
  async start(): Promise<void> {
    try {
      const latest = await this.source.latest();
      if (this.closed) return;
      this.last = Math.max(this.last, latest);
      this.known = true;
      this.phase = 'live';
      this.wake();
      if (!this.drain()) await this.repair();
    } catch (err) {
      this.phase = 'stalled';
      throw err;
    }
  }

  /** An envelope from the subscription. */
  push(item: FeedItem): void {
    if (this.closed) return;
    if (this.phase === 'live' && (item.seq === undefined || item.seq <= this.last + 1)) return this.take(item);
    if (this.buffer.length >= FEED_BUFFER_LIMIT) this.buffer = this.buffer.filter((i) => i.seq === undefined).slice(-100);
    this.buffer.push(item);
    if (this.phase === 'live' || this.phase === 'stalled') void this.resync().catch(() => {});
  }

  /** The subscription was re-established after an outage: fetch what was published meanwhile. */
  resync(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (!this.known) return this.start();
    return this.repair();
  }

  /** Resolves once `seq` was delivered here, or after `ms` at the latest. */
  delivered(seq: number, ms: number): Promise<void> {
    if (this.closed || this.last >= seq) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = { seq, resolve: () => {} };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve();
      }, ms);
      waiter.resolve = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push(waiter);
    });
  }

  /** Nobody here needs the channel any more. */
  close(): void {
    this.closed = true;
    this.buffer = [];
    for (const w of this.waiters) w.resolve();
    this.waiters = [];
  }

  private take(item: FeedItem): void {
    if (item.seq !== undefined) {
      if (item.seq <= this.last) return;
      this.last = item.seq;
    }
    this.deliver(item);
    if (item.seq !== undefined && this.waiters.length) this.wake();
  }

  private wake(): void {
    if (!this.waiters.length) return;
    const due = this.waiters.filter((w) => w.seq <= this.last);
    if (!due.length) return;
    this.waiters = this.waiters.filter((w) => w.seq > this.last);
    for (const w of due) w.resolve();
  }

  /** Tells local sessions that everything up to `end` is gone, and moves past it. */
  private skip(end: number): void {
    if (end <= this.last) return;
    this.deliver({ seq: undefined, out: new Outbound(this.source.gap(this.last + 1, end)), except: '' });
    this.last = end;
  }

  /** Delivers buffered envelopes in order; `false` (and the rest kept) at a hole. */
  private drain(): boolean {
    const items = this.buffer;
    this.buffer = [];
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      if (item.seq !== undefined && item.seq > this.last + 1) {
        this.buffer = items.slice(i);
        return false;
      }
      this.take(item);
    }
    return true;
  }

  /** Fetches from history what the subscription did not bring, then what was held back. */
  private async repair(): Promise<void> {
    if (this.phase === 'repairing' || this.closed) return;
    this.phase = 'repairing';
    try {
      for (let round = 1; ; round++) {
        const { gap, messages } = await this.source.after(this.last);
        if (this.closed) return;
        if (gap && gap.end > this.last) this.skip(gap.end);
        for (const m of messages) this.take({ seq: m.seq, out: new Outbound(m), except: '' });
        this.onRepaired(messages.length);
        this.wake();
        if (this.drain()) break;
        // Held envelopes that history did not reach yet were published after the read and lost on the way: read again.
        // A hole that survives several reads can only be messages that were stored and trimmed at once: say so.
        if (round >= REPAIR_ROUNDS) this.skip(this.buffer[0]!.seq! - 1);
      }
      this.phase = 'live';
    } catch (err) {
      this.phase = 'stalled';
      throw err;
    }
  }
}
