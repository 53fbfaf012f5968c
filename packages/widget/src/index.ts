/**
 * `@parley/widget`: importing it defines `<chat-widget>` (once, however many
 * times it is loaded) and gives its class and types.
 *
 * @example
 * ```ts
 * import '@parley/widget';
 * const chat = document.createElement('chat-widget');
 * chat.relay = 'wss://chat.example.com/chat';
 * chat.room = 'support';
 * document.body.append(chat);
 * ```
 */
import { define } from './chat-widget/define.js';

define();

export { define };
export { ChatWidget, type TokenProvider } from './chat-widget/chat-widget.js';
export { Position, Theme, TAG_NAME, DEFAULT_ROOM } from './chat-widget/constants.js';
export type { ChatErrorDetail, ChatEventMap, ChatMessageDetail, ChatStatusDetail, ChatToggleDetail } from './chat-widget/events.js';
export { LOCALES, pickLocale, type Locale, type Strings } from './locales/index.js';
export { mount, type MountOptions } from './embed/mount.js';
export { socketUrl } from './relay-url.js';
