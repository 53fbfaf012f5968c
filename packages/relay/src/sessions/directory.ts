/**
 * Who is here: users by id, nicknames by uniqueness key, sessions by resume
 * secret. Every entry belongs to a live session or one within its resume
 * window, and is removed when the last such session ends.
 */
import { nicknameKey, type Member } from '@parley/protocol';
import type { Claim } from './claim.js';
import { Session, SessionSet, type User } from './session.js';

const NO_SESSIONS: Iterable<Session> = [];

/**
 * @example
 * ```ts
 * const user = directory.claim(anonymousClaim('Ada')); // null when taken
 * const session = directory.open(user, 's_1', 'chat', secret);
 * directory.close(session);                          // true: Ada is gone, her nickname free
 * ```
 */
export class Directory {
  private readonly users = new Map<string, User>();
  /** User ids by nickname key: one id as is, several (a token subject and an anonymous user) in a set. */
  private readonly names = new Map<string, string | Set<string>>();
  private readonly secrets = new Map<string, Session>();
  /**
   * The secret a session was last taken back with, still valid until the
   * client shows it got the next one (see {@link rotate}).
   */
  private readonly previous = new Map<Session, string>();
  private sessions = 0;

  /** Sessions open (live or within their resume window). */
  get sessionCount(): number {
    return this.sessions;
  }

  /** Users known (live or resumable). */
  get userCount(): number {
    return this.users.size;
  }

  /** Resume secrets held. */
  get secretCount(): number {
    return this.secrets.size;
  }

  /**
   * The user of a checked claim, made on first use; `null` when it is held.
   * An anonymous nickname is held by anyone whose name has its key
   * (`nicknameKey`: case, width, invisible characters and look-alike letters
   * aside) or whose id is its id. A token subject shares its user among its
   * sessions; a new one is refused when an anonymous user holds its id or
   * its display name's key, so a token user and an anonymous visitor never
   * show names that look alike (token users may share a name with each other:
   * their issuer chose them).
   */
  claim(claim: Claim): User | null {
    const existing = this.users.get(claim.id);
    if (claim.anonymous) {
      if (existing || this.names.has(claim.key)) return null;
    } else if (existing) {
      return existing.anonymous ? null : existing;
    } else if (this.anonymousHolder(claim.key)) {
      return null;
    }
    return this.add({ member: { id: claim.id, name: claim.name }, anonymous: claim.anonymous, key: claim.key, sessions: new SessionSet() });
  }

  /**
   * The local object of a user another part vouched for (the cluster's
   * shared directory), made on first use. Never refuses.
   */
  adopt(member: Member, anonymous: boolean, key: string): User {
    const existing = this.users.get(member.id);
    if (existing) return existing;
    return this.add({ member, anonymous, key, sessions: new SessionSet() });
  }

  /** Starts a session of `user`; `secret` makes it resumable. */
  open(user: User, id: string, kind: 'chat' | 'seed', secret?: string): Session {
    const session = new Session(id, user, kind);
    user.sessions.add(session);
    this.sessions++;
    if (secret) this.setSecret(session, secret);
    return session;
  }

  /** The session a resume secret belongs to. */
  bySecret(secret: string): Session | undefined {
    return this.secrets.get(secret);
  }

  /** Replaces a session's resume secret (the old one, and any previous one, stop working). */
  setSecret(session: Session, secret: string): void {
    this.forgetPrevious(session);
    if (session.resume) this.secrets.delete(session.resume);
    session.resume = secret;
    this.secrets.set(secret, session);
  }

  /**
   * Rotates the secret of a session just taken back with `used` to `next`.
   * `used` stays valid beside `next` (the welcome carrying `next` may be lost
   * to a cut, and the client then comes back with `used`) until the client
   * shows it got `next` ({@link confirm}, or a resume with `next`); any other
   * secret of the session stops working.
   */
  rotate(session: Session, used: string, next: string): void {
    const previous = this.previous.get(session);
    if (previous !== undefined && previous !== used) this.secrets.delete(previous);
    if (session.resume && session.resume !== used) this.secrets.delete(session.resume);
    this.previous.set(session, used);
    this.secrets.set(used, session);
    session.resume = next;
    this.secrets.set(next, session);
  }

  /** The client got `secret` (its welcome arrived): if it is still the session's, the previous one stops working. */
  confirm(session: Session, secret: string): void {
    if (session.resume === secret) this.forgetPrevious(session);
  }

  /** Ends a session; `true` when its user has no session left (and is forgotten). */
  close(session: Session): boolean {
    this.forgetPrevious(session);
    if (session.resume) this.secrets.delete(session.resume);
    const user = session.user;
    if (user.sessions.delete(session)) this.sessions--;
    if (user.sessions.size > 0) return false;
    if (this.users.get(user.member.id) === user) this.users.delete(user.member.id);
    const holders = this.names.get(user.key);
    if (holders === user.member.id) this.names.delete(user.key);
    else if (typeof holders === 'object') {
      holders.delete(user.member.id);
      if (holders.size === 0) this.names.delete(user.key);
    }
    return true;
  }

  /** The sessions of the user with id `id` (none when unknown). */
  sessionsOf(id: string): Iterable<Session> {
    return this.users.get(id)?.sessions ?? NO_SESSIONS;
  }

  /** A user by id, or an anonymous user by nickname (compared by `nicknameKey`). */
  find(idOrNick: string): User | undefined {
    const byId = this.users.get(idOrNick);
    if (byId) return byId;
    return this.anonymousHolder(nicknameKey(idOrNick));
  }

  /** The anonymous user whose nickname has the key `key`, if any. */
  private anonymousHolder(key: string): User | undefined {
    const holders = this.names.get(key);
    if (holders === undefined) return undefined;
    for (const id of typeof holders === 'string' ? [holders] : holders) {
      const user = this.users.get(id);
      if (user?.anonymous) return user;
    }
    return undefined;
  }

  private forgetPrevious(session: Session): void {
    const previous = this.previous.get(session);
    if (previous === undefined) return;
    this.previous.delete(session);
    if (this.secrets.get(previous) === session) this.secrets.delete(previous);
  }

  private add(user: User): User {
    this.users.set(user.member.id, user);
    const id = user.member.id;
    const holders = this.names.get(user.key);
    if (holders === undefined) this.names.set(user.key, id);
    else if (typeof holders === 'object') holders.add(id);
    else if (holders !== id) this.names.set(user.key, new Set([holders, id]));
    return user;
  }
}
