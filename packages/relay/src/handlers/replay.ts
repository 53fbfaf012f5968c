/**
 * Replaying what a client missed: a `gap` first when history no longer
 * reaches back to its cursor, then the retained messages, oldest first. A
 * cursor of an earlier run of the room's `seq`s (another epoch) gets a `gap`
 * without `end` and the current run from its start.
 *
 * A replay is paced, so that a reader that keeps reading always catches up
 * however much it missed: it reads {@link REPLAY_PAGE} messages from the
 * store at a time, and after each {@link REPLAY_CHUNK_BYTES} written it waits
 * for the socket to take them (the send-buffer cap then only cuts readers
 * that stop reading). Broadcasts are held meanwhile and follow it in order.
 */
import type { DirectMessage, RoomMessage, ServerMessage } from '@parley/protocol';
import type { Replay } from '../store/store.js';
import type { ChatPort } from './port.js';

/** Messages a replay reads from the store at a time. */
export const REPLAY_PAGE = 500;
/** Bytes a replay writes before it waits for the socket to take them (at most a quarter of the send-buffer cap). */
export const REPLAY_CHUNK_BYTES = 256 * 1024;

/** How much to write before waiting, for this connection. */
export function chunkBytes(conn: ChatPort): number {
  return Math.min(REPLAY_CHUNK_BYTES, Math.floor(conn.sendBufferBytes / 4));
}

/**
 * Writes everything a log holds after `since`, page by page at the reader's
 * pace; answers the last `seq` written (`since` when none).
 */
async function paced<T extends RoomMessage | DirectMessage>(
  conn: ChatPort,
  since: number,
  read: (since: number, limit: number) => Replay<T> | Promise<Replay<T>>,
  gapOf: (start: number, end: number) => ServerMessage,
): Promise<number> {
  const chunk = chunkBytes(conn);
  let cursor = since;
  let written = 0;
  for (;;) {
    await conn.ctx.turns.next();
    const { gap, messages } = await read(cursor, REPLAY_PAGE);
    if (!conn.open) return cursor;
    // a replay is never refused (it is what the client needs to catch up), but its address pays for it
    conn.ctx.reads.charge(conn.address, messages.length);
    if (gap) written += conn.reply(gapOf(gap.start, gap.end));
    for (const m of messages) {
      written += conn.reply(m);
      cursor = m.seq;
      if (written >= chunk) {
        await conn.drained(chunk);
        if (!conn.open) return cursor;
        written = 0;
      }
    }
    if (messages.length < REPLAY_PAGE) return cursor;
  }
}

/** Replays a room after `since` and moves `cursors.get(room)` to the last `seq` the client now has. */
export async function replayRoom(conn: ChatPort, room: string, since: number, cursors: Map<string, number>): Promise<void> {
  const { store } = conn.ctx;
  const last = await paced(conn, since, (after, limit) => store.replayRoom(room, after, limit), (start, end) => ({ type: 'gap', room, start, end }));
  cursors.set(room, Math.max(cursors.get(room) ?? 0, last));
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
  const { store } = conn.ctx;
  const last = await paced(conn, since, (after, limit) => store.replayInbox(user, after, limit), (start, end) => ({ type: 'gap', start, end }));
  cursors.set('', Math.max(cursors.get('') ?? 0, last));
}
