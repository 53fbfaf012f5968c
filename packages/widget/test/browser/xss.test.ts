// Message text is rendered as text, never HTML: a corpus of injection
// payloads goes through the relay, is shown live and from history, and
// nothing executes; only http(s) URLs become (safe) links.
import { expect } from 'chai';
import type { ChatWidget } from '@parley/widget';
import { $, $$, bubbles, cleanup, connected, unique, until } from './helpers.js';

declare global {
  interface Window {
    __xss?: (tag: string) => void;
  }
}

const X = (tag: string): string => `window.top.__xss('${tag}')`;

/** Each payload would call `__xss` if it ever ran as HTML, script or URL. */
export const PAYLOADS = [
  `<script>${X('script')}</script>`,
  `<img src=x onerror="${X('img')}">`,
  `<svg onload="${X('svg')}">`,
  `<svg><script>${X('svg-script')}</script></svg>`,
  `<iframe src="javascript:${X('iframe')}"></iframe>`,
  `javascript:${X('js-url')}`,
  `JaVaScRiPt:${X('js-url-case')}`,
  `<a href="javascript:${X('a')}">click me</a>`,
  `<a href="jav&#x09;ascript:${X('a-tab')}">x</a>`,
  `<body onload="${X('body')}">`,
  `<details open ontoggle="${X('details')}">`,
  `<input autofocus onfocus="${X('input')}">`,
  `<video><source onerror="${X('video')}"></video>`,
  `<math><mtext><table><mglyph><style><img src=x onerror="${X('math')}">`,
  `&lt;script&gt;${X('entity')}&lt;/script&gt;`,
  `&#60;img src=x onerror=${X('numeric-entity')}&#62;`,
  `"><img src=x onerror=${X('attr-break')}>`,
  `'><svg/onload=${X('single-quote')}>`,
  `{{constructor.constructor("${X('template')}")()}}`,
  `\${${X('template-literal')}}`,
  `<style>@import 'javascript:${X('css-import')}';</style>`,
  `<div style="background:url(javascript:${X('style-url')})">x</div>`,
  `https://example.com/"onmouseover="${X('url-attr')}"`,
  `https://example.com/<script>${X('url-script')}</script>`,
  `http://x.test/?q=<img src=x onerror=${X('url-img')}>`,
  `data:text/html;base64,PHNjcmlwdD53aW5kb3cudG9wLl9feHNzKCdkYXRhJyk8L3NjcmlwdD4=`,
  `<object data="javascript:${X('object')}"></object>`,
  `<embed src="javascript:${X('embed')}">`,
  `<form><button formaction="javascript:${X('formaction')}">x</button></form>`,
  `<meta http-equiv="refresh" content="0;url=javascript:${X('meta')}">`,
  `<!--<img src="--><img src=x onerror=${X('comment')}>`,
  `<template><script>${X('template-element')}</script></template>`,
  `\u202e<img src=x onerror=${X('bidi')}>`,
  `<noscript><p title="</noscript><img src=x onerror=${X('noscript')}>">`,
  `<!--?lit$1234$--><img src=x onerror=${X('lit-marker')}>`,
  `https://evil.example/</a><img src=x onerror=${X('close-anchor')}>`,
];

/** Asserts that nothing in `el`'s message list is anything but text and safe links. */
function assertInert(el: ChatWidget): void {
  const log = $(el, '[part=messages]')!;
  for (const node of log.querySelectorAll('.bubble *')) {
    expect(node.tagName, node.outerHTML).to.equal('A');
    const href = node.getAttribute('href')!;
    expect(href, href).to.match(/^https?:\/\//);
    expect(node.getAttribute('rel')).to.equal('noopener noreferrer');
    expect(node.getAttribute('target')).to.equal('_blank');
  }
  for (const node of el.shadowRoot!.querySelectorAll('*')) {
    for (const attr of node.getAttributeNames()) expect(attr, `${node.tagName} ${attr}`).to.not.match(/^on/i);
    expect(['SCRIPT', 'IMG', 'IFRAME', 'OBJECT', 'EMBED', 'STYLE', 'META', 'VIDEO', 'MATH', 'TEMPLATE', 'DETAILS']).to.not.include(node.tagName);
  }
}

describe('XSS corpus', () => {
  const ran: string[] = [];
  before(() => {
    window.__xss = (tag) => void ran.push(tag);
  });
  after(() => {
    delete window.__xss;
  });
  afterEach(cleanup);

  /**
   * Parses a control payload as HTML in the page and waits until its
   * `onerror` handler has run (its image fails to load, as the payloads'
   * would): had the widget let a handler into the DOM, it would have fired
   * by then too. Takes the control's own record out of `ran`.
   */
  async function handlersHadTheirChance(): Promise<void> {
    const box = document.createElement('div');
    document.body.append(box);
    try {
      box.append(document.createRange().createContextualFragment(`<img src=x onerror="${X('control')}">`));
      await until(() => ran.includes('control'), 'the control handler runs');
    } finally {
      box.remove();
      ran.splice(ran.indexOf('control'), 1);
    }
  }

  it('would notice: the same payloads parsed as HTML do run (control)', async () => {
    const box = document.createElement('div');
    document.body.append(box);
    try {
      box.append(document.createRange().createContextualFragment(PAYLOADS[0]! + PAYLOADS[1]!));
      await until(() => ran.length === 2, 'the control payloads run');
      expect([...ran].sort()).to.deep.equal(['img', 'script']);
    } finally {
      box.remove();
      ran.length = 0;
    }
  });

  it(`renders ${PAYLOADS.length} injection payloads sent through the relay as text, live and from history, and runs none`, async function () {
    this.timeout(90000);
    expect(PAYLOADS.length).to.be.at.least(25);
    const room = unique('r');
    const ada = await connected({ room, nickname: unique('ada') });
    const bob = await connected({ room, nickname: unique('bob'), open: true });
    await Promise.all(PAYLOADS.map((p) => ada.send(p))); // the client paces them under the relay's rate limit, in order
    await until(() => bubbles(bob).length === PAYLOADS.length, 'bob receives every payload', 30000);
    expect(bubbles(bob)).to.deep.equal(PAYLOADS);

    // from history too (the newest page)
    const carol = await connected({ room, nickname: unique('carol') });
    carol.open();
    await until(() => bubbles(carol).length === 30, 'carol loads the newest page');
    expect(bubbles(carol)).to.deep.equal(PAYLOADS.slice(-30));

    await handlersHadTheirChance();
    expect(ran).to.deep.equal([]);
    for (const el of [ada, bob, carol]) assertInert(el);
    // the only links are the parts of http(s) URLs before any character a URL does not carry raw
    const hrefs = $$(bob, '.bubble a').map((a) => a.getAttribute('href'));
    expect(hrefs).to.deep.equal(['https://example.com/', 'https://example.com/', 'http://x.test/?q=', 'https://evil.example/']);
  });

  it('shows a nickname that looks like HTML as text', async function () {
    this.timeout(30000);
    const room = unique('r');
    const nick = `<img src=x onerror=__xss(1)>`;
    const evil = await connected({ room, nickname: nick });
    const ada = await connected({ room, nickname: unique('ada'), open: true });
    await evil.send('hi');
    await until(() => $$(ada, '.msg .name').some((n) => n.textContent === nick), 'the name shows as text');
    $(ada, '[part=members-button]')!.click();
    await ada.updateComplete;
    expect($(ada, '[part=members]')!.textContent).to.include(nick);
    await handlersHadTheirChance();
    expect(ran).to.deep.equal([]);
    assertInert(ada);
  });
});
