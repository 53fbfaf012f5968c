/**
 * Ids the relay makes: message, session and user ids that are unique across
 * relay processes, unguessable resume secrets, and room epochs.
 */
import { createHash, randomBytes } from 'node:crypto';

/** Bytes of randomness in a resume secret (192 bits). */
export const RESUME_SECRET_BYTES = 24;
/** Bytes of randomness that tell one relay process's ids from another's. */
export const NODE_PREFIX_BYTES = 6;
/** Characters of the base64url SHA-256 in a hashed anonymous user id (132 bits). */
export const HASHED_ID_CHARS = 22;
/** Bytes of randomness in a room epoch (72 bits: two runs of one room never share one). */
export const EPOCH_BYTES = 9;

/**
 * Makes ids such as `m_Zk3q9Xa1.1f`: a kind, a random per-process prefix and a
 * counter, so two relays sharing a store never make the same id.
 *
 * @example
 * ```ts
 * const ids = new IdFactory();
 * ids.next('m'); // 'm_Zk3q9Xa1.1'
 * ```
 */
export class IdFactory {
  private readonly node = randomBytes(NODE_PREFIX_BYTES).toString('base64url');
  private counter = 0;

  /** The next id of the given kind (`m` message, `d` direct, `s` session). */
  next(kind: string): string {
    return `${kind}_${this.node}.${(++this.counter).toString(36)}`;
  }
}

/** A fresh resume secret: `r_` and 192 random bits, base64url. */
export function newResumeSecret(): string {
  return 'r_' + randomBytes(RESUME_SECRET_BYTES).toString('base64url');
}

/**
 * A fresh room epoch: `e_` and 72 random bits, base64url (a valid id). It
 * names one run of a room's `seq`s, so a client can tell a sequence that
 * started over from the one its cursor belongs to.
 *
 * @example
 * ```ts
 * newEpoch(); // 'e_Zk3q9Xa1bC2d'
 * ```
 */
export function newEpoch(): string {
  return 'e_' + randomBytes(EPOCH_BYTES).toString('base64url');
}

/**
 * What starts every hashed anonymous user id, and no other id: a nickname
 * with a `~` gets a hashed id itself, and a token whose `sub` starts with it
 * is refused. So no nickname or token subject can hold the id another
 * nickname hashes to, and a token subject with a `~` elsewhere (`acme~42`)
 * is an id no nickname can hold.
 */
export const HASHED_ID_PREFIX = 'u~';

/**
 * The user id of an anonymous nickname: the nickname itself when it is a
 * valid id without a `~`, otherwise {@link HASHED_ID_PREFIX} and a stable
 * hash of its uniqueness key (`nicknameKey`), so ids stay within the
 * protocol's id rules whatever script the nickname is written in.
 *
 * @example
 * ```ts
 * anonymousUserId('ada', 'ada', isId);          // 'ada'
 * anonymousUserId('Grace H', 'grace h', isId);   // 'u~9b1c…'
 * anonymousUserId('u~9b1c', 'u~9b1c', isId);     // 'u~Xq2…' (hashed, never 'u~9b1c')
 * ```
 */
export function anonymousUserId(nick: string, key: string, isId: (s: string) => boolean): string {
  if (isId(nick) && !nick.includes('~')) return nick;
  return HASHED_ID_PREFIX + createHash('sha256').update(key).digest('base64url').slice(0, HASHED_ID_CHARS);
}
