/**
 * The public types of the Parley client SDK: options, states, events and the
 * client itself.
 */
import type { Ack, DirectMessage, Gap, HistoryPage, Member, Presence, RoomMessage, Typing } from '@parley/protocol';

/**
 * Connection states, readable in logs: `idle` → `connecting` → `open`, then
 * `reconnecting` ⇄ `open` across drops, and `closed` for good.
 *
 * @example
 * ```ts
 * client.on('status', ({ from, to, reason }) => {
 *   if (to === State.Reconnecting) banner.show(`Reconnecting (${reason ?? 'connection lost'})…`);
 *   if (to === State.Open) banner.hide();
 * });
 * ```
 */
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

/**
 * One of the {@link State} values.
 *
 * @example
 * ```ts
 * const label: Record<State, string> = { idle: '', connecting: 'Connecting…', open: '', reconnecting: 'Offline', closed: 'Closed' };
 * ```
 */
export type State = (typeof State)[keyof typeof State];

/**
 * The minimum of a WebSocket the client uses (the browser's and `ws` both fit).
 *
 * @example
 * ```ts
 * const socket: SocketLike = new WebSocket('wss://chat.example.com/chat', 'parley.v1');
 * ```
 */
export interface SocketLike {
  readonly readyState: number;
  readonly protocol: string;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: any) => void) | null;
  onclose: Handler<{ code: number; reason: string }> | null;
  onerror: ((ev: any) => void) | null;
  onmessage: Handler<{ data: any }> | null;
}

/** An event handler checked bivariantly, so the DOM's `WebSocket` and `ws`'s fit `SocketLike` without a cast. */
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

/**
 * A WebSocket constructor: `globalThis.WebSocket` in browsers, `WebSocket` from `ws` in Node.
 *
 * @example
 * ```ts
 * import WebSocket from 'ws';
 * createClient({ url, nick: 'bot', WebSocket });
 * ```
 */
export type SocketConstructor = new (url: string, protocols: string | string[]) => SocketLike;

/**
 * The part of `Storage` the client uses (sessionStorage fits).
 *
 * @example
 * ```ts
 * const map = new Map<string, string>();
 * const storage: StorageLike = { getItem: (k) => map.get(k) ?? null, setItem: (k, v) => map.set(k, v), removeItem: (k) => map.delete(k) };
 * ```
 */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/**
 * Time and timers, injectable for tests.
 *
 * @example
 * ```ts
 * const clock: Clock = { now: () => Date.now(), setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as number) };
 * ```
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * Exponential backoff with full jitter: a delay drawn from [0, min(cap, base * factor^attempt)].
 *
 * @example
 * ```ts
 * createClient({ url, nick, backoff: { base: 1000, cap: 60_000, factor: 2, resetAfter: 30_000 } });
 * ```
 */
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

/**
 * Options of {@link createClient}. Only `url` is required.
 *
 * @example
 * ```ts
 * const options: ClientOptions = {
 *   url: ['wss://a.example.com/chat', 'wss://b.example.com/chat'],
 *   token: () => fetch('/chat-token').then((r) => r.text()),
 *   rooms: ['lobby'],
 * };
 * ```
 */
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

/**
 * A send waiting for its ack.
 *
 * @example
 * ```ts
 * for (const e of client.outbox) list.append(renderPending(e.room ?? `@${e.to}`, e.text));
 * ```
 */
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

/**
 * What `send` and `sendDirect` return: the promise of the relay's ack, which
 * carries at once the `cid` the client gave the message. The same `cid` is in
 * the ack, in the `ack` event, in the message's `outbox` entry and in the
 * `ref` of its refusal, so a UI can follow each of its messages by it (two
 * messages with the same text included). Awaited, it gives the ack as before.
 * Only the returned object carries `cid`: a promise made from it with `then`
 * does not.
 *
 * @example
 * ```ts
 * const sending = client.send('lobby', 'hi');
 * list.append(renderPending(sending.cid, 'hi'));
 * sending.then((ack) => markSent(sending.cid, ack.seq), (e: ParleyError) => markFailed(sending.cid, e.code));
 * ```
 */
export interface SendPromise extends Promise<Ack> {
  /** The client's id for this message: `ack.cid` of its ack, `ref` of its refusal. */
  readonly cid: string;
}

/**
 * `status` event: the state changed.
 *
 * @example
 * ```ts
 * client.on('status', (e: StatusEvent) => console.log(`${e.from} -> ${e.to}`, e.reason ?? '', e.code ?? ''));
 * ```
 */
export interface StatusEvent {
  from: State;
  to: State;
  /** Why: a close code and reason, `offline`, `heartbeat`, an error code... */
  reason?: string;
  /** The close code, when a socket close caused the change. */
  code?: number;
}

/**
 * `error` event, and the rejection value of failed promises.
 *
 * @example
 * ```ts
 * client.on('error', (e: ClientErrorEvent) => {
 *   if (e.ref === 'hello' && e.code === 'nickname_taken') askForAnotherNickname();
 * });
 * ```
 */
