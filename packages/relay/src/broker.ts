/**
 * Fan-out: hands an encoded envelope to the local sessions of a room or a
 * user. A scaled-out relay implements the same interface on top of pub/sub
 * (`RedisBroker`).
 */
import type { DirectMessage, RoomMessage } from '@parley/protocol';
import type { Directory } from './directory.js';
import { Outbound } from './outbound.js';
import type { RoomRegistry } from './rooms.js';
import type { Session } from './session.js';

/**
 * @example
 * ```ts
 * broker.toRoom('lobby', new Outbound(message));            // everyone in the room
 * broker.toRoom('lobby', new Outbound(typing), session);    // everyone but the typist
 * ```
 */
export interface Broker {
  /** Delivers to every attached session in the room except `except`. */
  toRoom(room: string, out: Outbound, except?: Session): void;
  /** Delivers to every attached session of a user except `except`. */
  toUser(userId: string, out: Outbound, except?: Session): void;
  /**
   * Delivers a room message the store just accepted. The local broker hands
   * it over at once; a broker whose store publishes as it stores (Redis)
   * delivers it from the subscription and answers a promise that resolves
   * once it went out here, so the sender's `ack` follows its `msg`.
   */
  room(message: RoomMessage, receivedAt: number, except?: Session): void | Promise<void>;
  /** Delivers a copy of a direct message the store just accepted to the sessions of `userId`, as {@link room}. */
  direct(userId: string, message: DirectMessage, receivedAt: number, except?: Session): void | Promise<void>;
}

/** The in-process {@link Broker}: sessions of this relay only. */
export class LocalBroker implements Broker {
  /**
   * @param onDelivered called after a fan-out with the outbound and how many sessions got it
   */
  constructor(
    private readonly rooms: RoomRegistry,
    private readonly directory: Directory,
    private readonly onDelivered: (out: Outbound, count: number) => void = () => {},
  ) {}

  toRoom(room: string, out: Outbound, except?: Session): void {
    this.deliver(this.rooms.sessions(room), out, except);
  }

  toUser(userId: string, out: Outbound, except?: Session): void {
    const user = this.directory.find(userId);
    if (user && user.member.id === userId) this.deliver(user.sessions, out, except);
  }

  room(message: RoomMessage, receivedAt: number, except?: Session): void {
    this.toRoom(message.room, new Outbound(message, receivedAt), except);
  }

  direct(userId: string, message: DirectMessage, receivedAt: number, except?: Session): void {
    this.toUser(userId, new Outbound(message, receivedAt), except);
  }

  private deliver(sessions: Iterable<Session>, out: Outbound, except: Session | undefined): void {
    let count = 0;
    for (const session of sessions) {
      if (session === except || !session.peer) continue;
      session.peer.deliver(out);
      count++;
    }
    this.onDelivered(out, count);
  }
}
