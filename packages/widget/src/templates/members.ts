import { html } from 'lit';
import { directKey } from '../model/conversation.js';
import { count } from './header.js';
import type { View } from './view.js';

/** Who is online: pick someone to open a private conversation. */
export function members(v: View) {
  const { t, store } = v;
  const me = store.user?.id;
  return html`<section class="members" id="members" part="members" aria-labelledby="mh" ?hidden=${!v.showMembers}>
    <h3 id="mh">${t.membersHeading}</h3>
    <ul>
      ${store.members.map(
        (m) => html`<li>
          ${m.id === me
            ? html`${m.name} <span class="muted">${t.you}</span>`
            : html`<button @click=${() => v.openDirect(m)}>
                <span aria-hidden="true">${m.name}</span><span class="vh">${t.privateWith(m.name)}</span>${count(
                  v,
                  store.conversations.get(directKey(m.id))?.unread ?? 0,
                )}
              </button>`}
        </li>`,
      )}
    </ul>
  </section>`;
}
