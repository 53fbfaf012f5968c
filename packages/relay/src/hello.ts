/**
 * The handshake: `hello` → `welcome`, then each named room's replay and the
 * private inbox's replay. Opens a fresh session (nickname or token) or takes
 * back a resumable one by its secret.
 */
import { CloseCode, ErrorCode, normalizeNickname, type Hello, type RoomState } from '@parley/protocol';
import type { ChatConnection } from './chat-connection.js';
import { newResumeSecret } from './ids.js';
import { replayInbox, replayRoom } from './replay.js';
import type { Session } from './session.js';

/** A session for this hello, or `undefined` when it was refused (and the refusal sent). */
async function openSession(conn: ChatConnection, hello: Hello): Promise<Session | undefined> {
  const { ctx } = conn;
  if (hello.token !== undefined) {
    if (!ctx.tokens) {
      conn.fail(ErrorCode.AuthFailed, 'This relay does not accept tokens.', 'hello');
      conn.close(CloseCode.AuthFailed, 'tokens not accepted', 'auth_failed');
      return undefined;
    }
    const r = await ctx.tokens.verify(hello.token);
    if (!conn.open) return undefined;
    if (!r.ok) {
      conn.fail(r.code, r.message, 'hello');
      conn.close(r.close, r.message, r.code === ErrorCode.TokenExpired ? 'token_expired' : 'auth_failed');
      return undefined;
    }
    const { sub, name, rooms, expiresAt } = r.identity;
    const user = ctx.directory.claimToken(sub, name);
    if (!user) {
      conn.fail(ErrorCode.NicknameTaken, `The user id "${sub}" is held by an anonymous nickname.`, 'hello');
      return undefined;
    }
    const session = ctx.directory.open(user, ctx.ids.next('s'), 'chat', newResumeSecret());
    session.tokenExpiresAt = expiresAt;
    session.allowedRooms = rooms;
    return session;
  }
  if (hello.nick !== undefined) {
    if (!ctx.config.anonymous) {
      conn.fail(ErrorCode.AnonymousDisabled, 'This relay requires a signed token.', 'hello');
      return undefined;
    }
    const nick = normalizeNickname(hello.nick);
    if (nick === null) {
      conn.fail(ErrorCode.BadNickname, 'The nickname breaks the nickname rules.', 'hello');
      return undefined;
    }
    const user = ctx.directory.claimAnonymous(nick);
    if (!user) {
      conn.fail(ErrorCode.NicknameTaken, 'That nickname is taken; pick another.', 'hello');
      return undefined;
    }
    return ctx.directory.open(user, ctx.ids.next('s'), 'chat', newResumeSecret());
  }
  const message = hello.resume
    ? 'The resume secret is unknown or expired; send "nick" or "token" with it.'
    : '"hello" needs "nick", "token" or "resume".';
  conn.fail(ErrorCode.BadField, message, 'hello');
  return undefined;
}

/** The session a resume secret takes back, if it is still valid. */
function resumable(conn: ChatConnection, secret: string | undefined): Session | undefined {
  if (secret === undefined) return undefined;
  const session = conn.ctx.directory.bySecret(secret);
  if (!session || session.ended || session.kind !== 'chat') return undefined;
  if (session.tokenExpiresAt !== undefined && session.tokenExpiresAt <= Date.now()) return undefined;
  return session;
}

/**
 * Answers `hello`.
 *
 * @example
 * ```ts
 * await handleHello(conn, { type: 'hello', nick: 'ada', rooms: [{ room: 'lobby', since: 0 }] });
 * ```
 */
export async function handleHello(conn: ChatConnection, hello: Hello): Promise<void> {
  const { ctx } = conn;
  if (conn.session) {
    conn.refuse({ code: ErrorCode.AlreadyAuthenticated, message: 'This connection already has a session.', ref: 'hello' });
    return;
  }
  let session = resumable(conn, hello.resume);
  const resumed = session !== undefined;
  if (session) {
    const old = session.peer;
    ctx.hub.attach(session, conn);
    old?.close(CloseCode.Replaced, 'session resumed elsewhere', 'replaced');
    ctx.directory.setSecret(session, newResumeSecret());
  } else {
    session = await openSession(conn, hello);
    if (!session) return;
    if (!conn.open) {
      ctx.hub.end(session);
      return;
    }
    ctx.hub.attach(session, conn);
  }
  conn.established(session);
  ctx.log.info({ session: session.id, user: session.user.member.id, nick: session.user.member.name, resumed }, 'session opened');
  await welcome(conn, session, hello, resumed);
}

async function welcome(conn: ChatConnection, session: Session, hello: Hello, resumed: boolean): Promise<void> {
  const { ctx } = conn;
  const before = new Map(session.rooms);
  const refused: Array<[string, ErrorCode]> = [];
  const named = [...new Map((hello.rooms ?? []).map((c) => [c.room, c.since])).entries()];
  conn.hold();
  for (const [room] of named) {
    const why = ctx.hub.refusal(session, room);
    if (why) refused.push([room, why]);
    else await ctx.hub.enter(session, room);
  }
  const rooms: RoomState[] = [];
  for (const room of session.rooms.keys()) {
    rooms.push({ room, seq: await ctx.store.roomSeq(room), members: ctx.rooms.members(room) });
  }
  const inbox = await ctx.store.inboxSeq(session.user.member.id);
  if (!conn.open) return;
  conn.reply({
    type: 'welcome',
    session: session.id,
    user: session.user.member,
    resume: session.resume!,
    resumed,
    inbox,
    rooms,
    limits: ctx.limits,
  });
  // What the replays below send (and the client already had): held broadcasts up to there are skipped.
  const cursors = new Map<string, number>();
  for (const [room, since] of named) {
    if (!session.rooms.has(room)) continue;
    // A resumed session that says it delivered nothing yet is replayed from where it joined.
    const from = since > 0 ? since : (before.get(room) ?? 0);
    if (from > 0 || (since === 0 && before.has(room))) await replayRoom(conn, room, from, cursors);
  }
  if (resumed || hello.inbox !== undefined) await replayInbox(conn, session.user.member.id, hello.inbox ?? 0, cursors);
  conn.release(cursors);
  for (const [room, code] of refused) {
    conn.fail(code, code === ErrorCode.RoomForbidden ? `Your token does not allow room "${room}".` : `You are in too many rooms to join "${room}".`);
  }
}
