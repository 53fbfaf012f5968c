/**
 * Who a session is and where it is: the one interface handlers and
 * connections use for nickname claims, resume secrets, room presence and
 * finding a user. {@link LocalSessions} keeps it in this process;
 * `ClusterSessions` (cluster/) decides it in Redis, so it holds across
 * relays. Both pass the same contract suite (test/contract/sessions.test.ts).
 *
 * The rules every implementation keeps:
 * - an anonymous nickname is held by one session at a time, compared by
 *   `nicknameKey` (case, width and invisible characters do not tell names
 *   apart); a token subject may have any number of sessions, and an id held
 *   by an anonymous user cannot be claimed by a token, nor a nickname held by
 *   a token user's display name by an anonymous visitor;
 * - a resume secret takes back a chat session within its resume window and
 *   before its token expires, and is rotated: the secret used stays valid
 *   beside the new one until the client shows it got the new one
 *   ({@link Sessions.confirm}), every older one stops working;
 * - presence: a user joins a room with their first session there and leaves
 *   it with their last; `members` lists each user once;
 * - `find` answers a user by id, or an anonymous user by nickname.
 */
import type { ErrorCode, Member, RoomState } from '@parley/protocol';
import type { Claim } from './claim.js';
import type { Peer, Session } from './session.js';

/**
 * @example
 * ```ts
 * const session = await sessions.open(claim, ids.next('s'), 'chat', secret); // null: the nickname is taken
 * sessions.attach(session, connection);
 * await sessions.enter(session, 'lobby');                        // presence: join
 * sessions.detach(session);                                      // connection dropped: resumable
 * const back = await sessions.resume(secret, nextSecret);        // the same session, on any relay
 * ```
 */
export interface Sessions {
  /** Sessions held by this relay: live or within their resume window. */
  readonly count: number;
  /** Sessions of this relay waiting to be resumed. */
  readonly detachedCount: number;
  /**
   * Claims `claim` and opens a session of it with the id `id` (unique
   * across relays); `null` when the nickname (or the user id) is held by
   * someone else. `secret` makes a chat session resumable. `address` (the
   * client's) counts it against `maxSessionsPerIp`; at that limit, or at
   * `maxSessions`, the oldest session waiting in its resume window (of the
   * address, or of the relay) ends to make room.
   *
   * @throws UnavailableError when the shared directory cannot be reached.
   * @throws SessionsFullError when the limit is reached and every session counted is live.
   */
  open(claim: Claim, id: string, kind: 'chat' | 'seed', secret?: string, address?: string): Promise<Session | null>;
  /**
   * Takes a session back by its resume secret, rotating the secret to `next`
   * (`secret` stays valid beside it until {@link confirm}); `undefined` when
   * the secret is unknown, the session ended, or its token expired.
   */
  resume(secret: string, next: string): Promise<Session | undefined>;
  /** The client got the welcome carrying `secret`: if it is still the session's, the one it resumed with stops working. */
  confirm(session: Session, secret: string): void;
  /**
   * The client never got this session's welcome: a fresh session
   * (`previousSecret` undefined) ends; a taken-back one gets its previous
   * secret back, so the client can resume with what it holds.
   */
  abandon(session: Session, previousSecret: string | undefined): void;
  /** Why `session` may not enter `room` (its token, its room limit), or `null` when it may. */
  refusal(session: Session, room: string): ErrorCode | null;
  /** Puts the session in a room (announcing its user when first there) and answers the room's state. */
  enter(session: Session, room: string): Promise<RoomState>;
  /** Takes the session out of a room (announcing its user when last there). */
  leave(session: Session, room: string): void;
  /** Everyone in a room (each user once). */
  members(room: string): Promise<Member[]>;
  /** A user by id, or an anonymous user by nickname (case-insensitively). */
  find(idOrNick: string): Promise<Member | undefined>;
  /** Attaches a connection to a session (a new one, or one being resumed). */
  attach(session: Session, peer: Peer): void;
  /**
   * The session's connection dropped. A chat session stays for the resume
   * window; a seed session, and one whose client closed on purpose
   * (`deliberate`), ends at once.
   */
  detach(session: Session, deliberate?: boolean): void;
  /** Ends a session for good: leaves its rooms, frees its nickname and, for a user's last session, the inbox. */
  end(session: Session): void;
  /** Stops every timer (relay shutdown). */
  stop(): void;
}
