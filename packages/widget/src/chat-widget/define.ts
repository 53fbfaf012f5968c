/**
 * Registers `<chat-widget>`. Safe to call any number of times, from any
 * number of copies of this bundle on one page: the first definition stays,
 * later calls do nothing (a widget on other people's pages will be loaded
 * twice sooner or later).
 */
import { ChatWidget } from './chat-widget.js';
import { TAG_NAME } from './constants.js';

export function define(): void {
  if (!customElements.get(TAG_NAME)) customElements.define(TAG_NAME, ChatWidget);
}

declare global {
  interface HTMLElementTagNameMap {
    'chat-widget': ChatWidget;
  }
}
