/**
 * Session lifecycle and room membership, shared by protocol and seed
 * connections: entering and leaving rooms with presence, detaching a session
 * when its connection drops and ending it when the resume window passes.
 */
import { ErrorCode, type Member, type RoomState } from '@parley/protocol';
import type { Broker } from './broker.js';
import type { RelayConfig } from './config.js';
import type { Directory } from './directory.js';
import type { Logger } from './logger.js';
import { Outbound } from './outbound.js';
import type { RoomRegistry } from './rooms.js';
import type { Peer, Session } from './session.js';
import type { Store } from './store.js';

/**
 * @example
 * ```ts
 * hub.attach(session, connection);
 * const state = await hub.enter(session, 'lobby');
 * hub.detach(session); // connection dropped: resumable for resumeWindowMs
 * ```
 */
export class Hub {
  protected readonly expiring = new Set<Session>();

  constructor(
    protected readonly config: RelayConfig,
    protected readonly store: Store,
    protected readonly rooms: RoomRegistry,
    protected readonly directory: Directory,
    protected readonly broker: Broker,
    protected readonly log: Logger,
  ) {}

  /** Sessions waiting to be resumed. */
  get detachedCount(): number {
    return this.expiring.size;
  }

  /** Why `session` may not enter `room`, or `null` when it may. */
  refusal(session: Session, room: string): ErrorCode | null {
    if (session.rooms.has(room)) return null;
    if (!session.mayEnter(room)) return ErrorCode.RoomForbidden;
    if (session.rooms.size >= this.config.maxRooms) return ErrorCode.TooManyRooms;
    return null;
  }

  /**
   * Puts a session in a room (announcing the user when they were not there)
   * and answers the room's state. Check {@link refusal} first.
   */
  async enter(session: Session, room: string): Promise<RoomState> {
    if (!session.rooms.has(room)) {
      session.rooms.set(room, 0);
      this.broker.settle();
      if (this.rooms.add(room, session)) this.presence(room, 'join', session.user.member, session);
      const { seq, epoch } = await this.store.roomHead(room);
      if (session.rooms.has(room)) session.rooms.set(room, seq);
      return { room, seq, epoch, members: this.rooms.members(room) };
    }
    const { seq, epoch } = await this.store.roomHead(room);
    return { room, seq, epoch, members: this.rooms.members(room) };
  }

  /** Everyone in a room (each user once). */
  members(room: string): Member[] | Promise<Member[]> {
    return this.rooms.members(room);
  }

  /** Takes a session out of a room, announcing the user when this was their last session there. */
  leave(session: Session, room: string): void {
    if (!session.rooms.has(room)) return;
    session.forgetRoom(room);
    this.broker.settle();
    if (this.rooms.remove(room, session)) this.presence(room, 'leave', session.user.member);
  }

  /** Attaches a connection to a session (a new one, or one being resumed). */
  attach(session: Session, peer: Peer): void {
    if (session.expiry) clearTimeout(session.expiry);
    session.expiry = undefined;
    this.expiring.delete(session);
    this.broker.settle();
    session.peer = peer;
  }

  /**
   * The session's connection dropped. Chat sessions stay (nickname, rooms,
   * inbox, presence) for the resume window; seed sessions, and a session
   * whose client closed on purpose (`deliberate`: close code 1000), end at once.
   */
  detach(session: Session, deliberate = false): void {
    if (session.ended) return;
    this.broker.settle();
    session.peer = null;
    if (deliberate || session.kind === 'seed' || !session.resume) {
      this.end(session);
      return;
    }
    this.expiring.add(session);
    session.expiry = setTimeout(() => this.end(session), this.config.resumeWindowMs);
    session.expiry.unref?.();
  }

  /** Ends a session for good: leaves its rooms, frees its nickname and, for a user's last session, the inbox. */
  end(session: Session): void {
    if (session.ended) return;
    session.ended = true;
    if (session.expiry) clearTimeout(session.expiry);
    this.expiring.delete(session);
    this.broker.settle();
    session.peer = null;
    for (const room of [...session.rooms.keys()]) this.leave(session, room);
    if (this.directory.close(session)) {
      void Promise.resolve(this.store.dropInbox(session.user.member.id)).catch((err) => this.log.error({ err }, 'dropInbox failed'));
    }
    this.log.debug({ session: session.id, user: session.user.member.id }, 'session ended');
  }

  /** Ends every waiting session's timer (relay shutdown). */
  stop(): void {
    for (const session of this.expiring) if (session.expiry) clearTimeout(session.expiry);
    this.expiring.clear();
  }

  private presence(room: string, event: 'join' | 'leave', user: Member, except?: Session): void {
    this.broker.toRoom(room, new Outbound({ type: 'presence', room, event, user }), except);
  }
}
