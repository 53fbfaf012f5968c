/**
 * An envelope on its way out, serialized at most once however many sockets
 * it goes to: every recipient gets the very same bytes.
 */
import { encode, type ServerMessage } from '@parley/protocol';
import { textFrame } from './ws-frame.js';

/**
 * @example
 * ```ts
 * const out = new Outbound(message, receivedAt);
 * for (const peer of peers) peer.deliver(out); // one JSON.stringify, one Buffer
 * ```
 */
export class Outbound {
  private encoded: Buffer | undefined;
  private framed: Buffer | undefined;
  private plain: Buffer | null | undefined;
  private plainFramed: Buffer | undefined;

  /**
   * @param envelope what to send
   * @param receivedAt when the message that caused it arrived (`performance.now()`), for the latency histogram
   * @param encoded the envelope's bytes when they are at hand already (a Redis payload), so they are not made again
   */
  constructor(
    readonly envelope: ServerMessage,
    readonly receivedAt?: number,
    encoded?: Buffer,
  ) {
    this.encoded = encoded;
  }

  /** The envelope as UTF-8 JSON, made on first use. */
  get bytes(): Buffer {
    return (this.encoded ??= Buffer.from(encode(this.envelope)));
  }

  /** {@link bytes} as a WebSocket text frame, made on first use: every recipient's socket is handed these same bytes. */
  get frame(): Buffer {
    return (this.framed ??= textFrame(this.bytes));
  }

  /**
   * The seed-profile form, `{"sender":"<name>","msg":"<text>"}`, for room and
   * direct messages; `null` for envelopes plain clients never see.
   */
  get seed(): Buffer | null {
    if (this.plain !== undefined) return this.plain;
    const e = this.envelope;
    this.plain = e.type === 'msg' || e.type === 'direct' ? Buffer.from(JSON.stringify({ sender: e.name, msg: e.text })) : null;
    return this.plain;
  }

  /** {@link seed} as a WebSocket text frame, made on first use. */
  get seedFrame(): Buffer | null {
    const seed = this.seed;
    return seed && (this.plainFramed ??= textFrame(seed));
  }

  /** Whether this is a chat message (counted as a delivery). */
  get isMessage(): boolean {
    return this.envelope.type === 'msg' || this.envelope.type === 'direct';
  }
}
