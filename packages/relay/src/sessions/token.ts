/**
 * Signed-token identity: HS256 JWTs verified with `jose`.
 *
 * Claims: `sub` (the user id, id rules), `name` (display name, nickname
 * rules; defaults to `sub`), `rooms` (optional list of room names the token
 * allows; absent allows every room) and `exp` (required).
 */
import { CloseCode, ErrorCode, isId, isRoomName, normalizeNickname } from '@parley/protocol';
import { errors, jwtVerify } from 'jose';

/** Who a valid token says the bearer is. */
export interface TokenIdentity {
  sub: string;
  name: string;
  /** Rooms the token allows; `undefined` allows all. */
  rooms: ReadonlySet<string> | undefined;
  /** Expiry, ms since the epoch. */
  expiresAt: number;
  /** When it was issued (`iat`), ms since the epoch; `undefined` when the token does not say. */
  issuedAt: number | undefined;
}

/** A verified identity, or why the token was refused and how to close. */
export type TokenResult =
  | { ok: true; identity: TokenIdentity }
  | { ok: false; code: ErrorCode; close: CloseCode; message: string };

const refuse = (message: string): TokenResult => ({ ok: false, code: ErrorCode.AuthFailed, close: CloseCode.AuthFailed, message });

/**
 * @example
 * ```ts
 * const tokens = new TokenVerifier(process.env.PARLEY_TOKEN_SECRET!);
 * const r = await tokens.verify(hello.token);
 * if (r.ok) console.log(r.identity.sub);
 * ```
 */
export class TokenVerifier {
  private readonly key: Uint8Array;

  constructor(secret: string) {
    this.key = new TextEncoder().encode(secret);
  }

  /** Verifies signature, algorithm, expiry and claims. Never throws. */
  async verify(token: string): Promise<TokenResult> {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'], requiredClaims: ['sub', 'exp'] }));
    } catch (err) {
      if (err instanceof errors.JWTExpired) {
        return { ok: false, code: ErrorCode.TokenExpired, close: CloseCode.TokenExpired, message: 'The token has expired.' };
      }
      return refuse('The token is invalid: ' + (err instanceof errors.JOSEError ? err.code : 'malformed') + '.');
    }
    const { sub, name, rooms, exp, iat } = payload;
    if (!isId(sub)) return refuse('The token\'s "sub" is not a valid user id.');
    const display = name === undefined ? sub : typeof name === 'string' ? normalizeNickname(name) : null;
    if (display === null) return refuse('The token\'s "name" breaks the nickname rules.');
    if (rooms !== undefined && (!Array.isArray(rooms) || !rooms.every(isRoomName))) {
      return refuse('The token\'s "rooms" must be a list of room names.');
    }
    return {
      ok: true,
      identity: {
        sub,
        name: display,
        rooms: rooms ? new Set(rooms as string[]) : undefined,
        expiresAt: (exp as number) * 1000,
        // jose checked that a present iat is a number
        issuedAt: typeof iat === 'number' ? iat * 1000 : undefined,
      },
    };
  }
}
