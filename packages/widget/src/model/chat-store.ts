/**
 * The widget's view of the chat: one {@link ParleyClient} and what the UI
 * shows of it (conversations, members, typing, unread counts). It knows
 * nothing of the DOM; the element renders it and calls its methods.
 */
import { createClient, State } from '@parley/client';
import type { Ack, ClientErrorEvent, ClientEvents, DirectMessage, Member, ParleyClient, RoomMessage } from '@parley/client';
import { HISTORY_PAGE, TYPING_IDLE_MS } from '../chat-widget/constants.js';
import type { ChatMessageDetail, ChatStatusDetail } from '../chat-widget/events.js';
import {
  addMessage,
  awaitingAck,
  conversation,
  ConversationKind,
  Delivery,
  directKey,
  insert,
  ItemKind,
  nextOrder,
  oldestSeq,
  PENDING_ORDER,
  roomKey,
  settle,
  type ChatItem,
  type Conversation,
} from './conversation.js';
import { TypingTracker } from './typing.js';

/** What the store tells its owner. */
export interface StoreHost {
  /** Something the UI shows changed. */
  changed(): void;
  message(detail: ChatMessageDetail): void;
  status(detail: ChatStatusDetail): void;
  error(detail: ClientErrorEvent): void;
}

/** How to reach the relay and as whom. */
export interface StoreConfig {
  url: string;
  room: string;
  nick?: string;
  token?: string | (() => string | Promise<string>);
}

/** Paging state of one history: a room's, or the private inbox's. */
interface HistoryState {
  loaded: boolean;
  loading: boolean;
  more: boolean;
  /** Oldest `seq` seen (the inbox's; rooms use their items). */
  oldest?: number;
}

/** The history key for the private inbox, shared by every private conversation. */
const INBOX = '@';

const closedError = (): ClientErrorEvent => ({ code: 'closed', message: 'The chat is not connected yet.' });

