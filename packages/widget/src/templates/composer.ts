import { html } from 'lit';
import { COUNTER_THRESHOLD } from '../chat-widget/constants.js';
import type { View } from './view.js';

/** The text box and Send. Enter sends, Shift+Enter breaks the line; a counter shows near the limit. */
export function composer(v: View) {
  const { t } = v;
  const left = v.maxLength - v.draftLength;
  const near = left <= COUNTER_THRESHOLD;
  return html`<form class="composer" part="composer" @submit=${v.submitMessage}>
    <div class="field">
      <textarea id="input" part="input" rows="1" aria-label=${t.messageLabel} aria-describedby="counter"
        placeholder=${t.placeholder} enterkeyhint="send" @keydown=${v.composerKey} @input=${v.composerInput}></textarea>
      <span id="counter" class="counter ${left < 0 ? 'over' : ''}" part="counter" ?hidden=${!near}>${near ? t.counter(left) : ''}</span>
    </div>
    <button class="primary" part="send" ?disabled=${!v.draftLength || left < 0}>${t.send}</button>
  </form>`;
}
