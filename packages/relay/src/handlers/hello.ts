/**
 * The handshake: `hello` → `welcome`, then each named room's replay and the
 * private inbox's replay. Opens a fresh session (nickname or token) or takes
 * back a resumable one by its secret (rotated; the secret used keeps working
 * until the client shows it got the new one, so a welcome lost to a cut
 * does not lock it out). A room cursor of another epoch (the
 * room's sequence started over) gets a `gap` without `end` and the current
 * run from its start.
 */
import { CloseCode, ErrorCode, type Hello, type RoomState } from '@parley/protocol';
import { takenMessage } from '../sessions/claim.js';
import { SessionsFullError } from '../sessions/errors.js';
import type { Session } from '../sessions/session.js';
import { UnavailableError } from '../store/errors.js';
import { newResumeSecret } from '../wire/ids.js';
import { identify } from './identify.js';
import type { ChatPort } from './port.js';
import { replayInbox, replayRestarted, replayRoom, restarted } from './replay.js';

/**
 * The session of this hello: taken back by its resume secret (on whichever
 * relay had it), or claimed afresh; `undefined` when refused (and the
 * refusal sent).
 */
async function sessionOf(conn: ChatPort, hello: Hello): Promise<Opened | undefined> {
  const { sessions, ids } = conn.ctx;
  if (hello.resume !== undefined) {
    const session = await sessions.resume(hello.resume, newResumeSecret());
    if (session) {
      if (!conn.open) {
        sessions.abandon(session, hello.resume);
        return undefined;
      }
      const old = session.peer;
      sessions.attach(session, conn);
      old?.close(CloseCode.Replaced, 'session resumed elsewhere', 'replaced');
      return { session, resumed: true };
    }
  }
  const claim = await identify(conn, hello);
  if (!claim) return undefined;
  let session: Session | null;
  try {
    session = await sessions.open(claim, ids.next('s'), 'chat', newResumeSecret(), conn.address);
  } catch (err) {
    if (!(err instanceof SessionsFullError)) throw err;
    conn.ctx.log.warn({ address: conn.address, perAddress: err.perAddress }, 'hello refused: as many sessions as allowed');
    if (err.perAddress) conn.close(CloseCode.TooManyConnections, 'too many sessions from this address', 'too_many_sessions');
    else conn.close(CloseCode.TryAgainLater, 'the relay is full, try again later', 'relay_full');
    return undefined;
  }
  if (!session) {
    conn.fail(ErrorCode.NicknameTaken, takenMessage(claim), 'hello');
    return undefined;
  }
  if (!conn.open) {
    sessions.end(session);
    return undefined;
  }
  sessions.attach(session, conn);
  return { session, resumed: false };
}

/** A session this hello opened or took back. */
interface Opened {
  session: Session;
  resumed: boolean;
}

/**
 * Answers `hello`.
 *
 * @example
 * ```ts
 * await handleHello(conn, { type: 'hello', nick: 'ada', rooms: [{ room: 'lobby', since: 0 }] });
 * ```
 */
export async function handleHello(conn: ChatPort, hello: Hello): Promise<void> {
  const { ctx } = conn;
  if (conn.session) {
    conn.refuse({ code: ErrorCode.AlreadyAuthenticated, message: 'This connection already has a session.', ref: 'hello' });
    return;
  }
  const opened = await sessionOf(conn, hello);
  if (!opened) return;
  const { session, resumed } = opened;
  conn.established(session);
  ctx.log.info({ session: session.id, user: session.user.member.id, nick: session.user.member.name, resumed }, 'session opened');
  try {
    await welcome(conn, session, hello, resumed);
  } catch (err) {
    // the store or the shared directory went away half-way: the client never saw this welcome; let it come back with what it holds
    if (err instanceof UnavailableError) ctx.sessions.abandon(session, resumed ? hello.resume : undefined);
    throw err;
  }
  if (resumed) {
    // The secret used stays valid beside the new one until the client shows it got this welcome.
    const secret = session.resume!;
    conn.whenReceived(() => ctx.sessions.confirm(session, secret));
  }
}

async function welcome(conn: ChatPort, session: Session, hello: Hello, resumed: boolean): Promise<void> {
  const { ctx } = conn;
  const before = new Map(session.rooms);
  const refused: Array<[string, ErrorCode]> = [];
  const named = [...new Map((hello.rooms ?? []).map((c) => [c.room, c])).entries()];
  conn.hold();
  for (const [room] of named) {
    const why = ctx.sessions.refusal(session, room);
    if (why) refused.push([room, why]);
    else await ctx.sessions.enter(session, room);
  }
  const rooms: RoomState[] = [];
  for (const room of session.rooms.keys()) {
    const { seq, epoch } = await ctx.store.roomHead(room);
    rooms.push({ room, seq, epoch, members: await ctx.sessions.members(room) });
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
  // What the welcome announced and the replays below send: held broadcasts up to there are skipped.
  const cursors = new Map<string, number>(rooms.map((r) => [r.room, r.seq]));
  const epochs = new Map(rooms.map((r) => [r.room, r.epoch]));
  cursors.set('', inbox);
  for (const [room, { since, epoch }] of named) {
    if (!session.rooms.has(room)) continue;
    // The cursor belongs to an earlier run of the room's seqs: all of the current run is new to the client.
    if (restarted(epoch, epochs.get(room))) {
      await replayRestarted(conn, room, since, cursors);
      continue;
    }
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
