/**
 * Who is here, cluster-wide, kept in Redis: users and their nickname claims,
 * sessions with their owning relay and resume secret, and room presence
 * (per room, how many sessions each user has there). Every change is one Lua
 * script, so two relays never both hand out a nickname, both take a session
 * back, or both announce the same join or leave.
 *
 * A relay changes only sessions it owns; a script asked to change another
 * relay's session answers "not yours" (the session was taken back
 * elsewhere), and the caller forgets its local copy.
 */
import { nicknameKey, type Member } from '@parley/protocol';
import { createHash } from 'node:crypto';
import type { Claim } from '../sessions/claim.js';
import { newEpoch } from '../wire/ids.js';
import type { RedisHealth } from './redis-health.js';
import type { RedisKeys } from './redis-keys.js';
import type { RunScript } from './redis-scripts.js';
import { guarded, queued } from './redis-store.js';
import type { Redis } from 'ioredis';

/** A session taken back by its resume secret, as Redis keeps it. */
export interface SessionRecord {
  id: string;
  /** The relay that owned it until now (empty when orphaned). */
  previousOwner: string;
  member: Member;
  anonymous: boolean;
  /** The nickname uniqueness key. */
  key: string;
  expiresAt: number | undefined;
  allowedRooms: string[] | undefined;
  /** Rooms the session is in, each with the `seq` when it joined. */
  rooms: Map<string, number>;
}

/** A room as a session entering it sees it. */
export interface Entered {
  /** The room's `seq` when the session joined (earlier, if it was in the room already). */
  joined: number;
  seq: number;
  /** The epoch of the room's current run of `seq`s. */
  epoch: string;
  members: Member[];
}

/** What the cluster directory needs to know about the relay. */
export interface ClusterDirectoryOptions {
  /** This relay's node id. */
  node: string;
  /** How long an emptied room's history (or an orphaned inbox) is kept, ms. */
  resumeWindowMs: number;
  /** The room whose history is never dropped. */
  defaultRoom: string;
}

/** The stored form of a resume secret: its SHA-256, so a Redis dump does not hand out sessions. */
export function secretHash(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

const parseMember = (json: string): Member => JSON.parse(json) as Member;

/**
 * @example
 * ```ts
 * const shared = new ClusterDirectory(redis, run, keys, health, { node: 'n_1', resumeWindowMs: 120_000, defaultRoom: 'lobby' });
 * const member = await shared.open(claim, 's_1', 'chat', secret); // null: the nickname is taken
 * ```
 */
export class ClusterDirectory {
  private readonly prefix: string;

  constructor(
    private readonly redis: Redis,
    private readonly run: RunScript,
    private readonly keys: RedisKeys,
    private readonly health: RedisHealth,
    private readonly options: ClusterDirectoryOptions,
  ) {
    this.prefix = keys.prefix;
  }

  /** Claims the user and records the session as this relay's; `null` when the nickname or id is held. */
  async open(claim: Claim, session: string, kind: 'chat' | 'seed', secret: string | undefined): Promise<Member | null> {
    const member = JSON.stringify({ id: claim.id, name: claim.name } satisfies Member);
    const args = [
      this.prefix, claim.anonymous ? '1' : '0', claim.id, member, claim.key, session, secret ? secretHash(secret) : '',
      this.options.node, kind, claim.expiresAt ?? '', claim.rooms ? JSON.stringify([...claim.rooms]) : '',
    ];
    const r = (await guarded(this.health, () => this.run('parleyOpen', ...args))) as string | null;
    return r === null ? null : parseMember(r);
  }

  /**
   * Takes a session back by its secret (rotating it to `next`; the secret used
   * stays valid until {@link confirmSecret} or a resume with `next`);
   * `undefined` when unknown, ended or expired.
   */
  async resume(secret: string, next: string): Promise<SessionRecord | undefined> {
    const args = [this.prefix, secretHash(secret), secretHash(next), this.options.node, Date.now()];
    const r = (await guarded(this.health, () => this.run('parleyResume', ...args))) as
      | [string, string, string, string, string, string, string, string, string[]]
      | null;
    if (r === null) return undefined;
    const [id, previousOwner, , member, anon, key, exp, allowed, flat] = r;
    const rooms = new Map<string, number>();
    for (let i = 0; i + 1 < flat.length; i += 2) rooms.set(flat[i]!, Number(flat[i + 1]));
    return {
      id,
      previousOwner,
      member: parseMember(member),
      anonymous: anon === '1',
      key,
      expiresAt: exp === '' ? undefined : Number(exp),
      allowedRooms: allowed === '' ? undefined : (JSON.parse(allowed) as string[]),
      rooms,
    };
  }

  /** The client got `current`: if it is still the session's secret, the previous one stops working. */
  async confirmSecret(session: string, current: string): Promise<void> {
    await queued(() => this.run('parleyConfirmSecret', this.prefix, session, secretHash(current)));
  }

  /** Makes `old` the session's secret again, if `current` still is (sent even while Redis is away, once it is back). */
  async restoreSecret(session: string, old: string, current: string): Promise<void> {
    await queued(() => this.run('parleyRestoreSecret', this.prefix, session, secretHash(old), secretHash(current)));
  }

  /**
   * Puts the session in the room (announcing its user when first there);
   * `null` when the session is not this relay's. `seq`: the room's latest
   * `seq` when a database store keeps it (else Redis's is read).
   */
  async enter(session: string, room: string, seq?: number): Promise<Entered | null> {
    const args = [this.prefix, session, this.options.node, room, newEpoch(), seq === undefined ? '' : String(seq)];
    const r = (await guarded(this.health, () => this.run('parleyEnter', ...args))) as
      | [number, number, string[], string]
      | null;
    if (r === null) return null;
    return { joined: r[0], seq: r[1], epoch: r[3], members: r[2].map(parseMember) };
  }

  /**
   * Takes the session out of the room (announcing its user when last there);
   * `false` when the session is not this relay's. Sent even while Redis is
   * away, once it is back.
   */
  async leave(session: string, room: string): Promise<boolean> {
    const { node, defaultRoom, resumeWindowMs } = this.options;
    const r = await queued(() => this.run('parleyLeave', this.prefix, session, node, room, defaultRoom, resumeWindowMs));
    return r !== null;
  }

  /**
   * Ends a session this relay owns (`owner` '' for an orphan): leaves its
   * rooms, and for its user's last session frees the nickname and drops the
   * inbox. Answers 1 when done, 0 when unknown, -1 when another relay owns
   * it. Sent even while Redis is away, once it is back.
   */
  async end(session: string, owner = this.options.node): Promise<number> {
    const { defaultRoom, resumeWindowMs } = this.options;
    return (await queued(() => this.run('parleyEnd', this.prefix, session, owner, defaultRoom, resumeWindowMs))) as number;
  }

  /** Everyone in a room, cluster-wide (each user once). */
  async members(room: string): Promise<Member[]> {
    const fields = await guarded(this.health, () => this.redis.hkeys(this.keys.members(room)));
    return fields.map(parseMember);
  }

  /** A user by id, or an anonymous user by nickname (case-insensitively), on any relay. */
  async find(idOrNick: string): Promise<Member | undefined> {
    const r = (await guarded(this.health, () => this.run('parleyFind', this.prefix, idOrNick, nicknameKey(idOrNick)))) as string | null;
    return r === null ? undefined : parseMember(r);
  }
}
