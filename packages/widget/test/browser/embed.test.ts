// The script-tag embed, from another origin: settings from the script's data
// attributes, the bundle loaded twice, the element defined twice.
import { expect } from 'chai';
import { ChatWidget, define } from '@parley/widget';
import { Frame } from './frame.js';
import { bubbles, cleanup, connected, mount, relay, track, unique, until } from './helpers.js';

describe('script-tag embed', () => {
  let frame: Frame | undefined;
  afterEach(() => {
    frame?.close();
    frame = undefined;
    cleanup();
  });

  it('mounts a widget with the settings of its data attributes, on a page of another origin', async function () {
    this.timeout(60000);
    frame = await Frame.open('embed.html');
    const { url } = await relay();
    const s = await frame.until((s) => s.widgets[0]?.status === 'open', 'the embedded widget connects');
    expect(s.widgets).to.have.length(1);
    const w = s.widgets[0]!;
    expect(w.attributes).to.include({
      relay: url, // data-relay="/chat", resolved against the script's src
      room: 'embed-fixture',
      nickname: 'embedded',
      title: 'Support',
      theme: 'dark',
      lang: 'zh-CN',
      position: 'bottom-left',
    });
    expect(w.user!.name).to.equal('embedded');
    expect(w.title).to.equal('Support');
    expect(w.launcherLabel).to.equal('打开聊天');
    expect(w.launcher!.left).to.be.lessThan(100);
    expect(s.errors).to.deep.equal([]);

    // and it chats with a widget on this page (this origin)
    const here = await connected({ room: 'embed-fixture', nickname: unique('here') });
    await frame.ask('send', 'from the other origin');
    await until(() => bubbles(here).includes('from the other origin'), 'the message crosses origins');
    await here.send('back to the frame');
    await frame.until((s) => s.widgets[0]!.bubbles.includes('back to the frame'), 'the frame gets the answer');
  });

  it('mounts once when the same embed is pasted twice and the bundle loads three times', async function () {
    this.timeout(60000);
    // the three copies are async scripts: the frame's load event, which open() awaits, waits for all of them
    frame = await Frame.open('double.html');
    const loaded = await frame.state();
    expect(loaded.widgets).to.have.length(1);
    const s = await frame.until((s) => s.widgets[0]?.status === 'open', 'the widget connects');
    expect(s.widgets).to.have.length(1);
    expect(s.errors).to.deep.equal([]);
    expect(s.widgets[0]!.attributes.relay).to.equal((await relay()).url); // no data-relay: same host, /chat
  });

  it('tolerates define() and a second bundle on the page that imported the package', async function () {
    this.timeout(30000);
    const first = customElements.get('chat-widget');
    expect(first).to.equal(ChatWidget);
    expect(() => define()).to.not.throw();
    const errors: string[] = [];
    const onError = (e: ErrorEvent): void => void errors.push(e.message);
    addEventListener('error', onError);
    try {
      const { http } = await relay();
      const room = unique('r');
      const script = track(document.createElement('script'));
      script.src = `${http}/widget.js`;
      script.dataset.room = room;
      script.dataset.nickname = unique('second');
      const loaded = new Promise((r) => script.addEventListener('load', r));
      document.head.append(script);
      await loaded;
      expect(customElements.get('chat-widget')).to.equal(first);
      const mounted = track(await until(() => document.querySelector<ChatWidget>(`chat-widget[room="${room}"]`), 'the script mounts its widget'));
      await until(() => mounted.status === 'open', 'and it connects');
      expect(mounted).to.be.instanceOf(ChatWidget);
      expect(errors).to.deep.equal([]);
    } finally {
      removeEventListener('error', onError);
    }
  });

  it("opens no connection before the page's load event", async function () {
    this.timeout(30000);
    // pretend the page is still loading
    Object.defineProperty(document, 'readyState', { configurable: true, get: () => 'interactive' });
    let el: ChatWidget;
    try {
      // a widget that did not wait would connect in a microtask after connectedCallback: before mount() returns
      el = await mount({ room: unique('r'), nickname: unique('early') });
      await el.updateComplete;
      expect(el.status).to.equal('idle');
      expect(el.shadowRoot!.querySelector('[part=launcher]')).to.not.equal(null);
    } finally {
      delete (document as unknown as Record<string, unknown>).readyState;
    }
    dispatchEvent(new Event('load'));
    await until(() => el.status === 'open', 'it connects after load');
  });
});
