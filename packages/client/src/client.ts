/**
 * The client: one connection state machine, reconnect, resume, outbox, events.
 */
import mitt from 'mitt';
import {
  CloseCode,
  ErrorCode,
  SUBPROTOCOL,
  decodeServerFrame,
  encode,
  shouldReconnect,
  type Ack,
  type ClientMessage,
  type HistoryPage,
  type HistoryRequest,
  type Member,
  type MembersRequest,
  type RoomMessage,
  type RoomState,
  type ServerMessage,
  type SessionLimits,
} from '@parley/protocol';
import { backoff } from './backoff.js';
import {
  BACKOFF_RESET_AFTER,
  ClientErrorCode,
  OUTBOX_LIMIT,
  PING_INTERVAL,
  PING_TIMEOUT,
  Reason,
  REQUEST_TIMEOUT,
  RETRY_SEND,
  RETRY_SEND_DELAY,
  SEEN_IDS,
  SEND_BURST,
  SEND_RATE,
  STORAGE_KEY,
} from './constants.js';
import { parleyError, type ParleyError } from './errors.js';
import { heartbeat } from './heartbeat.js';
import { tokenBucket } from './pacer.js';
import { isOffline, watchNetwork } from './network.js';
import { recentIds } from './seen.js';
import { defaultStorage, load, save } from './store.js';
import { State, type ClientEvents, type ClientOptions, type Clock, type OutboxEntry, type ParleyClient, type SendPromise, type SocketConstructor, type SocketLike } from './types.js';

/** What waits for an answer: the promise's handlers, and for a query its timeout and the query (resent after a reconnect). */
type Pending = [resolve: (value: any) => void, reject: (error: any) => void, timer?: unknown, query?: ClientMessage];

// mitt ships ESM at runtime but CommonJS-style typings, which NodeNext reads as a namespace.
const emitter = mitt as unknown as typeof mitt.default;

