/**
 * Every limit and default of the Parley protocol, in one place.
 *
 * The relay enforces these (most are configurable there; the configured value
 * is announced to clients in `welcome.limits`), and the client reads them to
 * fail fast before sending. docs/protocol.md lists each with its meaning; a
 * test keeps that table and these constants in step.
 *
 * @example
 * ```ts
 * import { MAX_TEXT_LENGTH } from '@parley/protocol';
 * if ([...text].length > MAX_TEXT_LENGTH) showCounterInRed();
 * ```
 */

/** The WebSocket subprotocol a Parley client must offer and the relay selects. */
export const SUBPROTOCOL = 'parley.v1';

/** Largest WebSocket message, in bytes, a client may send to the relay (1 MiB). */
export const MAX_FRAME_BYTES = 1_048_576;

/**
 * Most envelopes one client frame may carry (newline-separated batch), the
 * protocol's ceiling. A relay takes at most its rate burst in one frame
 * (`rateBurst`, {@link DEFAULT_RATE_BURST} by default), since each envelope
 * costs one rate token and a larger frame could never be taken whole.
 */
export const MAX_BATCH_ENVELOPES = 64;

/** Longest message text, in Unicode code points. */
export const MAX_TEXT_LENGTH = 4000;

/** Longest nickname or display name, in Unicode code points (after trimming and NFC). */
export const MAX_NICKNAME_LENGTH = 32;

/** Longest room name, in characters (`[A-Za-z0-9_-]`). */
export const MAX_ROOM_LENGTH = 64;

/** Longest client-made id (`cid`, `qid`) and relay-made id (`id`, user ids), in characters. */
export const MAX_ID_LENGTH = 64;

/** Longest token or resume secret, in characters. */
export const MAX_TOKEN_LENGTH = 4096;

/** Most rooms one session may be in at once. */
export const MAX_ROOMS_PER_SESSION = 20;

/** Most messages a history page returns; larger `limit`s are refused. */
export const MAX_HISTORY_PAGE = 200;

/** History page size when a request gives no `limit`. */
export const DEFAULT_HISTORY_PAGE = 50;

/** Messages the relay keeps per room for history and replay (default). */
export const DEFAULT_ROOM_HISTORY = 1000;

/** Direct messages the relay keeps per user inbox for history and replay (default). */
export const DEFAULT_INBOX_HISTORY = 500;

/** How long a disconnected session keeps its nickname and can be resumed, in ms (default). */
export const DEFAULT_RESUME_WINDOW_MS = 120_000;

/** How long a new connection may take to send `hello`, in ms (default). */
export const DEFAULT_HELLO_TIMEOUT_MS = 10_000;

/** How often a client sends an app-level `ping` while idle, in ms (default). */
export const DEFAULT_PING_INTERVAL_MS = 20_000;

/** How long a client waits for any frame after a `ping` before it declares the socket dead, in ms (default). */
export const DEFAULT_PING_TIMEOUT_MS = 10_000;

/** How often the relay sends a WebSocket ping; a peer that misses one is terminated at the next (default, ms). */
export const DEFAULT_RELAY_PING_INTERVAL_MS = 30_000;

/**
 * Token-bucket burst: envelopes a connection may send at once before the
 * rate applies (default), and so the most envelopes a relay takes in one
 * frame. The `hello` that opens a session costs no token, so a fresh
 * connection's bucket takes one such frame whole.
 */
export const DEFAULT_RATE_BURST = 30;

/** Token-bucket refill: envelopes per second a session may send in the long run (default). */
export const DEFAULT_RATE_PER_SECOND = 10;

/** Rate-limited envelopes after which the relay closes the connection (default). */
export const DEFAULT_ABUSE_STRIKES = 20;

/**
 * Longest lifetime a signed token may claim, in seconds (default, 30 days):
 * `exp` minus `iat` (or minus now, when `iat` is absent or in the future).
 * A longer-lived token is refused like an invalid one (`auth_failed`, 4500).
 */
export const DEFAULT_MAX_TOKEN_LIFETIME_S = 2_592_000;

/** Concurrent connections the relay accepts from one IP address (default). */
export const DEFAULT_MAX_CONNECTIONS_PER_IP = 50;

/** Bytes that may wait in one socket's send buffer before the reader is cut off as too slow (default, 4 MiB). */
export const DEFAULT_SEND_BUFFER_BYTES = 4_194_304;

/** Shortest interval between two relayed `typing` events of one session in one room, in ms. */
export const TYPING_THROTTLE_MS = 2000;
