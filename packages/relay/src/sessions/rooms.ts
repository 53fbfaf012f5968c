/**
 * Who is in which room, by session and by user, so presence is announced
 * when a user's first session joins and when their last one leaves.
 */
import type { Member } from '@parley/protocol';
import type { Session } from './session.js';

interface Room {
  readonly sessions: Set<Session>;
  /** Sessions per user id in the room. */
  readonly users: Map<string, { member: Member; count: number }>;
}

const NONE: ReadonlySet<Session> = new Set();

/**
 * @example
 * ```ts
 * if (rooms.add('lobby', session)) announce('join');
 * if (rooms.remove('lobby', session)) announce('leave');
 * ```
 */
export class RoomRegistry {
  private readonly rooms = new Map<string, Room>();

  /**
   * @param onEmpty called when the last session leaves a room (the room is forgotten)
   * @param onOccupied called when a room gets its first session
   */
  constructor(
    private readonly onEmpty: (room: string) => void = () => {},
    private readonly onOccupied: (room: string) => void = () => {},
  ) {}

  /** Rooms with at least one session. */
  get size(): number {
    return this.rooms.size;
  }

  /** Adds a session to a room; `true` when its user was not in the room before. */
  add(name: string, session: Session): boolean {
    let room = this.rooms.get(name);
    if (!room) {
      this.rooms.set(name, (room = { sessions: new Set(), users: new Map() }));
      this.onOccupied(name);
    }
    if (room.sessions.has(session)) return false;
    room.sessions.add(session);
    const entry = room.users.get(session.user.member.id);
    if (entry) {
      entry.count++;
      return false;
    }
    room.users.set(session.user.member.id, { member: session.user.member, count: 1 });
    return true;
  }

  /** Removes a session from a room; `true` when its user has no session left there. */
  remove(name: string, session: Session): boolean {
    const room = this.rooms.get(name);
    if (!room || !room.sessions.delete(session)) return false;
    const id = session.user.member.id;
    const entry = room.users.get(id)!;
    let gone = false;
    if (--entry.count === 0) {
      room.users.delete(id);
      gone = true;
    }
    if (room.sessions.size === 0) {
      this.rooms.delete(name);
      this.onEmpty(name);
    }
    return gone;
  }

  /** Everyone in a room (each user once). */
  members(name: string): Member[] {
    const room = this.rooms.get(name);
    return room ? [...room.users.values()].map((u) => u.member) : [];
  }

  /** The sessions in a room. */
  sessions(name: string): ReadonlySet<Session> {
    return this.rooms.get(name)?.sessions ?? NONE;
  }
}
