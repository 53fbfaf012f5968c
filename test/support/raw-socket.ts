/**
 * A WebSocket client written by hand over node:net, for what a well-behaved
 * library refuses to send: any opcode, RSV bits, unmasked frames, lying
 * lengths, invalid UTF-8, endless fragments, and a reader that never reads.
 * It parses what the relay sends (unmasked frames) into envelopes and the
 * close code.
 *
 * @example
 * ```ts
 * const raw = await RawSocket.connect(relay.port);
 * raw.frame({ opcode: Opcode.Text, payload: Buffer.from([0xc3, 0x28]) }); // invalid UTF-8
 * const { code } = await raw.closed; // 1007
 * ```
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';

/** WebSocket opcodes (RFC 6455 § 5.2). */
export const Opcode = { Continuation: 0, Text: 1, Binary: 2, Close: 8, Ping: 9, Pong: 10 } as const;

/** One frame to write; everything a well-formed frame fixes can be broken. */
export interface RawFrame {
  opcode: number;
  payload?: Buffer | string;
  /** FIN bit. Default true. */
  fin?: boolean;
  /** RSV1-3 bits (0-7). Default 0. */
  rsv?: number;
  /** Mask the payload (clients must). Default true. */
  mask?: boolean;
  /** Announce this length instead of the payload's. */
  length?: number;
}

export interface ConnectOptions {
  host?: string;
  /** Local loopback address to connect from (another "IP"). */
  localAddress?: string;
  path?: string;
  /** Subprotocol offered; `null` offers none. Default parley.v1. */
  protocol?: string | null;
  origin?: string;
  /** Answer the relay's pings (a live peer). Default true. */
  autoPong?: boolean;
  /** Read nothing at all after the handshake (a slow consumer). Default false. */
  neverRead?: boolean;
}

/** Encodes one frame as a client would (masked unless told otherwise). */
export function encodeFrame(f: RawFrame): Buffer {
  const payload = typeof f.payload === 'string' ? Buffer.from(f.payload) : (f.payload ?? Buffer.alloc(0));
  const mask = f.mask ?? true;
  const len = f.length ?? payload.length;
  const head: number[] = [((f.fin ?? true) ? 0x80 : 0) | (((f.rsv ?? 0) & 7) << 4) | (f.opcode & 0x0f)];
  const m = mask ? 0x80 : 0;
  let ext = Buffer.alloc(0);
  if (len < 126) head.push(m | len);
  else if (len < 65536) {
    head.push(m | 126);
    ext = Buffer.alloc(2);
    ext.writeUInt16BE(len);
  } else {
    head.push(m | 127);
    ext = Buffer.alloc(8);
    ext.writeBigUInt64BE(BigInt(len));
  }
  if (!mask) return Buffer.concat([Buffer.from(head), ext, payload]);
  // a mask key need not be secret here (the relay only unmasks it); Math.random is much cheaper than crypto for 16k frames
  const key = Buffer.from([(Math.random() * 256) | 0, (Math.random() * 256) | 0, (Math.random() * 256) | 0, (Math.random() * 256) | 0]);
  const body = Buffer.alloc(payload.length);
  for (let i = 0; i < payload.length; i++) body[i] = payload[i]! ^ key[i & 3]!;
  return Buffer.concat([Buffer.from(head), ext, key, body]);
}

export class RawSocket {
  /** Every envelope received (batched frames split). */
  readonly envelopes: Array<Record<string, unknown>> = [];
  /** Text frames that were not JSON (seed profile). */
  readonly texts: string[] = [];
  /** The close code and reason (1006 when the connection ended without a close frame). */
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Set once closed. */
  closeCode: number | undefined;
  private buffer: Buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private listeners: Array<() => void> = [];
  private resolveClosed!: (v: { code: number; reason: string }) => void;

  private constructor(
    readonly socket: net.Socket,
    private readonly autoPong: boolean,
  ) {
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    socket.on('error', () => {});
    socket.on('close', () => this.finish(1006, ''));
  }

