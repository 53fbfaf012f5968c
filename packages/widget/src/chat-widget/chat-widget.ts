import { html, LitElement, nothing, type PropertyValues } from 'lit';
import type { Ack, Member, State } from '@parley/client';
import { MAX_TEXT_LENGTH } from '@parley/protocol';
import { pickLocale, strings, type Locale, type Strings } from '../locales/index.js';
import { ChatStore } from '../model/chat-store.js';
import { roomKey } from '../model/conversation.js';
import { socketUrl } from '../relay-url.js';
import { composer } from '../templates/composer.js';
import { banner, header, tabs } from '../templates/header.js';
import { chatIcon, closeIcon } from '../templates/icons.js';
import { members } from '../templates/members.js';
import { messageList, typingLine } from '../templates/messages.js';
import { nicknamePrompt } from '../templates/nickname.js';
import type { Handlers, View } from '../templates/view.js';
import { COUNTER_THRESHOLD, DEFAULT_ROOM, Position, Theme } from './constants.js';
import { emit } from './events.js';
import { followViewport, whenLoaded } from './page.js';
import { StickyScroll } from './sticky-scroll.js';
import { styles } from './styles.js';

/** Gives a fresh signed token before each connect. */
export type TokenProvider = () => string | Promise<string>;

const codePoints = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

/**
 * `<chat-widget>`: a chat launcher and panel connected to a Parley relay.
 *
 * It connects once the page has loaded, in the room given (default `lobby`),
 * as the nickname given or one the visitor picks. Visitors chat in the room
 * and privately with anyone online; the panel shows who is online, the
 * connection state, history, and each own message's delivery.
 *
 * @example
 * ```html
 * <chat-widget relay="wss://chat.example.com/chat" room="support" theme="auto"></chat-widget>
 * <script type="module">
 *   import '@parley/widget';
 *   const chat = document.querySelector('chat-widget');
 *   chat.addEventListener('chat-message', (e) => console.log(e.detail.message.text));
 *   chat.open();
 * </script>
 * ```
 *
 * @fires chat-open - The panel opened. `detail: { open: true }`
 * @fires chat-close - The panel closed. `detail: { open: false }`
 * @fires chat-message - A live message arrived, in the room or privately. `detail: { message, own }`
 * @fires chat-status - The connection state changed. `detail: { status, previous, reason? }`
 * @fires chat-error - A send, nickname or token was refused. `detail: { code, message, ref? }`
 *
 * @csspart launcher - The round button that opens and closes the panel.
 * @csspart badge - The unread count on the launcher.
 * @csspart panel - The chat dialog.
 * @csspart header - The panel's title bar (title, status, who is online, close).
 * @csspart status - The connection status line in the header.
 * @csspart members-button - The "n online" button in the header.
 * @csspart tabs - The row of conversations (room and private chats).
 * @csspart banner - The reconnecting/offline banner.
 * @csspart members - The list of who is online.
 * @csspart messages - The message list.
 * @csspart message - One message (its sender, time, text and delivery state).
 * @csspart delivery - The delivery state under one's own message.
 * @csspart notice - A join, leave or gap notice in the list.
 * @csspart pill - The "new messages" button shown when scrolled up.
 * @csspart typing - The "… is typing" line.
 * @csspart composer - The form with the text box and Send.
 * @csspart input - The message text box.
 * @csspart counter - The remaining-characters counter.
 * @csspart send - The Send button.
 * @csspart nickname - The nickname form.
 *
 * @cssproperty --chat-font-family - Font stack. Default: system UI fonts.
 * @cssproperty --chat-font-size - Base text size. Default `14px`.
 * @cssproperty --chat-bg - Panel background. Default `#ffffff` (dark `#1c2128`).
 * @cssproperty --chat-fg - Text colour. Default `#1f2328` (dark `#e6edf3`).
 * @cssproperty --chat-muted - Secondary text (times, notices). Default `#59636e` (dark `#9ba6b2`).
 * @cssproperty --chat-border - Borders and dividers. Default `#d1d9e0` (dark `#3d444d`).
 * @cssproperty --chat-accent - Launcher, header, buttons, own messages. Default `#0b5cad` (dark `#1c64d2`).
 * @cssproperty --chat-on-accent - Text on the accent colour. Default `#ffffff`.
 * @cssproperty --chat-link - Links in messages. Default `#0b5cad` (dark `#80b8ff`).
 * @cssproperty --chat-bubble-bg - Others' messages. Default `#eef1f4` (dark `#2d333b`).
 * @cssproperty --chat-bubble-fg - Text of others' messages. Default `#1f2328` (dark `#e6edf3`).
 * @cssproperty --chat-own-bubble-bg - One's own messages. Default `var(--chat-accent)`.
 * @cssproperty --chat-own-bubble-fg - Text of one's own messages. Default `var(--chat-on-accent)`.
 * @cssproperty --chat-danger - Errors and failed sends. Default `#b42318` (dark `#ff8e85`).
 * @cssproperty --chat-badge-bg - Unread badges. Default `#c0271d`.
 * @cssproperty --chat-badge-fg - Text of unread badges. Default `#ffffff`.
 * @cssproperty --chat-focus - Focus ring. Default `#0b5cad` (dark `#80b8ff`).
 * @cssproperty --chat-radius - Panel corner radius. Default `12px`.
 * @cssproperty --chat-width - Panel width. Default `370px`.
 * @cssproperty --chat-height - Panel height. Default `560px`.
 * @cssproperty --chat-offset - Distance from the corner of the window. Default `20px`.
 * @cssproperty --chat-z-index - Stacking order of launcher and panel. Default `2147483000`.
 * @cssproperty --chat-shadow - Shadow of launcher and panel.
 */
