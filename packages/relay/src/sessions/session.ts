/**
 * Users and sessions. A user is who the relay says someone is (an anonymous
 * nickname, or a token subject); a session is one user's presence that
 * survives reconnects: its rooms, its resume secret, and the connection (peer)
 * it is attached to, or none while it waits to be resumed.
 */
import type { Member } from '@parley/protocol';
import { TYPING_THROTTLE_MS } from '@parley/protocol';
import type { Endpoint, Recipient } from '../fanout/room-batch.js';
import { SmallMap } from './small-map.js';

/**
 * The endpoint a session is attached to: a protocol connection or a plain
 * seed client (fan-out's {@link Endpoint}, which can also be closed).
 */
export interface Peer extends Endpoint {
  /** `chat` for `/chat`, `seed` for `/ws/<nickname>`. */
  readonly kind: 'chat' | 'seed';
  /** Closes the connection with a close code; `label` names the reason in logs and metrics. */
  close(code: number, reason: string, label: string): void;
}

/** Someone the relay knows: one or more sessions under one id. */
export interface User {
  readonly member: Member;
  /** Anonymous nickname (one session at a time) or token subject (any number of sessions). */
  readonly anonymous: boolean;
  /** The nickname uniqueness key of the display name (`nicknameKey`). */
  readonly key: string;
  readonly sessions: SessionSet;
}

/**
 * A user's sessions: almost always one, held without a `Set` (and its hash
 * table) until there are two. The subset of `Set` the relay uses.
 *
 * @example
 * ```ts
 * const sessions = new SessionSet();
 * sessions.add(session);
 * for (const s of sessions) s.peer?.deliver(out);
 * ```
 */
export class SessionSet implements Iterable<Session> {
  private one: Session | undefined;
  private many: Set<Session> | undefined;

  /** How many there are. */
  get size(): number {
    return this.many ? this.many.size : this.one ? 1 : 0;
  }

  has(session: Session): boolean {
    return this.many ? this.many.has(session) : this.one === session;
  }

  add(session: Session): this {
    if (this.many) this.many.add(session);
    else if (this.one === undefined || this.one === session) this.one = session;
    else {
      this.many = new Set([this.one, session]);
      this.one = undefined;
    }
    return this;
  }

  /** Removes a session; `true` when it was there. */
  delete(session: Session): boolean {
    if (this.many) return this.many.delete(session);
    if (this.one !== session) return false;
    this.one = undefined;
    return true;
  }

  *[Symbol.iterator](): Iterator<Session> {
    if (this.many) yield* this.many;
    else if (this.one) yield this.one;
  }
}

/**
 * @example
 * ```ts
 * const session = new Session('s_x.1', user, 'chat');
 * session.rooms.set('lobby', 41); // joined when the room's seq was 41
 * ```
 */
export class Session implements Recipient {
  /** Rooms the session is in, each with the room's `seq` when it joined. */
  readonly rooms = new SmallMap<string, number>();
  /** The resume secret (chat sessions only). */
  resume: string | undefined;
  /** The attached connection, or `null` while waiting to be resumed. */
  peer: Peer | null = null;
  /** Ends the session when the resume window passes. */
  expiry: NodeJS.Timeout | undefined;
  /** When the session's token expires (ms since the epoch), for token sessions. */
  tokenExpiresAt: number | undefined;
  /** Rooms the token allows; `undefined` allows all. */
  allowedRooms: ReadonlySet<string> | undefined;
  /** Whether the session has ended for good. */
  ended = false;
  /** The address it was opened from (counted per address; empty when not counted). */
  address = '';
  /** When a typing start was last relayed, per room; made on the first one (most sessions never type). */
  private typedAt: Map<string, number> | undefined;

  constructor(
    readonly id: string,
    readonly user: User,
    readonly kind: 'chat' | 'seed',
  ) {}

  /** Whether the session may enter `room` under its token. */
  mayEnter(room: string): boolean {
    return this.allowedRooms === undefined || this.allowedRooms.has(room);
  }

  /**
   * Whether a typing event should be relayed now: a start at most once per
   * {@link TYPING_THROTTLE_MS} per room, a stop always.
   */
  mayRelayTyping(room: string, on: boolean, now: number): boolean {
    if (!on) {
      this.typedAt?.delete(room);
      return true;
    }
    const last = this.typedAt?.get(room);
    if (last !== undefined && now - last < TYPING_THROTTLE_MS) return false;
    (this.typedAt ??= new Map()).set(room, now);
    return true;
  }

  /** Forgets per-room state when the session leaves the room. */
  forgetRoom(room: string): void {
    this.rooms.delete(room);
    this.typedAt?.delete(room);
  }
}
