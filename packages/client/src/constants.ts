/**
 * Every default and client-side code of the SDK, in one place.
 *
 * The states live beside the public types ({@link State} in `types.ts`);
 * limits, error codes and close codes of the wire come from `@parley/protocol`.
 *
 * @example
 * ```ts
 * import { DEFAULTS, ClientErrorCode } from '@parley/client';
 * console.log(DEFAULTS.backoff.cap); // 30000
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

/** Defaults of {@link ClientOptions}, documented in the package README. */
export const DEFAULTS = {
  /** Reconnect delays: full jitter in [0, min(cap, base * factor^attempt)] ms; the count resets after `resetAfter` ms open. */
  backoff: { base: 500, cap: 30_000, factor: 2, resetAfter: 10_000 },
  /** Sends that may wait for their ack. */
  outboxLimit: 100,
  /** App-level ping interval while no frame arrives, ms (the relay's `welcome.limits.ping` replaces it). */
  pingInterval: DEFAULT_PING_INTERVAL_MS,
  /** Silence after a ping that marks the socket dead, ms (the relay's `welcome.limits.pingTimeout` replaces it). */
  pingTimeout: DEFAULT_PING_TIMEOUT_MS,
  /** How long `history()` and `members()` wait for their answer, ms. */
  requestTimeout: 10_000,
  /** Storage key prefix. */
  storageKey: 'parley',
  /** Ids remembered to drop redelivered messages (besides the per-room `seq` cursor). */
  seenIds: 256,
  /** Sends the client lets out at once, kept under the relay's burst so a flushed outbox is not rate limited. */
  sendBurst: DEFAULT_RATE_BURST - 10,
  /** Sends per second the client lets out after the burst (the relay's sustained rate). */
  sendRate: DEFAULT_RATE_PER_SECOND,
} as const;

/** Codes the client itself uses in {@link ClientErrorEvent} (besides the protocol's `ErrorCode`s). */
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

/** A refused hello that the relay answers by closing with a retryable code (a fresh token is fetched). */
export const RETRY_HELLO: readonly string[] = [ErrorCode.TokenExpired];

/** Reasons in `status` events that do not come from a close code. */
export const Reason = {
  /** `close()` was called. */
  Closed: 'closed',
  /** No frame within the ping timeout: the socket was half-open. */
  Heartbeat: 'heartbeat',
  /** The browser reported it went offline. */
  Offline: 'offline',
  /** Opening the socket failed (bad URL, the token function threw...). */
  Failed: 'failed',
} as const;
