import { html, nothing } from 'lit';
import { State } from '@parley/client';
import { ConversationKind } from '../model/conversation.js';
import { closeIcon } from './icons.js';
import type { View } from './view.js';

/** Title, connection status, who is online, close. */
export function header(v: View) {
  const { t, store } = v;
  return html`<header part="header">
    <div class="heading">
      <h2 id="title">${v.heading}</h2>
      <p class="status" part="status"><span class="dot ${store.status}"></span>${t.status[store.status]}</p>
    </div>
    ${v.asking || !store.user
      ? nothing
      : html`<button part="members-button" aria-expanded=${String(v.showMembers)} aria-controls="members" @click=${v.toggleMembers}>
          ${t.online(store.members.length)}
        </button>`}
    <button aria-label=${t.closeChat} @click=${v.close}>${closeIcon}</button>
  </header>`;
}

/** The room and each private conversation, with their unread counts (shown once there is more than one). */
export function tabs(v: View) {
  const { t, store } = v;
  if (v.asking || store.conversations.size < 2) return nothing;
  return html`<nav class="tabs" part="tabs" aria-label=${t.conversations}>
    ${[...store.conversations.values()].map(
      (c) => html`<button aria-current=${String(c.key === store.active)} @click=${() => v.select(c.key)}>
        ${c.kind === ConversationKind.Room ? t.roomLabel(c.name) : c.name}${count(v, c.unread)}
      </button>`,
    )}
  </nav>`;
}

/** An unread count: a number on screen, words for screen readers. */
export function count(v: View, n: number) {
  return n > 0 ? html`<span class="count" aria-hidden="true">${n}</span><span class="vh">${v.t.unread(n)}</span>` : nothing;
}

/** Reconnecting / offline banner; empty (and hidden) while connected. The live region stays in place. */
export function banner(v: View) {
  const { t, store } = v;
  const down = store.user && (store.status === State.Reconnecting || store.status === State.Closed);
  const text = down ? (store.reason === 'offline' || !navigator.onLine ? t.offlineBanner : t.reconnectingBanner) : '';
  return html`<div class="banner" part="banner" role="status">${text}</div>`;
}
