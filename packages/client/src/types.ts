/**
 * The public types of the Parley client SDK: options, states, events and the
 * client itself.
 */
import type { Ack, DirectMessage, Gap, HistoryPage, Member, Presence, RoomMessage, Typing } from '@parley/protocol';

/** Connection states, readable in logs. */
export const State = {
  /** Created, `connect()` not called yet. */
  Idle: 'idle',
  /** Opening the first socket, or waiting for `welcome`. */
  Connecting: 'connecting',
  /** `welcome` received: sends go out at once. */
  Open: 'open',
  /** The socket dropped; waiting (backoff, offline) or opening another. */
  Reconnecting: 'reconnecting',
  /** Stopped for good: `close()`, a "do not retry" close code, or a refused hello. */
  Closed: 'closed',
} as const;

/** One of the {@link State} values. */
export type State = (typeof State)[keyof typeof State];

/** The minimum of a WebSocket the client uses (the browser's and `ws` both fit). */
export interface SocketLike {
  readonly readyState: number;
  readonly protocol: string;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: any) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: any) => void) | null;
  onmessage: ((ev: { data: any }) => void) | null;
}

/** A WebSocket constructor: `globalThis.WebSocket` in browsers, `WebSocket` from `ws` in Node. */
export type SocketConstructor = new (url: string, protocols: string | string[]) => SocketLike;

/** The part of `Storage` the client uses (sessionStorage fits). */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** Time and timers, injectable for tests. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Exponential backoff with full jitter: a delay drawn from [0, min(cap, base * factor^attempt)]. */
export interface BackoffOptions {
  /** First delay's upper bound, ms. Default 500. */
  base?: number;
  /** Largest delay, ms. Default 30 000. */
  cap?: number;
  /** Growth per attempt. Default 2. */
  factor?: number;
  /** A connection that stays open this long resets the attempt count, ms. Default 10 000. */
  resetAfter?: number;
}

/** Options of {@link createClient}. */
export interface ClientOptions {
  /** The relay's `/chat` URL, a list to rotate through on failure, or a function giving the next one. */
  url: string | string[] | (() => string | Promise<string>);
  /** Anonymous nickname. */
  nick?: string;
  /** Signed token, or a function that fetches a fresh one before each connect. */
  token?: string | (() => string | Promise<string>);
  /** Rooms to join on connect. */
  rooms?: string[];
  /** WebSocket constructor. Default: `globalThis.WebSocket`. */
  WebSocket?: SocketConstructor;
  /** Where the outbox, resume secret and cursors survive a reload. Default: `sessionStorage` when available; `null` for none. */
  storage?: StorageLike | null;
  /** Key prefix in storage, so several clients on one page do not mix. Default `parley`. */
  storageKey?: string;
  /** Time and timers. Default: the global ones. */
  clock?: Clock;
  backoff?: BackoffOptions;
  /** Most sends that may wait in the outbox; past it `send` rejects with `outbox_full`. Default 100. */
  outboxLimit?: number;
  /** App-level ping interval, ms, until the relay's `welcome` says otherwise. Default 20 000. */
  pingInterval?: number;
  /** How long after a ping with no frame the socket counts as dead, ms. Default 10 000. */
  pingTimeout?: number;
  /** How long `history`/`members` wait for their answer, ms. Default 10 000. */
  requestTimeout?: number;
  /** Listen to `online`/`offline`/`visibilitychange` (when a window/document exists). Default true. */
  watchNetwork?: boolean;
}

/** A send waiting for its ack. */
export interface OutboxEntry {
  cid: string;
  /** Room for a room message, absent for a direct message. */
  room?: string;
  /** Addressee for a direct message. */
  to?: string;
  text: string;
  /** When `send` was called, ms since the epoch. */
  ts: number;
}

/** `status` event: the state changed. */
export interface StatusEvent {
  from: State;
  to: State;
  /** Why: a close code and reason, `offline`, `heartbeat`, an error code... */
  reason?: string;
  /** The close code, when a socket close caused the change. */
  code?: number;
}

/** `error` event, and the rejection value of failed promises. */
export interface ClientErrorEvent {
  /** A protocol `ErrorCode`, or a client code: `outbox_full`, `closed`, `timeout`. */
  code: string;
  message: string;
  /** The `cid`/`qid` of the refused request, or `hello`. */
  ref?: string;
}

/** `members` event: a room's full member list (on welcome, join and resume). */
export interface MembersEvent {
  room: string;
  members: Member[];
}

/** Every event a client emits, with its payload type. */
export type ClientEvents = {
  status: StatusEvent;
  /** The session was (re)established: who the relay says we are. */
  welcome: { user: Member; resumed: boolean };
  message: RoomMessage;
  direct: DirectMessage;
  presence: Presence;
  members: MembersEvent;
  typing: Typing;
  gap: Gap;
  error: ClientErrorEvent;
  ack: Ack;
};

/** The client returned by {@link createClient}. */
export interface ParleyClient {
  /** The current connection state. */
  readonly state: State;
  /** Who the relay says this session is, after the first `welcome`. */
  readonly user: Member | null;
  /** Rooms this client is in (or will join on connect). */
  readonly rooms: readonly string[];
  /** Sends waiting for their ack, oldest first. */
  readonly outbox: readonly OutboxEntry[];
  /** Opens the connection (no-op when already open or connecting). `nick`/`token` replace the options' ones. */
  connect(overrides?: { nick?: string; token?: string }): void;
  /** Closes for good (code 1000); pending requests reject with `closed`. The outbox is kept in storage. */
  close(): void;
  join(room: string): void;
  leave(room: string): void;
  /** Sends to a room; resolves with the relay's ack, rejects with a {@link ClientErrorEvent}. */
  send(room: string, text: string): Promise<Ack>;
  /** Sends a private message to the user with id `to`. */
  sendDirect(to: string, text: string): Promise<Ack>;
  typing(room: string, on: boolean): void;
  /** A page of history, newest first; `room` null pages the private inbox. */
  history(room: string | null, options?: { before?: number; limit?: number }): Promise<HistoryPage>;
  /** Who is in a room, asked of the relay. */
  members(room: string): Promise<Member[]>;
  on<K extends keyof ClientEvents>(type: K, handler: (event: ClientEvents[K]) => void): void;
  off<K extends keyof ClientEvents>(type: K, handler?: (event: ClientEvents[K]) => void): void;
}