export interface ClientErrorEvent {
  /** A protocol `ErrorCode`, or a client code: `outbox_full`, `closed`, `timeout`. */
  code: string;
  message: string;
  /** The `cid`/`qid` of the refused request, or `hello`. */
  ref?: string;
}

/**
 * `members` event: a room's full member list (on welcome, join and resume).
 *
 * @example
 * ```ts
 * client.on('members', ({ room, members }) => sidebar(room).render(members.map((m) => m.name)));
 * ```
 */
export interface MembersEvent {
  room: string;
  members: Member[];
}

/**
 * Every event a client emits, with its payload type.
 *
 * @example
 * ```ts
 * const log = <K extends keyof ClientEvents>(type: K) => client.on(type, (e: ClientEvents[K]) => console.log(type, e));
 * ```
 */
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

/**
 * The client returned by {@link createClient}.
 *
 * @example
 * ```ts
 * const client: ParleyClient = createClient({ url, nick: 'ada', rooms: ['lobby'] });
 * client.on('message', (m) => render(m));
 * client.connect();
 * ```
 */
export interface ParleyClient {
  /** The current connection state. */
  readonly state: State;
  /** Who the relay says this session is, after the first `welcome`. */
  readonly user: Member | null;
  /** Rooms this client is in (or will join on connect). */
  readonly rooms: readonly string[];
  /** Sends waiting for their ack, oldest first. */
  readonly outbox: readonly OutboxEntry[];
  /**
   * Opens the connection. While connecting, open or reconnecting it does
   * nothing, `overrides` included: to connect as someone else, `close()`
   * first. Otherwise `nick`/`token` replace the options' ones for this and
   * later connects, and either starts a new session (the old one is not resumed).
   *
   * @example
   * ```ts
   * client.on('error', (e) => e.code === 'nickname_taken' && client.connect({ nick: prompt('Another nickname?')! }));
   * ```
   */
  connect(overrides?: { nick?: string; token?: string }): void;
  /**
   * Closes for good (code 1000): the relay ends the session at once (the rooms see the user leave, the
   * nickname is free). Pending `history`/`members` requests reject with `closed`. Sends stay in the
   * outbox (and in storage) and go out on the next `connect()`, in a new session. Do not call it when
   * the page unloads: the browser closes the socket with 1001 then, which keeps the session for a reload.
   *
   * @example
   * ```ts
   * logOutButton.addEventListener('click', () => client.close());
   * ```
   */
  close(): void;
  /**
   * Joins a room now (when open) and on every later connect. When the session
   * is in as many rooms as the relay's `welcome.limits.rooms` allow, it throws a
   * {@link ParleyError} `too_many_rooms`, sends nothing and keeps the room list as it was.
   *
   * @example
   * ```ts
   * client.join('support');
   * ```
   */
  join(room: string): void;
  /**
   * Leaves a room and forgets its cursor.
   *
   * @example
   * ```ts
   * client.leave('support');
   * ```
   */
  leave(room: string): void;
  /**
   * Sends to a room: queues the message in the outbox under a new `cid` and
   * returns a {@link SendPromise} that carries that `cid` at once, resolves
   * with the relay's ack and rejects with a {@link ParleyError}. A text longer
   * than the relay's `welcome.limits.text` code points is not queued: it
   * rejects at once with `text_too_long`.
   *
   * @example
   * ```ts
   * const sending = client.send('lobby', 'hello');
   * console.log(sending.cid); // 'c3k9x2a1q_1'
   * const ack = await sending; // { cid, id, seq, ts }
   * ```
   */
  send(room: string, text: string): SendPromise;
  /**
   * Sends a private message to the user with id `to`; the same as `send` otherwise.
   *
   * @example
   * ```ts
   * const { cid } = client.sendDirect('grace', 'psst');
   * ```
   */
  sendDirect(to: string, text: string): SendPromise;
  /**
   * Says this user started or stopped typing (sent only while open; never queued).
   *
   * @example
   * ```ts
   * input.addEventListener('input', () => client.typing('lobby', input.value !== ''));
   * ```
   */
  typing(room: string, on: boolean): void;
  /**
   * A page of history, newest first; `room` null pages the private inbox.
   *
   * @example
   * ```ts
   * const { messages, more } = await client.history('lobby', { before: oldest.seq, limit: 50 });
   * ```
   */
  history(room: string | null, options?: { before?: number; limit?: number }): Promise<HistoryPage>;
  /**
   * Who is in a room, asked of the relay.
   *
   * @example
   * ```ts
   * const names = (await client.members('lobby')).map((m) => m.name);
   * ```
   */
  members(room: string): Promise<Member[]>;
  /**
   * Listens to an event (typed by {@link ClientEvents}).
   *
   * @example
   * ```ts
   * client.on('direct', (m) => notify(`${m.name}: ${m.text}`));
   * ```
   */
  on<K extends keyof ClientEvents>(type: K, handler: (event: ClientEvents[K]) => void): void;
  /**
   * Stops listening: one handler, or all handlers of the event.
   *
   * @example
   * ```ts
   * client.off('message', onMessage);
   * ```
   */
  off<K extends keyof ClientEvents>(type: K, handler?: (event: ClientEvents[K]) => void): void;
}
