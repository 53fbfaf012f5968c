/**
 * A plain WebSocket client of the seed profile at `/ws/<nickname>`: joins the
 * default room under that nickname; each text frame is a room message, or,
 * when it is a JSON object with `to_user` and `msg`, a direct message. It
 * receives room and direct messages as `{"sender":"<name>","msg":"<text>"}`,
 * one per frame, and nothing else.
 *
 * A plain client cannot be told `rate_limited`, so its frames are paced,
 * never dropped ({@link PacedReader}). Its nickname is free again as soon as
 * the relay closes it (there is no resume), and a plain client that comes
 * back from the same address under the same nickname while a half-open
 * socket still holds it takes it over when that socket fails a ping
 * ({@link SEED_PROBE_TIMEOUT_MS}).
 */
import { CloseCode, isText, normalizeNickname } from '@parley/protocol';
import type { RelaySocket } from '../wire/relay-socket.js';
import { closeSocket, socketErrorLabel, type CloseLabel } from '../wire/closing.js';
import { UnavailableError } from '../store/errors.js';
import { SessionsFullError } from '../sessions/errors.js';
import type { RelayContext } from '../handlers/context.js';
import { anonymousClaim } from '../sessions/claim.js';
import type { Outbound } from '../wire/outbound.js';
import { publishDirect, publishRoom } from '../handlers/publish.js';
import type { Peer, Session } from '../sessions/session.js';
import type { Recipient, RoomBatch } from '../fanout/room-batch.js';
import { SocketWriter } from '../fanout/socket-writer.js';
import { PacedReader } from '../limits/paced-reader.js';
import { TokenBucket } from '../limits/token-bucket.js';

/**
 * How long a plain socket holding a nickname has to answer a WebSocket ping
 * (or send anything) when a new plain connection from the same address asks
 * for that nickname, ms. One that does not is taken for half-open: it is
 * closed (4000) and the newcomer gets the nickname.
 */
export const SEED_PROBE_TIMEOUT_MS = 2000;

/** Each relay's plain connections that hold a nickname, by nickname key. */
const holders = new WeakMap<RelayContext, Map<string, SeedConnection>>();

function holdersOf(ctx: RelayContext): Map<string, SeedConnection> {
  let map = holders.get(ctx);
  if (!map) holders.set(ctx, (map = new Map()));
  return map;
}

/** A seed text that is a private message: `{"to_user": "grace", "msg": "psst"}`. */
interface SeedDirect {
  to_user: string;
  msg: string;
}

function asDirect(text: string): SeedDirect | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v === 'object' && v !== null && typeof (v as SeedDirect).to_user === 'string' && typeof (v as SeedDirect).msg === 'string') {
      return v as SeedDirect;
    }
  } catch {
    // not JSON: a plain room message
  }
  return undefined;
}

/**
 * @example
 * ```ts
 * new SeedConnection(ws, ctx, decodeURIComponent('ada')).start();
 * ```
 */
export class SeedConnection implements Peer {
  readonly kind = 'seed';
  private session: Session | undefined;
  private readonly writer: SocketWriter;
  private readonly bucket: TokenBucket;
  private readonly reader: PacedReader;
  /** The ping answered by {@link probe}, while one is out. */
  private probing: Promise<boolean> | undefined;
  private open = true;
  private tail: Promise<void> = Promise.resolve();
  private closeLabel: CloseLabel = 'client';

  constructor(
    private readonly ws: RelaySocket,
    private readonly ctx: RelayContext,
    private readonly rawNick: string,
  ) {
    this.bucket = new TokenBucket(ctx.config.rateBurst, ctx.config.ratePerSecond);
    // a connection that follows a drained one from the same address starts with its bucket (see RateDebts)
    this.bucket.owe(ctx.rateDebts.fullAt(ws.ip, performance.now()));
    this.reader = new PacedReader(ws, this.bucket, (data) => this.accept(data));
    this.writer = new SocketWriter(ws, ctx.scheduler, {
      batch: false,
      sendBufferBytes: ctx.config.sendBufferBytes,
      onSlow: () => this.close(CloseCode.SlowConsumer, 'reading too slowly', 'slow_consumer'),
      onFrame: () => {
        ctx.metrics.framesOut++;
        ctx.metrics.messagesOut++;
      },
      attachedSession: () => (this.session?.peer === this ? this.session : undefined),
      deliver: (out) => this.deliver(out),
    });
  }

