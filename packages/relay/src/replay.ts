/**
 * Replaying what a client missed: a `gap` first when history no longer
 * reaches back to its cursor, then the retained messages, oldest first.
 */
import type { ChatConnection } from './chat-connection.js';

/** Replays a room after `since` and moves `cursors.get(room)` to the last `seq` the client now has. */
export async function replayRoom(conn: ChatConnection, room: string, since: number, cursors: Map<string, number>): Promise<void> {
  const { gap, messages } = await conn.ctx.store.replayRoom(room, since);
  if (!conn.open) return;
  if (gap) conn.reply({ type: 'gap', room, start: gap.start, end: gap.end });
  for (const m of messages) conn.reply(m);
  cursors.set(room, Math.max(cursors.get(room) ?? 0, messages.at(-1)?.seq ?? since));
}

/** Replays the private inbox after `since` and moves `cursors.get('')` to the last `seq` the client now has. */
export async function replayInbox(conn: ChatConnection, user: string, since: number, cursors: Map<string, number>): Promise<void> {
  const { gap, messages } = await conn.ctx.store.replayInbox(user, since);
  if (!conn.open) return;
  if (gap) conn.reply({ type: 'gap', start: gap.start, end: gap.end });
  for (const m of messages) conn.reply(m);
  cursors.set('', Math.max(cursors.get('') ?? 0, messages.at(-1)?.seq ?? since));
}
