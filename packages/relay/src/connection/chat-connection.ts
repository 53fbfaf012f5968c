/**
 * One `/chat` connection speaking `parley.v1`: decodes frames, applies the
 * rate limit and abuse strikes, hands each envelope to its handler in order,
 * and owns the single path by which the connection ends.
 */
import { CloseCode, ErrorCode, decodeClientFrame, type ClientMessage, type DecodeError, type ServerMessage } from '@parley/protocol';
import { randomBytes } from 'node:crypto';
import type { RawData, WebSocket } from 'ws';
import { closeSocket, socketErrorLabel, type CloseLabel } from '../wire/closing.js';
import { SessionMovedError } from '../sessions/errors.js';
import { UnavailableError } from '../store/errors.js';
import type { RelayContext } from '../handlers/context.js';
import { MAX_TIMER_MS, type Deadline, type Expiring } from '../limits/deadlines.js';
import type { Watched } from '../limits/heartbeat.js';
import { handleHello } from '../handlers/hello.js';
import { handleDirect, handleSend } from '../handlers/message-handlers.js';
import { Outbound } from '../wire/outbound.js';
import type { RelaySocket } from '../wire/relay-socket.js';
import { handleHistory, handleJoin, handleLeave, handleMembers, handleTyping } from '../handlers/room-handlers.js';
import type { Session } from '../sessions/session.js';
import type { ChatPort } from '../handlers/port.js';
import type { Recipient, RoomBatch } from '../fanout/room-batch.js';
import { SocketWriter, type WriterOptions } from '../fanout/socket-writer.js';
import { takeToken } from '../limits/token-bucket.js';

type State = 'greeting' | 'ready' | 'closing' | 'closed';

/** The deadlines a connection can have: the hello timeout, then its token's expiry. */
type DeadlineName = 'hello_timeout' | 'token_expired';

/** Longest {@link ChatConnection.drained} waits before it looks at the send buffer again, ms. */
const DRAIN_POLL_MS = 1000;

/** The `tail` of a connection with nothing left to handle: one settled promise shared by all. */
const SETTLED: Promise<void> = Promise.resolve();

const refOf = (m: ClientMessage): string | undefined =>
  m.type === 'hello' ? 'hello' : 'cid' in m ? m.cid : 'qid' in m ? m.qid : undefined;

/**
 * An idle connection costs little memory: no closures, no timer and no
 * rate-limit object of its own. Its socket's listeners are functions shared
 * by every connection that find it through `this.endpoint`
 * ({@link RelaySocket}; its close comes through the gateway's listener); the
 * connection is its writer's options, the heartbeat's watched object and the
 * target of its hello and token deadlines.
 *
 * @example
 * ```ts
 * wss.handleUpgrade(req, socket, head, (ws) => new ChatConnection(ws, ctx)); // ws: a RelaySocket
 * ```
 */
export class ChatConnection implements ChatPort, WriterOptions, Watched, Expiring<DeadlineName> {
  /** The session, once `welcome` was sent. */
  session: Session | undefined;
  /** Whether the peer showed life since the heartbeat's last ping (see {@link Watched}). */
  alive = true;
  private state: State = 'greeting';
  private readonly writer: SocketWriter;
  /** The rate limit's token bucket: when it is full again (see {@link takeToken}). */
  private bucketFullAt = performance.now();
  private rateStrikes = 0;
  private invalidStrikes = 0;
  /** Frames received and not yet handled. */
  private pending = 0;
  private tail: Promise<void> = SETTLED;
  /**
   * Room sends still waiting for their store's commit (durable stores only):
   * they do not hold up the sends behind them, so one transaction takes
   * many; anything else waits for them, so its answer follows their acks.
   */
  private inflight: Promise<void> = SETTLED;
  private inflightCount = 0;
  /** The hello timeout until `welcome`, then the token's expiry (if any). */
  private deadline: Deadline<DeadlineName> | undefined;
  private held: Outbound[] | null = null;
  private closeLabel: CloseLabel = 'client';

  constructor(
    private readonly ws: RelaySocket,
    readonly ctx: RelayContext,
  ) {
    const { config } = ctx;
    ws.endpoint = this;
    this.writer = new SocketWriter(ws, ctx.scheduler, this);
    ws.on('message', ChatConnection.onMessage);
    ws.on('error', ChatConnection.onError);
    this.deadline = ctx.heartbeat.deadlines.after(config.helloTimeoutMs, this, 'hello_timeout');
    ctx.heartbeat.watch(ws, this);
  }