const systemClock: Clock = {
  now: Date.now,
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Creates a Parley client. It does nothing until `connect()`; then it keeps
 * one session with the relay alive: it reconnects with backoff, resumes the
 * session and replays what was missed, and sends every message exactly once
 * (outbox with acks), across socket drops and page reloads.
 *
 * @example
 * ```ts
 * import { createClient } from '@parley/client';
 *
 * const client = createClient({ url: 'wss://chat.example.com/chat', nick: 'ada', rooms: ['lobby'] });
 * client.on('message', (m) => console.log(`${m.name}: ${m.text}`));
 * client.on('status', ({ to }) => console.log('connection:', to));
 * client.connect();
 * await client.send('lobby', 'hello');
 * ```
 *
 * In Node, pass a WebSocket implementation:
 * ```ts
 * import WebSocket from 'ws';
 * const client = createClient({ url, nick: 'bot', WebSocket, storage: null });
 * ```
 */
export function createClient(options: ClientOptions): ParleyClient {
  const clock = options.clock ?? systemClock;
  const WS: SocketConstructor = options.WebSocket ?? (globalThis as any).WebSocket;
  const storage = options.storage === undefined ? defaultStorage() : options.storage;
  const key = options.storageKey ?? STORAGE_KEY;
  const bus = emitter<ClientEvents>();

  const saved = load(storage, key);
  let { resume } = saved;
  /**
   * Last delivered `seq` per room; the key `''` (never a room name) is the private inbox.
   * Beside each room's cursor, under `'@' + room`, the epoch it belongs to (as the relay announced it).
   */
  const { cursors } = saved;
  const rooms = [...new Set([...(options.rooms ?? []), ...saved.rooms])];
  const outbox: OutboxEntry[] = saved.outbox;
  /** Sends (by cid) and history/members queries (by qid) waiting for their answer. */
  const pending = new Map<string, Pending>();
  /** cids sent on the current connection. */
  const sent = new Set<string>();
  const firstTime = recentIds(SEEN_IDS);

  let state: State = State.Idle;
  let { nick, token } = options;
  let user: Member | null = null;
  let ws: SocketLike | null = null;
  /** Id of the current connection attempt: callbacks of older sockets compare unequal and are ignored. */
  let attempt = 0;
  /** Reconnect attempts since the last healthy connection (the backoff exponent). */
  let tries = 0;
  /** When the current connection got its `welcome` (0: no session yet). */
  let welcomedAt = 0;
  let urlIndex = 0;
  /**
   * The client's one timer besides the heartbeat. Without a session it waits
   * to reconnect; with one it paces the outbox. The two are never needed at
   * once: every end of a session clears it, and a new session only starts
   * once the reconnect it waited for has begun.
   */
  let timer: unknown;
  let counter = 0;
  const prefix = 'c' + Math.random().toString(36).slice(2, 10) + '_';
  const nextId = () => prefix + (++counter).toString(36);
  const mayPass = tokenBucket(clock, SEND_BURST, SEND_RATE);
  let unwatch = () => {};
  /**
   * The limits in force: the relay's `welcome.limits` once a session has
   * them; before that only the heartbeat of the options (the others are
   * unknown until a relay announces them).
   */
  let limits: Partial<SessionLimits> & Pick<SessionLimits, 'ping' | 'pingTimeout'> = {
    ping: options.pingInterval ?? PING_INTERVAL,
    pingTimeout: options.pingTimeout ?? PING_TIMEOUT,
  };

  const { start: beat, stop: unbeat } = heartbeat(
    clock,
    () => limits,
    () => out({ type: 'ping' }), // before welcome no ping: silence past interval + timeout still ends the attempt
    () => drop(Reason.Heartbeat, CloseCode.HeartbeatTimeout),
  );

  const persist = () => save(storage, key, { resume, rooms, cursors, outbox });

  /** The one place the state changes; emits `status` with the old and new state. */
  function setState(to: State, reason?: string, code?: number): void {
    if (state !== to) bus.emit('status', { from: state, to: (state = to), reason, code });
  }

  /** Sends an envelope when a session is open; otherwise it is dropped (the next hello carries rooms again). */
  function out(message: ClientMessage): void {
    if (welcomedAt) ws!.send(encode(message));
  }

  /** Opens a socket as a new attempt. */
  async function open(): Promise<void> {
    const id = ++attempt;
    try {
      const { url } = options;
      const list = [url].flat() as string[];
      const target = typeof url === 'function' ? await url() : list[urlIndex % list.length]!;
      const tok = typeof token === 'function' ? await token() : token;
      if (id !== attempt) return;
      const socket = (ws = new WS(target, SUBPROTOCOL));
      socket.onopen = () =>
        id === attempt &&
        socket.send(
          encode({
            type: 'hello',
            nick,
            token: tok,
            resume,
            rooms: rooms.map((room) => ({ room, since: cursors[room] ?? 0, epoch: cursors['@' + room] })),
            inbox: cursors[''],
          }),
        );
      socket.onmessage = (e) => {
        if (id === attempt) beat();
        for (const r of decodeServerFrame(e.data)) if (r.ok && id === attempt) handle(r.value);
      };
      socket.onclose = (e) => id === attempt && drop(e.reason || undefined, e.code);
      socket.onerror = () => {}; // a close follows
      beat(); // a socket that never opens or never answers counts as dead too
    } catch {
      if (id === attempt) drop(Reason.Failed);
    }
  }

  /**
   * The one path for every end of a connection: a close from the relay, a
   * dead heartbeat, a refused hello, a failed open, `close()`. Reconnects
   * with backoff unless the code says "do not retry".
   */
  function drop(reason?: string, code?: number): void {
    // the old socket's late callbacks are ignored by the attempt id; closing a closed socket does nothing,
    // and browsers only let a page close with 1000 or 3000-4999
    ws?.close(code! >= CloseCode.RetryRangeStart ? code : CloseCode.Normal);
    ws = null;
    attempt++;
    unbeat();
    clock.clearTimeout(timer);
    if (welcomedAt && clock.now() - welcomedAt >= (options.backoff?.resetAfter ?? BACKOFF_RESET_AFTER)) tries = 0;
    if (!welcomedAt) urlIndex++;
    welcomedAt = 0;
    if (code !== undefined && !shouldReconnect(code)) {
      setState(State.Closed, reason, code);
      unwatch();
      // queries fail; sends stay pending in the outbox and go out on the next connect()
      pending.forEach(([, , , query], ref) => query && settle(ref, null, parleyError(ClientErrorCode.Closed, ref)));
    } else {
      setState(State.Reconnecting, reason, code);
      if (!isOffline()) timer = clock.setTimeout(open, backoff(tries++, options.backoff));
    }
  }

  /**
   * Takes the relay's latest `seq` of a room (or of the inbox, key `''`). A
   * room seen for the first time starts from now. A cursor ahead of the relay,
   * or of another run of the room's `seq`s (`restarted`: its epoch changed),
   * means the sequence started over (a restarted in-memory relay): start over
   * from 0, so what it replays or sends next counts as new (message ids stay
   * unique across relay restarts, so the id memory is kept). A relay that
   * says so sends a `gap` without `end` too, which does the same.
   */
  function track(room: string, seq: number, restarted?: unknown): void {
    const cursor = cursors[room];
    if (cursor === undefined || cursor > seq || restarted) cursors[room] = cursor === undefined ? seq : 0;
  }

  const addRoom = (room: string) => rooms.includes(room) || rooms.push(room);

  /**
   * Takes a room's state from `welcome`/`joined` (and passes it on as the
   * `members` event), and keeps its epoch: one that differs from the cursor's
   * means the room's sequence started over.
   */
  function adopt(state: RoomState): void {
    const { room, epoch } = state;
    track(room, state.seq, epoch != cursors['@' + room]);
    cursors['@' + room] = epoch;
    addRoom(room);
    bus.emit('members', state);
  }

  /** Sends what the outbox holds, paced under the relay's rate limit (a token bucket). */
  function pump(): void {
    if (!welcomedAt) return; // (without a session the timer waits to reconnect: leave it)
    clock.clearTimeout(timer);
    for (const { cid, room, to, text } of outbox) {
      if (sent.has(cid)) continue;
      if (!mayPass()) {
        timer = clock.setTimeout(pump, 1000 / SEND_RATE);
        break;
      }
      sent.add(cid);
      // a send has a room, a dm an addressee: the one left undefined is not encoded
      ws!.send(encode({ type: to === undefined ? 'send' : 'dm', room, to, text, cid } as ClientMessage));
    }
  }

  /** Resolves (or rejects) what waits for `ref`, and takes a send out of the outbox. */
  function settle(ref: string, value: unknown, error?: ParleyError): void {
    const waiting = pending.get(ref);
    const i = outbox.findIndex((e) => e.cid === ref);
    if (i >= 0) {
      outbox.splice(i, 1);
      sent.delete(ref);
      persist();
    }
    pending.delete(ref);
    clock.clearTimeout(waiting?.[2]);
    waiting?.[error ? 1 : 0](error ?? value);
  }

  function handle(m: ServerMessage): void {
    switch (m.type) {
      case 'welcome': {
        // a session that could not be taken back: the private messages it held may be gone (a gap; the inbox restarts at 0)
        if (resume && !m.resumed && cursors['']) handle({ type: 'gap', start: cursors[''] + 1 });
        welcomedAt = clock.now();
        ({ user, resume, limits } = m);
        beat();
        track('', m.inbox);
        m.rooms.forEach(adopt);
        persist();
        sent.clear();
        setState(State.Open);
        bus.emit('welcome', { user, resumed: m.resumed });
        pending.forEach(([, , , query]) => query && out(query));
        return pump();
      }
      case 'joined':
        adopt(m);
        return persist();
      case 'presence':
      case 'typing':
        return bus.emit(m.type, m as any);
      case 'msg':
      case 'direct': {
        // delivered once: never twice by id, never at or below the cursor (none yet: seq >= 1 passes)
        const room = (m as RoomMessage).room ?? '';
        if (!firstTime(m.id) || m.seq <= cursors[room]) return;
        cursors[room] = m.seq;
        persist();
        return bus.emit(m.type === 'msg' ? 'message' : ('direct' as any), m);
      }
      case 'ack':
        settle(m.cid, m);
        return bus.emit('ack', m);
      case 'page':
        return settle(m.qid, m);
      case 'members':
        return settle(m.qid, m.members);
      case 'gap': {
        const room = m.room ?? '';
        // without `end` the room's sequence started over: follow the new one from its start
        cursors[room] = m.end === undefined ? 0 : Math.max(cursors[room] ?? 0, m.end);
        persist();
        return bus.emit('gap', m);
      }
      case 'error': {
        const { code, message, ref = '' } = m;
        bus.emit('error', m);
        if (ref === 'hello') {
          // a refused hello the caller must fix (nickname, token): stop; connect() again with other values.
          // One the relay could not answer now (unavailable, internal, rate_limited) is retried: 1011 closes
          // this socket with 1000 (ending any half-made session) and reconnects with backoff.
          if (code !== ErrorCode.TokenExpired) drop(code, RETRY_SEND.includes(code) ? CloseCode.InternalError : CloseCode.Normal);
        } else if (RETRY_SEND.includes(code) && sent.delete(ref)) {
          timer = clock.setTimeout(pump, RETRY_SEND_DELAY);
        } else settle(ref, null, parleyError(code, ref, message));
      }
    }
  }

  /**
   * Queues a send in the outbox under a new `cid`; the promise carries the `cid` and resolves with the ack.
   * A text longer than the relay's `limits.text` code points, or one past a full outbox, is refused here
   * and never sent. (Before the first welcome the text limit is unknown: `n > undefined` is false.)
   */
  function enqueue(entry: { room?: string; to?: string; text: string }): SendPromise {
    const cid = nextId();
    const refused =
      [...entry.text].length > limits.text! ? ErrorCode.TextTooLong : outbox.length >= (options.outboxLimit ?? OUTBOX_LIMIT) && ClientErrorCode.OutboxFull;
    const promise = new Promise<Ack>((resolve, reject) =>
      refused ? reject(parleyError(refused, cid)) : pending.set(cid, [resolve, reject]),
    ) as Promise<Ack> & { cid: string };
    if (!refused) {
      outbox.push({ cid, ...entry, ts: clock.now() });
      persist();
      pump();
    }
    promise.cid = cid;
    return promise;
  }

  /** Sends a history/members query under a new `qid`, now or on the next welcome; resolves with its answer. */
  function request<T>(query: Omit<HistoryRequest, 'qid'> | Omit<MembersRequest, 'qid'>): Promise<T> {
    // the query is made into its envelope in place (a named copy costs the bundle 6 bytes)
    const qid = ((query as HistoryRequest | MembersRequest).qid = nextId());
    out(query as ClientMessage);
    return new Promise<T>((resolve, reject) => {
      const timeout = () => settle(qid, null, parleyError(ClientErrorCode.Timeout, qid));
      pending.set(qid, [resolve, reject, clock.setTimeout(timeout, options.requestTimeout ?? REQUEST_TIMEOUT), query as ClientMessage]);
    });
  }

  /** Reconnects now if waiting to, else checks the socket is alive. */
  function wake(): void {
    if (ws) beat(0);
    else if (state === State.Reconnecting && !isOffline()) {
      clock.clearTimeout(timer);
      open();
    }
  }

  return {
    get state() {
      return state;
    },
    get user() {
      return user;
    },
    rooms, // both arrays change in place
    outbox,
    connect(overrides = {}) {
      // a no-op while a session is wanted (connecting, open, reconnecting): the identity is not changed under it
      if (state !== State.Idle && state !== State.Closed) return;
      if (overrides.nick || overrides.token) resume = undefined; // another identity: do not take the old session back
      nick = overrides.nick ?? nick;
      token = overrides.token ?? token;
      if (options.watchNetwork !== false) {
        // offline: the path is gone; drop the socket now (4000 keeps the session for a resume), and make
        // no attempt while the browser says it is offline (drop() and wake() read navigator.onLine)
        unwatch = watchNetwork(wake, () => drop(Reason.Offline, CloseCode.HeartbeatTimeout));
      }
      tries = 0;
      setState(State.Connecting);
      open();
    },
    close() {
      drop(Reason.Closed, CloseCode.Normal);
    },
    join(room) {
      // past the relay's room limit nothing is sent, and the room is not kept for later hellos
      // (before the first welcome the limit is unknown: `n >= undefined` is false)
      if (!rooms.includes(room) && rooms.length >= limits.rooms!) throw parleyError(ErrorCode.TooManyRooms);
      addRoom(room);
      persist();
      out({ type: 'join', room, since: cursors[room] || undefined, epoch: cursors['@' + room] });
    },
    leave(room) {
      rooms.splice(rooms.indexOf(room) >>> 0, 1);
      delete cursors[room];
      delete cursors['@' + room];
      persist();
      out({ type: 'leave', room });
    },
    send: (room, text) => enqueue({ room, text }),
    sendDirect: (to, text) => enqueue({ to, text }),
    typing(room, on) {
      out({ type: 'typing', room, on });
    },
    history: (room, page) => request({ type: 'history', room: room ?? undefined, ...page }),
    members: (room) => request({ type: 'members', room }),
    on: bus.on,
    off: bus.off,
  };
}
