import { html, nothing } from 'lit';
import { ConversationKind, Delivery, ItemKind, type ChatItem, type Conversation } from '../model/conversation.js';
import { linkify } from '../text/linkify.js';
import { formatTime } from '../text/time.js';
import type { View } from './view.js';

/** The message list (a live region), "load earlier" and the "new messages" pill. */
export function messageList(v: View, c: Conversation) {
  const { t, store } = v;
  const h = store.history(c);
  return html`<div class="log" part="messages" role="log" tabindex="0" @scroll=${v.scrolled}
      aria-label=${c.kind === ConversationKind.Room ? t.messages : t.privateWith(c.name)}>
      ${h.more
        ? html`<button class="earlier" ?disabled=${h.loading} @click=${() => v.loadEarlier(c)}>${t.loadEarlier}</button>`
        : nothing}
      ${!c.items.length && h.loaded ? html`<p class="empty">${t.noMessages}</p>` : nothing}
      ${c.items.map((i) => item(v, c, i))}
    </div>
    ${v.pill ? html`<button class="pill" part="pill" @click=${v.toBottom}>${t.newMessages} <span aria-hidden="true">↓</span></button>` : nothing}`;
}

/** Who is typing in the room (nothing in private conversations: the protocol has typing for rooms only). */
export function typingLine(v: View, c: Conversation) {
  const names = c.kind === ConversationKind.Room ? v.store.typing.names() : [];
  return html`<div class="typing" part="typing">${names.length ? v.t.typing(names) : ''}</div>`;
}

function item(v: View, c: Conversation, i: ChatItem) {
  const { t } = v;
  if (i.kind !== ItemKind.Message) {
    return html`<p class="notice" part="notice">${(i.kind === ItemKind.Joined ? t.joined : t.left)(i.name)}</p>`;
  }
  return html`<div class="msg ${i.own ? 'own' : ''}" part="message">
    <p class="meta">${i.own ? html`<span class="vh">${t.you}</span>` : html`<span class="name">${i.name}</span>`}
      <time datetime=${new Date(i.ts).toISOString()}>${formatTime(i.ts, v.locale)}</time></p>
    <div class="bubble">${linkify(i.text).map((p) =>
      typeof p === 'string' ? p : html`<a href=${p.href} target="_blank" rel="noopener noreferrer">${p.text}</a>`,
    )}</div>
    ${i.own ? delivery(v, c, i) : nothing}
  </div>`;
}

function delivery(v: View, c: Conversation, i: ChatItem) {
  const { t } = v;
  if (i.delivery === Delivery.Failed) {
    const why = (i.error && t.sendErrors[i.error]) || t.sendErrors.fallback;
    return html`<p class="state failed" part="delivery">${t.failed}: ${why}
      <button @click=${() => v.retry(c, i)}>${t.retry}</button></p>`;
  }
  return html`<p class="state" part="delivery" data-state=${i.delivery ?? ''}>${i.delivery === Delivery.Sent ? t.sent : t.sending}</p>`;
}
