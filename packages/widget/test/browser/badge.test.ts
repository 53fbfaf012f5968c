// The launcher's unread badge.
import { expect } from 'chai';
import { $, cleanup, connected, unique, until } from './helpers.js';

describe('unread badge', () => {
  afterEach(cleanup);

  it('counts messages that arrive while the panel is closed, and clears on open', async () => {
    const room = unique('r');
    const ada = await connected({ room, nickname: unique('ada') });
    const bob = await connected({ room, nickname: unique('bob') });
    const launcher = $(ada, '[part=launcher]')!;
    expect($(ada, '[part=badge]')).to.equal(null);
    expect(launcher.getAttribute('aria-label')).to.equal('Open chat');

    await bob.send('one');
    await bob.send('two');
    await until(() => $(ada, '[part=badge]')?.textContent === '2', 'the badge shows 2');
    expect(launcher.getAttribute('aria-label')).to.equal('Open chat, 2 unread');
    // one's own messages are never unread
    expect($(bob, '[part=badge]')).to.equal(null);

    launcher.click();
    await ada.updateComplete;
    expect(ada.opened).to.equal(true);
    expect($(ada, '[part=badge]')).to.equal(null);
    expect(ada.unread).to.equal(0);

    // open and looking: nothing is unread
    await bob.send('three');
    await until(() => ada.shadowRoot!.textContent!.includes('three'), 'ada sees three');
    expect(ada.unread).to.equal(0);
  });
});
