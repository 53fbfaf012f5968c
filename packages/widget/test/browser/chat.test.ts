// Group chat between two widgets through the real relay: delivery, own
// messages, the composer's keys and counter, history paging, sticking to the
// bottom and the "new messages" pill.
import { expect } from 'chai';
import { createClient, type ParleyClient } from '@parley/client';
import { sendKeys } from '@web/test-runner-commands';
import type { ChatMessageDetail } from '@parley/widget';
import { $, $$, bubbles, cleanup, connected, nextEvent, relay, type, unique, until } from './helpers.js';

describe('group chat', () => {
  afterEach(cleanup);

  it('delivers a message typed in one widget to another in the same room', async () => {
    const room = unique('r');
    const ada = await connected({ room, nickname: unique('ada'), open: true });
    const bob = await connected({ room, nickname: unique('bob'), open: true });
    const received = nextEvent<CustomEvent<ChatMessageDetail>>(bob, 'chat-message');

    await type(ada, 'hello from ada');

    const e = await received;
    expect(e.detail.message.text).to.equal('hello from ada');
    expect(e.detail.message.from).to.equal(ada.user!.id);
    expect(e.detail.own).to.equal(false);
    expect(e.bubbles && e.composed).to.equal(true);
    await until(() => bubbles(bob).includes('hello from ada'), 'bob shows the message');
    const line = $$(bob, '.msg').find((m) => m.textContent!.includes('hello from ada'))!;
    expect(line.querySelector('.name')!.textContent).to.equal(ada.user!.name);
    expect(line.querySelector('time')!.getAttribute('datetime')).to.match(/^\d{4}-\d\d-\d\dT/);
    expect(line.classList.contains('own')).to.equal(false);
  });

  it("aligns one's own messages to the other side and shows sending, then sent", async () => {
    const room = unique('r');
    const ada = await connected({ room, nickname: unique('ada'), open: true });
    await type(ada, 'mine');
    const own = $$(ada, '.msg.own');
    expect(own).to.have.length(1);
    await until(() => $(ada, '.msg.own [data-state=sent]'), 'the message is acked');
    const style = getComputedStyle(own[0]!);
    expect(style.alignSelf).to.equal('flex-end');
  });

  it('sends on Enter, breaks the line on Shift+Enter, and keeps Send disabled while empty', async () => {
    const room = unique('r');
    const ada = await connected({ room, nickname: unique('ada'), open: true });
    const area = $(ada, 'textarea') as HTMLTextAreaElement;
    expect(($(ada, '[part=send]') as HTMLButtonElement).disabled).to.equal(true);
    area.focus();
    await sendKeys({ type: 'line one' });
    await sendKeys({ down: 'Shift' });
    await sendKeys({ press: 'Enter' });
    await sendKeys({ up: 'Shift' });
    await sendKeys({ type: 'line two' });
    expect(area.value).to.equal('line one\nline two');
    expect(bubbles(ada)).to.deep.equal([]);
    await sendKeys({ press: 'Enter' });
    await until(() => bubbles(ada).length === 1, 'the message is shown');
    expect(bubbles(ada)[0]).to.equal('line one\nline two');
    expect(area.value).to.equal('');
  });

  it('shows a counter near the length limit and refuses to send past it', async () => {
    const room = unique('r');
    const ada = await connected({ room, nickname: unique('ada'), open: true });
    const counter = $(ada, '[part=counter]')!;
    await type(ada, 'short', false);
    expect(counter.hidden).to.equal(true);
    await type(ada, 'x'.repeat(3900), false);
    expect(counter.hidden).to.equal(false);
    expect(counter.textContent).to.equal('Characters left: 100');
    await type(ada, '😀'.repeat(4001), false);
    expect(counter.textContent).to.equal('Over the limit by 1');
    expect(($(ada, '[part=send]') as HTMLButtonElement).disabled).to.equal(true);
    await type(ada, '😀'.repeat(4001), true);
    expect(bubbles(ada)).to.deep.equal([]);
  });

  it('loads history on open and pages earlier messages with "load earlier"', async function () {
    this.timeout(60000);
    const room = unique('r');
    const { url } = await relay();
    const writer: ParleyClient = createClient({ url, nick: unique('w'), rooms: [room], storage: null });
    try {
      writer.connect();
      // 35 messages: more than one page (30); the client paces them under the relay's rate limit, in order
      await Promise.all(Array.from({ length: 35 }, (_, i) => writer.send(room, `old ${i + 1}`)));
      const reader = await connected({ room, nickname: unique('reader') });
      expect(bubbles(reader)).to.deep.equal([]);
      reader.open();
      await until(() => bubbles(reader).length === 30, 'the newest page loads on open');
      expect(bubbles(reader)[0]).to.equal('old 6');
      expect(bubbles(reader)[29]).to.equal('old 35');
      const log = $(reader, '[part=messages]')!;
      expect(log.scrollTop + log.clientHeight).to.be.closeTo(log.scrollHeight, 2);
      ($(reader, '.earlier') as HTMLButtonElement).click();
      await until(() => bubbles(reader).length === 35, 'the earlier page loads');
      expect(bubbles(reader)[0]).to.equal('old 1');
      await until(() => !$(reader, '.earlier'), 'no more to load');
    } finally {
      writer.close();
    }
  });

  it('sticks to the bottom, and shows a "new messages" pill when scrolled up', async function () {
    this.timeout(60000);
    const room = unique('r');
    const ada = await connected({ room, nickname: unique('ada') });
    const bob = await connected({ room, nickname: unique('bob'), open: true });
    await Promise.all(Array.from({ length: 25 }, (_, i) => ada.send(`filler ${i}`))); // paced by the client
    await until(() => bubbles(bob).length === 25, 'bob has the fillers');
    const log = $(bob, '[part=messages]')!;
    await until(() => Math.abs(log.scrollTop + log.clientHeight - log.scrollHeight) < 2, 'bob stays at the bottom');
    expect($(bob, '[part=pill]')).to.equal(null);

    log.scrollTop = 0;
    log.dispatchEvent(new Event('scroll'));
    await bob.updateComplete;
    await ada.send('while bob reads above');
    await until(() => $(bob, '[part=pill]'), 'the pill appears');
    expect(log.scrollTop).to.equal(0);

    $(bob, '[part=pill]')!.click();
    await until(() => !$(bob, '[part=pill]'), 'the pill goes away');
    expect(log.scrollTop + log.clientHeight).to.be.closeTo(log.scrollHeight, 2);
  });

  it('renders http(s) URLs as links that open safely, and nothing else as a link', async () => {
    const room = unique('r');
    const ada = await connected({ room, nickname: unique('ada'), open: true });
    await type(ada, 'see https://example.com/a?b=1, or javascript:alert(1) or www.example.com.');
    const links = $$(ada, '.bubble a') as HTMLAnchorElement[];
    expect(links).to.have.length(1);
    expect(links[0]!.getAttribute('href')).to.equal('https://example.com/a?b=1');
    expect(links[0]!.textContent).to.equal('https://example.com/a?b=1');
    expect(links[0]!.target).to.equal('_blank');
    expect(links[0]!.rel).to.equal('noopener noreferrer');
    expect(bubbles(ada)[0]).to.equal('see https://example.com/a?b=1, or javascript:alert(1) or www.example.com.');
  });
});
