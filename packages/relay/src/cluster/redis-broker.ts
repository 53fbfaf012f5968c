/**
 * Fan-out across relays through Redis pub/sub. Each relay has one subscriber
 * connection and subscribes to a room's channel only while one of its own
 * sessions is in the room, and to a user's inbox channel only while it holds
 * a session of that user: a message costs Redis work for the relays that
 * need it, never for the others. Payloads are the envelope already encoded
 * by the publisher (`<session to skip>\n<JSON>`), sent on as they are.
 *
 * Every message reaches local sessions through the subscription, this
 * relay's own included, via a {@link Feed} per channel that keeps the `seq`
 * order and fills holes from history (see `feed.ts` for why).
 */
import type { DirectMessage, RoomMessage, ServerMessage } from '@parley/protocol';
import type { Redis } from 'ioredis';
import type { Broker } from '../fanout/broker.js';
import type { Directory } from '../sessions/directory.js';
import { Feed, type FeedItem, type FeedSource } from './feed.js';
import type { Logger } from '../observability/logger.js';
import { Outbound } from '../wire/outbound.js';
import type { RedisHealth } from './redis-health.js';
import type { RedisKeys } from './redis-keys.js';
import type { Store } from '../store/store.js';
import type { RoomRegistry } from '../sessions/rooms.js';
import type { Session } from '../sessions/session.js';

/** Longest a sender's `ack` waits for its own message to come back through the subscription, ms. */
export const SETTLE_TIMEOUT_MS = 2000;

const NEWLINE = 0x0a;

/** What a {@link RedisBroker} reports for metrics. */
export interface BrokerEvents {
  /** A fan-out reached `count` local sessions. */
  delivered(out: Outbound, count: number): void;
  /** History filled a hole in a feed with `messages` messages. */
  repaired(messages: number): void;
}

/**
 * @example
 * ```ts
 * const broker = new RedisBroker(command, sub, keys, store, rooms, directory, health, log, events);
 * await broker.start('parley:ch/node/n_1', (text) => onOrder(text));
 * const rooms = new RoomRegistry((r) => broker.emptied(r), (r) => broker.occupied(r));
 * ```
 */
export class RedisBroker implements Broker {
  private readonly feeds = new Map<string, Feed>();
  /** Feeds whose subscription or start failed (Redis was down): the next wait for them tries again. */
  private readonly failed = new WeakSet<Feed>();
  private control = '';
  private onControl: (text: string) => void = () => {};

  constructor(
    private readonly command: Redis,
    private readonly sub: Redis,
    private readonly keys: RedisKeys,
    private readonly store: Store,
    private readonly rooms: RoomRegistry,
    private readonly directory: Directory,
    private readonly health: RedisHealth,
    private readonly log: Logger,
    private readonly events: BrokerEvents,
  ) {
    sub.on('messageBuffer', (channel: Buffer, message: Buffer) => this.receive(channel.toString(), message));
    // both connections are back (in either order): fetch what the subscription missed meanwhile
    health.onChange((up) => up && setImmediate(() => void this.resubscribed()));
  }

  /** Channels this relay subscribes to (its control channel included). */
  get subscriptions(): number {
    return this.feeds.size + (this.control ? 1 : 0);
  }

  /** Subscribes to this relay's own control channel. */
  async start(channel: string, onControl: (text: string) => void): Promise<void> {
    this.control = channel;
    this.onControl = onControl;
    await this.sub.subscribe(channel);
  }

  /** Nothing waits here: deliveries from the subscription are handed to each session at once. */
  settle(): void {}

  toRoom(room: string, out: Outbound, except?: Session): void {
    this.publish(this.keys.roomChannel(room), out, except);
  }

  toUser(userId: string, out: Outbound, except?: Session): void {
    this.publish(this.keys.userChannel(userId), out, except);
  }

  room(message: RoomMessage): Promise<void> | undefined {
    return this.feeds.get(this.keys.roomChannel(message.room))?.delivered(message.seq, SETTLE_TIMEOUT_MS);
  }

  direct(userId: string, message: DirectMessage): Promise<void> | undefined {
    return this.feeds.get(this.keys.userChannel(userId))?.delivered(message.seq, SETTLE_TIMEOUT_MS);
  }

  /** A local session entered a room nobody here was in: subscribe (see {@link roomReady}). */
  occupied(room: string): void {
    this.watch(this.keys.roomChannel(room), {
      latest: async () => this.store.roomSeq(room),
      after: async (since) => this.store.replayRoom(room, since),
      gap: (start, end) => ({ type: 'gap', room, start, end }),
    }, (item) => this.deliver(this.rooms.sessions(room), item));
  }

