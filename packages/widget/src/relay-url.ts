/**
 * Turns what a page gives as the relay (absolute, relative, http(s) or ws(s),
 * or nothing) into the WebSocket URL the client connects to.
 *
 * - absent or empty: `/chat` on the base's host;
 * - relative (`/chat`, `chat`): resolved against the base;
 * - `http:`/`https:` become `ws:`/`wss:`.
 *
 * The element resolves against the page (`document.baseURI`); the script-tag
 * embed resolves against its own script's `src`, so `data-relay` can be left
 * out when the relay serves `widget.js` itself.
 *
 * @example
 * ```ts
 * socketUrl(undefined, 'https://chat.example.com/widget.js'); // 'wss://chat.example.com/chat'
 * socketUrl('wss://relay.example/chat', location.href);      // unchanged
 * ```
 */
import { DEFAULT_RELAY_PATH } from './chat-widget/constants.js';

export function socketUrl(relay: string | null | undefined, base: string): string {
  const url = new URL(relay?.trim() || DEFAULT_RELAY_PATH, base);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  return url.href;
}
