/**
 * The envelopes of the Parley protocol (`parley.v1`), in both directions.
 *
 * Every envelope is a JSON object with a string `type`. A frame carries one
 * envelope, or several separated by a newline (`\n`); see docs/protocol.md.
 *
 * @example
 * ```ts
 * import type { ClientMessage, ServerMessage } from '@parley/protocol';
 * const send: ClientMessage = { type: 'send', room: 'lobby', text: 'hi', cid: 'c1' };
 * function onServer(m: ServerMessage) { if (m.type === 'msg') console.log(m.name, m.text); }
 * ```
 */

/** A participant as the relay names them: a stable id and a display name. */
export interface Member {
  /** The user id: the nickname for anonymous sessions, the token subject otherwise. */
  id: string;
  /** The display name shown to others. */
  name: string;
}

/** Where a resuming client left off in one room. */
export interface RoomCursor {
  room: string;
  /** The last `seq` the client delivered in this room (0 when none). */
  since: number;
  /** The room's `epoch` that `since` belongs to, as the relay last announced it. */
  epoch?: string;
}

/** A room's state as a session joins it. */
export interface RoomState {
  room: string;
  /** The room's latest `seq` (0 when the room has no messages yet). */
  seq: number;
  /**
   * Names this run of the room's `seq`s. It changes when the sequence starts
   * over (an in-memory relay restarted, or an empty room was forgotten), so a
   * client can tell that an old cursor no longer applies.
   */
  epoch?: string;
  /** Everyone in the room now, this session included. */
  members: Member[];
}

// ---- client -> relay -------------------------------------------------------

/** Opens a session: anonymously with `nick`, or with a signed `token`; resumes with `resume`. */
export interface Hello {
  type: 'hello';
  nick?: string;
  token?: string;
  /** The resume secret from an earlier `welcome`. */
  resume?: string;
  /** Rooms to (re)join, with the last `seq` delivered in each when resuming. */
  rooms?: RoomCursor[];
  /** The last private-inbox `seq` the client delivered, when resuming. */
  inbox?: number;
}

/** Joins a room; with `since`, also replays what followed that `seq`. */
export interface Join {
  type: 'join';
  room: string;
  since?: number;
  /** The room's `epoch` that `since` belongs to. */
  epoch?: string;
}

/** Leaves a room. */
export interface Leave {
  type: 'leave';
  room: string;
}

/** Sends a message to a room; `cid` is the client's id for it, answered by `ack` or `error`. */
export interface Send {
  type: 'send';
  room: string;
  text: string;
  cid: string;
}

/** Sends a private message to the user with id `to`. */
export interface SendDirect {
  type: 'dm';
  to: string;
  text: string;
  cid: string;
}

/** Says the sender started (`on: true`) or stopped typing in a room. */
export interface TypingRequest {
  type: 'typing';
  room: string;
  on: boolean;
}

/** Asks for a page of history, newest first; without `room` it pages the private inbox. */
export interface HistoryRequest {
  type: 'history';
  qid: string;
  room?: string;
  /** Only messages with a `seq` below this one. */
  before?: number;
  limit?: number;
}

/** Asks who is in a room. */
export interface MembersRequest {
  type: 'members';
  qid: string;
  room: string;
}

/** App-level heartbeat; the relay answers `pong` with the same `ts`. */
export interface Ping {
  type: 'ping';
  ts?: number;
}

/** Every envelope a client may send. */
export type ClientMessage =
  | Hello
  | Join
  | Leave
  | Send
  | SendDirect
  | TypingRequest
  | HistoryRequest
  | MembersRequest
  | Ping;

// ---- relay -> client -------------------------------------------------------

/** Limits the relay enforces for this session, so the client can check before sending. */
export interface SessionLimits {
  text: number;
  rooms: number;
  frame: number;
  /** How often the client should ping while idle, ms. */
  ping: number;
  /** How long after a ping without any frame the client should declare the socket dead, ms. */
  pingTimeout: number;
}

