/**
 * Fan-out: hands an encoded envelope to the local sessions of a room or a
 * user. A scaled-out relay implements the same interface on top of pub/sub
 * (`RedisBroker`).
 */
import type { DirectMessage, RoomMessage } from '@parley/protocol';
import type { FlushScheduler } from './flush-scheduler.js';
import { Outbound } from '../wire/outbound.js';
import { RoomBatch, type Recipient } from './room-batch.js';

/**
 * @example
 * ```ts
 * broker.toRoom('lobby', new Outbound(message));            // everyone in the room
 * broker.toRoom('lobby', new Outbound(typing), session);    // everyone but the typist
 * ```
 */
export interface Broker {
  /** Delivers to every attached session in the room except `except`. */
  toRoom(room: string, out: Outbound, except?: Recipient): void;
  /** Delivers to every attached session of a user except `except`. */
  toUser(userId: string, out: Outbound, except?: Recipient): void;
  /**
   * Delivers a room message the store just accepted. The local broker hands
   * it over at once; a broker whose store publishes as it stores (Redis)
   * delivers it from the subscription and answers a promise that resolves
   * once it went out here, so the sender's `ack` follows its `msg`.
   */
  room(message: RoomMessage, receivedAt: number, except?: Recipient): void | Promise<void>;
  /** Delivers a copy of a direct message the store just accepted to the sessions of `userId`, as {@link room}. */
  direct(userId: string, message: DirectMessage, receivedAt: number, except?: Recipient): void | Promise<void>;
  /**
   * Hands over at once any broadcast still waiting for the flush. Called
   * before a session joins or leaves a room, or is attached to or detached
   * from a connection, so that a broadcast reaches exactly who was there
   * when it was made.
   */
  settle(): void;
}

/**
 * Who a {@link LocalBroker} reaches, as the sessions layer keeps it: the
 * sessions in a room, and the sessions of a user.
 */
export interface Recipients {
  /** The sessions in `room` (the registry's own set: it must not change while a batch waits). */
  inRoom(room: string): ReadonlySet<Recipient>;
  /** The sessions of the user with id `userId` (none when unknown). */
  ofUser(userId: string): Iterable<Recipient>;
}

/**
 * The in-process {@link Broker}: sessions of this relay only. A room
 * broadcast is not handed to each member at once but collected in a
 * {@link RoomBatch} that the flush writes to every member in one walk.
 */
export class LocalBroker implements Broker {
  private readonly finished = (batch: RoomBatch): void => {
    if (this.scheduler.batch === batch) this.scheduler.batch = null;
  };

  /**
   * @param scheduler the relay's flush scheduler, which room batches wait in
   * @param onDelivered called after a fan-out with the outbound and how many sessions got it
   */
  constructor(
    private readonly recipients: Recipients,
    private readonly scheduler: FlushScheduler,
    private readonly onDelivered: (out: Outbound, count: number) => void = () => {},
  ) {}

  toRoom(room: string, out: Outbound, except?: Recipient): void {
    const pending = this.scheduler.batch;
    if (pending !== null) {
      if (pending.room === room) return pending.add(out, except);
      // another room's batch goes first, so that a member of both gets them in order
      pending.flush();
    }
    const sessions = this.recipients.inRoom(room);
    if (sessions.size === 0) return this.onDelivered(out, 0);
    const batch = new RoomBatch(room, sessions, this.onDelivered, this.finished);
    batch.add(out, except);
    this.scheduler.batch = batch;
    this.scheduler.mark(batch);
  }

  settle(): void {
    this.scheduler.batch?.flush();
  }

  toUser(userId: string, out: Outbound, except?: Recipient): void {
    this.deliver(this.recipients.ofUser(userId), out, except);
  }

  room(message: RoomMessage, receivedAt: number, except?: Recipient): void {
    this.toRoom(message.room, new Outbound(message, receivedAt), except);
  }

  direct(userId: string, message: DirectMessage, receivedAt: number, except?: Recipient): void {
    this.toUser(userId, new Outbound(message, receivedAt), except);
  }

  private deliver(sessions: Iterable<Recipient>, out: Outbound, except: Recipient | undefined): void {
    let count = 0;
    for (const session of sessions) {
      if (session === except || !session.peer) continue;
      session.peer.deliver(out);
      count++;
    }
    this.onDelivered(out, count);
  }
}
