/**
 * A conversation (the room, or a private chat with one person) and the items
 * in it, kept in display order.
 */
import type { DirectMessage, RoomMessage } from '@parley/client';
import { MAX_ITEMS } from '../chat-widget/constants.js';

/** Delivery state of one's own message. */
export const Delivery = {
  /** Waiting in the outbox for the relay's ack (also while offline). */
  Sending: 'sending',
  /** Acked by the relay. */
  Sent: 'sent',
  /** Refused or failed; can be retried. */
  Failed: 'failed',
} as const;
/** One of the {@link Delivery} values. */
export type Delivery = (typeof Delivery)[keyof typeof Delivery];

/** Kinds of items in a conversation. */
export const ItemKind = {
  Message: 'message',
  Joined: 'joined',
  Left: 'left',
} as const;
/** One of the {@link ItemKind} values. */
export type ItemKind = (typeof ItemKind)[keyof typeof ItemKind];

/** One line of a conversation: a message or a notice. */
export interface ChatItem {
  /** Unique within the conversation: the message id, or a local key until the relay names it. */
  key: string;
  kind: ItemKind;
  /** Sort order: the message's `seq`; pending sends sort after every known `seq`. */
  order: number;
  /** Relay message id, once known. */
  id?: string;
  ts: number;
  /** Sender's user id, or the subject of a notice. */
  from: string;
  name: string;
  text: string;
  own: boolean;
  /** Own messages only. */
  delivery?: Delivery;
  /** Why a send failed: an error code. */
  error?: string;
  /** The client's id for one's own send, until it is acked. */
  cid?: string;
}

/** Kinds of conversations. */
export const ConversationKind = {
  Room: 'room',
  Direct: 'direct',
} as const;
/** One of the {@link ConversationKind} values. */
export type ConversationKind = (typeof ConversationKind)[keyof typeof ConversationKind];

/** The room, or a private chat with one user. */
export interface Conversation {
  /** `#room` or `@userId`. */
  key: string;
  kind: ConversationKind;
  /** The room name, or the other user's id. */
  target: string;
  /** What to call it: the room name, or the other user's display name. */
  name: string;
  items: ChatItem[];
  unread: number;
}

/** The key of a room's conversation. */
export const roomKey = (room: string): string => `#${room}`;
/** The key of the private conversation with a user. */
export const directKey = (userId: string): string => `@${userId}`;

/** Order given to sends the relay has not acked yet: after every real `seq`, in the order sent. */
export const PENDING_ORDER = 2 ** 50;

/** A new, empty conversation. */
export function conversation(kind: ConversationKind, target: string, name: string): Conversation {
  return { key: kind === ConversationKind.Room ? roomKey(target) : directKey(target), kind, target, name, items: [], unread: 0 };
}

/** The item for a relay message. */
export function messageItem(m: RoomMessage | DirectMessage, own: boolean): ChatItem {
  return {
    key: m.id,
    kind: ItemKind.Message,
    order: m.seq,
    id: m.id,
    ts: m.ts,
    from: m.from,
    name: m.name,
    text: m.text,
    own,
    delivery: own ? Delivery.Sent : undefined,
  };
}

/** The `order` for an item added now, after the last delivered one: notices sort among messages by arrival. */
export function nextOrder(c: Conversation): number {
  let last = 0;
  for (const item of c.items) if (item.order < PENDING_ORDER) last = Math.max(last, item.order);
  return last + 1e-3;
}

/**
 * Adds a relay message to a conversation, unless it is already there.
 * Returns whether it was added. (One's own sends are matched to their
 * messages by the ack's `cid` and `id`, never by text: see {@link settle}.)
 */
export function addMessage(c: Conversation, m: RoomMessage | DirectMessage, own: boolean): boolean {
  if (c.items.some((i) => i.id === m.id)) return false;
  insert(c, messageItem(m, own));
  return true;
}

/** Whether one of one's own sends in the conversation still waits for its ack. */
export const awaitingAck = (c: Conversation): boolean => c.items.some((i) => i.delivery === Delivery.Sending);

/** Marks a pending send as delivered under the relay's id and seq (from its ack). */
export function settle(c: Conversation, item: ChatItem, id: string, seq: number, ts: number): void {
  const twin = c.items.find((i) => i !== item && i.id === id);
  if (twin) {
    // the relay's copy arrived as a separate item: keep one
    c.items.splice(c.items.indexOf(item), 1);
    twin.own = true;
    twin.delivery = Delivery.Sent;
    return;
  }
  item.id = id;
  item.order = seq;
  item.ts = ts;
  item.delivery = Delivery.Sent;
  item.error = undefined;
  item.cid = undefined;
  sort(c);
}

/** Inserts an item in order, dropping the oldest past {@link MAX_ITEMS}. */
export function insert(c: Conversation, item: ChatItem): void {
  c.items.push(item);
  sort(c);
  if (c.items.length > MAX_ITEMS) c.items.splice(0, c.items.length - MAX_ITEMS);
}

function sort(c: Conversation): void {
  c.items.sort((a, b) => a.order - b.order);
}

/** The oldest relay `seq` in a conversation, to page history before it. */
export function oldestSeq(c: Conversation): number | undefined {
  let min: number | undefined;
  for (const i of c.items) if (i.kind === ItemKind.Message && i.id && (min === undefined || i.order < min)) min = i.order;
  return min;
}