  private static onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
    ((this as RelaySocket).endpoint as ChatConnection).receive(data as Buffer, isBinary);
  }

  private static onError(this: WebSocket, err: Error): void {
    const conn = (this as RelaySocket).endpoint as ChatConnection;
    conn.closeLabel = socketErrorLabel(err);
    conn.ctx.log.debug({ err: err.message }, 'socket error');
  }

  /** Always `chat` (a {@link Peer}). */
  get kind(): 'chat' {
    return 'chat';
  }

  /** Protocol clients get everything of one flush in one frame (a {@link WriterOptions}). */
  get batch(): boolean {
    return true;
  }

  /** The send-buffer cap (a {@link WriterOptions}). */
  get sendBufferBytes(): number {
    return this.ctx.config.sendBufferBytes;
  }

  /** The reader is too slow for its send-buffer cap (called by the writer). */
  onSlow(): void {
    this.close(CloseCode.SlowConsumer, 'reading too slowly', 'slow_consumer');
  }

  /** A frame of `envelopes` envelopes was written (called by the writer). */
  onFrame(envelopes: number): void {
    const { metrics } = this.ctx;
    metrics.framesOut++;
    metrics.messagesOut += envelopes;
  }

  /** The peer answered no heartbeat for a whole interval (called by the heartbeat). */
  heartbeatLost(): void {
    this.close(CloseCode.HeartbeatTimeout, 'heartbeat timeout', 'heartbeat');
  }

  /** The hello timeout or the token's expiry passed (called by the deadlines). */
  expired(what: DeadlineName): void {
    this.deadline = undefined;
    if (what === 'hello_timeout') {
      this.close(CloseCode.HelloTimeout, `no hello within ${this.ctx.config.helloTimeoutMs} ms`, 'hello_timeout');
    } else {
      this.close(CloseCode.TokenExpired, 'token expired', 'token_expired');
    }
  }

  /** Resolves when every frame received so far has been handled. */
  get idle(): Promise<void> {
    return this.tail.then(() => this.inflight);
  }

  /** The client's address, as the per-address limits count it. */
  get address(): string {
    return this.ws.ip;
  }

  /** Whether the connection can still send and receive. */
  get open(): boolean {
    return this.state === 'greeting' || this.state === 'ready';
  }

  /** The session while this connection is the one it is attached to (a {@link WriterOptions}). */
  attachedSession(): Session | undefined {
    const session = this.session;
    return session !== undefined && session.peer === this ? session : undefined;
  }

  /** Whether broadcasts are held back for now (a {@link WriterOptions}). */
  get holding(): boolean {
    return this.held !== null;
  }

  /** Takes a room batch at its flush (a {@link Peer}). */
  takeBatch(batch: RoomBatch, session: Recipient): void {
    this.writer.takeBatch(batch, session);
  }

  /** Delivers a broadcast (held back while a join or hello is being answered). */
  deliver(out: Outbound): void {
    if (this.held) this.held.push(out);
    else this.writer.push(out.bytes, out.frame);
  }

  /** Sends an envelope to this connection only, right away (never held); answers its size in bytes. */
  reply(envelope: ServerMessage): number {
    const bytes = new Outbound(envelope).bytes;
    this.writer.push(bytes);
    return bytes.length;
  }

  /** Writes out what is queued, then resolves once the send buffer holds at most `bytes` (or the connection closed). */
  async drained(bytes: number): Promise<void> {
    this.writer.flush();
    const wire = this.ws.wire;
    // 'drain' comes only after the socket's buffer passed its high-water mark: never wait below it
    const low = Math.max(bytes, wire.writableHighWaterMark);
    while (this.open && this.ws.bufferedAmount > low) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          wire.off('drain', done);
          wire.off('close', done);
          resolve();
        };
        // a look now and then besides: the buffer may have drained in a way that emitted nothing
        const timer = setTimeout(done, DRAIN_POLL_MS);
        wire.on('drain', done);
        wire.on('close', done);
      });
    }
  }

  /**
   * Calls `fn` once the client's WebSocket shows it received everything sent
   * so far: a ping with a random payload goes out right behind it (after the
   * next flush), and `fn` runs when its pong comes back. Never runs when the
   * connection closes first (a cut swallowed what was sent).
   */
  whenReceived(fn: () => void): void {
    const ws = this.ws;
    const payload = randomBytes(8);
    const answered = (data: Buffer): void => {
      if (!payload.equals(data)) return;
      ws.off('pong', answered);
      if (this.open) fn();
    };
    this.ctx.scheduler.onceFlushed(() => {
      if (!this.open) return;
      ws.on('pong', answered);
      try {
        ws.ping(payload);
      } catch {
        ws.off('pong', answered);
      }
    });
  }

  /** Sends an `error` envelope. */
  fail(code: ErrorCode, message: string, ref?: string): void {
    this.ctx.metrics.errors.labels(code).inc();
    this.reply(ref === undefined ? { type: 'error', code, message } : { type: 'error', code, message, ref });
  }

  /**
   * Holds broadcasts back while a multi-step answer (welcome or joined, then
   * replay) is written, so they follow it in order.
   */
  hold(): void {
    this.writer.catchUp();
    this.held ??= [];
  }

  /**
   * Releases held broadcasts, skipping messages the client already has from
   * the replay (or said it had): a room message whose `seq` is at most
   * `cursors.get(room)`, a direct one at most `cursors.get('')`. Anything
   * else held is delivered, so nothing published meanwhile is lost.
   */
  release(cursors: ReadonlyMap<string, number>): void {
    this.writer.catchUp();
    const held = this.held;
    this.held = null;
    if (!held) return;
    for (const out of held) {
      const e = out.envelope;
      const cursor = e.type === 'msg' ? cursors.get(e.room) : e.type === 'direct' ? cursors.get('') : undefined;
      if (cursor !== undefined && 'seq' in e && e.seq <= cursor) continue;
      this.writer.push(out.bytes, out.frame);
    }
  }

  /** The session is established: stop the hello timeout, watch the token's expiry. */
  established(session: Session): void {
    this.session = session;
    this.state = 'ready';
    // the hello that opened the session costs no token: a fresh connection's bucket takes one maximal batch whole
    this.bucketFullAt -= 1000 / this.ctx.config.ratePerSecond;
    // a connection that follows a drained one from the same address starts with its bucket (see RateDebts)
    const owed = this.ctx.rateDebts.fullAt(this.ws.ip, performance.now());
    if (owed > this.bucketFullAt) this.bucketFullAt = owed;
    const deadlines = this.ctx.heartbeat.deadlines;
    deadlines.cancel(this.deadline);
    this.deadline = undefined;
    const left = session.tokenExpiresAt === undefined ? undefined : session.tokenExpiresAt - Date.now();
    if (left !== undefined && left <= MAX_TIMER_MS) this.deadline = deadlines.after(Math.max(0, left), this, 'token_expired');
  }

  /**
   * The one way the relay ends a connection: counts and logs the reason,
   * flushes what is queued (unless the reader is too slow for it), and closes.
   */
  close(code: number, reason: string, label: CloseLabel): void {
    if (!this.open) return;
    this.state = 'closing';
    this.stopTimers();
    this.ctx.metrics.closes.labels(label).inc();
    this.ctx.log.info({ session: this.session?.id, user: this.session?.user.member.id, code, reason: label }, 'closing connection');
    if (label !== 'slow_consumer') this.writer.flush();
    this.writer.stop();
    closeSocket(this.ws, code, reason);
  }

  private receive(data: Buffer, isBinary: boolean): void {
    this.alive = true;
    if (!this.open || this.ctx.closing) {
      this.ctx.metrics.drops.labels('closing').inc();
      return;
    }
    const receivedAt = performance.now();
    this.pending++;
    this.tail = this.tail.then(() => this.process(data, isBinary, receivedAt));
  }

  /** Handles one frame, then lets go of the promise chain when nothing else is waiting. */
  private async process(data: Buffer, isBinary: boolean, receivedAt: number): Promise<void> {
    try {
      if (!this.open) return;
      if (isBinary) {
        this.ctx.metrics.countIn('binary');
        this.refuse({ code: ErrorCode.BadJson, message: 'Binary frames are not accepted on /chat; send JSON text.' });
        return;
      }
      const envelopes = decodeClientFrame(data.toString('utf8'));
      const { rateBurst } = this.ctx.config;
      if (envelopes.length > rateBurst) {
        // a batch the bucket could never take whole is refused as one frame, not envelope by envelope
        this.ctx.metrics.countIn('invalid');
        this.refuse({ code: ErrorCode.FrameTooLarge, message: `A frame may carry at most ${rateBurst} envelopes on this relay (its rate burst).` });
        return;
      }
      for (const r of envelopes) {
        if (!this.open) return;
        const ref = r.ok ? refOf(r.value) : r.error.ref;
        this.ctx.metrics.countIn(r.ok ? r.value.type : 'invalid');
        if (!this.takeToken()) {
          this.rateLimited(ref);
          continue;
        }
        if (!r.ok) {
          this.refuse(r.error);
          continue;
        }
        if (this.pipelines(r.value)) {
          this.track(this.dispatch(r.value, receivedAt) as Promise<void>, r.value.type, ref);
          continue;
        }
        if (this.inflightCount > 0) await this.inflight;
        try {
          await this.dispatch(r.value, receivedAt);
        } catch (err) {
          this.failed(err, r.value.type, ref);
        }
      }
    } finally {
      if (--this.pending === 0) this.tail = SETTLED;
    }
  }

  /**
   * A handler threw. Redis being away is `unavailable` (retryable; during a
   * hello the connection closes with 4005 so the client retries, maybe
   * elsewhere); anything else is `internal`.
   */
  private failed(err: unknown, type: string, ref: string | undefined): void {
    const { log } = this.ctx;
    if (this.held) this.release(new Map());
    if (err instanceof SessionMovedError) return log.info({ session: err.session }, 'session moved to another relay');
    const unavailable = err instanceof UnavailableError;
    if (unavailable) log.warn({ session: this.session?.id, type }, 'storage unreachable: envelope refused');
    else log.error({ err, session: this.session?.id, type }, 'handler failed');
    if (!this.open) return;
    if (!unavailable) return this.fail(ErrorCode.Internal, 'The relay failed to handle this envelope; retry later.', ref);
    this.fail(ErrorCode.Unavailable, 'The relay cannot reach its storage; retry shortly.', type === 'hello' ? undefined : ref);
    if (type === 'hello') this.close(CloseCode.Unavailable, 'storage unreachable, retry', 'unavailable');
  }

  /**
   * Whether `m` may be handled without waiting for the sends before it to be
   * committed: a room send of an established session on a durable store,
   * whose `seq` is assigned when it is handled and whose ack and broadcast
   * follow its commit, in order.
   */
  private pipelines(m: ClientMessage): boolean {
    return m.type === 'send' && this.session !== undefined && this.ctx.store.durable === true;
  }

  /** Keeps a pipelined send's outcome in the chain that later envelopes wait for. */
  private track(work: Promise<void>, type: string, ref: string | undefined): void {
    this.inflightCount++;
    const done = work.then(
      () => {},
      (err: unknown) => this.failed(err, type, ref),
    );
    this.inflight = this.inflight === SETTLED ? done : Promise.all([this.inflight, done]).then(() => {});
    void done.then(() => {
      if (--this.inflightCount === 0) this.inflight = SETTLED;
    });
  }

  private dispatch(m: ClientMessage, receivedAt: number): Promise<void> | void {
    if (m.type === 'hello') return handleHello(this, m);
    if (m.type === 'ping') return void this.reply(m.ts === undefined ? { type: 'pong' } : { type: 'pong', ts: m.ts });
    const session = this.session;
    if (!session) {
      return this.refuse({ code: ErrorCode.NotAuthenticated, message: 'Send "hello" and wait for "welcome" first.', ref: refOf(m) });
    }
    switch (m.type) {
      case 'join':
        return handleJoin(this, session, m);
      case 'leave':
        return handleLeave(this, session, m);
      case 'send':
        return handleSend(this, session, m, receivedAt);
      case 'dm':
        return handleDirect(this, session, m, receivedAt);
      case 'typing':
        return handleTyping(this, session, m);
      case 'history':
        return handleHistory(this, session, m);
      case 'members':
        return handleMembers(this, session, m);
    }
  }

  /** Takes a token from the rate limit's bucket; `false` when it is empty. */
  private takeToken(): boolean {
    const { rateBurst, ratePerSecond } = this.ctx.config;
    const next = takeToken(this.bucketFullAt, performance.now(), rateBurst, ratePerSecond);
    if (next < 0) return false;
    this.bucketFullAt = next;
    return true;
  }

  /** Refuses an invalid envelope; too many close the connection (4501). */
  refuse(error: DecodeError): void {
    this.fail(error.code, error.message, error.ref);
    if (++this.invalidStrikes >= this.ctx.config.abuseStrikes) {
      this.close(CloseCode.ProtocolAbuse, 'too many invalid envelopes', 'protocol_abuse');
    }
  }

  private rateLimited(ref: string | undefined): void {
    this.ctx.metrics.drops.labels('rate_limited').inc();
    this.fail(ErrorCode.RateLimited, 'Slow down: the envelope was dropped.', ref);
    if (++this.rateStrikes >= this.ctx.config.abuseStrikes) {
      this.close(CloseCode.RateLimited, 'sending too fast', 'rate_limited');
    }
  }

  /** The socket closed (called by the gateway's `close` listener, see {@link RelaySocket}). */
  socketClosed(code: number): void {
    // a 1000 the client started (not an echo of the relay's own close) ends the session at once
    const deliberate = this.open && code === CloseCode.Normal;
    if (this.open) this.ctx.metrics.closes.labels(this.closeLabel).inc();
    this.state = 'closed';
    this.stopTimers();
    this.ctx.rateDebts.record(this.ws.ip, this.bucketFullAt, performance.now());
    this.ctx.heartbeat.forget(this.ws);
    this.writer.stop();
    this.held = null;
    const session = this.session;
    if (session && session.peer === this) this.ctx.sessions.detach(session, deliberate);
  }

  private stopTimers(): void {
    this.ctx.heartbeat.deadlines.cancel(this.deadline);
    this.deadline = undefined;
  }
}
