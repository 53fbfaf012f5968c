/**
 * {@link Sessions} of a relay on its own: who is who in the {@link Directory},
 * who is where in the {@link RoomRegistry}, presence announced through the
 * broker. Shared by protocol and seed connections; the cluster's
 * implementation extends it with Redis as the judge of who is who.
 */
import { ErrorCode, type Member, type RoomState } from '@parley/protocol';
import type { RelayConfig } from '../config/config.js';
import type { Broker } from '../fanout/broker.js';
import type { Logger } from '../observability/logger.js';
import type { Store } from '../store/store.js';
import { Outbound } from '../wire/outbound.js';
import type { Claim } from './claim.js';
import { SessionsFullError } from './errors.js';
import type { Directory } from './directory.js';
import type { RoomRegistry } from './rooms.js';
import type { Peer, Session } from './session.js';
import type { Sessions } from './sessions.js';

/**
 * @example
 * ```ts
 * const sessions = new LocalSessions(config, store, rooms, directory, broker, log);
 * const session = await sessions.open(anonymousClaim('Ada'), 's_1', 'chat', secret);
 * sessions.attach(session!, connection);
 * const state = await sessions.enter(session!, 'lobby');
 * sessions.detach(session!); // connection dropped: resumable for resumeWindowMs
 * ```
 */
export class LocalSessions implements Sessions {
  /** Sessions waiting in their resume window, oldest first. */
  protected readonly expiring = new Set<Session>();
  /** Sessions opened from each address and not ended, oldest first (an entry exists only while it has one). */
  private readonly byAddress = new Map<string, Set<Session>>();

  constructor(
    protected readonly config: RelayConfig,
    protected readonly store: Store,
    protected readonly rooms: RoomRegistry,
    protected readonly directory: Directory,
    protected readonly broker: Broker,
    protected readonly log: Logger,
  ) {}

  get count(): number {
    return this.directory.sessionCount;
  }

  get detachedCount(): number {
    return this.expiring.size;
  }

  async open(claim: Claim, id: string, kind: 'chat' | 'seed', secret?: string, address = ''): Promise<Session | null> {
    this.admit(address);
    const user = this.directory.claim(claim);
    if (!user) return null;
    const session = this.directory.open(user, id, kind, secret);
    this.track(session, address);
    session.tokenExpiresAt = claim.expiresAt;
    session.allowedRooms = claim.rooms;
    if (claim.anonymous && this.store.ephemeralInbox) {
      try {
        await this.store.ephemeralInbox(user.member.id);
      } catch (err) {
        this.end(session);
        throw err;
      }
    }
    return session;
  }

  async resume(secret: string, next: string): Promise<Session | undefined> {
    const session = this.directory.bySecret(secret);
    if (!session || session.ended || session.kind !== 'chat') return undefined;
    if (session.tokenExpiresAt !== undefined && session.tokenExpiresAt <= Date.now()) return undefined;
    this.directory.rotate(session, secret, next);
    return session;
  }

  confirm(session: Session, secret: string): void {
    if (!session.ended) this.directory.confirm(session, secret);
  }

  abandon(session: Session, previousSecret: string | undefined): void {
    if (previousSecret === undefined) return this.end(session);
    this.directory.setSecret(session, previousSecret);
    if (!session.peer) this.detach(session);
  }

  refusal(session: Session, room: string): ErrorCode | null {
    if (session.rooms.has(room)) return null;
    if (!session.mayEnter(room)) return ErrorCode.RoomForbidden;
    if (session.rooms.size >= this.config.maxRooms) return ErrorCode.TooManyRooms;
    // a room nobody here is in would be one more for the relay to keep
    if (this.rooms.sessions(room).size === 0 && this.rooms.size >= this.config.maxTotalRooms) return ErrorCode.TooManyRooms;
    return null;
  }

  /** Puts a session in a room (announcing the user when they were not there); check {@link refusal} first. */
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

  async members(room: string): Promise<Member[]> {
    return this.rooms.members(room);
  }

  async find(idOrNick: string): Promise<Member | undefined> {
    return this.directory.find(idOrNick)?.member;
  }

  leave(session: Session, room: string): void {
    if (!session.rooms.has(room)) return;
    session.forgetRoom(room);
    this.broker.settle();
    if (this.rooms.remove(room, session)) this.presence(room, 'leave', session.user.member);
  }

  attach(session: Session, peer: Peer): void {
    this.cancelExpiry(session);
    this.broker.settle();
    session.peer = peer;
  }

  detach(session: Session, deliberate = false): void {
    if (session.ended) return;
    this.broker.settle();
    session.peer = null;
    if (deliberate || session.kind === 'seed' || !session.resume) {
      this.end(session);
      return;
    }
    this.cancelExpiry(session);
    this.expiring.add(session);
    session.expiry = setTimeout(() => this.end(session), this.config.resumeWindowMs);
    session.expiry.unref?.();
  }

  end(session: Session): void {
    if (session.ended) return;
    session.ended = true;
    this.cancelExpiry(session);
    this.broker.settle();
    session.peer = null;
    for (const room of [...session.rooms.keys()]) this.leave(session, room);
    this.untrack(session);
    // an anonymous nickname is no account: the next visitor to pick it must not read this inbox
    if (this.directory.close(session) && (session.user.anonymous || !this.store.durable)) {
      void Promise.resolve(this.store.dropInbox(session.user.member.id)).catch((err) => this.log.error({ err }, 'dropInbox failed'));
    }
    this.log.debug({ session: session.id, user: session.user.member.id }, 'session ended');
  }

  stop(): void {
    for (const session of this.expiring) if (session.expiry) clearTimeout(session.expiry);
    this.expiring.clear();
  }

  /**
   * Makes room for one more session from `address`: at `maxSessionsPerIp`
   * (for that address) or `maxSessions` (in all), the oldest session waiting
   * in its resume window ends.
   *
   * @throws SessionsFullError when there is none to end: every one is live.
   */
  protected admit(address: string): void {
    const mine = address ? this.byAddress.get(address) : undefined;
    if (mine && mine.size >= this.config.maxSessionsPerIp && !this.endOldestWaiting(mine)) throw new SessionsFullError(true);
    if (this.directory.sessionCount >= this.config.maxSessions && !this.endOldestWaiting(this.expiring)) throw new SessionsFullError(false);
  }

  /** Counts `session` under `address` (nothing for an empty one). */
  protected track(session: Session, address: string): void {
    if (!address) return;
    session.address = address;
    let mine = this.byAddress.get(address);
    if (!mine) this.byAddress.set(address, (mine = new Set()));
    mine.add(session);
  }

  /** Stops counting an ended (or forgotten) session. */
  protected untrack(session: Session): void {
    const mine = this.byAddress.get(session.address);
    if (!mine?.delete(session)) return;
    if (mine.size === 0) this.byAddress.delete(session.address);
  }

  /** Ends the first of `sessions` that waits in its resume window; `false` when none does. */
  private endOldestWaiting(sessions: Iterable<Session>): boolean {
    for (const session of sessions) {
      if (session.peer || session.ended) continue;
      this.log.info({ session: session.id, address: session.address }, 'resumable session ended to make room for a new one');
      this.end(session);
      return true;
    }
    return false;
  }

  /** Stops the session's resume-window timer, if it has one. */
  protected cancelExpiry(session: Session): void {
    if (session.expiry) clearTimeout(session.expiry);
    session.expiry = undefined;
    this.expiring.delete(session);
  }

  private presence(room: string, event: 'join' | 'leave', user: Member, except?: Session): void {
    this.broker.toRoom(room, new Outbound({ type: 'presence', room, event, user }), except);
  }
}
