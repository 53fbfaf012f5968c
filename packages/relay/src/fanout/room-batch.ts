/**
 * A room broadcast that waits for the flush instead of being queued at every
 * member: while the relay handles one I/O event, what it sends to one room
 * collects here, and the flush walks the room once, writing one shared frame
 * to each member's socket. Nothing is done per member before that walk, so the
 * first member's write follows the broadcast at once, however large the room.
 *
 * Order stays as if every member had been handed each envelope at once:
 * - a member's socket that is sent anything else meanwhile (a reply, a direct
 *   message, a hold) first takes the batch's envelopes so far
 *   ({@link SocketWriter.catchUp});
 * - a change of who is in a room or which connection a session is attached
 *   to, and a broadcast to another room, flush the pending batch first
 *   (`LocalBroker.settle`), so a batch's members are its room's members
 *   from its first envelope to its flush.
 */
import type { Outbound } from '../wire/outbound.js';
import { joinedTextFrame } from '../wire/ws-frame.js';
import type { Flushable } from './flushable.js';

/**
 * Someone fan-out hands envelopes to, as fan-out sees them: a session of the
 * sessions layer, known here only by the endpoint it is attached to.
 */
export interface Recipient {
  /** The attached connection, or `null` while nobody is attached (waiting to be resumed). */
  readonly peer: Endpoint | null;
}

/** The connection side of a {@link Recipient}: how it takes one envelope, and a room batch at its flush. */
export interface Endpoint {
  /** Queues an envelope for this connection. */
  deliver(out: Outbound): void;
  /** Takes a room batch at its flush, as `recipient`'s connection (see {@link RoomBatch}). */
  takeBatch(batch: RoomBatch, recipient: Recipient): void;
}

/**
 * @example
 * ```ts
 * const batch = new RoomBatch('lobby', rooms.sessions('lobby'), (out, n) => count(out, n));
 * batch.add(new Outbound(message));
 * scheduler.mark(batch); // at the flush every member's peer takes it (Peer.takeBatch)
 * ```
 */
export class RoomBatch implements Flushable {
  /** The envelopes, in the order they were broadcast. */
  readonly items: Outbound[] = [];
  /** For each envelope, the session that must not get it (the typist, a plain sender), if any. */
  readonly excepts: Array<Recipient | undefined> = [];
  private excepting = false;
  private joined: Buffer | null = null;
  private done = false;

  /**
   * @param room the room's name
   * @param sessions the room's sessions: the registry's own set, which does not change while the batch waits
   * @param delivered called at the flush for each envelope with how many sessions got it
   * @param finished called once, when the flush starts (the broker forgets its pending batch)
   */
  constructor(
    readonly room: string,
    readonly sessions: ReadonlySet<Recipient>,
    private readonly delivered: (out: Outbound, count: number) => void,
    private readonly finished: (batch: RoomBatch) => void = () => {},
  ) {}

  /** Adds an envelope for everyone in the room except `except`. */
  add(out: Outbound, except?: Recipient): void {
    this.items.push(out);
    this.excepts.push(except);
    if (except !== undefined) this.excepting = true;
    this.joined = null;
  }

  /** Whether every envelope goes to `session` (none names it as the one to leave out). */
  allFor(session: Recipient): boolean {
    return !this.excepting || !this.excepts.includes(session);
  }

  /** Calls `fn` with each envelope from index `from` on that goes to `session`, in order. */
  each(from: number, session: Recipient, fn: (out: Outbound) => void): void {
    for (let i = from; i < this.items.length; i++) if (this.excepts[i] !== session) fn(this.items[i]!);
  }

  /** All envelopes as one WebSocket text frame, made once for every member. */
  get frame(): Buffer {
    if (this.joined === null) {
      this.joined = this.items.length === 1 ? this.items[0]!.frame : joinedTextFrame(this.items.map((o) => o.bytes));
    }
    return this.joined;
  }

  /** Hands the batch to every member's peer (once; later calls do nothing). */
  flush(): void {
    if (this.done) return;
    this.done = true;
    this.finished(this);
    let count = 0;
    for (const session of this.sessions) {
      const peer = session.peer;
      if (peer === null) continue;
      count++;
      peer.takeBatch(this, session);
    }
    for (let i = 0; i < this.items.length; i++) {
      const except = this.excepts[i];
      const left = except !== undefined && except.peer !== null && this.sessions.has(except) ? 1 : 0;
      this.delivered(this.items[i]!, count - left);
    }
  }
}
