/**
 * Everything one socket is sent goes through its writer: it queues envelopes
 * and flushes them as one newline-joined frame per I/O event handled (or one
 * frame per message for plain clients), and cuts off a reader whose send
 * buffer passes the cap before it costs more memory.
 */
import type { Writable } from 'node:stream';
import { WebSocket } from 'ws';
import type { FlushScheduler } from './flush-scheduler.js';
import type { Flushable } from './flushable.js';
import type { Outbound } from '../wire/outbound.js';
import type { Recipient, RoomBatch } from './room-batch.js';
import { joinedTextFrame, textFrame } from '../wire/ws-frame.js';

/**
 * The socket a writer writes to: an open WebSocket and the TCP socket under
 * it. Frames go straight to `wire`, whole and unmasked, as `ws` itself would
 * write them; this is sound because the relay's sockets never compress, so
 * `ws` never holds frames back in a queue of its own.
 */
export interface WriterSocket {
  readonly readyState: number;
  /** Bytes written and not yet handed to the kernel (`ws` counts what goes to `wire` too). */
  readonly bufferedAmount: number;
  readonly wire: Pick<Writable, 'write'>;
}

/**
 * How a {@link SocketWriter} behaves. A connection can be its own writer's
 * options (getters and methods), so that an idle one carries no closures.
 */
export interface WriterOptions {
  /** Join everything of one flush into one frame (protocol clients) or send each message alone (plain clients). */
  batch: boolean;
  /** Bytes that may wait in the socket's buffer (and this queue) before the reader counts as too slow. */
  sendBufferBytes: number;
  /** Called once when the cap is passed; nothing more is sent afterwards. */
  onSlow: () => void;
  /** Called for every frame written, with the number of envelopes in it. */
  onFrame?: (envelopes: number) => void;
  /**
   * The session this socket's peer serves while it is attached to it, for
   * room batches ({@link RoomBatch}); writers without one never take part.
   */
  attachedSession?(): Recipient | undefined;
  /** How the peer takes one broadcast (held back, in seed form...); needed with {@link attachedSession}. */
  deliver?(out: Outbound): void;
  /** Whether the peer holds broadcasts back for now (they then go through {@link deliver}). */
  readonly holding?: boolean;
}

/**
 * @example
 * ```ts
 * const writer = new SocketWriter(ws, scheduler, { batch: true, sendBufferBytes: 4 << 20, onSlow: () => cut() });
 * writer.push(out.bytes, out.frame); // out.frame: framed once for every recipient
 * ```
 */
export class SocketWriter implements Flushable {
  /**
   * What waits for the next flush: `null` when nothing does (an idle writer
   * holds no array), the one envelope itself when there is one (the usual
   * case at a light rate: no array per recipient per message), else a list.
   */
  private queue: Buffer | Buffer[] | null = null;
  /** The lone queued envelope already framed, when its pusher had the frame. */
  private frame: Buffer | null = null;
  private queued = 0;
  private stopped = false;
  /** The pending room batch this writer took envelopes from, and how many (see {@link catchUp}). */
  private seen: RoomBatch | null = null;
  private seenCount = 0;

  constructor(
    private readonly ws: WriterSocket,
    private readonly scheduler: FlushScheduler,
    private readonly options: WriterOptions,
  ) {}

  /**
   * Queues an encoded envelope; `false` when it was dropped (socket closing,
   * or reader too slow). `frame`, when given, is `bytes` as a text frame
   * (see {@link textFrame}), made once for all recipients of a broadcast.
   */
  push(bytes: Buffer, frame?: Buffer): boolean {
    if (this.scheduler.batch !== null) this.catchUp();
    if (this.stopped || this.ws.readyState !== WebSocket.OPEN) return false;
    if (this.tooSlowFor(this.queued + bytes.length)) return false;
    if (!this.options.batch) {
      this.write(frame ?? textFrame(bytes), 1);
      return true;
    }
    this.queued += bytes.length;
    const queue = this.queue;
    if (queue === null) {
      this.queue = bytes;
      this.frame = frame ?? null;
      this.scheduler.mark(this);
    } else if (Array.isArray(queue)) {
      queue.push(bytes);
    } else {
      this.queue = [queue, bytes];
      this.frame = null;
    }
    return true;
  }

  /**
   * Takes what the pending room batch holds so far, when this socket's
   * session is in its room, so that anything pushed next follows it as it
   * would had each broadcast been handed to every member at once.
   */
  catchUp(): void {
    const batch = this.scheduler.batch;
    if (batch === null || this.stopped) return;
    const session = this.options.attachedSession?.();
    if (session === undefined) return;
    let from = 0;
    if (this.seen === batch) from = this.seenCount;
    else if (!batch.sessions.has(session)) return;
    const to = batch.items.length;
    if (from === to) return;
    this.seen = batch;
    this.seenCount = to;
    batch.each(from, session, (out) => this.options.deliver!(out));
  }

  /**
   * Takes a room batch at its flush: the envelopes not taken yet, for this
   * socket's `session`. When nothing else waits here they are written at once,
   * as the batch's one shared frame if this member gets all of it.
   */
  takeBatch(batch: RoomBatch, session: Recipient): void {
    const from = this.seen === batch ? this.seenCount : 0;
    this.seen = null;
    const items = batch.items;
    if (from === items.length || this.stopped) return;
    if (this.queue !== null || !this.options.batch || this.options.holding) {
      // behind what waits here, or held back, or one frame per message: as any broadcast
      batch.each(from, session, (out) => this.options.deliver!(out));
      return;
    }
    if (this.ws.readyState !== WebSocket.OPEN) return;
    let frame: Buffer;
    let count = items.length;
    if (from === 0 && batch.allFor(session)) {
      frame = batch.frame;
    } else {
      const rest: Outbound[] = [];
      batch.each(from, session, (out) => rest.push(out));
      if (rest.length === 0) return;
      count = rest.length;
      frame = count === 1 ? rest[0]!.frame : joinedTextFrame(rest.map((o) => o.bytes));
    }
    if (this.tooSlowFor(frame.length)) return;
    this.write(frame, count);
  }

  /** Sends what is queued as one frame. */
  flush(): void {
    if (this.scheduler.batch !== null) this.catchUp();
    const parts = this.queue;
    if (!parts) return;
    const frame = this.frame;
    this.queue = this.frame = null;
    this.queued = 0;
    if (this.stopped || this.ws.readyState !== WebSocket.OPEN) return;
    if (Array.isArray(parts)) this.write(this.scheduler.joinedFrame(parts), parts.length);
    else this.write(frame ?? textFrame(parts), 1);
  }

  /** Drops the queue and refuses anything more. */
  stop(): void {
    this.stopped = true;
    this.seen = null;
    this.queue = this.frame = null;
    this.queued = 0;
  }

  /** Whether `bytes` more would pass the send-buffer cap; if so the reader is cut off (once). */
  private tooSlowFor(bytes: number): boolean {
    if (this.ws.bufferedAmount + bytes <= this.options.sendBufferBytes) return false;
    this.stop();
    this.options.onSlow();
    return true;
  }

  private write(frame: Buffer, envelopes: number): void {
    this.ws.wire.write(frame);
    this.options.onFrame?.(envelopes);
  }
}
