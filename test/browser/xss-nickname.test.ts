// XSS through nicknames, in real Chromium: visitors whose nicknames are HTML,
// script, URL and template payloads join a room, type, talk (with payload
// texts too), write privately and leave. Everywhere the widget shows a name —
// message headers, join and leave notices, the typing line, the online list,
// private-conversation tabs and labels — it is text, and nothing runs.
import { expect } from 'chai';
import { executeServerCommand } from '@web/test-runner-commands';
import { createClient, type ParleyClient } from '@parley/client';
import '@parley/widget';
import type { ChatWidget } from '@parley/widget';

declare global {
  interface Window {
    __xss?: (tag: string) => void;
  }
}

/** Nicknames (each valid: at most 32 characters, letters, punctuation and symbols, single spaces) that would call __xss as HTML. */
export const EVIL_NICKS = [
  '<img src=x onerror=__xss(1)>',
  '<svg onload=__xss(2)>',
  '<script>__xss(3)</script>',
  '"><img src=x onerror=__xss(4)>',
  "'><svg/onload=__xss(5)>",
  'javascript:__xss(6)',
  '<a href=javascript:__xss(7)>x',
  '<details open ontoggle=__xss(8)>',
  '<body onload=__xss(9)>',
  '</p><img src onerror=__xss(10)>',
  '<iframe src=javascript:__xss(1)>',
  '&#60;svg onload=__xss(12)&#62;',
  '{{constructor.constructor(1)()}}',
  '${__xss(13)}',
  '<!--?lit$1$--><b>x',
  '<style>*{display:none}</style>',
];

/** Texts those visitors send (the widget's own suite covers a larger message corpus). */
const EVIL_TEXTS = ['<img src=x onerror=__xss(100)>', '<svg><script>__xss(101)</script></svg>', 'javascript:__xss(102)', '<a href="javascript:__xss(103)">link</a>'];

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
async function until<T>(check: () => T, what: string, timeout = 15000): Promise<NonNullable<T>> {
  const end = Date.now() + timeout;
  for (;;) {
    const v = check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await sleep(50);
  }
}
const $ = (el: ChatWidget, s: string): HTMLElement | null => el.shadowRoot!.querySelector<HTMLElement>(s);
const $$ = (el: ChatWidget, s: string): HTMLElement[] => [...el.shadowRoot!.querySelectorAll<HTMLElement>(s)];

