/**
 * Handlers of the room envelopes: `join`, `leave`, `typing`, `history`, `members`.
 */
import { DEFAULT_HISTORY_PAGE, ErrorCode, type HistoryRequest, type Join, type Leave, type MembersRequest, type TypingRequest } from '@parley/protocol';
import type { ChatPort } from './port.js';
import { Outbound } from '../wire/outbound.js';
import { replayRestarted, replayRoom, restarted } from './replay.js';
import type { Session } from '../sessions/session.js';

const notInRoom = (room: string): string => `Join room "${room}" first.`;

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
  const { store } = conn.ctx;
  const limit = m.limit ?? DEFAULT_HISTORY_PAGE;
  if (m.room === undefined) {
    const page = await store.pageInbox(session.user.member.id, m.before, limit);
    return conn.reply({ type: 'page', qid: m.qid, messages: page.messages, more: page.more });
  }
  if (!session.rooms.has(m.room)) return conn.fail(ErrorCode.NotInRoom, notInRoom(m.room), m.qid);
  const page = await store.pageRoom(m.room, m.before, limit);
  conn.reply({ type: 'page', qid: m.qid, room: m.room, messages: page.messages, more: page.more });
}

/** `members` → `members` (cluster-wide on a scaled-out relay). */
export async function handleMembers(conn: ChatPort, session: Session, m: MembersRequest): Promise<void> {
  if (!session.rooms.has(m.room)) return conn.fail(ErrorCode.NotInRoom, notInRoom(m.room), m.qid);
  const members = await conn.ctx.sessions.members(m.room);
  conn.reply({ type: 'members', qid: m.qid, room: m.room, members });
}
