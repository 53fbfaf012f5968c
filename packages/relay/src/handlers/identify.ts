/**
 * Checking who a fresh `hello` says it is: a token the relay can verify, or
 * a nickname within the nickname rules. What it answers is a {@link Claim},
 * which the sessions layer then claims.
 */
import { CloseCode, ErrorCode, nicknameKey, normalizeNickname, type Hello } from '@parley/protocol';
import { anonymousClaim, type Claim } from '../sessions/claim.js';
import { HASHED_ID_PREFIX } from '../wire/ids.js';
import type { ChatPort } from './port.js';

/**
 * How long a token claims to live, ms: from its `iat` (or from `now`, when
 * it has none or claims one in the future, which would make it look
 * younger) to its `exp`.
 *
 * @example
 * ```ts
 * tokenLifetimeMs({ expiresAt: now + 3_600_000, issuedAt: now }, now); // 3_600_000
 * ```
 */
export function tokenLifetimeMs(identity: { expiresAt: number; issuedAt: number | undefined }, now: number): number {
  const from = identity.issuedAt === undefined ? now : Math.min(identity.issuedAt, now);
  return identity.expiresAt - from;
}

/**
 * Checks the token or nickname of a fresh hello; sends the refusal (and
 * closes, for a bad token) and answers `undefined` when it does not hold.
 */
export async function identify(conn: ChatPort, hello: Hello): Promise<Claim | undefined> {
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
    const maxS = ctx.config.maxTokenLifetime;
    if (tokenLifetimeMs(r.identity, Date.now()) > maxS * 1000) {
      const message = `The token is invalid: it lives longer than this relay's maximum of ${maxS} s (exp minus iat).`;
      conn.fail(ErrorCode.AuthFailed, message, 'hello');
      conn.close(CloseCode.AuthFailed, 'token lifetime too long', 'auth_failed');
      return undefined;
    }
    const { sub, name, rooms, expiresAt } = r.identity;
    if (sub.startsWith(HASHED_ID_PREFIX)) {
      const message = `The token is invalid: a "sub" starting with "${HASHED_ID_PREFIX}" is an anonymous user id.`;
      conn.fail(ErrorCode.AuthFailed, message, 'hello');
      conn.close(CloseCode.AuthFailed, 'sub in the anonymous namespace', 'auth_failed');
      return undefined;
    }
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
