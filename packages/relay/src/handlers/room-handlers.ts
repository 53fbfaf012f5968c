/**
 * Handlers of the room envelopes: `join`, `leave`, `typing`, `history`, `members`.
 */
import { DEFAULT_HISTORY_PAGE, ErrorCode, type HistoryRequest, type Join, type Leave, type MembersRequest, type TypingRequest } from '@parley/protocol';
import type { ChatPort } from './port.js';
import { Outbound } from '../wire/outbound.js';
import { chunkBytes, replayRestarted, replayRoom, restarted } from './replay.js';
import type { Page } from '../store/store.js';
import { MEMBERS_READ_COST } from '../limits/read-budget.js';
import type { Session } from '../sessions/session.js';

const notInRoom = (room: string): string => `Join room "${room}" first.`;

/** The refusal of a read past the address's read budget, with when to try again. */
const readingTooFast = (conn: ChatPort, cost: number): string =>
  `Reading history too fast from your address; retry in ${conn.ctx.reads.waitMs(conn.address, cost)} ms.`;

/**
 * `join` → `joined` (with the room's state and epoch), then the replay after
 * `since`: from the start of the current run when `epoch` names an earlier one.
 */
export async function handleJoin(conn: ChatPort, session: Session, m: Join): Promise<void> {
  const { sessions } = conn.ctx;
  const why = sessions.refusal(session, m.room);
  if (why === ErrorCode.RoomForbidden) return conn.fail(why, `Your token does not allow room "${m.room}".`);
  if (why) return conn.fail(why, `You are in as many rooms as allowed (${conn.ctx.config.maxRooms}).`);
  conn.hold();
  const cursors = new Map<string, number>();
  try {
    const state = await sessions.enter(session, m.room);
    if (!conn.open) return;
    conn.reply({ type: 'joined', ...state });
    cursors.set(m.room, state.seq);
    if (m.since === undefined) return;
    if (restarted(m.epoch, state.epoch)) await replayRestarted(conn, m.room, m.since, cursors);
    else await replayRoom(conn, m.room, m.since, cursors);
  } finally {
    conn.release(cursors);
  }
}

/** `leave` → `left`. */
export function handleLeave(conn: ChatPort, session: Session, m: Leave): void {
  conn.ctx.sessions.leave(session, m.room);
  conn.reply({ type: 'left', room: m.room });
}

/** `typing`: relayed to the room's other sessions, throttled, never stored. */
export function handleTyping(conn: ChatPort, session: Session, m: TypingRequest): void {
  if (!session.rooms.has(m.room)) return conn.fail(ErrorCode.NotInRoom, notInRoom(m.room));
  if (!session.mayRelayTyping(m.room, m.on, Date.now())) {
    conn.ctx.metrics.drops.labels('typing_throttled').inc();
    return;
  }
  const { id, name } = session.user.member;
  conn.ctx.broker.toRoom(m.room, new Outbound({ type: 'typing', room: m.room, from: id, name, on: m.on }), session);
}

/** `history` → `page`, newest first; without `room`, the private inbox. */
export async function handleHistory(conn: ChatPort, session: Session, m: HistoryRequest): Promise<void> {
  const { store, reads } = conn.ctx;
  const limit = m.limit ?? DEFAULT_HISTORY_PAGE;
  // a page costs the address the messages it asks for, whichever of its connections asks
  if (!reads.take(conn.address, limit)) return void conn.fail(ErrorCode.RateLimited, readingTooFast(conn, limit), m.qid);
  await conn.ctx.turns.next();
  if (!conn.open) return;
  if (m.room === undefined) {
    const page = fitted(conn, await store.pageInbox(session.user.member.id, m.before, limit));
    await conn.drained(chunkBytes(conn));
    conn.reply({ type: 'page', qid: m.qid, messages: page.messages, more: page.more });
    return;
  }
  if (!session.rooms.has(m.room)) return void conn.fail(ErrorCode.NotInRoom, notInRoom(m.room), m.qid);
  const page = fitted(conn, await store.pageRoom(m.room, m.before, limit));
  // the page goes out whole once what is buffered has gone: it never trips the send-buffer cap of a reader that reads
  await conn.drained(chunkBytes(conn));
  conn.reply({ type: 'page', qid: m.qid, room: m.room, messages: page.messages, more: page.more });
}

/**
 * A page cut to what fits in {@link pageBytes} (newest first, at least one
 * message): the client asks for the rest with `before`, as for any page
 * with `more`.
 */
function fitted<T>(conn: ChatPort, page: Page<T>): Page<T> {
  const budget = pageBytes(conn);
  let bytes = 0;
  for (let i = 0; i < page.messages.length; i++) {
    bytes += Buffer.byteLength(JSON.stringify(page.messages[i])) + 1;
    if (bytes > budget && i > 0) return { messages: page.messages.slice(0, i), more: true };
  }
  return page;
}

/** Most bytes of messages one `page` carries: half the send-buffer cap, at most {@link MAX_PAGE_BYTES}. */
function pageBytes(conn: ChatPort): number {
  return Math.min(MAX_PAGE_BYTES, Math.floor(conn.sendBufferBytes / 2));
}

/** Most bytes of messages one `page` envelope carries; a page of more is cut short, with `more`. */
export const MAX_PAGE_BYTES = 1024 * 1024;

/** `members` → `members` (cluster-wide on a scaled-out relay). */
export async function handleMembers(conn: ChatPort, session: Session, m: MembersRequest): Promise<void> {
  if (!session.rooms.has(m.room)) return conn.fail(ErrorCode.NotInRoom, notInRoom(m.room), m.qid);
  if (!conn.ctx.reads.take(conn.address, MEMBERS_READ_COST)) return conn.fail(ErrorCode.RateLimited, readingTooFast(conn, MEMBERS_READ_COST), m.qid);
  await conn.ctx.turns.next();
  const members = await conn.ctx.sessions.members(m.room);
  conn.reply({ type: 'members', qid: m.qid, room: m.room, members });
}
