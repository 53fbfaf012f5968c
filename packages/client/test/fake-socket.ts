/**
 * An in-memory stand-in for a WebSocket, driven by the test: the client's
 * state machine can be checked without a relay, one envelope at a time.
 */
import type { SocketConstructor, SocketLike } from '../src/index.js';

/** A socket the test opens, feeds and drops by hand. */
export class FakeSocket implements SocketLike {
  readyState = 0;
  protocol = '';
  /** Every envelope the client sent, decoded. */
  sent: any[] = [];
  /** The code the client closed this socket with, if it did. */
  closedWith: number | undefined;
  onopen: ((ev: any) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: any) => void) | null = null;
  onmessage: ((ev: { data: any }) => void) | null = null;

  constructor(
    readonly url: string,
    readonly protocols: string | string[],
  ) {}

  send(data: string): void {
    if (this.readyState !== 1) throw new Error(`send on a socket in state ${this.readyState}`);
    for (const line of data.split('\n')) this.sent.push(JSON.parse(line));
  }

  close(code?: number): void {
    this.closedWith = code;
    this.readyState = 3;
  }

  /** The relay accepted the connection. */
  open(): void {
    this.readyState = 1;
    this.protocol = 'parley.v1';
    this.onopen?.({});
  }

  /** The relay sent these envelopes in one frame. */
  receive(...envelopes: object[]): void {
    this.onmessage?.({ data: envelopes.map((e) => JSON.stringify(e)).join('\n') });
  }

  /** The connection ended with `code`. */
  drop(code = 1006, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }

  /** The envelopes of one type the client sent. */
  sentOf(type: string): any[] {
    return this.sent.filter((e) => e.type === type);
  }
}

/** A WebSocket constructor that records every socket it makes, newest last. */
export function fakeSockets(): { WebSocket: SocketConstructor; sockets: FakeSocket[]; last(): FakeSocket } {
  const sockets: FakeSocket[] = [];
  return {
    WebSocket: class extends FakeSocket {
      constructor(url: string, protocols: string | string[]) {
        super(url, protocols);
        sockets.push(this);
      }
    },
    sockets,
    last: () => sockets[sockets.length - 1]!,
  };
}

/** A `welcome` as the relay sends it. */
export function welcome(over: { user?: string; rooms?: Array<{ room: string; seq: number; epoch?: string }>; resumed?: boolean; inbox?: number; ping?: number; pingTimeout?: number; resume?: string } = {}) {
  const id = over.user ?? 'ada';
  return {
    type: 'welcome',
    session: 's_1',
    user: { id, name: id },
    resume: over.resume ?? 'r_secret',
    resumed: over.resumed ?? false,
    inbox: over.inbox ?? 0,
    rooms: (over.rooms ?? [{ room: 'lobby', seq: 0 }]).map((r) => ({ ...r, members: [{ id, name: id }] })),
    limits: { text: 4000, rooms: 20, frame: 1048576, ping: over.ping ?? 20000, pingTimeout: over.pingTimeout ?? 10000 },
  };
}

/** A room message as the relay stamps it. */
export function msg(seq: number, text = `m${seq}`, room = 'lobby', id = `m_${room}_${seq}`) {
  return { type: 'msg', room, id, seq, ts: 1764000000000 + seq, from: 'grace', name: 'grace', text };
}
