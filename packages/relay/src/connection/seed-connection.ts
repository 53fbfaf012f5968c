/**
 * A plain WebSocket client of the seed profile at `/ws/<nickname>`: joins the
 * default room under that nickname; each text frame is a room message, or,
 * when it is a JSON object with `to_user` and `msg`, a direct message. It
 * receives room and direct messages as `{"sender":"<name>","msg":"<text>"}`,
 * one per frame, and nothing else.
 */
import { CloseCode, isText, normalizeNickname } from '@parley/protocol';
import type { RelaySocket } from '../wire/relay-socket.js';
import { closeSocket, socketErrorLabel, type CloseLabel } from '../wire/closing.js';
import { UnavailableError } from '../store/errors.js';
import type { RelayContext } from '../handlers/context.js';
import { anonymousClaim } from '../sessions/claim.js';
import type { Outbound } from '../wire/outbound.js';
import { publishDirect, publishRoom } from '../handlers/publish.js';
import type { Peer, Session } from '../sessions/session.js';
import type { Recipient, RoomBatch } from '../fanout/room-batch.js';
import { SocketWriter } from '../fanout/socket-writer.js';
import { TokenBucket } from '../limits/token-bucket.js';

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
  private strikes = 0;
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
      const session = await ctx.sessions.open(anonymousClaim(nick), ctx.ids.next('s'), 'seed');
      if (!session) return this.close(CloseCode.PolicyViolation, 'nickname taken: pick another', 'nickname_refused');
      if (!this.open) return ctx.sessions.end(session);
      this.session = session;
      ctx.sessions.attach(session, this);
      await ctx.sessions.enter(session, ctx.config.defaultRoom);
      ctx.log.info({ session: session.id, user: session.user.member.id, nick }, 'seed session opened');
    } catch (err) {
      if (!(err instanceof UnavailableError)) throw err;
      ctx.log.warn({ nick }, 'storage unreachable: seed session refused');
      this.close(CloseCode.Unavailable, 'storage unreachable, retry', 'unavailable');
    }
  }

  /** Takes a room batch at its flush (a {@link Peer}). */
  takeBatch(batch: RoomBatch, session: Recipient): void {
    this.writer.takeBatch(batch, session);
  }

  deliver(out: Outbound): void {
    const bytes = out.seed;
    if (bytes) this.writer.push(bytes, out.seedFrame!);
  }

  close(code: number, reason: string, label: CloseLabel): void {
    if (!this.open) return;
    this.open = false;
    this.writer.stop();
    this.ctx.metrics.closes.labels(label).inc();
    this.ctx.log.info({ session: this.session?.id, code, reason: label }, 'closing seed connection');
    closeSocket(this.ws, code, reason);
  }

  private receive(data: Buffer, isBinary: boolean): void {
    if (!this.open || this.ctx.closing) return;
    const receivedAt = performance.now();
    this.ctx.metrics.countIn('seed');
    if (isBinary) return this.drop('seed_binary');
    if (!this.bucket.take()) {
      this.drop('rate_limited');
      if (++this.strikes >= this.ctx.config.abuseStrikes) this.close(CloseCode.RateLimited, 'sending too fast', 'rate_limited');
      return;
    }
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
    this.ctx.rateDebts.record(this.ws.ip, this.bucket.fullAt, performance.now());
    if (this.session) this.ctx.sessions.end(this.session);
  }
}
