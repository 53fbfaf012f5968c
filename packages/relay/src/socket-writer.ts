/**
 * Everything one socket is sent goes through its writer: it queues envelopes
 * and flushes them as one newline-joined frame per I/O event handled (or one
 * frame per message for plain clients), and cuts off a reader whose send
 * buffer passes the cap before it costs more memory.
 */
import type { Writable } from 'node:stream';
import { WebSocket } from 'ws';
import type { FlushScheduler, Flushable } from './flush-scheduler.js';
import { textFrame } from './ws-frame.js';

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
    if (this.stopped || this.ws.readyState !== WebSocket.OPEN) return false;
    if (this.ws.bufferedAmount + this.queued + bytes.length > this.options.sendBufferBytes) {
      this.stop();
      this.options.onSlow();
      return false;
    }
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

  /** Sends what is queued as one frame. */
  flush(): void {
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
    this.queue = this.frame = null;
    this.queued = 0;
  }

  private write(frame: Buffer, envelopes: number): void {
    this.ws.wire.write(frame);
    this.options.onFrame?.(envelopes);
  }
}
