/**
 * The shape of every envelope the relay may send, checked by clients. Unknown
 * fields are ignored here, so a newer relay can add fields without breaking
 * older clients.
 */
import { bool, count, envelope, id, list, object, oneOf, positive, room, string, token, type Shape } from './checks.js';

const member = object({ id, name: string }, false);
const members = list(member);
const roomState = object({ room, seq: count, 'epoch?': id, members }, false);
const limits = object({ text: positive, rooms: positive, frame: positive, ping: positive, pingTimeout: positive }, false);

// A message's sender and name are any strings here: the relay stamps them, and a tombstone
// (`deleted: true`, its sender erased) has both empty; they are shown as text, never as HTML.
const msg: Shape = { room, id, seq: positive, ts: count, from: string, name: string, text: string };
const direct: Shape = { id, seq: positive, ts: count, from: string, name: string, to: id, text: string };

/** Field checks of every relay envelope, by `type`. */
export const SERVER_SHAPES: Record<string, Shape> = {
  welcome: { session: id, user: member, resume: token, resumed: bool, inbox: count, rooms: list(roomState), limits },
  joined: { room, seq: count, 'epoch?': id, members },
  left: { room },
  presence: { room, event: oneOf('join', 'leave'), user: member },
  msg,
  direct,
  ack: { cid: id, id, seq: positive, ts: count, 'dup?': bool },
  typing: { room, from: string, name: string, on: bool },
  page: { qid: id, 'room?': room, messages: list(envelope({ msg, direct }, false)), more: bool },
  members: { qid: id, room, members },
  gap: { 'room?': room, start: positive, 'end?': positive },
  pong: { 'ts?': count },
  error: { code: string, message: string, 'ref?': string },
};
