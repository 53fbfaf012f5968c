/**
 * Handlers of `send` (room message) and `dm` (direct message): each answers
 * `ack`, or `error` with the `cid` as `ref`.
 */
import { ErrorCode, codePoints, type Send, type SendDirect } from '@parley/protocol';
import type { ChatPort } from './port.js';
import { publishDirect, publishRoom, type Accepted } from './publish.js';
import type { Session } from '../sessions/session.js';

function tooLong(conn: ChatPort, text: string, cid: string): boolean {
  const max = conn.ctx.config.maxTextLength;
  if (codePoints(text) <= max) return false;
  conn.refuse({ code: ErrorCode.TextTooLong, message: `The text is longer than ${max} characters.`, ref: cid });
  return true;
}

function ack(conn: ChatPort, cid: string, { ack, dup }: Accepted): void {
  conn.reply(dup ? { type: 'ack', cid, ...ack, dup: true } : { type: 'ack', cid, ...ack });
}

/** `send` → `ack`, and the `msg` to everyone in the room (the sender's sessions included). */
export async function handleSend(conn: ChatPort, session: Session, m: Send, receivedAt: number): Promise<void> {
  if (!session.rooms.has(m.room)) return conn.fail(ErrorCode.NotInRoom, `Join room "${m.room}" first.`, m.cid);
  if (tooLong(conn, m.text, m.cid)) return;
  const accepted = await publishRoom(conn.ctx, session, m.room, m.text, m.cid, receivedAt);
  ack(conn, m.cid, accepted);
}

/**
 * `dm` → `ack` (with the sender's inbox `seq`), and the `direct` to every
 * session of the addressee and of the sender. An addressee that is neither
 * online nor within its resume window is `unknown_user`.
 */
export async function handleDirect(conn: ChatPort, session: Session, m: SendDirect, receivedAt: number): Promise<void> {
  const { ctx } = conn;
  const target = await ctx.sessions.find(m.to);
  if (!target) return conn.fail(ErrorCode.UnknownUser, `Nobody with id "${m.to}" is here.`, m.cid);
  if (tooLong(conn, m.text, m.cid)) return;
  const accepted = await publishDirect(ctx, session, target.id, m.text, m.cid, receivedAt);
  ack(conn, m.cid, accepted);
}
