/**
 * The client: one connection state machine, reconnect, resume, outbox, events.
 */
import mitt from 'mitt';
import {
  CloseCode,
  SUBPROTOCOL,
  decodeServerFrame,
  encode,
  shouldReconnect,
  type Ack,
  type ClientMessage,
  type HistoryPage,
  type Member,
  type RoomState,
  type ServerMessage,
} from '@parley/protocol';
import { backoff } from './backoff.js';
import { ClientErrorCode, DEFAULTS, Reason, RETRY_HELLO, RETRY_SEND } from './constants.js';
import { ParleyError } from './errors.js';
import { Heartbeat } from './heartbeat.js';
import { isOffline, watchNetwork } from './network.js';
import { recentIds } from './seen.js';
import { defaultStorage, load, save } from './store.js';
import { State, type ClientEvents, type ClientOptions, type Clock, type OutboxEntry, type ParleyClient, type SocketLike } from './types.js';

type Settle = [resolve: (value: any) => void, reject: (error: ParleyError) => void];

// mitt ships ESM at runtime but CommonJS-style typings, which NodeNext reads as a namespace.
const emitter = mitt as unknown as typeof mitt.default;

const systemClock: Clock = {
  now: () => Date.now(),
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
  const WS = options.WebSocket ?? (globalThis as any).WebSocket;
  const storage = options.storage === undefined ? defaultStorage() : options.storage;
  const key = options.storageKey ?? DEFAULTS.storageKey;
  const outboxLimit = options.outboxLimit ?? DEFAULTS.outboxLimit;
  const requestTimeout = options.requestTimeout ?? DEFAULTS.requestTimeout;
  const resetAfter = options.backoff?.resetAfter ?? DEFAULTS.backoff.resetAfter;
  const bus = emitter<ClientEvents>();

  const saved = load(storage, key);
  let { resume, inbox } = saved;
  const cursors = new Map(Object.entries(saved.cursors));
  const rooms = [...new Set([...(options.rooms ?? []), ...saved.rooms])];
  const outbox: OutboxEntry[] = saved.outbox;
  const members = new Map<string, Member[]>();
  /** Promise handlers of sends (by cid) and of history/members queries (by qid). */
  const waiting = new Map<string, Settle>();
  /** Encoded history/members queries waiting for their answer, resent on every new connection. */
  const queries = new Map<string, string>();
  /** cids sent on the current connection. */
  const sent = new Set<string>();
  let firstTime = recentIds(DEFAULTS.seenIds);

  let state: State = State.Idle;
  let nick = options.nick;
  let token = options.token;
  let user: Member | null = null;
  let ws: SocketLike | null = null;
  /** Id of the current connection attempt: callbacks of older sockets compare unequal and are ignored. */
  let attempt = 0;
  /** Reconnect attempts since the last healthy connection (the backoff exponent). */
  let tries = 0;
  let welcomedAt = 0;
  let urlIndex = 0;
  let retryTimer: unknown;
  let pumpTimer: unknown;
  let counter = 0;
  const prefix = 'c' + Math.random().toString(36).slice(2, 10) + '_';
  let tokens: number = DEFAULTS.sendBurst;
  let refilledAt = clock.now();
  let unwatch = () => {};

  const heartbeat = new Heartbeat(
    clock,
    options.pingInterval ?? DEFAULTS.pingInterval,
    options.pingTimeout ?? DEFAULTS.pingTimeout,
    () => ws?.readyState === 1 && ws.send(encode({ type: 'ping' })),
    () => drop(Reason.Heartbeat, CloseCode.HeartbeatTimeout),
  );

  const persist = () =>
    save(storage, key, { resume, inbox, rooms, cursors: Object.fromEntries(cursors), outbox });

  /** The one place the state changes; emits `status` with the old and new state. */
  function setState(to: State, reason?: string, code?: number): void {
    const from = state;
    if (from === to) return;
    state = to;
    bus.emit('status', { from, to, reason, code });
  }

  /** Sends an envelope when a session is open; otherwise it is dropped (callers re-send on welcome). */
  function out(message: ClientMessage): void {
    if (welcomedAt && ws?.readyState === 1) ws.send(encode(message));
  }

  /** Opens a socket as a new attempt. */
  async function open(): Promise<void> {
    const id = ++attempt;
    const { url } = options;
    let socket: SocketLike;
    let hello: ClientMessage;
    try {
      const target = typeof url === 'function' ? await url() : Array.isArray(url) ? url[urlIndex % url.length]! : url;
      const tok = typeof token === 'function' ? await token() : token;
      if (id !== attempt) return;
      hello = { type: 'hello', nick, token: tok, resume, rooms: rooms.map((room) => ({ room, since: cursors.get(room) ?? 0 })), inbox };
      socket = ws = new WS(target, SUBPROTOCOL);
    } catch (e) {
      if (id === attempt) drop(Reason.Failed);
      return;
    }
    socket.onopen = () => id === attempt && socket.send(encode(hello));
    socket.onmessage = (e) => {
      if (id !== attempt) return;
      heartbeat.start();
      for (const r of decodeServerFrame(String(e.data))) if (r.ok && id === attempt) handle(r.value);
    };
    socket.onclose = (e) => id === attempt && drop(e.reason || undefined, e.code);
    socket.onerror = () => {}; // a close follows
    heartbeat.start(); // a socket that never opens or never answers counts as dead too
  }

  /**
   * The one path for every end of a connection: a close from the relay, a
   * dead heartbeat, a refused hello, a failed open, `close()`. Reconnects
   * with backoff unless the code says "do not retry".
   */
  function drop(reason?: string, code?: number): void {
    const socket = ws;
    ws = null;
    attempt++;
    heartbeat.stop();
    clock.clearTimeout(retryTimer);
    clock.clearTimeout(pumpTimer);
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = null;
      if (socket.readyState < 2) {
        try {
          socket.close(code ?? CloseCode.Normal);
        } catch {
          // already closing
        }
      }
    }
    if (welcomedAt && clock.now() - welcomedAt >= resetAfter) tries = 0;
    if (!welcomedAt) urlIndex++;
    welcomedAt = 0;
    if (code !== undefined && !shouldReconnect(code)) {
      setState(State.Closed, reason, code);
      unwatch();
      // queries fail; sends stay pending in the outbox and go out on the next connect()
      for (const qid of queries.keys()) settle(qid, null, new ParleyError(ClientErrorCode.Closed, 'The client was closed.', qid));
      return;
    }
    setState(State.Reconnecting, reason, code);
    if (!isOffline()) retryTimer = clock.setTimeout(open, backoff(tries++, options.backoff));
  }

  /** Takes a room's state from `welcome`/`joined`. */
  function adopt({ room, seq, members: list }: RoomState): void {
    const cursor = cursors.get(room);
    if (cursor === undefined || cursor > seq) {
      // a new room starts from now; a cursor ahead of the relay means its history was reset (a restarted relay)
      cursors.set(room, seq);
      if (cursor) firstTime = recentIds(DEFAULTS.seenIds);
    }
    if (!rooms.includes(room)) rooms.push(room);
    members.set(room, list);
    bus.emit('members', { room, members: list });
  }

  /** Sends what the outbox holds, paced under the relay's rate limit. */
  function pump(): void {
    clock.clearTimeout(pumpTimer);
    if (!welcomedAt || !ws) return;
    const now = clock.now();
    tokens = Math.min(DEFAULTS.sendBurst, tokens + ((now - refilledAt) * DEFAULTS.sendRate) / 1000);
    refilledAt = now;
    const frames: string[] = [];
    let left = 0;
    for (const { cid, room, to, text } of outbox) {
      if (sent.has(cid)) continue;
      if (tokens < 1) left++;
      else {
        tokens--;
        sent.add(cid);
        frames.push(encode(room === undefined ? { type: 'dm', to: to!, text, cid } : { type: 'send', room, text, cid }));
      }
    }
    if (frames.length) ws.send(frames.join('\n'));
    if (left) pumpTimer = clock.setTimeout(pump, 1000 / DEFAULTS.sendRate);
  }

  function settle(ref: string, value: unknown, error?: ParleyError): void {
    const handlers = waiting.get(ref);
    waiting.delete(ref);
    queries.delete(ref);
    if (error) handlers?.[1](error);
    else handlers?.[0](value);
  }

  function unqueue(cid: string): boolean {
    const i = outbox.findIndex((e) => e.cid === cid);
    if (i < 0) return false;
    outbox.splice(i, 1);
    sent.delete(cid);
    persist();
    return true;
  }

  /** Delivers a room or private message once: never twice by `id`, never at or below the cursor. */
  function deliver(message: ServerMessage & { type: 'msg' | 'direct' }): void {
    const room = message.type === 'msg' ? message.room : null;
    const cursor = room === null ? inbox : cursors.get(room);
    if (!firstTime(message.id) || message.seq <= (cursor ?? 0)) return;
    if (room === null) inbox = message.seq;
    else cursors.set(room, message.seq);
    persist();
    if (message.type === 'msg') bus.emit('message', message);
    else bus.emit('direct', message);
  }

  function handle(m: ServerMessage): void {
    switch (m.type) {
      case 'welcome': {
        welcomedAt = clock.now();
        user = m.user;
        resume = m.resume;
        heartbeat.interval = m.limits.ping;
        heartbeat.timeout = m.limits.pingTimeout;
        heartbeat.start();
        if (inbox === undefined || inbox > m.inbox) inbox = m.inbox;
        m.rooms.forEach(adopt);
        persist();
        sent.clear();
        setState(State.Open);
        bus.emit('welcome', { user: m.user, resumed: m.resumed });
        for (const query of queries.values()) ws!.send(query);
        pump();
        return;
      }
      case 'joined':
        adopt(m);
        return persist();
      case 'presence': {
        const list = (members.get(m.room) ?? []).filter((u) => u.id !== m.user.id);
        if (m.event === 'join') list.push(m.user);
        members.set(m.room, list);
        bus.emit('presence', m);
        bus.emit('members', { room: m.room, members: list });
        return;
      }
      case 'msg':
      case 'direct':
        return deliver(m);
      case 'ack':
        unqueue(m.cid);
        settle(m.cid, m);
        bus.emit('ack', m);
        return;
      case 'typing':
        bus.emit('typing', m);
        return;
      case 'page':
        return settle(m.qid, m);
      case 'members':
        return settle(m.qid, m.members);
      case 'gap':
        if (m.room === undefined) inbox = Math.max(inbox ?? 0, m.end);
        else cursors.set(m.room, Math.max(cursors.get(m.room) ?? 0, m.end));
        persist();
        bus.emit('gap', m);
        return;
      case 'error': {
        const { code, message, ref } = m;
        bus.emit('error', ref === undefined ? { code, message } : { code, message, ref });
        if (ref === 'hello') {
          // a refused hello the caller must fix (nickname, token): stop; connect() again with other values
          if (!RETRY_HELLO.includes(code)) drop(code, CloseCode.Normal);
        } else if (ref !== undefined) {
          if (RETRY_SEND.includes(code) && sent.delete(ref)) pumpTimer = clock.setTimeout(pump, 1000);
          else if (unqueue(ref) || waiting.has(ref)) settle(ref, null, new ParleyError(code, message, ref));
        }
      }
    }
  }

  /** Queues a send in the outbox and resolves with its ack. */
  function enqueue(entry: { room?: string; to?: string; text: string }): Promise<Ack> {
    if (outbox.length >= outboxLimit) {
      return Promise.reject(new ParleyError(ClientErrorCode.OutboxFull, `The outbox holds ${outboxLimit} unacknowledged messages.`));
    }
    const cid = prefix + (++counter).toString(36);
    outbox.push({ cid, ...entry, ts: clock.now() });
    persist();
    const promise = new Promise<Ack>((resolve, reject) => waiting.set(cid, [resolve, reject]));
    pump();
    return promise;
  }

  /** Sends a history/members query now or on the next welcome; resolves with its answer. */
  function request<T>(query: ClientMessage & { qid: string }): Promise<T> {
    const frame = encode(query);
    queries.set(query.qid, frame);
    if (welcomedAt) ws!.send(frame);
    return new Promise<T>((resolve, reject) => {
      const timer = clock.setTimeout(
        () => settle(query.qid, null, new ParleyError(ClientErrorCode.Timeout, `No answer within ${requestTimeout} ms.`, query.qid)),
        requestTimeout,
      );
      waiting.set(query.qid, [
        (v) => (clock.clearTimeout(timer), resolve(v)),
        (e) => (clock.clearTimeout(timer), reject(e)),
      ]);
    });
  }

  /** Reconnects now if waiting to, else checks the socket is alive. */
  function wake(): void {
    if (ws) heartbeat.start(0);
    else if (state === State.Reconnecting && !isOffline()) {
      clock.clearTimeout(retryTimer);
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
    get rooms() {
      return [...rooms];
    },
    get outbox() {
      return outbox.map((e) => ({ ...e }));
    },
    connect(overrides = {}) {
      nick = overrides.nick ?? nick;
      token = overrides.token ?? token;
      if (state !== State.Idle && state !== State.Closed) return;
      if (options.watchNetwork !== false) unwatch = watchNetwork(wake, () => clock.clearTimeout(retryTimer), wake);
      tries = 0;
      setState(State.Connecting);
      open();
    },
    close() {
      if (state !== State.Closed) drop(Reason.Closed, CloseCode.Normal);
    },
    join(room) {
      if (!rooms.includes(room)) rooms.push(room);
      persist();
      const since = cursors.get(room);
      out(since ? { type: 'join', room, since } : { type: 'join', room });
    },
    leave(room) {
      const i = rooms.indexOf(room);
      if (i >= 0) rooms.splice(i, 1);
      cursors.delete(room);
      members.delete(room);
      persist();
      out({ type: 'leave', room });
    },
    send: (room, text) => enqueue({ room, text }),
    sendDirect: (to, text) => enqueue({ to, text }),
    typing(room, on) {
      out({ type: 'typing', room, on });
    },
    history(room, { before, limit } = {}) {
      const qid = prefix + 'q' + (++counter).toString(36);
      return request<HistoryPage>({ type: 'history', qid, room: room ?? undefined, before, limit });
    },
    members(room) {
      return request<Member[]>({ type: 'members', qid: prefix + 'q' + (++counter).toString(36), room });
    },
    on: bus.on,
    off: bus.off,
  };
}
