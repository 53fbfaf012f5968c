// The relay drops and comes back: a banner while it is gone, a composer that
// keeps working (messages queue in the outbox), and each queued message
// delivered exactly once after the reconnect.
import { expect } from 'chai';
import { executeServerCommand } from '@web/test-runner-commands';
import type { ChatStatusDetail } from '@parley/widget';
import { $, $$, bubbles, cleanup, connected, type, unique, until } from './helpers.js';

describe('reconnecting', () => {
  afterEach(async () => {
    await executeServerCommand('relay-start');
    cleanup();
  });

  it('says it is offline as soon as the browser goes offline, and clears the banner once it is back', async () => {
    const ada = await connected({ room: unique('r'), nickname: unique('ada'), open: true });
    const banner = $(ada, '[part=banner]')!;
    const statuses: ChatStatusDetail[] = [];
    ada.addEventListener('chat-status', (e: CustomEvent<ChatStatusDetail>) => statuses.push(e.detail));
    // as a browser does: navigator.onLine turns false, then the offline event
    Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => false });
    try {
      window.dispatchEvent(new Event('offline'));
      await ada.updateComplete;
      expect(statuses).to.deep.equal([{ status: 'reconnecting', previous: 'open', reason: 'offline' }]);
      expect(banner.textContent).to.equal('You are offline. Messages will be sent once you are back.');
    } finally {
      delete (navigator as unknown as Record<string, unknown>).onLine;
      window.dispatchEvent(new Event('online'));
    }
    await until(() => ada.status === 'open' && banner.textContent === '', 'back online, the banner gone');
  });

  it('shows a banner while the relay is gone, queues what is typed, and delivers it once when it is back', async function () {
    this.timeout(120000);
    const room = unique('r');
    const ada = await connected({ room, nickname: unique('ada'), open: true });
    const bob = await connected({ room, nickname: unique('bob'), open: true });
    const statuses: string[] = [];
    ada.addEventListener('chat-status', (e: CustomEvent<ChatStatusDetail>) => statuses.push(e.detail.status));
    const banner = $(ada, '[part=banner]')!;
    expect(banner.textContent).to.equal('');
    expect(getComputedStyle(banner).display).to.equal('none');

    await executeServerCommand('relay-stop');
    await until(() => banner.textContent!.includes('Reconnecting'), 'the banner appears', 20000);
    expect(banner.getAttribute('role')).to.equal('status');
    expect(getComputedStyle(banner).display).to.not.equal('none');
    expect(statuses).to.include('reconnecting');

    // the composer still works: messages wait in the outbox, shown as sending
    await type(ada, 'typed while away 1');
    await type(ada, 'typed while away 2');
    expect($$(ada, '.msg.own [data-state=sending]')).to.have.length(2);
    expect(ada.shadowRoot!.querySelector('textarea')!.disabled).to.equal(false);

    await executeServerCommand('relay-start');
    await until(() => ada.status === 'open' && bob.status === 'open', 'both reconnect', 60000);
    await until(() => banner.textContent === '', 'the banner goes away');
    await until(() => $$(ada, '.msg.own [data-state=sent]').length === 2, 'both are acked', 30000);
    await until(() => bubbles(bob).filter((t) => t.startsWith('typed while away')).length === 2, 'bob receives them', 30000);
    // a message after them: the room is delivered in seq order, so anything doubled shows before it
    await ada.send('and after');
    await until(() => bubbles(bob).includes('and after') && bubbles(ada).includes('and after'), 'the message after them, on both sides');
    expect(bubbles(bob).filter((t) => t.startsWith('typed while away') || t === 'and after')).to.deep.equal(['typed while away 1', 'typed while away 2', 'and after']);
    expect(bubbles(ada).filter((t) => t.startsWith('typed while away') || t === 'and after')).to.deep.equal(['typed while away 1', 'typed while away 2', 'and after']);
  });
});