export class ChatStore {
  client: ParleyClient | null = null;
  status: State = State.Idle;
  reason: string | undefined;
  user: Member | null = null;
  room = '';
  members: Member[] = [];
  readonly conversations = new Map<string, Conversation>();
  /** Key of the conversation on screen. */
  active = '';
  /** Whether the panel is open (unread counts stay at zero for what is on screen). */
  visible = false;
  /** Why the last hello (nickname or token) was refused. */
  helloError: ClientErrorEvent | null = null;
  readonly typing: TypingTracker;
  private readonly histories = new Map<string, HistoryState>();
  /**
   * One's own live messages that arrived before their ack, by id, with their
   * conversation. A message carries no `cid`, so it cannot say which of one's
   * sends it is: it waits here while a send of its conversation waits for its
   * ack. The ack names it (`ack.id`) and settles that send; one that no ack
   * claims (sent from another tab) is shown once no send there waits.
   */
  private readonly early = new Map<string, [Conversation, RoomMessage | DirectMessage]>();
  private local = 0;
  private typingOn = false;
  private typingSent = 0;
  private typingTimer: ReturnType<typeof setTimeout> | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly host: StoreHost) {
    this.typing = new TypingTracker(() => host.changed());
  }

  /** The room's conversation. */
  get roomConversation(): Conversation | undefined {
    return this.conversations.get(roomKey(this.room));
  }

  /** Unread messages over every conversation. */
  get unread(): number {
    let n = 0;
    for (const c of this.conversations.values()) n += c.unread;
    return n;
  }

  /** Paging state of a conversation's history. */
  history(c: Conversation): HistoryState {
    const key = c.kind === ConversationKind.Room ? c.key : INBOX;
    let h = this.histories.get(key);
    if (!h) this.histories.set(key, (h = { loaded: false, loading: false, more: false }));
    return h;
  }

  /** Connects a new client (closing any previous one). */
  start(config: StoreConfig, storageKey: string): void {
    this.stop();
    this.room = config.room;
    this.helloError = null;
    const room = conversation(ConversationKind.Room, config.room, config.room);
    this.conversations.set(room.key, room);
    this.active = room.key;
    const client = createClient({
      url: config.url,
      nick: config.nick,
      token: config.token,
      rooms: [config.room],
      storageKey,
    });
    this.client = client;
    this.unsubscribe = this.listen(client);
    for (const entry of client.outbox) this.addPending(entry.room ? room : this.direct(entry.to ?? '', entry.to ?? ''), entry.text, entry.cid);
    client.connect();
    this.host.changed();
  }

  /** Closes the client and forgets everything. */
  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.client?.close();
    this.client = null;
    clearTimeout(this.typingTimer);
    this.typingOn = false;
    this.typing.clear();
    this.conversations.clear();
    this.histories.clear();
    this.early.clear();
    this.members = [];
    this.user = null;
    this.status = State.Idle;
    this.reason = undefined;
  }

  private listen(client: ParleyClient): () => void {
    const handlers: { [K in keyof ClientEvents]?: (e: ClientEvents[K]) => void } = {
      status: (e) => {
        this.status = e.to;
        this.reason = e.reason;
        if (e.to !== State.Open) this.typing.clear();
        this.host.status({ status: e.to, previous: e.from, reason: e.reason });
      },
      welcome: (e) => {
        // a new session after a lost one (resume window over, relay restarted): what was missed cannot be
        // replayed, so the lists start again from history; sends still waiting for their ack stay
        if (this.user && !e.resumed) {
          for (const c of this.conversations.values()) c.items = c.items.filter((i) => i.own && !i.id);
          this.histories.clear();
          this.early.clear();
        }
        this.user = e.user;
        this.helloError = null;
        if (this.visible) this.ensureHistory();
      },
      message: (m) => this.receive(m),
      direct: (m) => this.receive(m),
      members: (e) => {
        if (e.room === this.room) this.members = e.members;
      },
      presence: (p) => {
        const room = this.roomConversation;
        if (p.room !== this.room || !room) return;
        this.members = this.members.filter((m) => m.id !== p.user.id);
        if (p.event === 'join') this.members.push(p.user);
        else this.typing.set(p.user.id, p.user.name, false);
        if (p.user.id !== this.user?.id) this.notice(room, p.event === 'join' ? ItemKind.Joined : ItemKind.Left, p.user);
      },
      typing: (t) => {
        if (t.room === this.room && t.from !== this.user?.id) this.typing.set(t.from, t.name, t.on);
      },
      ack: (a) => {
        // every ack comes through here, also for sends restored from storage (which have no promise)
        for (const c of this.conversations.values()) {
          const item = c.items.find((i) => i.cid === a.cid);
          if (item) settle(c, item, a.id, a.seq, a.ts);
        }
        this.early.delete(a.id);
        this.showEarly();
      },
      error: (e) => {
        if (e.ref === 'hello' || /^(auth_failed|token_expired|anonymous_disabled)$/.test(e.code)) this.helloError = e;
        const item = e.ref ? this.byCid(e.ref) : undefined;
        if (item) {
          // the send's own promise rejects too and reports it
          this.fail(item, e.code);
        } else {
          this.host.error(e);
        }
      },
    };
    const entries = Object.entries(handlers) as [keyof ClientEvents, (e: unknown) => void][];
    const wrapped = entries.map(([type, fn]) => {
      const h = (e: unknown): void => {
        if (this.client !== client) return; // a late event from a replaced client
        fn(e);
        this.host.changed();
      };
      client.on(type, h);
      return [type, h] as const;
    });
    return () => wrapped.forEach(([type, h]) => client.off(type, h));
  }

  private receive(m: RoomMessage | DirectMessage): void {
    const own = m.from === this.user?.id;
    let c: Conversation | undefined;
    if (m.type === 'msg') {
      if (m.room !== this.room) return;
      c = this.roomConversation;
      this.typing.set(m.from, m.name, false);
    } else {
      c = own ? this.direct(m.to, this.nameOf(m.to)) : this.direct(m.from, m.name);
    }
    if (!c || c.items.some((i) => i.id === m.id)) return;
    if (own && awaitingAck(c)) this.early.set(m.id, [c, m]);
    else addMessage(c, m, own);
    if (!own && !(this.visible && this.active === c.key)) c.unread++;
    this.host.message({ message: m, own });
  }

  /** Shows the early own messages no ack claimed, in conversations where no send waits any more. */
  private showEarly(): void {
    for (const [id, [c, m]] of this.early) {
      if (awaitingAck(c)) continue;
      this.early.delete(id);
      addMessage(c, m, true);
    }
  }

  /** Marks one's own send as not sent (with the code why); what waited behind it may show now. */
  private fail(item: ChatItem, code: string | undefined): void {
    item.delivery = Delivery.Failed;
    item.error = code;
    this.showEarly();
  }

  private notice(c: Conversation, kind: ItemKind, user: Member): void {
    insert(c, { key: `n${++this.local}`, kind, order: nextOrder(c), ts: Date.now(), from: user.id, name: user.name, text: '', own: false });
  }

  private nameOf(id: string): string {
    return this.members.find((m) => m.id === id)?.name ?? this.conversations.get(directKey(id))?.name ?? id;
  }

  /** The private conversation with a user, created when missing. */
  direct(id: string, name: string): Conversation {
    const key = directKey(id);
    let c = this.conversations.get(key);
    if (!c) this.conversations.set(key, (c = conversation(ConversationKind.Direct, id, name)));
    return c;
  }

  private byCid(cid: string): ChatItem | undefined {
    for (const c of this.conversations.values()) {
      const item = c.items.find((i) => i.cid === cid);
      if (item) return item;
    }
    return undefined;
  }

  private addPending(c: Conversation, text: string, cid: string): ChatItem {
    const n = ++this.local;
    const me = this.user ?? { id: '', name: '' };
    const item: ChatItem = {
      key: `l${n}`,
      kind: ItemKind.Message,
      order: PENDING_ORDER + n,
      ts: Date.now(),
      from: me.id,
      name: me.name,
      text,
      own: true,
      delivery: Delivery.Sending,
      cid,
    };
    insert(c, item);
    return item;
  }

  /** Shows a conversation; its unread count goes to zero and its history loads. */
  select(key: string): void {
    if (!this.conversations.has(key)) return;
    this.active = key;
    this.setVisible(this.visible);
  }

  /** Opens (creating it when needed) the private conversation with a member. */
  openDirect(member: Member): void {
    this.select(this.direct(member.id, member.name).key);
  }

  /** Tells whether the panel is open. */
  setVisible(visible: boolean): void {
    this.visible = visible;
    const c = this.conversations.get(this.active);
    if (visible && c) {
      c.unread = 0;
      this.ensureHistory();
    }
    this.host.changed();
  }

  /** Loads the first history page of the conversation on screen, once. */
  ensureHistory(): void {
    const c = this.conversations.get(this.active);
    if (c && !this.history(c).loaded) void this.loadHistory(c, false);
  }

  /** Loads a page of history: the newest one, or (`earlier`) the one before what is shown. */
  async loadHistory(c: Conversation, earlier: boolean): Promise<void> {
    const client = this.client;
    const h = this.history(c);
    if (!client || this.status !== State.Open || h.loading || (earlier ? !h.more : h.loaded)) return;
    const isRoom = c.kind === ConversationKind.Room;
    const before = earlier ? (isRoom ? oldestSeq(c) : h.oldest) : undefined;
    h.loading = true;
    this.host.changed();
    try {
      const page = await client.history(isRoom ? c.target : null, before === undefined ? { limit: HISTORY_PAGE } : { limit: HISTORY_PAGE, before });
      if (client !== this.client) return;
      for (const m of page.messages) {
        const own = m.from === this.user?.id;
        if (m.type === 'msg') {
          if (m.room === this.room) addMessage(c, m, own);
        } else {
          addMessage(own ? this.direct(m.to, this.nameOf(m.to)) : this.direct(m.from, m.name), m, own);
          h.oldest = Math.min(h.oldest ?? m.seq, m.seq);
        }
      }
      h.more = page.more;
      h.loaded = true;
    } catch {
      // timeout or disconnect: the next open or click tries again
    } finally {
      h.loading = false;
      this.host.changed();
    }
  }

  /**
   * Sends to a conversation (the one on screen by default); resolves with the relay's ack.
   * The message shows as sending under the `cid` the client gave it, and the
   * `ack` event with that `cid` marks it sent.
   */
  send(text: string, key = this.active): Promise<Ack> {
    const c = this.conversations.get(key);
    const client = this.client;
    if (!c || !client) return Promise.reject(closedError());
    const p = c.kind === ConversationKind.Room ? client.send(c.target, text) : client.sendDirect(c.target, text);
    const item = this.addPending(c, text, p.cid);
    if (c.kind === ConversationKind.Room) this.stopTyping();
    p.catch((e: ClientErrorEvent) => {
      this.fail(item, e.code);
      this.host.error(e);
      this.host.changed();
    });
    this.host.changed();
    return p;
  }

  /** Sends a failed message again, in place of the failed one. */
  retry(c: Conversation, item: ChatItem): void {
    const i = c.items.indexOf(item);
    if (i >= 0) c.items.splice(i, 1);
    this.send(item.text, c.key).catch(() => undefined);
  }

  /** The visitor typed in the composer of the room: tells the room, then stops after a pause. */
  typed(): void {
    const client = this.client;
    const c = this.conversations.get(this.active);
    if (!client || this.status !== State.Open || c?.kind !== ConversationKind.Room) return;
    const now = Date.now();
    // repeat the start now and then, so others' indicators do not expire while one types on
    if (!this.typingOn || now - this.typingSent > TYPING_IDLE_MS) {
      client.typing(this.room, true);
      this.typingOn = true;
      this.typingSent = now;
    }
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => this.stopTyping(), TYPING_IDLE_MS);
  }

  /** Withdraws the typing indicator, if it is shown. */
  stopTyping(): void {
    clearTimeout(this.typingTimer);
    if (!this.typingOn) return;
    this.typingOn = false;
    if (this.client && this.status === State.Open) this.client.typing(this.room, false);
  }
}
