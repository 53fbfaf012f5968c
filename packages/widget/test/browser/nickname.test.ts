// The nickname prompt: shown when no nickname is given, with the relay's
// validation errors inline.
import { expect } from 'chai';
import type { ChatErrorDetail } from '@parley/widget';
import { createClient } from '@parley/client';
import { $, cleanup, connected, mount, nextEvent, relay, track, unique, until, describeFocus, describeNode } from './helpers.js';

async function submit(el: HTMLElement & { updateComplete: Promise<boolean> }, nick: string): Promise<void> {
  const input = el.shadowRoot!.querySelector('#nick') as HTMLInputElement;
  input.value = nick;
  (el.shadowRoot!.querySelector('[part=nickname]') as HTMLFormElement).requestSubmit();
  await el.updateComplete;
}

describe('nickname prompt', () => {
  afterEach(cleanup);

  it('asks for a nickname when none is given, and connects with the one chosen', async () => {
    const room = unique('r');
    const el = await mount({ room });
    el.open();
    await el.updateComplete;
    expect(el.status).to.equal('idle');
    const input = $(el, '#nick') as HTMLInputElement;
    expect(input).to.not.equal(null);
    expect(describeFocus(el)).to.equal(describeNode(input));
    expect(input.labels![0]!.textContent).to.equal('Your nickname');
    expect($(el, 'textarea')).to.equal(null);

    const nick = unique('vis');
    await submit(el, `  ${nick} `);
    await until(() => el.status === 'open', 'connects');
    expect(el.user!.name).to.equal(nick);
    await until(() => $(el, 'textarea'), 'the composer replaces the prompt');
    expect(describeFocus(el)).to.equal(describeNode($(el, 'textarea')));
  });

  it("shows the relay's refusal of a taken nickname inline, and accepts another", async () => {
    const room = unique('r');
    const taken = unique('taken');
    await connected({ room, nickname: taken });
    const el = await mount({ room, open: true });
    const error = nextEvent<CustomEvent<ChatErrorDetail>>(el, 'chat-error');
    await submit(el, taken.toUpperCase());
    expect((await error).detail.code).to.equal('nickname_taken');
    await until(() => $(el, '#ne')!.textContent!.includes('already using'), 'the error shows');
    const input = $(el, '#nick') as HTMLInputElement;
    expect(input.getAttribute('aria-invalid')).to.equal('true');
    expect(input.getAttribute('aria-describedby')).to.include('ne');
    expect($(el, '#ne')!.getAttribute('role')).to.equal('alert');

    await submit(el, unique('free'));
    await until(() => el.status === 'open' && $(el, 'textarea'), 'connects with the other one');
  });

  it('shows why a nickname is not allowed', async () => {
    const el = await mount({ room: unique('r'), open: true });
    await submit(el, 'zero\u200bwidth');
    await until(() => $(el, '#ne')!.textContent!.includes('not allowed'), 'the rule shows');
    await submit(el, '');
    expect($(el, '#ne')!.textContent).to.include('not allowed');
  });

  it('asks again when the nickname given as an attribute is refused, prefilled with it', async () => {
    const room = unique('r');
    const taken = unique('taken');
    // held by a client with its own storage: a widget with the same relay, room and nickname would resume its session
    const holder = createClient({ url: (await relay()).url, nick: taken, rooms: [room], storage: null });
    try {
      holder.connect();
      await until(() => holder.state === 'open', 'the holder connects');
      const el = await mount({ room, nickname: taken, open: true });
      await until(() => $(el, '#nick'), 'the prompt shows');
      expect(($(el, '#nick') as HTMLInputElement).value).to.equal(taken);
      await until(() => $(el, '#ne')!.textContent!.includes('already using'), 'with the reason');
    } finally {
      holder.close();
    }
  });

  it('connects with a token from tokenProvider instead of asking, and shows a refused token', async () => {
    const el = document.createElement('chat-widget');
    let calls = 0;
    el.tokenProvider = () => {
      calls++;
      return 'not.a.valid-token';
    };
    el.setAttribute('relay', (await relay()).url);
    el.setAttribute('room', unique('r'));
    el.setAttribute('open', '');
    const refused = nextEvent<CustomEvent<ChatErrorDetail>>(el, 'chat-error');
    document.body.append(track(el));
    // the test relay has no token secret: the token is refused, and the visitor may pick a nickname instead
    const e = await refused;
    expect(calls).to.be.greaterThan(0);
    expect(e.detail.code).to.match(/^(auth_failed|anonymous_disabled|bad_field)$/);
    await until(() => $(el, '#ne')?.textContent, 'the refusal shows');
    await submit(el, unique('anon'));
    await until(() => el.status === 'open', 'a nickname typed instead connects anonymously');
  });
});