  /** Resolves when every frame received so far has been handled. */
  get idle(): Promise<void> {
    return this.tail;
  }

  /** Claims the nickname and joins the default room, or closes with 1008 and a readable reason. */
  start(): void {
    const { ctx, ws } = this;
    ws.on('close', () => this.closed());
    ws.on('error', (err) => (this.closeLabel = socketErrorLabel(err)));
    ctx.heartbeat.track(ws, () => this.close(CloseCode.HeartbeatTimeout, 'heartbeat timeout', 'heartbeat'));
    if (!ctx.config.anonymous) return this.close(CloseCode.PolicyViolation, 'anonymous nicknames are disabled here', 'nickname_refused');
    const nick = normalizeNickname(this.rawNick);
    if (nick === null) return this.close(CloseCode.PolicyViolation, 'bad nickname: see the nickname rules', 'nickname_refused');
    // the claim may take a round trip (Redis): frames that arrive meanwhile wait behind it
    ws.on('message', (data, isBinary) => this.receive(data as Buffer, isBinary));
    this.tail = this.join(nick);
  }

  private async join(nick: string): Promise<void> {
    const { ctx } = this;
    try {
      const claim = anonymousClaim(nick);
      const address = this.ws.ip;
      let session = await ctx.sessions.open(claim, ctx.ids.next('s'), 'seed', undefined, address);
      if (!session && (await this.replaceDeadHolder(claim.key))) session = await ctx.sessions.open(claim, ctx.ids.next('s'), 'seed', undefined, address);
      if (!this.open) return session ? ctx.sessions.end(session) : undefined;
      if (!session) return this.close(CloseCode.PolicyViolation, 'nickname taken: pick another', 'nickname_refused');
      this.session = session;
      holdersOf(ctx).set(session.user.key, this);
      ctx.sessions.attach(session, this);
      await ctx.sessions.enter(session, ctx.config.defaultRoom);
      ctx.log.info({ session: session.id, user: session.user.member.id, nick }, 'seed session opened');
    } catch (err) {
      if (err instanceof SessionsFullError) {
        ctx.log.warn({ address: this.ws.ip, perAddress: err.perAddress }, 'seed session refused: as many sessions as allowed');
        if (err.perAddress) return this.close(CloseCode.TooManyConnections, 'too many sessions from this address', 'too_many_sessions');
        return this.close(CloseCode.TryAgainLater, 'the relay is full, try again later', 'relay_full');
      }
      if (!(err instanceof UnavailableError)) throw err;
      ctx.log.warn({ nick }, 'storage unreachable: seed session refused');
      this.close(CloseCode.Unavailable, 'storage unreachable, retry', 'unavailable');
    }
  }

  /**
   * Whether the plain socket holding `key` on this relay is half-open, and
   * now closed: it is from this connection's address and answered nothing
   * within {@link SEED_PROBE_TIMEOUT_MS} of a ping. A holder from another
   * address, a protocol client (it has a resume secret) or one on another
   * relay of a cluster is never replaced.
   */
  private async replaceDeadHolder(key: string): Promise<boolean> {
    const holder = holdersOf(this.ctx).get(key);
    if (!holder || holder === this || holder.ws.ip !== this.ws.ip) return false;
    if ((await holder.probe(SEED_PROBE_TIMEOUT_MS)) || !this.open) return false;
    this.ctx.log.info({ session: holder.session?.id }, 'half-open seed connection replaced');
    holder.close(CloseCode.HeartbeatTimeout, 'no answer to a ping: replaced by a new connection', 'heartbeat');
    return true;
  }

