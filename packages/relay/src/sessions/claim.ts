/**
 * Who a fresh session says it is, once checked: a verified token subject or
 * a well-formed anonymous nickname. Claiming it (is the nickname free?) is
 * the job of {@link Sessions}, on one relay or cluster-wide.
 */
import { isId, nicknameKey } from '@parley/protocol';
import { anonymousUserId } from '../wire/ids.js';

/** A checked identity, not yet claimed. */
export interface Claim {
  anonymous: boolean;
  /** The user id: the token subject, or the anonymous nickname's id. */
  id: string;
  /** The display name. */
  name: string;
  /** The nickname uniqueness key of `name`. */
  key: string;
  /** When the token expires (ms since the epoch). */
  expiresAt?: number;
  /** Rooms the token allows; absent allows all. */
  rooms?: ReadonlySet<string>;
}

/**
 * The claim of an anonymous nickname (already normalized).
 *
 * @example
 * ```ts
 * anonymousClaim('Grace H'); // { anonymous: true, id: 'u~…', name: 'Grace H', key: 'grace h' }
 * ```
 */
export function anonymousClaim(nick: string): Claim {
  const key = nicknameKey(nick);
  return { anonymous: true, id: anonymousUserId(nick, key, isId), name: nick, key };
}

/**
 * The refusal sent when a claim is held by someone else: an anonymous
 * nickname whose key (or id) is held, or a new token user whose id, or whose
 * display name's key, an anonymous visitor holds (the names would look alike).
 */
export function takenMessage(claim: Claim): string {
  return claim.anonymous
    ? 'That nickname is taken; pick another.'
    : `The user id "${claim.id}" or a name that looks like "${claim.name}" is held by an anonymous nickname.`;
}
