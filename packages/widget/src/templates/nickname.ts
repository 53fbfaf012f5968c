import { html } from 'lit';
import type { View } from './view.js';

/** Asks for a nickname; the relay's refusal (taken, not allowed) is shown under the field. */
export function nicknamePrompt(v: View, error: string) {
  const { t, store } = v;
  const busy = !!store.client && !store.helloError;
  return html`<form class="prompt" part="nickname" novalidate @submit=${v.submitNick}>
    <h3>${t.nicknameHeading}</h3>
    <label for="nick">${t.nicknameLabel}</label>
    <input id="nick" name="nick" autocomplete="nickname" spellcheck="false" .value=${v.nickDraft}
      aria-invalid=${String(!!error)} aria-describedby="ne" />
    <p id="ne" class="error" role="alert">${error}</p>
    <button class="primary" ?disabled=${busy}>${busy ? t.status.connecting : t.join}</button>
  </form>`;
}