  /** The last local session left a room: unsubscribe. */
  emptied(room: string): void {
    this.unwatch(this.keys.roomChannel(room));
  }

  /** Resolves when the room's subscription is live; rejects when it could not be made. */
  roomReady(room: string): Promise<void> {
    return this.ready(this.keys.roomChannel(room));
  }

  /** A session of `userId` now lives here: subscribe to the inbox channel (once per user) and resolve when live. */
  watchUser(userId: string): Promise<void> {
    const channel = this.keys.userChannel(userId);
    this.watch(channel, {
      latest: async () => this.store.inboxSeq(userId),
      after: async (since) => this.store.replayInbox(userId, since),
      gap: (start, end) => ({ type: 'gap', start, end }),
    }, (item) => {
      const user = this.directory.find(userId);
      if (user && user.member.id === userId) this.deliver(user.sessions, item);
    });
    return this.ready(channel);
  }

  /** The last local session of `userId` is gone. */
  unwatchUser(userId: string): void {
    this.unwatch(this.keys.userChannel(userId));
  }

  private watch(channel: string, source: FeedSource, deliver: (item: FeedItem) => void): void {
    const existing = this.feeds.get(channel);
    if (existing) {
      existing.refs++;
      return;
    }
    const feed = new Feed(source, deliver, (n) => this.events.repaired(n));
    this.feeds.set(channel, feed);
    this.subscribe(channel, feed);
  }

  private subscribe(channel: string, feed: Feed): void {
    feed.ready = this.sub.subscribe(channel).then(() => feed.start());
    feed.ready.catch((err: unknown) => {
      this.failed.add(feed);
      this.log.debug({ channel, err: String(err) }, 'subscription not ready');
    });
  }

  private ready(channel: string): Promise<void> {
    const feed = this.feeds.get(channel);
    if (!feed) return Promise.resolve();
    if (this.failed.delete(feed)) this.subscribe(channel, feed);
    return feed.ready;
  }

  private unwatch(channel: string): void {
    const feed = this.feeds.get(channel);
    if (!feed || --feed.refs > 0) return;
    this.feeds.delete(channel);
    feed.close();
    this.sub.unsubscribe(channel).catch((err: unknown) => this.log.debug({ channel, err: String(err) }, 'unsubscribe failed'));
  }

  private publish(channel: string, out: Outbound, except: Session | undefined): void {
    if (!this.health.available) return; // typing and the like are not worth queueing
    const payload = Buffer.concat([Buffer.from((except?.id ?? '') + '\n'), out.bytes]);
    this.command.publish(channel, payload).catch((err: unknown) => this.log.debug({ channel, err: String(err) }, 'publish failed'));
  }

  private receive(channel: string, message: Buffer): void {
    if (channel === this.control) return this.onControl(message.toString());
    const feed = this.feeds.get(channel);
    if (!feed) return;
    const nl = message.indexOf(NEWLINE);
    if (nl < 0) return;
    const bytes = message.subarray(nl + 1);
    let envelope: ServerMessage;
    try {
      envelope = JSON.parse(bytes.toString('utf8')) as ServerMessage;
    } catch {
      this.log.warn({ channel }, 'unreadable payload on a channel');
      return;
    }
    const seq = envelope.type === 'msg' || envelope.type === 'direct' ? envelope.seq : undefined;
    feed.push({ seq, out: new Outbound(envelope, undefined, bytes), except: message.toString('latin1', 0, nl) });
  }

  private deliver(sessions: Iterable<Session>, item: FeedItem): void {
    let count = 0;
    for (const session of sessions) {
      if (session.id === item.except || !session.peer) continue;
      session.peer.deliver(item.out);
      count++;
    }
    this.events.delivered(item.out, count);
  }

  /** Redis is back (ioredis re-sent every SUBSCRIBE on the subscriber): fetch what every feed missed. */
  private async resubscribed(): Promise<void> {
    if (this.feeds.size === 0) return;
    try {
      await this.sub.ping(); // answered after the re-sent SUBSCRIBEs: they are in force from here on
    } catch {
      return; // down again; the next ready retries
    }
    for (const [channel, feed] of this.feeds) {
      feed.resync().catch((err: unknown) => this.log.warn({ channel, err: String(err) }, 'catching up after reconnect failed'));
    }
  }
}
