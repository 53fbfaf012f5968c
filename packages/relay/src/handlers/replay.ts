/**
 * Replaying what a client missed: a `gap` first when history no longer
 * reaches back to its cursor, then the retained messages, oldest first. A
 * cursor of an earlier run of the room's `seq`s (another epoch) gets a `gap`
 * without `end` and the current run from its start.
 */
import type { ChatPort } from './port.js';

/** Replays a room after `since` and moves `cursors.get(room)` to the last `seq` the client now has. */
export async function replayRoom(conn: ChatPort, room: string, since: number, cursors: Map<string, number>): Promise<void> {
  const { gap, messages } = await conn.ctx.store.replayRoom(room, since);
  if (!conn.open) return;
  if (gap) conn.reply({ type: 'gap', room, start: gap.start, end: gap.end });
  for (const m of messages) conn.reply(m);
  cursors.set(room, Math.max(cursors.get(room) ?? 0, messages.at(-1)?.seq ?? since));
}

/**
 * Whether a client's cursor belongs to an earlier run of the room's `seq`s:
 * it names an epoch, and the room's current one differs. A cursor without an
 * epoch (an older client) is taken as it is.
 */
export function restarted(clientEpoch: string | undefined, roomEpoch: string | undefined): boolean {
  return clientEpoch !== undefined && roomEpoch !== undefined && clientEpoch !== roomEpoch;
}

/**
 * Replays a room whose sequence started over since the client's cursor: a
 * `gap` without `end` for everything after `since` of the old run (when the
 * client had delivered any of it), then the current run from its start.
 */
export async function replayRestarted(conn: ChatPort, room: string, since: number, cursors: Map<string, number>): Promise<void> {
  if (since > 0) conn.reply({ type: 'gap', room, start: since + 1 });
  await replayRoom(conn, room, 0, cursors);
}

/** Replays the private inbox after `since` and moves `cursors.get('')` to the last `seq` the client now has. */
export async function replayInbox(conn: ChatPort, user: string, since: number, cursors: Map<string, number>): Promise<void> {
  const { gap, messages } = await conn.ctx.store.replayInbox(user, since);
  if (!conn.open) return;
  if (gap) conn.reply({ type: 'gap', start: gap.start, end: gap.end });
  for (const m of messages) conn.reply(m);
  cursors.set('', Math.max(cursors.get('') ?? 0, messages.at(-1)?.seq ?? since));
}