/** Answers `hello`: who the session is, its resume secret, and the state of each room it is in. */
export interface Welcome {
  type: 'welcome';
  /** This connection's session id (for logs and support). */
  session: string;
  user: Member;
  /** The secret that resumes this session within the resume window. Keep it private. */
  resume: string;
  /** Whether an earlier session was resumed (nickname, rooms, cursors). */
  resumed: boolean;
  /** The private inbox's latest `seq`. */
  inbox: number;
  rooms: RoomState[];
  limits: SessionLimits;
}

/** Answers `join`: the room's state and who is in it. */
export interface Joined extends RoomState {
  type: 'joined';
}

/** Answers `leave`. */
export interface Left {
  type: 'left';
  room: string;
}

/** Someone joined or left a room the session is in. */
export interface Presence {
  type: 'presence';
  room: string;
  event: 'join' | 'leave';
  user: Member;
}

/** A room message, as stamped by the relay. */
export interface RoomMessage {
  type: 'msg';
  room: string;
  /** Unique id of the message. */
  id: string;
  /** Per-room sequence number, strictly increasing from 1. */
  seq: number;
  /** When the relay accepted it, ms since the epoch. */
  ts: number;
  /** The sender's user id, stamped by the relay. */
  from: string;
  /** The sender's display name, stamped by the relay. */
  name: string;
  text: string;
  /**
   * Present and true on a tombstone: the sender was erased (a data
   * request), so `from`, `name` and `text` are empty; `room`, `id`, `seq` and
   * `ts` stay, so the room's `seq` order and resume still hold.
   *
   * @example
   * ```ts
   * if (m.deleted) render('message deleted'); else render(`${m.name}: ${m.text}`);
   * ```
   */
  deleted?: true;
}

/** A private message, as stored in one user's inbox. */
export interface DirectMessage {
  type: 'direct';
  id: string;
  /** Sequence number in the receiving session's own inbox. */
  seq: number;
  ts: number;
  from: string;
  name: string;
  /** The addressee's user id. */
  to: string;
  text: string;
  /** Present and true on a tombstone of an erased sender's message, as in {@link RoomMessage.deleted} (`to` stays). */
  deleted?: true;
}

/** Confirms a `send` or `dm`: the relay accepted it under this `id` and `seq`. */
export interface Ack {
  type: 'ack';
  cid: string;
  id: string;
  seq: number;
  ts: number;
  /** Present and true when the `cid` had been accepted before (a resend). */
  dup?: boolean;
}

/** Someone started or stopped typing. */
export interface Typing {
  type: 'typing';
  room: string;
  from: string;
  name: string;
  on: boolean;
}

/** Answers `history`: messages newest first. */
export interface HistoryPage {
  type: 'page';
  qid: string;
  room?: string;
  messages: Array<RoomMessage | DirectMessage>;
  /** Whether older messages exist beyond this page. */
  more: boolean;
}

/** Answers `members`. */
export interface Members {
  type: 'members';
  qid: string;
  room: string;
  members: Member[];
}

/**
 * The relay cannot replay `seq`s `start` to `end` (inclusive) of a room, or of
 * the private inbox when `room` is absent: they fell out of retained history,
 * or (without `end`) the room's sequence started over.
 */
export interface Gap {
  type: 'gap';
  room?: string;
  start: number;
  /**
   * Absent when the count is unknown: the room's sequence started over (its
   * `epoch` changed), so everything after `start - 1` of the old sequence is
   * lost; the replay that follows starts the new sequence from its beginning.
   */
  end?: number;
}

/** Answers `ping`. */
export interface Pong {
  type: 'pong';
  ts?: number;
}

/** Something the client sent was refused; `ref` names its `cid` or `qid`, or `hello`. */
export interface ErrorMessage {
  type: 'error';
  code: string;
  message: string;
  ref?: string;
}

/** Every envelope the relay may send. */
export type ServerMessage =
  | Welcome
  | Joined
  | Left
  | Presence
  | RoomMessage
  | DirectMessage
  | Ack
  | Typing
  | HistoryPage
  | Members
  | Gap
  | Pong
  | ErrorMessage;

/** Any envelope, in either direction. */
export type Message = ClientMessage | ServerMessage;
