/**
 * What the stores share for a user's data request: the tombstone that
 * replaces an erased message, and the export's order (oldest first, one copy
 * of each direct message).
 */
import type { DirectMessage, RoomMessage } from '@parley/protocol';
import type { UserExport } from './store.js';

/**
 * `message` with who sent it and what it said removed: the same `room` (or
 * `to`), `id`, `seq` and `ts`, so resume and `seq` order still work, and
 * `deleted: true`.
 *
 * @example
 * ```ts
 * tombstone({ type: 'msg', room: 'lobby', id: 'm1', seq: 4, ts: 1, from: 'u_ada', name: 'Ada', text: 'hi' });
 * // { type: 'msg', room: 'lobby', id: 'm1', seq: 4, ts: 1, from: '', name: '', text: '', deleted: true }
 * ```
 */
export function tombstone<T extends RoomMessage | DirectMessage>(message: T): T {
  return { ...message, from: '', name: '', text: '', deleted: true };
}

const byTime = (a: { ts: number }, b: { ts: number }): number => a.ts - b.ts;

/**
 * The export of `user`: their room messages, and the direct messages of
 * their own inbox followed by the copies of what they sent that only other
 * inboxes still hold (one copy per message `id`), each list oldest first (a
 * stable sort by `ts`, so the order the lists came in breaks ties).
 *
 * @example
 * ```ts
 * assembleExport('u_ada', roomMessages, ownInbox, sentElsewhere);
 * ```
 */
export function assembleExport(user: string, rooms: RoomMessage[], inbox: DirectMessage[], sentElsewhere: DirectMessage[]): UserExport {
  const seen = new Set(inbox.map((m) => m.id));
  const direct = inbox.concat(sentElsewhere.filter((m) => !seen.has(m.id) && (seen.add(m.id), true)));
  return { user, rooms: [...rooms].sort(byTime), direct: direct.sort(byTime) };
}
