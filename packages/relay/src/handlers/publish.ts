/**
 * Accepting a chat message and fanning it out, the same for protocol and
 * plain seed senders: store it (idempotently), then hand one encoded
 * envelope to every recipient session.
 */
import type { DirectMessage, RoomMessage } from '@parley/protocol';
import type { RelayContext } from './context.js';
import type { Session } from '../sessions/session.js';
import type { AckInfo } from '../store/store.js';

/** An accepted message: its ack, and whether it had been accepted before. */
export interface Accepted {
  ack: AckInfo;
  dup: boolean;
}

function observe(ctx: RelayContext, receivedAt: number): void {
  ctx.scheduler.onceFlushed(() => ctx.metrics.latency.observe((performance.now() - receivedAt) / 1000));
}

/**
 * Stores a room message from `session` and delivers it to the room
 * (`except`: a plain sender, who does not get its own messages back).
 *
 * @example
 * ```ts
 * const { ack, dup } = await publishRoom(ctx, session, 'lobby', 'hi', 'c1', performance.now());
 * ```
 */
export async function publishRoom(
  ctx: RelayContext,
  session: Session,
  room: string,
  text: string,
  cid: string | undefined,
  receivedAt: number,
  except?: Session,
): Promise<Accepted> {
  const { id: from, name } = session.user.member;
  const id = ctx.ids.next('m');
  const draft: Omit<RoomMessage, 'seq'> = { type: 'msg', room, id, ts: Date.now(), from, name, text };
  const r = await ctx.store.appendRoom(draft, from, cid ?? id, except?.id);
  if (!r.message) return { ack: r.ack, dup: true };
  ctx.metrics.countAccepted('room');
  const delivered = ctx.broker.room(r.message, receivedAt, except);
  if (delivered) await delivered;
  observe(ctx, receivedAt);
  return { ack: r.ack, dup: false };
}

/**
 * Stores a direct message in both inboxes and delivers it to every attached
 * session of the addressee and of the sender (`except`: a plain sender).
 */
export async function publishDirect(
  ctx: RelayContext,
  session: Session,
  to: string,
  text: string,
  cid: string | undefined,
  receivedAt: number,
  except?: Session,
): Promise<Accepted> {
  const { id: from, name } = session.user.member;
  const id = ctx.ids.next('d');
  const draft: Omit<DirectMessage, 'seq'> = { type: 'direct', id, ts: Date.now(), from, name, to, text };
  const r = await ctx.store.appendDirect(draft, cid ?? id, except?.id);
  if (!r.recipientCopy) return { ack: r.ack, dup: true };
  ctx.metrics.countAccepted('direct');
  const toRecipient = ctx.broker.direct(to, r.recipientCopy, receivedAt, except);
  const toSender = r.senderCopy && ctx.broker.direct(from, r.senderCopy, receivedAt, except);
  if (toRecipient) await toRecipient;
  if (toSender) await toSender;
  observe(ctx, receivedAt);
  return { ack: r.ack, dup: false };
}