export class ChatWidget extends LitElement {
  static override styles = styles;

  static override properties = {
    relay: {},
    room: {},
    nickname: {},
    token: {},
    tokenProvider: { attribute: false },
    title: {},
    position: { reflect: true },
    opened: { type: Boolean, reflect: true, attribute: 'open' },
    theme: { reflect: true },
    lang: {},
    showMembers: { state: true },
    pill: { state: true },
    draftLength: { state: true },
  };

  /** The relay's WebSocket URL (`wss://host/chat`); relative or http(s) URLs are resolved against the page. Default: `/chat` on the page's host. */
  relay = '';
  /** The room to join. Default `lobby`. */
  room = DEFAULT_ROOM;
  /** The visitor's nickname; without it (and without a token) the visitor is asked. */
  nickname = '';
  /** A signed token the relay checks instead of a nickname. */
  token = '';
  /** A function giving a fresh token before each connect; wins over `token`. Property only. */
  tokenProvider: TokenProvider | undefined = undefined;
  /** The panel's title. Default: "Chat" in the widget's language. */
  override title = '';
  /** Which corner: `bottom-right` (default) or `bottom-left`. */
  position: Position = Position.BottomRight;
  /** Whether the panel is open (the `open` attribute). `open()` and `close()` also move focus. */
  opened = false;
  /** `light`, `dark`, or `auto` (default: follows `prefers-color-scheme`). */
  theme: Theme = Theme.Auto;
  /** The widget's language: `en` or `zh-CN`. Default: chosen from `navigator.language`. */
  override lang = '';

  private showMembers = false;
  private pill = false;
  private draftLength = 0;
  private readonly store = new ChatStore({
    changed: () => this.requestUpdate(),
    message: (d) => emit(this, 'chat-message', d),
    error: (d) => emit(this, 'chat-error', d),
    status: (d) => emit(this, 'chat-status', d),
  });
  private readonly sticky = new StickyScroll(() => this.shadowRoot?.querySelector('.log'));
  private loaded = false;
  /** Nickname the visitor typed in the prompt (wins over the attribute). */
  private chosenNick = '';
  private asked = false;
  private wasAsking = false;
  private focusNext: 'panel' | 'launcher' | '' = '';
  private unfollow: (() => void) | undefined;
  private url = '';

