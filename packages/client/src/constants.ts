/**
 * Every default and client-side code of the SDK, in one place.
 *
 * The states live beside the public types ({@link State} in `types.ts`);
 * limits, error codes and close codes of the wire come from `@parley/protocol`.
 *
 * @example
 * ```ts
 * import { ClientErrorCode } from '@parley/client';
 * client.send('lobby', 'hi').catch((e) => e.code === ClientErrorCode.OutboxFull && showFullWarning());
 * ```
 */
import {
  DEFAULT_PING_INTERVAL_MS,
  DEFAULT_PING_TIMEOUT_MS,
  DEFAULT_RATE_BURST,
  DEFAULT_RATE_PER_SECOND,
  ErrorCode,
} from '@parley/protocol';

// Defaults of ClientOptions, documented in the package README. Plain constants so the minifier inlines them.

/** Upper bound of the first reconnect delay, ms (`backoff.base`). */
export const BACKOFF_BASE = 500;
/** Largest reconnect delay, ms (`backoff.cap`). */
export const BACKOFF_CAP = 30_000;
/** Growth of the delay bound per failed attempt (`backoff.factor`). */
export const BACKOFF_FACTOR = 2;
/** A connection open this long resets the attempt count, ms (`backoff.resetAfter`). */
export const BACKOFF_RESET_AFTER = 10_000;
/** Sends that may wait for their ack (`outboxLimit`). */
export const OUTBOX_LIMIT = 100;
/** App-level ping interval while no frame arrives, ms (`pingInterval`; the relay's `welcome.limits.ping` replaces it). */
export const PING_INTERVAL = DEFAULT_PING_INTERVAL_MS;
/** Silence after a ping that marks the socket dead, ms (`pingTimeout`; `welcome.limits.pingTimeout` replaces it). */
export const PING_TIMEOUT = DEFAULT_PING_TIMEOUT_MS;
/** How long `history()` and `members()` wait for their answer, ms (`requestTimeout`). */
export const REQUEST_TIMEOUT = 10_000;
/** Storage key (`storageKey`). */
export const STORAGE_KEY = 'parley';
/** Ids remembered to drop redelivered messages (besides the per-room `seq` cursor). */
export const SEEN_IDS = 256;
/** Sends the client lets out at once, kept under the relay's burst so a flushed outbox is not rate limited. */
export const SEND_BURST = DEFAULT_RATE_BURST - 10;
/** Sends per second the client lets out after the burst (the relay's sustained rate). */
export const SEND_RATE = DEFAULT_RATE_PER_SECOND;
/** Delay before sending again what the relay refused as rate limited or unavailable, ms. */
export const RETRY_SEND_DELAY = 1000;

/**
 * Codes the client itself uses in {@link ClientErrorEvent} (besides the protocol's `ErrorCode`s),
 * exported from `@parley/client` as a value and as the type of its values.
 *
 * @example
 * ```ts
 * import { ClientErrorCode, type ParleyError } from '@parley/client';
 * client.history('lobby').catch((e: ParleyError) => e.code === ClientErrorCode.Timeout && showRetryButton());
 * ```
 */
export const ClientErrorCode = {
  /** The outbox holds `outboxLimit` unacknowledged sends; this one was not queued. */
  OutboxFull: 'outbox_full',
  /** The client was closed (by `close()`, a "do not retry" close code or a refused hello) before the answer came. */
  Closed: 'closed',
  /** No answer within `requestTimeout`. */
  Timeout: 'timeout',
} as const;

/** One of the {@link ClientErrorCode} values. */
export type ClientErrorCode = (typeof ClientErrorCode)[keyof typeof ClientErrorCode];

/** Refusals of a send that mean "try again later": the entry stays in the outbox and is sent again. */
export const RETRY_SEND: readonly string[] = [ErrorCode.RateLimited, ErrorCode.Unavailable, ErrorCode.Internal];

/** Reasons in `status` events that do not come from a close code. */
export const Reason = {
  /** `close()` was called. */
  Closed: 'closed',
  /** No frame within the ping timeout: the socket was half-open. */
  Heartbeat: 'heartbeat',
  /** The browser reported it went offline: the client dropped the socket (closing it with 4000) and waits for `online`. */
  Offline: 'offline',
  /** Opening the socket failed (bad URL, the token function threw...). */
  Failed: 'failed',
} as const;