  /** Opens a TCP connection, upgrades it, and resolves once the relay answered 101 (rejects with the status otherwise). */
  static connect(port: number, o: ConnectOptions = {}): Promise<RawSocket> {
    const host = o.host ?? '127.0.0.1';
    const socket = net.connect({ port, host, localAddress: o.localAddress });
    socket.setNoDelay(true);
    const key = randomBytes(16).toString('base64');
    const lines = [
      `GET ${o.path ?? '/chat'} HTTP/1.1`,
      `Host: ${host}:${port}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${key}`,
      'Sec-WebSocket-Version: 13',
    ];
    const protocol = o.protocol === undefined ? 'parley.v1' : o.protocol;
    if (protocol !== null) lines.push(`Sec-WebSocket-Protocol: ${protocol}`);
    if (o.origin !== undefined) lines.push(`Origin: ${o.origin}`);
    socket.write(lines.join('\r\n') + '\r\n\r\n');
    return new Promise((resolve, reject) => {
      let head = Buffer.alloc(0);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error('no handshake answer within 5 s'));
      }, 5000);
      const onData = (d: Buffer): void => {
        head = Buffer.concat([head, d]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        clearTimeout(timer);
        socket.off('data', onData);
        socket.off('error', onError);
        const status = Number(/^HTTP\/1\.1 (\d+)/.exec(head.subarray(0, end).toString('latin1'))?.[1]);
        if (status !== 101) {
          socket.destroy();
          reject(Object.assign(new Error(`HTTP ${status}`), { status }));
          return;
        }
        const raw = new RawSocket(socket, o.autoPong ?? true);
        if (o.neverRead) {
          socket.pause();
        } else {
          socket.on('data', (chunk: Buffer) => raw.read(chunk));
          raw.read(head.subarray(end + 4));
        }
        resolve(raw);
      };
      const onError = (err: Error): void => {
        clearTimeout(timer);
        reject(err);
      };
      socket.on('data', onData);
      socket.once('error', onError);
    });
  }

  /** Writes one frame (nothing once the socket is gone). */
  frame(f: RawFrame): void {
    if (!this.socket.destroyed) this.socket.write(encodeFrame(f));
  }

  /** Writes several frames in one write (so the relay reads them in one go). */
  frames(list: RawFrame[]): void {
    if (!this.socket.destroyed) this.socket.write(Buffer.concat(list.map(encodeFrame)));
  }

  /** Writes raw bytes. */
  write(bytes: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  /** Sends a text frame (an envelope object is JSON-encoded). */
  send(data: object | string): void {
    this.frame({ opcode: Opcode.Text, payload: typeof data === 'string' ? data : JSON.stringify(data) });
  }

  /** Resolves with the first envelope (at index `from` or later) matching `match`, or rejects after `ms` or on close. */
  next(match: (e: Record<string, unknown>) => boolean, ms = 5000, from = 0): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      let i = from;
      const check = (): boolean => {
        for (; i < this.envelopes.length; i++) {
          if (match(this.envelopes[i]!)) {
            done();
            resolve(this.envelopes[i]!);
            return true;
          }
        }
        if (this.closeCode !== undefined) {
          done();
          reject(new Error(`closed with ${this.closeCode} before the envelope came`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no matching envelope within ${ms} ms`));
      }, ms);
      const done = (): void => {
        clearTimeout(timer);
        this.listeners = this.listeners.filter((l) => l !== listener);
      };
      const listener = (): void => void check();
      if (!check()) this.listeners.push(listener);
    });
  }

  /** Sends `hello` and waits for `welcome`. */
  async hello(fields: Record<string, unknown>): Promise<Record<string, unknown>> {
    const from = this.envelopes.length;
    this.send({ type: 'hello', ...fields });
    return this.next((e) => e.type === 'welcome' || (e.type === 'error' && e.ref === 'hello'), 5000, from);
  }

  /** Destroys the TCP connection at once. */
  destroy(): void {
    this.socket.destroy();
  }

  private finish(code: number, reason: string): void {
    if (this.closeCode !== undefined) return;
    this.closeCode = code;
    this.resolveClosed({ code, reason });
    for (const l of [...this.listeners]) l();
  }

  private read(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    for (;;) {
      const b = this.buffer;
      if (b.length < 2) return;
      const fin = (b[0]! & 0x80) !== 0;
      const opcode = b[0]! & 0x0f;
      let len = b[1]! & 0x7f;
      let off = 2;
      if (len === 126) {
        if (b.length < 4) return;
        len = b.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (b.length < 10) return;
        len = Number(b.readBigUInt64BE(2));
        off = 10;
      }
      if (b.length < off + len) return;
      const payload = b.subarray(off, off + len);
      this.buffer = b.subarray(off + len);
      this.onFrame(fin, opcode, payload);
    }
  }

  private onFrame(fin: boolean, opcode: number, payload: Buffer): void {
    if (opcode === Opcode.Close) {
      const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      // answer the close handshake, as a peer should
      this.frame({ opcode: Opcode.Close, payload: payload.subarray(0, 2) });
      this.finish(code, payload.subarray(2).toString('utf8'));
      this.socket.end();
      return;
    }
    if (opcode === Opcode.Ping) {
      if (this.autoPong) this.frame({ opcode: Opcode.Pong, payload });
      return;
    }
    if (opcode === Opcode.Pong) return;
    this.fragments.push(payload);
    if (!fin) return;
    const text = Buffer.concat(this.fragments).toString('utf8');
    this.fragments = [];
    if (!text.startsWith('{"type"')) {
      this.texts.push(text);
    } else {
      for (const line of text.split('\n')) this.envelopes.push(JSON.parse(line) as Record<string, unknown>);
    }
    for (const l of [...this.listeners]) l();
  }
}