  /** Who the relay says the visitor is, once connected. */
  get user(): Member | null {
    return this.store.user;
  }

  /** The connection state: `idle`, `connecting`, `open`, `reconnecting` or `closed`. */
  get status(): State {
    return this.store.status;
  }

  /** Unread messages, over the room and every private conversation. */
  get unread(): number {
    return this.store.unread;
  }

  /** Opens the panel and moves focus into it. */
  open(): void {
    if (!this.opened) this.focusNext = 'panel';
    this.opened = true;
  }

  /** Closes the panel; focus returns to the launcher when it was inside the panel. */
  close(): void {
    if (this.opened && this.matches(':focus-within')) this.focusNext = 'launcher';
    this.opened = false;
  }

  /** Sends a message to the room; resolves with the relay's ack. Queued while offline. */
  send(text: string): Promise<Ack> {
    return this.store.send(text, roomKey(this.room));
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void whenLoaded().then(() => {
      this.loaded = true;
      this.restart();
    });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.loaded = false;
    this.unfollow?.();
    this.unfollow = undefined;
    this.store.stop();
  }

  /** (Re)connects with the current settings, or waits for a nickname. */
  private restart(): void {
    if (!this.loaded || !this.isConnected) return;
    this.url = socketUrl(this.relay, document.baseURI);
    const room = this.room || DEFAULT_ROOM;
    const nick = this.chosenNick || this.nickname || undefined;
    // a nickname typed into the prompt (after a refused token) connects anonymously
    const token = this.chosenNick ? undefined : this.tokenProvider ?? (this.token || undefined);
    if (!nick && !token) {
      this.store.stop();
      this.store.room = room;
      this.requestUpdate();
      return;
    }
    this.store.start({ url: this.url, room, nick, token }, `parley:${this.url}:${room}:${nick ?? 'token'}`);
    this.store.setVisible(this.opened);
  }

  private get locale(): Locale {
    return pickLocale(this.lang || navigator.language);
  }

  private get t(): Strings {
    return strings(this.locale);
  }

