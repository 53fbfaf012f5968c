/**
 * Who a fresh `hello` says it is, once checked: a verified token subject or
 * a well-formed anonymous nickname. Claiming it (is the nickname free?) is
 * the directory's job, local or cluster-wide.
 */
import { CloseCode, ErrorCode, isId, nicknameKey, normalizeNickname, type Hello } from '@parley/protocol';
import type { ChatConnection } from './chat-connection.js';
import { anonymousUserId } from './ids.js';

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

/** The refusal sent when a claim is held by someone else. */
export function takenMessage(claim: Claim): string {
  return claim.anonymous ? 'That nickname is taken; pick another.' : `The user id "${claim.id}" is held by an anonymous nickname.`;
}

/**
 * Checks the token or nickname of a fresh hello; sends the refusal (and
 * closes, for a bad token) and answers `undefined` when it does not hold.
 */
export async function identify(conn: ChatConnection, hello: Hello): Promise<Claim | undefined> {
  const { ctx } = conn;
  if (hello.token !== undefined) {
    if (!ctx.tokens) {
      conn.fail(ErrorCode.AuthFailed, 'This relay does not accept tokens.', 'hello');
      conn.close(CloseCode.AuthFailed, 'tokens not accepted', 'auth_failed');
      return undefined;
    }
    const r = await ctx.tokens.verify(hello.token);
    if (!conn.open) return undefined;
    if (!r.ok) {
      conn.fail(r.code, r.message, 'hello');
      conn.close(r.close, r.message, r.code === ErrorCode.TokenExpired ? 'token_expired' : 'auth_failed');
      return undefined;
    }
    const { sub, name, rooms, expiresAt } = r.identity;
    return { anonymous: false, id: sub, name, key: nicknameKey(name), expiresAt, rooms };
  }
  if (hello.nick !== undefined) {
    if (!ctx.config.anonymous) {
      conn.fail(ErrorCode.AnonymousDisabled, 'This relay requires a signed token.', 'hello');
      return undefined;
    }
    const nick = normalizeNickname(hello.nick);
    if (nick === null) {
      conn.fail(ErrorCode.BadNickname, 'The nickname breaks the nickname rules.', 'hello');
      return undefined;
    }
    return anonymousClaim(nick);
  }
  const message = hello.resume
    ? 'The resume secret is unknown or expired; send "nick" or "token" with it.'
    : '"hello" needs "nick", "token" or "resume".';
  conn.fail(ErrorCode.BadField, message, 'hello');
  return undefined;
}
