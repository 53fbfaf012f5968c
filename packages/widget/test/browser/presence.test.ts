// Who is online, join/leave notices, and the typing indicator.
import { expect } from 'chai';
import { $, $$, cleanup, connected, relay, type, unique, until } from './helpers.js';

describe('presence and typing', () => {
  afterEach(cleanup);

  it('shows who is online, and notices when someone joins', async () => {
    const room = unique('r');
    const ada = await connected({ room, nickname: unique('ada'), open: true });
    await until(() => $(ada, '[part=members-button]')?.textContent!.includes('1 online'), 'ada is alone');

    const bob = await connected({ room, nickname: unique('bob') });
    await until(() => $(ada, '[part=members-button]')!.textContent!.includes('2 online'), 'bob is counted');
    await until(() => $$(ada, '[part=notice]').some((n) => n.textContent === `${bob.user!.name} joined`), 'a join notice');
    $(ada, '[part=members-button]')!.click();
    await ada.updateComplete;
    const names = $$(ada, '[part=members] li').map((li) => li.textContent!.replace(/\s+/g, ' ').trim());
    expect(names.sort()).to.deep.equal([`${ada.user!.name} (you)`, `${bob.user!.name}Private chat with ${bob.user!.name}`].sort());
    expect($(ada, '[part=members-button]')!.getAttribute('aria-expanded')).to.equal('true');
  });

  it('notices when someone leaves (a plain WebSocket client of the lobby, whose session ends at once)', async () => {
    const ada = await connected({ room: 'lobby', nickname: unique('ada'), open: true });
    const nick = unique('plain');
    const { url } = await relay();
    const ws = new WebSocket(url.replace(/\/chat$/, `/ws/${nick}`));
    try {
      await until(() => $$(ada, '[part=notice]').some((n) => n.textContent === `${nick} joined`), 'a join notice');
      expect(ada.shadowRoot!.querySelector('[part=members]')!.textContent).to.include(nick);
      ws.close();
      await until(() => $$(ada, '[part=notice]').some((n) => n.textContent === `${nick} left`), 'a leave notice');
      expect(ada.shadowRoot!.querySelector('[part=members]')!.textContent).to.not.include(nick);
    } finally {
      ws.close();
    }
  });

  it('shows who is typing, and withdraws it when they send', async () => {
    const room = unique('r');
    const ada = await connected({ room, nickname: unique('ada'), open: true });
    const bob = await connected({ room, nickname: unique('bob'), open: true });
    const line = $(ada, '[part=typing]')!;
    expect(line.textContent).to.equal('');

    await type(bob, 'I am writing', false);
    await until(() => line.textContent === `${bob.user!.name} is typing…`, 'ada sees bob typing');
    await type(bob, 'I am writing');
    await until(() => line.textContent === '', 'the indicator goes when the message arrives');
  });

  it('withdraws the typing indicator when the typist clears the composer', async () => {
    const room = unique('r');
    const ada = await connected({ room, nickname: unique('ada'), open: true });
    const bob = await connected({ room, nickname: unique('bob'), open: true });
    await type(bob, 'hm', false);
    await until(() => $(ada, '[part=typing]')!.textContent!.includes('typing'), 'ada sees bob typing');
    await type(bob, '', false);
    await until(() => $(ada, '[part=typing]')!.textContent === '', 'the indicator goes');
  });
});