  /**
   * Pings the peer: resolves `true` when it shows life (a pong or any frame)
   * within `ms`, `false` when it does not or the socket closes first. Probes
   * asked for while one is out share it.
   */
  private probe(ms: number): Promise<boolean> {
    if (!this.open) return Promise.resolve(false);
    this.probing ??= new Promise<boolean>((resolve) => {
      const ws = this.ws;
      const done = (alive: boolean): void => {
        clearTimeout(timer);
        ws.off('pong', yes).off('message', yes).off('close', no);
        this.probing = undefined;
        resolve(alive && this.open);
      };
      const yes = (): void => done(true);
      const no = (): void => done(false);
      const timer = setTimeout(no, ms);
      ws.on('pong', yes).on('message', yes).on('close', no);
      try {
        ws.ping();
      } catch {
        no();
      }
    });
    return this.probing;
  }

  /** Takes a room batch at its flush (a {@link Peer}). */
  takeBatch(batch: RoomBatch, session: Recipient): void {
    this.writer.takeBatch(batch, session);
  }

  deliver(out: Outbound): void {
    const bytes = out.seed;
    if (bytes) this.writer.push(bytes, out.seedFrame!);
  }

  /** Closes the socket; the session ends at once (a plain client has no resume), so its nickname is free. */
  close(code: number, reason: string, label: CloseLabel): void {
    if (!this.open) return;
    this.open = false;
    this.writer.stop();
    this.reader.stop();
    this.ctx.metrics.closes.labels(label).inc();
    this.ctx.log.info({ session: this.session?.id, code, reason: label }, 'closing seed connection');
    this.endSession();
    closeSocket(this.ws, code, reason);
  }

  private receive(data: Buffer, isBinary: boolean): void {
    if (!this.open || this.ctx.closing) return;
    this.ctx.metrics.countIn('seed');
    if (isBinary) return this.drop('seed_binary');
    this.reader.take(data, false);
  }

  /** Handles a text frame the rate limit let through. */
  private accept(data: Buffer): void {
    if (!this.open || this.ctx.closing) return;
    const receivedAt = performance.now();
    const text = data.toString('utf8');
    this.tail = this.tail
      .then(() => this.handle(text, receivedAt))
      .catch((err: unknown) => {
        if (err instanceof UnavailableError) this.drop('unavailable');
        else this.ctx.log.error({ err }, 'seed handler failed');
      });
  }

  private async handle(text: string, receivedAt: number): Promise<void> {
    const session = this.session;
    if (!session || !this.open) return;
    const { ctx } = this;
    const direct = asDirect(text);
    const body = direct ? direct.msg : text;
    if (!isText(body, ctx.config.maxTextLength)) return this.drop('seed_invalid');
    if (!direct) {
      await publishRoom(ctx, session, ctx.config.defaultRoom, body, undefined, receivedAt, session);
      return;
    }
    const target = await ctx.sessions.find(direct.to_user);
    if (!target) return this.drop('unknown_user');
    await publishDirect(ctx, session, target.id, body, undefined, receivedAt, session);
  }

  private drop(reason: string): void {
    this.ctx.metrics.drops.labels(reason).inc();
  }

  private closed(): void {
    if (this.open) this.ctx.metrics.closes.labels(this.closeLabel).inc();
    this.open = false;
    this.writer.stop();
    this.reader.stop();
    this.ctx.rateDebts.record(this.ws.ip, this.bucket.fullAt, performance.now());
    this.endSession();
  }

  /** Ends the session (once) and lets go of its nickname. */
  private endSession(): void {
    const session = this.session;
    if (!session) return;
    this.session = undefined;
    const mine = holdersOf(this.ctx);
    if (mine.get(session.user.key) === this) mine.delete(session.user.key);
    this.ctx.sessions.end(session);
  }
}
