/**
 * Errors of a store or a shared directory that cannot be reached (Redis
 * today, a database tomorrow). Handlers turn an {@link UnavailableError} into
 * the retryable `unavailable` error code (or close 4005 during a hello),
 * never into `internal`.
 */

/**
 * Redis cannot be reached (or did not answer in time): the request was not
 * carried out, or its outcome is unknown. Sends are idempotent by `cid`, so
 * the client may simply retry.
 *
 * @example
 * ```ts
 * if (!health.available) throw new UnavailableError();
 * ```
 */
export class UnavailableError extends Error {
  override readonly name = 'UnavailableError';
  constructor(cause?: unknown) {
    super('the store (or Redis) is unreachable', cause === undefined ? undefined : { cause });
  }
}

/**
 * `promise`, or an {@link UnavailableError} when it takes longer than `ms`
 * (the work may still happen later: callers only wait for what is idempotent
 * or compensated).
 *
 * @example
 * ```ts
 * await within(broker.roomReady('lobby'), REDIS_TIMEOUT_MS);
 * ```
 */
export function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new UnavailableError(new Error(`no answer within ${ms} ms`))), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/**
 * The store was written by a newer relay: refuse to start rather than guess.
 *
 * @example
 * ```ts
 * if (found > KNOWN) throw new SchemaTooNewError('PostgreSQL postgres://db/chat', found, KNOWN);
 * ```
 */
export class SchemaTooNewError extends Error {
  override readonly name = 'SchemaTooNewError';
  constructor(store: string, found: number, known: number) {
    super(`the store ${store} has schema version ${found}, newer than this relay knows (${known}): run a newer relay`);
  }
}
