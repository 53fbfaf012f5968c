/**
 * The shape of every envelope a client may send, checked strictly by the relay.
 */
import { bool, count, id, limit, list, nick, object, room, text, token, type Shape } from './checks.js';
import { MAX_ROOMS_PER_SESSION } from './limits.js';

const cursor = object({ room, since: count, 'epoch?': id }, true);

/** Field checks of every client envelope, by `type`. */
export const CLIENT_SHAPES: Record<string, Shape> = {
  hello: { 'nick?': nick, 'token?': token, 'resume?': token, 'rooms?': list(cursor, MAX_ROOMS_PER_SESSION), 'inbox?': count },
  join: { room, 'since?': count, 'epoch?': id },
  leave: { room },
  send: { room, text, cid: id },
  dm: { to: id, text, cid: id },
  typing: { room, on: bool },
  history: { qid: id, 'room?': room, 'before?': count, 'limit?': limit },
  members: { qid: id, room },
  ping: { 'ts?': count },
};
