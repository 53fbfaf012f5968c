/**
 * Everything one socket is sent goes through its writer: it queues envelopes
 * and flushes them as one newline-joined frame per event-loop turn (or one
 * frame per message for plain clients), and cuts off a reader whose send
 * buffer passes the cap before it costs more memory.
 */
import { WebSocket } from 'ws';
import type { FlushScheduler, Flushable } from './flush-scheduler.js';

const NEWLINE = Buffer.from('\n');
const TEXT = { binary: false } as const;

/**
 * How a {@link SocketWriter} behaves. A connection can be its own writer's
 * options (getters and methods), so that an idle one carries no closures.
 */
export interface WriterOptions {
  /** Join everything of one turn into one frame (protocol clients) or send each message alone (plain clients). */
  batch: boolean;
  /** Bytes that may wait in the socket's buffer (and this queue) before the reader counts as too slow. */
  sendBufferBytes: number;
  /** Called once when the cap is passed; nothing more is sent afterwards. */
  onSlow: () => void;
  /** Called for every frame written, with the number of envelopes in it. */
  onFrame?: (envelopes: number) => void;
}

/** Joins encoded envelopes into one batched frame. */
export function joinFrame(parts: readonly Buffer[]): Buffer {
  if (parts.length === 1) return parts[0]!;
  const list: Buffer[] = [];
  let length = parts.length - 1;
  for (let i = 0; i < parts.length; i++) {
    if (i) list.push(NEWLINE);
    list.push(parts[i]!);
    length += parts[i]!.length;
  }
  return Buffer.concat(list, length);
}

/**
 * @example
 * ```ts
 * const writer = new SocketWriter(ws, scheduler, { batch: true, sendBufferBytes: 4 << 20, onSlow: () => cut() });
 * writer.push(out.bytes);
 * ```
 */
export class SocketWriter implements Flushable {
  /**
   * What waits for the next flush: `null` when nothing does (an idle writer
   * holds no array), the one envelope itself when there is one (the usual
   * case at a light rate: no array per recipient per message), else a list.
   */
  private queue: Buffer | Buffer[] | null = null;
  private queued = 0;
  private stopped = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly scheduler: FlushScheduler,
    private readonly options: WriterOptions,
  ) {}

  /** Queues an encoded envelope; `false` when it was dropped (socket closing, or reader too slow). */
  push(bytes: Buffer): boolean {
    if (this.stopped || this.ws.readyState !== WebSocket.OPEN) return false;
    if (this.ws.bufferedAmount + this.queued + bytes.length > this.options.sendBufferBytes) {
      this.stop();
      this.options.onSlow();
      return false;
    }
    if (!this.options.batch) {
      this.write(bytes, 1);
      return true;
    }
    this.queued += bytes.length;
    const queue = this.queue;
    if (queue === null) {
      this.queue = bytes;
      this.scheduler.mark(this);
    } else if (Array.isArray(queue)) {
      queue.push(bytes);
    } else {
      this.queue = [queue, bytes];
    }
    return true;
  }

  /** Sends what is queued as one frame. */
  flush(): void {
    const parts = this.queue;
    if (!parts) return;
    this.queue = null;
    this.queued = 0;
    if (this.stopped || this.ws.readyState !== WebSocket.OPEN) return;
    if (Array.isArray(parts)) this.write(joinFrame(parts), parts.length);
    else this.write(parts, 1);
  }

  /** Drops the queue and refuses anything more. */
  stop(): void {
    this.stopped = true;
    this.queue = null;
    this.queued = 0;
  }

  private write(frame: Buffer, envelopes: number): void {
    this.ws.send(frame, TEXT);
    this.options.onFrame?.(envelopes);
  }
}
