/**
 * Type-level tests: `npm run typecheck:test` (tsc -p tsconfig.test.json) fails
 * when a line marked `@ts-expect-error` compiles, or a correct one does not.
 * Nothing here runs (importing the widget needs a DOM), so the file is not a
 * `.test.ts` for the node runner: tsc is the test.
 */
import type { Ack } from '@parley/client';
import type { ChatErrorDetail, ChatMessageDetail, ChatStatusDetail, ChatWidget } from '@parley/widget';

export function typeChecks(doc: Document, el: ChatWidget): void {
  // the tag is known to the DOM typings
  const created: ChatWidget = doc.createElement('chat-widget');
  const found: ChatWidget | null = doc.querySelector('chat-widget');
  // events carry typed details, on the element and anywhere they bubble to
  el.addEventListener('chat-message', (e) => {
    const d: ChatMessageDetail = e.detail;
    return d.own ? d.message.text : d.message.from;
  });
  el.addEventListener('chat-status', (e) => e.detail.status === 'reconnecting' && e.detail.previous === 'open');
  doc.addEventListener('chat-error', (e) => (e.detail as ChatErrorDetail).code.toUpperCase());
  doc.body.addEventListener('chat-open', (e) => e.detail.open);
  el.addEventListener('chat-close', (e: CustomEvent<{ open: boolean }>) => e.detail.open);
  // @ts-expect-error: a chat-message detail has no `foo`
  el.addEventListener('chat-message', (e) => e.detail.foo);
  const detail: ChatStatusDetail = { status: 'open', previous: 'connecting' };

  // properties and API
  el.position = 'bottom-left';
  // @ts-expect-error: the corners are bottom-right and bottom-left
  el.position = 'top-left';
  el.theme = 'auto';
  // @ts-expect-error: the themes are light, dark and auto
  el.theme = 'blue';
  el.tokenProvider = async () => 'a.signed.token';
  el.opened = true;
  // @ts-expect-error: `open` is the method; the boolean property is `opened`
  el.open = true;
  const ack: Promise<Ack> = el.send('hello');
  // @ts-expect-error: send takes text
  void el.send(42);
  el.open();
  el.close();
  const unread: number = el.unread;
  void [created, found, detail, ack, unread];
}