/** Nothing but text and safe links anywhere in the widget: no handler attributes, no active elements. */
function assertInert(el: ChatWidget): void {
  for (const node of el.shadowRoot!.querySelectorAll('*')) {
    for (const attr of node.getAttributeNames()) {
      expect(attr, `${node.tagName} ${attr}`).to.not.match(/^on/i);
      expect(node.getAttribute(attr) ?? '', `${node.tagName} ${attr}`).to.not.match(/^\s*javascript:/i);
    }
    expect(['SCRIPT', 'IMG', 'IFRAME', 'OBJECT', 'EMBED', 'STYLE', 'META', 'DETAILS', 'BODY', 'B']).to.not.include(node.tagName);
    if (node.tagName === 'svg') expect(node.querySelector('script')).to.equal(null);
  }
  for (const a of el.shadowRoot!.querySelectorAll('a')) expect(a.getAttribute('href')).to.match(/^https?:\/\//);
}

describe('XSS through nicknames', () => {
  const ran: string[] = [];
  const clients: ParleyClient[] = [];
  const widgets: HTMLElement[] = [];
  before(() => {
    window.__xss = (tag) => void ran.push(String(tag));
  });
  after(() => {
    delete window.__xss;
    for (const c of clients) c.close();
    for (const w of widgets) w.remove();
  });

  it('would notice: the same nicknames parsed as HTML do run (control)', async () => {
    const box = document.createElement('div');
    document.body.append(box);
    try {
      box.append(document.createRange().createContextualFragment(EVIL_NICKS[0]! + EVIL_NICKS[2]!));
      await until(() => ran.length === 2, 'the control payloads run');
    } finally {
      box.remove();
      ran.length = 0;
    }
  });

  it(`shows ${EVIL_NICKS.length} payload nicknames as text in messages, notices, typing, the online list and private tabs, and runs none`, async function () {
    this.timeout(120000);
    const { url } = (await executeServerCommand('relay-url')) as { url: string };
    const room = `xn${Date.now().toString(36)}`;
    const me = `observer${Date.now().toString(36).slice(-5)}`;
    const el = document.createElement('chat-widget') as ChatWidget;
    el.setAttribute('relay', url);
    el.setAttribute('room', room);
    el.setAttribute('nickname', me);
    el.setAttribute('open', '');
    document.body.append(el);
    widgets.push(el);
    await until(() => el.status === 'open' && el.user !== null, 'the observer connects');

    // every visitor joins, types, talks, and writes privately
    for (const [i, nick] of EVIL_NICKS.entries()) {
      const c = createClient({ url, nick, rooms: [room], storage: null, storageKey: `xn${i}` });
      clients.push(c);
      c.connect();
      await until(() => c.state === 'open' || c.state === 'closed', `"${nick}" connects`);
      expect(c.state, `"${nick}" is a valid nickname`).to.equal('open');
      c.typing(room, true);
      await c.send(room, EVIL_TEXTS[i % EVIL_TEXTS.length]!);
      await c.sendDirect(el.user!.id, `private from ${i}`);
      await sleep(110); // under the relay's rate limit per page
    }
    await until(() => $$(el, '.msg .name').length >= EVIL_NICKS.length, 'every message shows its sender', 30000);
    const shownNames = $$(el, '.msg .name').map((n) => n.textContent);
    for (const nick of EVIL_NICKS) expect(shownNames, nick).to.include(nick);
    const notices = $$(el, '[part=notice]').map((n) => n.textContent ?? '');
    for (const nick of EVIL_NICKS) expect(notices.some((t) => t.includes(nick)), `join notice of ${nick}`).to.equal(true);

    // someone types: the typing line shows the name as text (typing is relayed at most every 2 s per session)
    await sleep(2100);
    clients.at(-1)!.typing(room, true);
    await until(() => ($(el, '[part=typing]')?.textContent ?? '').includes(EVIL_NICKS.at(-1)!), 'the typing line names the last visitor');

    // the online list and each private conversation (tab, header, labels)
    $(el, '[part=members-button]')!.click();
    await el.updateComplete;
    const members = $(el, '[part=members]')!.textContent ?? '';
    for (const nick of EVIL_NICKS) expect(members, nick).to.include(nick);
    await until(() => $$(el, '[part=tabs] button').length > EVIL_NICKS.length, 'a tab for each private conversation');
    for (const tab of $$(el, '[part=tabs] button').slice(1)) {
      tab.click();
      await el.updateComplete;
      expect(EVIL_NICKS.some((n) => (tab.textContent ?? '').includes(n)), tab.textContent ?? '').to.equal(true);
      expect($(el, '[part=messages]')!.getAttribute('aria-label')).to.satisfy((label: string) => EVIL_NICKS.some((n) => label.includes(n)));
    }

    // back to the room; they leave: leave notices
    $$(el, '[part=tabs] button')[0]!.click();
    await el.updateComplete;
    for (const c of clients) c.close();
    await until(() => $$(el, '[part=notice]').filter((n) => (n.textContent ?? '').includes('left')).length >= EVIL_NICKS.length, 'leave notices', 20000);

    // give onerror/onload/ontoggle handlers every chance to fire, then look
    await sleep(1500);
    expect(ran).to.deep.equal([]);
    assertInert(el);
  });

  it('refuses a payload nickname that hides behind a bidi override (nickname rules)', async () => {
    const { url } = (await executeServerCommand('relay-url')) as { url: string };
    const c = createClient({ url, nick: '\u202e<img src=x onerror=__xss(99)>', storage: null, storageKey: 'xn-bidi' });
    clients.push(c);
    const errors: string[] = [];
    c.on('error', (e) => errors.push(e.code));
    c.connect();
    await until(() => c.state === 'closed', 'the hello to be refused');
    expect(errors).to.include('bad_nickname');
  });
});
