/**
 * Fan-out: hands an encoded envelope to the local sessions of a room or a
 * user. A scaled-out relay implements the same interface on top of pub/sub.
 */
import type { Directory } from './directory.js';
import type { Outbound } from './outbound.js';
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
