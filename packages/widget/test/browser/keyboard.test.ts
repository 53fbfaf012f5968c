// Keyboard operation and focus: the launcher, focus into the panel and back,
// Escape, and the element's JS API and events.
import { expect } from 'chai';
import { sendKeys } from '@web/test-runner-commands';
import type { ChatToggleDetail } from '@parley/widget';
import { $, cleanup, connected, mount, nextEvent, unique, describeFocus, describeNode } from './helpers.js';

describe('keyboard and focus', () => {
  afterEach(cleanup);

  it('opens from the launcher with the keyboard, moves focus in, and Escape closes back to the launcher', async () => {
    const el = await connected({ room: unique('r'), nickname: unique('kb') });
    const launcher = $(el, '[part=launcher]')!;
    expect(launcher.getAttribute('aria-expanded')).to.equal('false');
    expect($(el, '[part=panel]')!.hidden).to.equal(true);
    launcher.focus();
    const opened = nextEvent<CustomEvent<ChatToggleDetail>>(el, 'chat-open');
    await sendKeys({ press: 'Enter' });
    expect((await opened).detail).to.deep.equal({ open: true });
    await el.updateComplete;
    expect(launcher.getAttribute('aria-expanded')).to.equal('true');
    expect($(el, '[part=panel]')!.hidden).to.equal(false);
    expect(describeFocus(el)).to.equal(describeNode($(el, 'textarea')));

    const closed = nextEvent<CustomEvent<ChatToggleDetail>>(el, 'chat-close');
    await sendKeys({ press: 'Escape' });
    expect((await closed).detail).to.deep.equal({ open: false });
    await el.updateComplete;
    expect($(el, '[part=panel]')!.hidden).to.equal(true);
    expect(describeFocus(el)).to.equal(describeNode(launcher));
    expect(el.hasAttribute('open')).to.equal(false);
  });

  it('reaches every control with Tab, and closes from the header button', async () => {
    const el = await connected({ room: unique('r'), nickname: unique('kb'), open: true });
    const seen: string[] = [];
    $(el, '[part=members-button]')!.focus();
    for (let i = 0; i < 4; i++) {
      await sendKeys({ press: 'Tab' });
      const a = el.shadowRoot!.activeElement as HTMLElement;
      seen.push(a.getAttribute('part') ?? a.getAttribute('aria-label')!);
    }
    // Send is skipped while disabled (nothing typed)
    expect(seen).to.deep.equal(['Close chat', 'messages', 'input', 'launcher']);

    ($(el, 'header button[aria-label="Close chat"]') as HTMLButtonElement).focus();
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    expect(el.opened).to.equal(false);
    expect(describeFocus(el)).to.equal(describeNode($(el, '[part=launcher]')));
  });

  it('Escape closes the online list first, then the panel', async () => {
    const el = await connected({ room: unique('r'), nickname: unique('kb'), open: true });
    $(el, '[part=members-button]')!.click();
    await el.updateComplete;
    ($(el, '[part=members]') as HTMLElement).querySelector('h3')!.tabIndex = -1;
    ($(el, '[part=members] h3') as HTMLElement).focus();
    await sendKeys({ press: 'Escape' });
    await el.updateComplete;
    expect($(el, '[part=members]')!.hidden).to.equal(true);
    expect(el.opened).to.equal(true);
    expect(describeFocus(el)).to.equal(describeNode($(el, '[part=members-button]')));
    await sendKeys({ press: 'Escape' });
    await el.updateComplete;
    expect(el.opened).to.equal(false);
  });

  it('opens with the open attribute without taking focus from the page', async () => {
    const field = document.createElement('input');
    document.body.append(field);
    try {
      field.focus();
      const el = await mount({ room: unique('r'), nickname: unique('kb'), open: true });
      expect($(el, '[part=panel]')!.hidden).to.equal(false);
      expect(document.activeElement === field, 'the page keeps its focus').to.equal(true);
      el.removeAttribute('open');
      await el.updateComplete;
      expect(el.opened).to.equal(false);
      expect($(el, '[part=panel]')!.hidden).to.equal(true);
    } finally {
      field.remove();
    }
  });

  it('opens, closes and sends through its JS API', async () => {
    const el = await connected({ room: unique('r'), nickname: unique('api') });
    el.open();
    await el.updateComplete;
    expect(el.opened && el.hasAttribute('open')).to.equal(true);
    const ack = await el.send('through the API');
    expect(ack.type).to.equal('ack');
    expect(ack.seq).to.be.greaterThan(0);
    el.close();
    await el.updateComplete;
    expect(el.hasAttribute('open')).to.equal(false);
  });
});
