/**
 * A real client SDK instance (with `ws` and a Map-backed storage) that records
 * everything it is given: room messages and direct messages in delivery order,
 * gaps, status changes, and every send with how it settled. The suites compare
 * these records with the relay's history.
 *
 * @example
 * ```ts
 * const p = new Participant({ url: relay.wsUrl, nick: 'ada', rooms: ['lobby'] });
 * p.connect();
 * await p.opened();
 * p.send('lobby', 'hello');
 * ```
 */
import { createClient, type ClientOptions, type ParleyClient, type StatusEvent } from '@parley/client';
import type { Ack, DirectMessage, Gap, RoomMessage } from '@parley/protocol';
import WebSocket from 'ws';
import { memoryStorage } from './memory-storage.js';
import { eventually } from './wait.js';

/** A send and how it settled. */
export interface SendRecord {
  text: string;
  room?: string;
  to?: string;
  sentAt: number;
  /** How many times its promise settled (must end at exactly 1). */
  settled: number;
  ack?: Ack;
  error?: string;
  settledAt?: number;
}

/** A gap event, when it came (index in the room's delivered list at that moment). */
export interface GapRecord extends Gap {
  /** How many messages of that room (or inbox) had been delivered before the gap. */
  at: number;
  time: number;
}

export class Participant {
  readonly client: ParleyClient;
  readonly nick: string;
  /** Room messages per room, in delivery order. */
  readonly messages = new Map<string, RoomMessage[]>();
  /** Direct messages (to or from this user), in delivery order. */
  readonly directs: DirectMessage[] = [];
  /** Gaps per room; the key `''` is the inbox. */
  readonly gaps = new Map<string, GapRecord[]>();
  /** Status changes, with when they happened (Date.now()). */
  readonly statuses: Array<StatusEvent & { at: number }> = [];
  readonly sends: SendRecord[] = [];
  readonly errors: Array<{ code: string; ref?: string }> = [];
  /** When each `welcome` arrived. */
  readonly welcomes: number[] = [];
  /** Called on every room message (after recording it). */
  onMessage: ((m: RoomMessage, at: number) => void) | null = null;

  constructor(options: Partial<ClientOptions> & { url: ClientOptions['url']; nick: string }) {
    this.nick = options.nick;
    this.client = createClient({
      WebSocket: WebSocket as unknown as ClientOptions['WebSocket'],
      storage: memoryStorage(),
      storageKey: `parley-${options.nick}`,
      watchNetwork: false,
      ...options,
    });
    this.client.on('message', (m) => {
      const list = this.messages.get(m.room) ?? [];
      list.push(m);
      this.messages.set(m.room, list);
      this.onMessage?.(m, Date.now());
    });
    this.client.on('direct', (m) => this.directs.push(m));
    this.client.on('gap', (g) => {
      const key = g.room ?? '';
      const list = this.gaps.get(key) ?? [];
      const at = key === '' ? this.directs.length : (this.messages.get(key)?.length ?? 0);
      list.push({ ...g, at, time: Date.now() });
      this.gaps.set(key, list);
    });
    this.client.on('status', (s) => this.statuses.push({ ...s, at: Date.now() }));
    this.client.on('welcome', () => this.welcomes.push(Date.now()));
    this.client.on('error', (e) => this.errors.push({ code: e.code, ref: e.ref }));
  }

  connect(): void {
    this.client.connect();
  }

  /** Resolves once the client is open (fails after `ms`). */
  opened(ms = 10_000): Promise<void> {
    return eventually(() => this.client.state === 'open', `${this.nick} to open (state ${this.client.state})`, ms);
  }

  /** Sends to a room (or, with `to`, privately) and records how it settles. */
  send(room: string | null, text: string, to?: string): SendRecord {
    const record: SendRecord = { text, sentAt: Date.now(), settled: 0 };
    if (room !== null) record.room = room;
    if (to !== undefined) record.to = to;
    this.sends.push(record);
    const promise = room !== null ? this.client.send(room, text) : this.client.sendDirect(to!, text);
    promise.then(
      (ack) => {
        record.settled++;
        record.ack = ack;
        record.settledAt = Date.now();
      },
      (err: { code?: string }) => {
        record.settled++;
        record.error = err.code ?? String(err);
        record.settledAt = Date.now();
      },
    );
    return record;
  }

  /** The last delivered `seq` of a room (0 when none). */
  lastSeq(room: string): number {
    return this.messages.get(room)?.at(-1)?.seq ?? 0;
  }

  /** The last delivered inbox `seq` (0 when none). */
  lastInboxSeq(): number {
    return this.directs.at(-1)?.seq ?? 0;
  }

  /** Status changes into `reconnecting` (drops). */
  get drops(): number {
    return this.statuses.filter((s) => s.to === 'reconnecting' && s.from !== 'reconnecting').length;
  }

  /** Whether the client stopped for good (and why). */
  get stopped(): StatusEvent | undefined {
    return this.client.state === 'closed' ? this.statuses.at(-1) : undefined;
  }

  close(): void {
    this.client.close();
  }
}
