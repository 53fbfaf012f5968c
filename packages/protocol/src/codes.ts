/**
 * Error codes carried by `error` envelopes, and WebSocket close codes.
 *
 * Error codes are stable lowercase strings; close codes use the standard
 * values where one fits and our own in 4000-4999: 4000-4499 mean "the client
 * should reconnect (with backoff)", 4500-4999 mean "the client must not
 * reconnect on its own". docs/protocol.md lists every code; a test fails when
 * the two disagree.
 *
 * @example
 * ```ts
 * import { ErrorCode, CloseCode, shouldReconnect } from '@parley/protocol';
 * if (err.code === ErrorCode.NicknameTaken) askForAnotherNickname();
 * if (!shouldReconnect(event.code)) showSignedOut();
 * ```
 */

/** Every `code` an `error` envelope can carry. */
export const ErrorCode = {
  /** The frame is not valid JSON, or is empty. */
  BadJson: 'bad_json',
  /** The envelope is not a JSON object, or has no string `type`. */
  BadEnvelope: 'bad_envelope',
  /** The envelope's `type` is not one this side accepts. */
  UnknownType: 'unknown_type',
  /** A field has the wrong type, is missing, or is out of range. */
  BadField: 'bad_field',
  /** The envelope has a field its type does not define. */
  UnknownField: 'unknown_field',
  /** The frame is larger than the frame limit or carries too many envelopes. */
  FrameTooLarge: 'frame_too_large',
  /** The message text is empty or longer than the text limit. */
  TextTooLong: 'text_too_long',
  /** The nickname breaks the nickname rules. */
  BadNickname: 'bad_nickname',
  /** Another live session (or one within its resume window) holds the nickname. */
  NicknameTaken: 'nickname_taken',
  /** The room name breaks the room-name rules. */
  BadRoom: 'bad_room',
  /** The request needs the session to be in the room first. */
  NotInRoom: 'not_in_room',
  /** The session is already in as many rooms as allowed. */
  TooManyRooms: 'too_many_rooms',
  /** The session's token does not allow this room. */
  RoomForbidden: 'room_forbidden',
  /** The session sends faster than its rate; the envelope was dropped. */
  RateLimited: 'rate_limited',
  /** The direct message's addressee is not known to the relay. */
  UnknownUser: 'unknown_user',
  /** Only `hello` and `ping` are accepted before the relay's `welcome`. */
  NotAuthenticated: 'not_authenticated',
  /** A second `hello` on a connection that already has a session. */
  AlreadyAuthenticated: 'already_authenticated',
  /** The token's signature, claims or format are invalid. */
  AuthFailed: 'auth_failed',
  /** The token has expired. */
  TokenExpired: 'token_expired',
  /** This relay requires a token; anonymous nicknames are turned off. */
  AnonymousDisabled: 'anonymous_disabled',
  /** The relay's storage is unreachable; the send was not accepted and may be retried. */
  Unavailable: 'unavailable',
  /** Something failed inside the relay; the envelope may be retried. */
  Internal: 'internal',
} as const;

/** One of the {@link ErrorCode} values. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Every WebSocket close code the relay uses. */
export const CloseCode = {
  /** Normal closure: the client or relay ended the session on purpose (1000). */
  Normal: 1000,
  /** Going away: the relay is shutting down; reconnect, maybe elsewhere (1001). */
  GoingAway: 1001,
  /** Protocol error at the WebSocket level (bad opcode, bad masking, invalid UTF-8) (1002). */
  ProtocolError: 1002,
  /** No status received: the connection dropped without a close frame (1005, never sent). */
  NoStatus: 1005,
  /** Abnormal closure: the connection dropped without a close frame (1006, never sent). */
  Abnormal: 1006,
  /** Invalid frame payload data, e.g. invalid UTF-8 in a text frame (1007). */
  InvalidPayload: 1007,
  /** Policy violation: generic refusal (1008). */
  PolicyViolation: 1008,
  /** A frame exceeded the frame limit (1009). */
  MessageTooBig: 1009,
  /** The relay hit an unexpected condition (1011). */
  InternalError: 1011,
  /** Service restart: the relay restarts; reconnect (1012). */
  ServiceRestart: 1012,
  /** Try again later: the relay is overloaded (1013). */
  TryAgainLater: 1013,

  /** First code of the "reconnect with backoff" range. */
  RetryRangeStart: 4000,
  /** The peer stopped answering heartbeats. */
  HeartbeatTimeout: 4000,
  /** The client reads too slowly; its send buffer passed the cap. */
  SlowConsumer: 4001,
  /** No `hello` arrived within the hello timeout. */
  HelloTimeout: 4002,
  /** The session token expired while connected; reconnect with a fresh one. */
  TokenExpired: 4003,
  /** The client kept sending past its rate limit; back off before reconnecting. */
  RateLimited: 4004,
  /** The relay's storage is unreachable; reconnect later. */
  Unavailable: 4005,
  /** Too many connections from this IP address. */
  TooManyConnections: 4006,
  /** Last code of the "reconnect with backoff" range. */
  RetryRangeEnd: 4499,

  /** First code of the "do not reconnect" range. */
  FatalRangeStart: 4500,
  /** The token was refused (bad signature, malformed, wrong audience). */
  AuthFailed: 4500,
  /** The client kept sending invalid envelopes. */
  ProtocolAbuse: 4501,
  /** Another connection resumed this session; this one is stale. */
  Replaced: 4502,
  /** The client did not offer the `parley.v1` subprotocol. */
  UnsupportedProtocol: 4503,
  /** Last code of the "do not reconnect" range. */
  FatalRangeEnd: 4999,
} as const;

/** One of the {@link CloseCode} values. */
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/**
 * Whether a client should reconnect after a close with this code.
 *
 * Everything reconnects except a deliberate normal close (1000), a policy
 * violation (1008), an oversized frame (1009: sending it again fails again),
 * and the 4500-4999 range.
 *
 * @example
 * ```ts
 * socket.onclose = (e) => { if (shouldReconnect(e.code)) scheduleReconnect(); };
 * ```
 */
export function shouldReconnect(code: number): boolean {
  if (code >= CloseCode.FatalRangeStart && code <= CloseCode.FatalRangeEnd) return false;
  return code !== CloseCode.Normal && code !== CloseCode.PolicyViolation && code !== CloseCode.MessageTooBig;
}
