/**
 * The DOM events `<chat-widget>` dispatches: all bubble, cross the shadow
 * boundary (`composed`), and carry a typed `detail`.
 *
 * @example
 * ```ts
 * document.addEventListener('chat-message', (e) => console.log(e.detail.message.text));
 * ```
 */
import type { ClientErrorEvent, DirectMessage, RoomMessage, State } from '@parley/client';

/** `chat-open` / `chat-close`: the panel opened or closed. */
export interface ChatToggleDetail {
  open: boolean;
}

/** `chat-message`: a message arrived (live, not from history), in the room or privately. */
export interface ChatMessageDetail {
  message: RoomMessage | DirectMessage;
  /** Sent by this visitor (from this tab or another one). */
  own: boolean;
}

/** `chat-status`: the connection state changed. */
export interface ChatStatusDetail {
  status: State;
  previous: State;
  /** Why: a close code and reason, `offline`, an error code... */
  reason?: string;
}

/** `chat-error`: something was refused or failed (a send, the nickname, the token). */
export type ChatErrorDetail = ClientErrorEvent;

/** Every event of `<chat-widget>`, with its detail type. */
export interface ChatEventMap {
  'chat-open': CustomEvent<ChatToggleDetail>;
  'chat-close': CustomEvent<ChatToggleDetail>;
  'chat-message': CustomEvent<ChatMessageDetail>;
  'chat-status': CustomEvent<ChatStatusDetail>;
  'chat-error': CustomEvent<ChatErrorDetail>;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-empty-interface
  interface GlobalEventHandlersEventMap extends ChatEventMap {}
}

/** Dispatches a bubbling, composed `chat-*` event from `target`. */
export function emit<K extends keyof ChatEventMap>(
  target: EventTarget,
  type: K,
  detail: ChatEventMap[K]['detail'],
): void {
  target.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
}