  /** Whether the nickname prompt is on screen. */
  private get asking(): boolean {
    const s = this.store;
    return !s.client || !!s.helloError || (this.asked && !s.user);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const settings = ['relay', 'room', 'nickname', 'token', 'tokenProvider'] as const;
    if (this.hasUpdated && settings.some((p) => changed.has(p))) this.restart();
    if (changed.has('opened')) this.store.setVisible(this.opened);
    const asking = this.asking;
    // the visitor answered the prompt: its field goes away, so focus moves on to the composer
    const lost = !document.activeElement || document.activeElement === document.body || this.matches(':focus-within');
    if (this.wasAsking && !asking && this.asked && this.opened && lost) this.focusNext = 'panel';
    this.wasAsking = asking;
    const justOpened = changed.has('opened') && this.opened;
    if (this.sticky.before(this.opened && !asking ? this.store.conversations.get(this.store.active) : undefined, justOpened)) {
      this.pill = true;
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    this.sticky.after();
    if (changed.has('opened')) {
      const panel = this.shadowRoot!.querySelector<HTMLElement>('.panel')!;
      this.unfollow?.();
      this.unfollow = this.opened ? followViewport(panel) : undefined;
      if (changed.get('opened') !== undefined) emit(this, this.opened ? 'chat-open' : 'chat-close', { open: this.opened });
    }
    const focus = this.focusNext;
    this.focusNext = '';
    if (focus === 'launcher') this.shadowRoot!.querySelector<HTMLElement>('.launcher')?.focus();
    if (focus === 'panel') this.shadowRoot!.querySelector<HTMLElement>('#nick, #input')?.focus();
  }

  /** What the templates read, built for each render. */
  private view(): View {
    return {
      t: this.t,
      locale: this.locale,
      store: this.store,
      heading: this.title || this.t.title,
      asking: this.asking,
      showMembers: this.showMembers,
      pill: this.pill,
      draftLength: this.draftLength,
      maxLength: MAX_TEXT_LENGTH,
      nickDraft: this.chosenNick || this.nickname,
      ...this.handlers,
    };
  }

  /** The handlers templates bind, made once. */
  private readonly handlers: Handlers = {
    toggle: () => (this.opened ? this.close() : this.open()),
    close: () => {
      this.focusNext = 'launcher';
      this.opened = false;
    },
    toggleMembers: () => (this.showMembers = !this.showMembers),
    select: (key) => this.store.select(key),
    openDirect: (m) => {
      this.showMembers = false;
      this.store.openDirect(m);
      this.focusNext = 'panel';
    },
    submitNick: (e) => {
      e.preventDefault();
      this.chosenNick = ((e.target as HTMLFormElement).elements.namedItem('nick') as HTMLInputElement).value.trim();
      this.asked = true;
      this.focusNext = 'panel';
      if (this.chosenNick) this.restart();
      else this.store.helloError = { code: 'bad_nickname', message: 'empty' };
      this.requestUpdate();
    },
    submitMessage: (e) => {
      e.preventDefault();
      const input = this.shadowRoot!.querySelector('textarea')!;
      const text = input.value;
      if (!text.trim() || codePoints(text) > MAX_TEXT_LENGTH) return;
      this.store.send(text).catch(() => undefined);
      input.value = '';
      this.draftLength = 0;
    },
    composerKey: (e) => {
      // not while an IME composes (Safari reports the composing Enter as keyCode 229)
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) this.handlers.submitMessage(e);
    },
    composerInput: (e) => {
      // far from the limit only "empty or not" shows, so typing there does not re-render the list
      const n = codePoints((e.target as HTMLTextAreaElement).value);
      this.draftLength = n > MAX_TEXT_LENGTH - COUNTER_THRESHOLD ? n : Math.min(n, 1);
      if (this.draftLength) this.store.typed();
      else this.store.stopTyping();
      if (this.sticky.atBottom) requestAnimationFrame(() => this.sticky.toBottom());
    },
    scrolled: () => {
      if (this.sticky.scrolled()) this.pill = false;
    },
    loadEarlier: (c) => void this.store.loadHistory(c, true),
    toBottom: () => {
      this.sticky.toBottom();
      this.pill = false;
    },
    retry: (c, item) => this.store.retry(c, item),
  };

  private keydown(e: KeyboardEvent): void {
    if (e.key !== 'Escape') return;
    e.stopPropagation();
    if (this.showMembers) {
      this.showMembers = false;
      this.shadowRoot!.querySelector<HTMLElement>('[part=members-button]')?.focus();
    } else {
      this.handlers.close();
    }
  }

  protected override render() {
    const v = this.view();
    const { t, store } = v;
    const asking = this.asking;
    const c = store.conversations.get(store.active);
    const unread = store.unread;
    const error = store.helloError ? t.nicknameErrors[store.helloError.code] || t.nicknameErrors.fallback : '';
    return html`<div class="root ${this.position === Position.BottomLeft ? 'left' : ''} ${this.opened ? 'open' : ''}" lang=${this.locale} title="">
      <div class="panel" id="panel" part="panel" role="dialog" aria-labelledby="title" ?hidden=${!this.opened} @keydown=${this.keydown}>
        ${header(v)} ${tabs(v)} ${banner(v)}
        ${asking
          ? html`<div class="body">${nicknamePrompt(v, error)}</div>`
          : html`<div class="body">${members(v)} ${c ? messageList(v, c) : nothing}</div>
              ${c ? typingLine(v, c) : nothing} ${composer(v)}`}
      </div>
      <button class="launcher" part="launcher" aria-controls="panel" aria-expanded=${String(this.opened)} @click=${v.toggle}
        aria-label=${this.opened ? t.closeChat : unread ? t.openChatUnread(unread) : t.openChat}>
        ${this.opened ? closeIcon : chatIcon}
        ${unread && !this.opened ? html`<span class="badge" part="badge" aria-hidden="true">${unread}</span>` : nothing}
      </button>
    </div>`;
  }
}
