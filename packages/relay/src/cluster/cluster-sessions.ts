/**
 * {@link Sessions} of a relay in a cluster. Sessions this relay holds
 * are still local objects (their connection, their rooms, the room
 * registry that fan-out reads), but who is who and who is where is decided
 * in Redis ({@link ClusterDirectory}): nicknames, resume secrets and presence
 * hold across relays, and a session can be taken back on any relay.
 *
 * A session lives on the relay that owns it in Redis. Taking it back
 * elsewhere moves the ownership; the previous owner is told and forgets its
 * copy (closing a still-attached connection with 4502, as on one relay).
 */
import { CloseCode, type Member, type RoomState } from '@parley/protocol';
import type { RelayConfig } from '../config/config.js';
import { SessionMovedError } from '../sessions/errors.js';
import { UnavailableError, within } from '../store/errors.js';
import type { ClusterDirectory } from './cluster-directory.js';
import type { Directory } from '../sessions/directory.js';
import { LocalSessions } from '../sessions/local-sessions.js';
import type { Claim } from '../sessions/claim.js';
import type { Sessions } from '../sessions/sessions.js';
import type { Logger } from '../observability/logger.js';
import type { RedisBroker } from './redis-broker.js';
import type { RedisHealth } from './redis-health.js';
import type { RoomRegistry } from '../sessions/rooms.js';
import type { Session } from '../sessions/session.js';
import type { Store } from '../store/store.js';

/** Longest a hello or join waits for Redis (a subscription, a script) before answering `unavailable`, ms. */
export const REDIS_TIMEOUT_MS = 3000;

/**
 * @example
 * ```ts
 * const session = await sessions.open(claim, 's_1', 'chat', secret); // null: nickname taken
 * await sessions.enter(session, 'lobby');
 * sessions.end(session);
 * ```
 */
export class ClusterSessions extends LocalSessions {
  /** Sessions this relay holds, by id. */
  private readonly local = new Map<string, Session>();
  /** Sessions being opened (already in Redis, not yet here). */
  private readonly opening = new Set<string>();
  /** Clean-ups sent to Redis and not yet answered. */
  private readonly pending = new Set<Promise<unknown>>();

  constructor(
    config: RelayConfig,
    store: Store,
    rooms: RoomRegistry,
    directory: Directory,
    private readonly redisBroker: RedisBroker,
    log: Logger,
    private readonly shared: ClusterDirectory,
    private readonly health: RedisHealth,
    private readonly node: string,
    /** History lives in a database store (PostgreSQL), not in Redis: a room's `seq` and epoch come from the store. */
    private readonly historyInStore = false,
  ) {
    super(config, store, rooms, directory, redisBroker, log);
  }

  /** Whether Redis can be reached right now. */
  get available(): boolean {
    return this.health.available;
  }

  /** Ids of the sessions this relay holds or is opening. */
  get held(): string[] {
    return [...this.local.keys(), ...this.opening];
  }

  /** Claims `claim` cluster-wide and opens a session of it here; `null` when the nickname (or id) is held. */
  override async open(claim: Claim, id: string, kind: 'chat' | 'seed', secret?: string, address = ''): Promise<Session | null> {
    this.admit(address);
    this.opening.add(id);
    let member: Member | null;
    try {
      member = await within(this.shared.open(claim, id, kind, secret), REDIS_TIMEOUT_MS);
    } catch (err) {
      if (err instanceof UnavailableError) this.background(this.shared.end(id), 'end after a failed open');
      throw err;
    } finally {
      this.opening.delete(id);
    }
    if (!member) return null;
    if (claim.anonymous && this.historyInStore) {
      // an anonymous nickname is no account: whoever claims it afresh starts with an empty inbox
      try {
        await within(Promise.resolve(this.store.dropInbox(member.id)), REDIS_TIMEOUT_MS);
      } catch (err) {
        this.background(this.shared.end(id), 'end after a failed open');
        throw err;
      }
    }
    const user = this.directory.adopt(member, claim.anonymous, claim.key);
    const session = this.directory.open(user, id, kind, secret);
    session.tokenExpiresAt = claim.expiresAt;
    session.allowedRooms = claim.rooms;
    this.track(session, address);
    this.local.set(id, session);
    try {
      await within(this.redisBroker.watchUser(member.id), REDIS_TIMEOUT_MS);
    } catch (err) {
      this.end(session);
      throw err;
    }
    return session;
  }

  /**
   * Takes a session back by its resume secret, from whichever relay held it,
   * rotating the secret to `next` (the one used keeps working until
   * {@link confirm} or a resume with `next`). `undefined` when the secret is
   * unknown or the session ended.
   */
  override async resume(secret: string, next: string): Promise<Session | undefined> {
    const record = await within(this.shared.resume(secret, next), REDIS_TIMEOUT_MS);
    if (!record) return undefined;
    let session = this.local.get(record.id);
    if (session && record.previousOwner === this.node) {
      this.directory.setSecret(session, next);
      return session;
    }
    if (session) this.forget(session); // a stale copy: the session lived elsewhere meanwhile
    const user = this.directory.adopt(record.member, record.anonymous, record.key);
    session = this.directory.open(user, record.id, 'chat', next);
    session.tokenExpiresAt = record.expiresAt;
    session.allowedRooms = record.allowedRooms && new Set(record.allowedRooms);
    this.local.set(record.id, session);
    for (const [room, joined] of record.rooms) {
      session.rooms.set(room, joined);
      this.rooms.add(room, session);
    }
    try {
      const ready = [this.redisBroker.watchUser(user.member.id), ...[...record.rooms.keys()].map((r) => this.redisBroker.roomReady(r))];
      await within(Promise.all(ready), REDIS_TIMEOUT_MS);
    } catch (err) {
      this.abandon(session, secret);
      throw err;
    }
    return session;
  }

