// Private conversations: picked from the online list, delivered to the
// addressee only, each with its own unread count.
import { expect } from 'chai';
import type { ChatMessageDetail, ChatWidget } from '@parley/widget';
import { $, $$, bubbles, cleanup, connected, relay, type, unique, until, describeFocus, describeNode } from './helpers.js';

/** Opens the online list of `from` and picks `to` from it. */
async function pick(from: ChatWidget, to: ChatWidget): Promise<void> {
  $(from, '[part=members-button]')!.click();
  await from.updateComplete;
  const button = await until(
    () => $$(from, '[part=members] button').find((b) => b.textContent!.includes(to.user!.name)),
    `${to.user!.name} is in the online list`,
  );
  button.click();
  await from.updateComplete;
}

describe('private chat', () => {
  afterEach(cleanup);

  it('opens a private conversation from the online list; only the addressee receives it', async () => {
    const room = unique('r');
    const ada = await connected({ room, nickname: unique('ada'), open: true });
    const bob = await connected({ room, nickname: unique('bob') });
    const eve = await connected({ room, nickname: unique('eve'), open: true });
    const seenByEve: string[] = [];
    eve.addEventListener('chat-message', (e) => seenByEve.push(e.detail.message.text));
    const seenByBob: ChatMessageDetail[] = [];
    bob.addEventListener('chat-message', (e) => seenByBob.push(e.detail));

    await pick(ada, bob);
    // the conversation is on screen, with its own tab, and focus is in the composer
    expect($(ada, '[part=messages]')!.getAttribute('aria-label')).to.include(bob.user!.name);
    expect($$(ada, '[part=tabs] button').map((b) => b.textContent!.trim())).to.deep.equal([`#${room}`, bob.user!.name]);
    expect(describeFocus(ada)).to.equal(describeNode($(ada, 'textarea')));
    await type(ada, 'just between us');

    await until(() => seenByBob.length === 1, 'bob receives it');
    expect(seenByBob[0]!.message.type).to.equal('direct');
    expect(seenByBob[0]!.message.text).to.equal('just between us');
    await until(() => $(ada, '.msg.own [data-state=sent]'), 'ada sees it acked');
    // a room message after it reaches eve, the private one never did
    await ada.send('to everyone');
    await until(() => seenByEve.includes('to everyone'), 'eve gets the room message');
    expect(seenByEve).to.not.include('just between us');
    expect(eve.shadowRoot!.textContent).to.not.include('just between us');
    expect(bubbles(eve)).to.deep.equal(['to everyone']);
  });

  it('counts unread private messages separately, and clears them when the conversation is opened', async () => {
    const room = unique('r');
    const ada = await connected({ room, nickname: unique('ada'), open: true });
    const bob = await connected({ room, nickname: unique('bob'), open: true });
    await pick(ada, bob);
    await type(ada, 'psst 1');
    await type(ada, 'psst 2');
    await ada.send('room message');

    // bob is looking at the room: the room message is read, the two private ones are not
    const tab = await until(
      () => $$(bob, '[part=tabs] button').find((b) => b.textContent!.includes(ada.user!.name)),
      'bob gets a tab for the private conversation',
    );
    await until(() => tab.querySelector('.count')?.textContent === '2', 'the tab counts 2 unread');
    expect(bob.unread).to.equal(2);
    expect($$(bob, '[part=tabs] button')[0]!.querySelector('.count')).to.equal(null);
    expect(tab.querySelector('.vh')!.textContent).to.equal('2 unread');
    // the online list shows it too
    $(bob, '[part=members-button]')!.click();
    await bob.updateComplete;
    const entry = $$(bob, '[part=members] button').find((b) => b.textContent!.includes(ada.user!.name))!;
    expect(entry.querySelector('.count')!.textContent).to.equal('2');
    entry.click();
    await bob.updateComplete;
    expect(bubbles(bob)).to.deep.equal(['psst 1', 'psst 2']);
    expect(tab.querySelector('.count')).to.equal(null);
    expect(bob.unread).to.equal(0);
  });

  it('answers in the same private conversation, and goes back to the room', async () => {
    const room = unique('r');
    const ada = await connected({ room, nickname: unique('ada'), open: true });
    const bob = await connected({ room, nickname: unique('bob'), open: true });
    await pick(ada, bob);
    await type(ada, 'question');
    const tab = await until(() => $$(bob, '[part=tabs] button')[1], 'bob gets the conversation');
    tab.click();
    await bob.updateComplete;
    await type(bob, 'answer');
    await until(() => bubbles(ada).join('|') === 'question|answer', 'ada sees the answer in the conversation');
    $$(ada, '[part=tabs] button')[0]!.click();
    await ada.updateComplete;
    expect(bubbles(ada)).to.deep.equal([]);
  });

  it('marks a refused message as not sent, with a retry that sends it again', async function () {
    this.timeout(60000);
    // a plain WebSocket client of the lobby: its session ends the moment it disconnects
    const { url } = await relay();
    const nick = unique('plain');
    const plainUrl = url.replace(/\/chat$/, `/ws/${nick}`);
    const received: string[] = [];
    const join = (): Promise<WebSocket> =>
      new Promise((resolve) => {
        const ws = new WebSocket(plainUrl);
        ws.onmessage = (e) => received.push(JSON.parse(e.data as string).msg);
        ws.onopen = () => resolve(ws);
      });
    let plain = await join();
    const ada = await connected({ room: 'lobby', nickname: unique('ada'), open: true });
    try {
      await until(() => ada.shadowRoot!.querySelector('[part=members]')!.textContent!.includes(nick), 'the plain client is online');
      $(ada, '[part=members-button]')!.click();
      await ada.updateComplete;
      $$(ada, '[part=members] button').find((b) => b.textContent!.includes(nick))!.click();
      await ada.updateComplete;
      plain.close();
      await until(() => !ada.shadowRoot!.querySelector('[part=members]')!.textContent!.includes(nick), 'it has left');

      await type(ada, 'are you there?');
      const failed = await until(() => $(ada, '.failed'), 'the message fails');
      expect(failed.textContent).to.include('Not sent');
      expect(failed.textContent).to.include('This person has left the chat.');

      plain = await join();
      await until(() => ada.shadowRoot!.querySelector('[part=members]')!.textContent!.includes(nick), 'it is back');
      (failed.querySelector('button') as HTMLButtonElement).click();
      await until(() => received.includes('are you there?'), 'the retry reaches it');
      await until(() => $(ada, '.msg.own [data-state=sent]'), 'and is marked sent');
      expect($(ada, '.failed')).to.equal(null);
      expect(bubbles(ada)).to.deep.equal(['are you there?']);
    } finally {
      plain.close();
    }
  });
});
