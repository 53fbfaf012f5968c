/**
 * The rate limit of plain WebSocket clients (the seed profile's `/ws` and
 * `/ws/<nickname>`). A plain client has no way to be told `rate_limited`
 * (it only ever receives echoes, or `{"sender","msg"}` frames), so the relay
 * never drops its frames: past the rate it stops reading the socket until
 * the connection's token bucket holds a token again. The frames wait in the
 * client's own send buffer and in TCP, not in the relay; what `ws` had
 * already read when the socket was paused (at most one read's worth) waits
 * here, in order. Every frame the client sent is handled, in order, at most
 * `burst` at once and `perSecond` on average.
 *
 * While the socket is paused, its pongs wait behind its frames, but the
 * heartbeat counts every frame read as a sign of life, and a paced socket is
 * read at the sustained rate.
 */
import type { WebSocket } from 'ws';
import type { TokenBucket } from './token-bucket.js';

/** What a paced socket hands on: one frame as `ws` delivered it. */
export type FrameHandler = (data: Buffer, isBinary: boolean) => void;

/**
 * @example
 * ```ts
 * const reader = new PacedReader(ws, new TokenBucket(30, 10), (data, isBinary) => ws.send(data, { binary: isBinary }));
 * ws.on('message', (data, isBinary) => reader.take(data as Buffer, isBinary));
 * ws.on('close', () => reader.stop());
 * ```
 */
export class PacedReader {
  /** Frames read while the bucket was empty, oldest first. */
  private readonly waiting: Array<[Buffer, boolean]> = [];
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly bucket: TokenBucket,
    private readonly handle: FrameHandler,
  ) {}

  /** Frames read and waiting for a token. */
  get backlog(): number {
    return this.waiting.length;
  }

  /** Handles a frame now when the bucket allows it and nothing waits before it; else the socket pauses and the frame waits its turn. */
  take(data: Buffer, isBinary: boolean): void {
    if (this.stopped) return;
    if (this.waiting.length === 0 && this.bucket.take()) return this.handle(data, isBinary);
    this.waiting.push([data, isBinary]);
    if (this.waiting.length === 1) {
      this.ws.pause();
      this.arm();
    }
  }

  /**
   * Forgets what waits and stops the timer (the connection is closing or
   * closed); reading resumes, so the peer's close frame can be read.
   */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    const paused = this.waiting.length > 0;
    this.waiting.length = 0;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (paused) this.ws.resume();
  }

  private arm(): void {
    this.timer = setTimeout(() => this.release(), Math.max(1, Math.ceil(this.bucket.waitMs)));
    this.timer.unref?.();
  }

  private release(): void {
    this.timer = undefined;
    while (!this.stopped && this.waiting.length > 0 && this.bucket.take()) {
      const [data, isBinary] = this.waiting.shift()!;
      this.handle(data, isBinary);
    }
    if (this.stopped) return;
    if (this.waiting.length > 0) this.arm();
    else this.ws.resume();
  }
}