  /**
   * The client got the welcome carrying `secret`: if it is still the
   * session's, the secret it was taken back with stops working.
   */
  override confirm(session: Session, secret: string): void {
    if (session.ended) return;
    this.directory.confirm(session, secret);
    this.background(this.shared.confirmSecret(session.id, secret), 'confirm secret');
  }

  /**
   * The client never got this session's welcome (Redis went away, or it
   * hung up): a fresh session ends; a taken-back one gets its previous
   * secret back, so the client can resume with what it holds.
   */
  override abandon(session: Session, previousSecret: string | undefined): void {
    if (previousSecret === undefined) return this.end(session);
    const current = session.resume;
    this.directory.setSecret(session, previousSecret);
    if (current) this.background(this.shared.restoreSecret(session.id, previousSecret, current), 'restore secret');
    if (!session.peer) this.detach(session);
  }

  override async enter(session: Session, room: string): Promise<RoomState> {
    if (!this.health.available) throw new UnavailableError();
    const fresh = !session.rooms.has(room);
    if (fresh) {
      session.rooms.set(room, 0);
      this.rooms.add(room, session);
    }
    try {
      await within(this.redisBroker.roomReady(room), REDIS_TIMEOUT_MS);
      // read after the subscription is live: what comes after this seq arrives through it
      const head = this.historyInStore ? await within(Promise.resolve(this.store.roomHead(room)), REDIS_TIMEOUT_MS) : undefined;
      const entered = await within(this.shared.enter(session.id, room, head?.seq), REDIS_TIMEOUT_MS);
      if (!entered) throw this.movedAway(session);
      if (session.rooms.has(room)) session.rooms.set(room, entered.joined);
      return { room, seq: head?.seq ?? entered.seq, epoch: head?.epoch ?? entered.epoch, members: entered.members };
    } catch (err) {
      if (fresh && session.rooms.has(room)) {
        session.forgetRoom(room);
        this.rooms.remove(room, session);
        if (err instanceof UnavailableError) this.background(this.shared.leave(session.id, room), 'leave after a failed join');
      }
      throw err;
    }
  }

  override leave(session: Session, room: string): void {
    if (!session.rooms.has(room)) return;
    session.forgetRoom(room);
    this.rooms.remove(room, session);
    this.background(
      this.shared.leave(session.id, room).then((mine) => {
        if (!mine) this.movedAway(session);
      }),
      'leave',
    );
  }

  override members(room: string): Promise<Member[]> {
    return within(this.shared.members(room), REDIS_TIMEOUT_MS);
  }

  /** A user by id, or an anonymous user by nickname, on any relay. */
  override find(idOrNick: string): Promise<Member | undefined> {
    return within(this.shared.find(idOrNick), REDIS_TIMEOUT_MS);
  }

  /** Ends a session for good, cluster-wide: its rooms see it leave, its nickname is free, a last session drops the inbox. */
  override end(session: Session): void {
    if (session.ended) return;
    this.forget(session);
    this.background(this.shared.end(session.id), 'end');
    this.log.debug({ session: session.id, user: session.user.member.id }, 'session ended');
  }

  /** Drops this relay's copy of a session, leaving Redis alone (it lives on elsewhere, or is gone). */
  forget(session: Session): void {
    if (session.ended) return;
    session.ended = true;
    this.cancelExpiry(session);
    session.peer = null;
    for (const room of [...session.rooms.keys()]) {
      session.forgetRoom(room);
      this.rooms.remove(room, session);
    }
    this.directory.close(session);
    this.untrack(session);
    if (this.local.get(session.id) === session) this.local.delete(session.id);
    this.redisBroker.unwatchUser(session.user.member.id);
  }

  /** Another relay took the session back (`moved <id>` on this relay's channel). */
  moved(id: string): void {
    const session = this.local.get(id);
    if (session) this.movedAway(session);
  }

  /**
   * After Redis was away: takes back this relay's sessions that were
   * declared orphans meanwhile, and lets go of those that ended or moved
   * (their clients reconnect and resume or start afresh).
   */
  async reconcile(lost: Array<[string, 'gone' | 'moved']>): Promise<void> {
    for (const [id, why] of lost) {
      const session = this.local.get(id);
      if (!session) continue;
      const peer = session.peer;
      this.forget(session);
      if (why === 'moved') peer?.close(CloseCode.Replaced, 'session resumed elsewhere', 'replaced');
      else peer?.close(CloseCode.Unavailable, 'session lost while storage was unreachable', 'unavailable');
    }
  }

  /** Waits for clean-ups already sent (shutdown), at most `ms`. */
  async settle(ms: number): Promise<void> {
    await within(Promise.allSettled([...this.pending]), ms).catch(() => {});
  }

  private movedAway(session: Session): SessionMovedError {
    const peer = session.peer;
    this.forget(session);
    peer?.close(CloseCode.Replaced, 'session resumed elsewhere', 'replaced');
    return new SessionMovedError(session.id);
  }

  private background(work: Promise<unknown>, what: string): void {
    const p = work.catch((err: unknown) => this.log.warn({ err: String(err) }, `${what} failed`));
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }
}
