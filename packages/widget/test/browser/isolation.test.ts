// Shadow DOM isolation both ways, and theming through the documented
// custom properties and parts.
import { expect } from 'chai';
import { emulateMedia } from '@web/test-runner-commands';
import { $, cleanup, connected, track, type, unique, until } from './helpers.js';

const HOSTILE = `
  * { all: unset; }
  * { color: red !important; font-size: 60px !important; line-height: 9 !important; letter-spacing: 12px !important;
      text-transform: uppercase !important; font-family: Impact, fantasy !important; visibility: visible !important; }
  html { font-size: 72px !important; }
  body { font: italic 64px/3 Impact, fantasy !important; color: lime !important; direction: ltr !important; }
  div, p, button, header, section, textarea, form, span, nav { display: none !important; background: red !important; padding: 50px !important; }
  chat-widget { font-size: 90px !important; color: magenta !important; line-height: 7 !important; text-align: right !important;
                white-space: nowrap !important; cursor: wait !important; }
  .launcher, .panel, .bubble, .root { display: none !important; width: 1px !important; }
`;

function addStyle(css: string): HTMLStyleElement {
  const style = track(document.createElement('style'));
  style.textContent = css;
  document.head.append(style);
  return style;
}

describe('isolation and theming', () => {
  afterEach(cleanup);

  it("keeps its layout and type under a hostile host stylesheet (all: unset, !important, huge fonts)", async () => {
    const room = unique('r');
    const ada = await connected({ room, nickname: unique('ada'), theme: 'light' });
    const bob = await connected({ room, nickname: unique('bob'), theme: 'light', open: true });
    await ada.send('styled by the widget, not the page');
    await until(() => bob.shadowRoot!.querySelector('.bubble'), 'bob has a message');
    addStyle(HOSTILE);
    ada.open();
    await ada.updateComplete;

    for (const el of [ada, bob]) {
      const launcher = $(el, '[part=launcher]')!.getBoundingClientRect();
      expect([launcher.width, launcher.height]).to.deep.equal([56, 56]);
      expect(getComputedStyle($(el, '[part=launcher]')!).position).to.equal('fixed');
      const panel = $(el, '[part=panel]')!;
      expect(getComputedStyle(panel).display).to.equal('flex');
      expect(panel.getBoundingClientRect().width).to.equal(370);
    }
    const bubble = getComputedStyle($(bob, '.bubble')!);
    expect(bubble.fontSize).to.equal('14px');
    expect(bubble.color).to.equal('rgb(31, 35, 40)');
    expect(bubble.letterSpacing).to.equal('normal');
    expect(bubble.textTransform).to.equal('none');
    expect(bubble.fontStyle).to.equal('normal');
    expect(bubble.fontFamily).to.not.include('Impact');
    const title = getComputedStyle($(bob, '#title')!);
    expect(title.fontSize).to.equal('16px');
    expect(title.color).to.equal('rgb(255, 255, 255)');
    const input = getComputedStyle($(bob, 'textarea')!);
    expect(input.fontSize).to.equal('14px');
    expect(input.display).to.not.equal('none');
    // and it still works
    await type(bob, 'still working');
    await until(() => ada.shadowRoot!.textContent!.includes('still working'), 'ada receives it');
  });

  it("never styles the page: its class names and element rules do not leak out", async () => {
    await connected({ room: unique('r'), nickname: unique('ada'), open: true });
    const host = track(document.createElement('div'));
    host.className = 'root';
    const make = (tag: string, className = '', text = ''): HTMLElement => {
      const e = document.createElement(tag);
      e.className = className;
      e.textContent = text;
      return e;
    };
    const pagePanel = make('div', 'panel');
    pagePanel.append(make('header', '', 'page header'), make('p', 'bubble', 'page text'));
    host.append(pagePanel, make('button', 'launcher', 'page button'), make('textarea'), make('h2', '', 'page heading'));
    document.body.append(host);
    const panel = getComputedStyle(host.querySelector('.panel')!);
    expect(panel.position).to.equal('static');
    expect(panel.display).to.equal('block');
    const header = getComputedStyle(host.querySelector('header')!);
    expect(header.display).to.equal('block');
    expect(header.backgroundColor).to.equal('rgba(0, 0, 0, 0)');
    const button = getComputedStyle(host.querySelector('button')!);
    expect(button.position).to.equal('static');
    expect(button.borderRadius).to.equal('0px');
    expect(getComputedStyle(host.querySelector('.bubble')!).whiteSpace).to.equal('normal');
    expect(getComputedStyle(host.querySelector('textarea')!).resize).to.not.equal('none');
    expect(getComputedStyle(host.querySelector('h2')!).margin).to.not.equal('0px');
  });

  it('takes its colours from --chat-* custom properties and exposes parts for ::part()', async () => {
    addStyle(`
      chat-widget.themed { --chat-accent: rgb(10, 120, 60); --chat-font-size: 18px; --chat-width: 400px; }
      chat-widget.themed::part(launcher) { border-radius: 8px; }
      chat-widget.themed::part(message) { outline: 3px solid rgb(200, 0, 0); }
    `);
    const room = unique('r');
    const el = await connected({ room, nickname: unique('ada'), open: true, class: 'themed', theme: 'light' });
    await el.send('themed');
    await until(() => $(el, '[part=message]'), 'a message shows');
    const launcher = getComputedStyle($(el, '[part=launcher]')!);
    expect(launcher.backgroundColor).to.equal('rgb(10, 120, 60)');
    expect(launcher.borderRadius).to.equal('8px');
    expect(getComputedStyle($(el, 'header')!).backgroundColor).to.equal('rgb(10, 120, 60)');
    expect(getComputedStyle($(el, '.bubble')!).fontSize).to.equal('18px');
    expect($(el, '[part=panel]')!.getBoundingClientRect().width).to.equal(400);
    expect(getComputedStyle($(el, '[part=message]')!).outlineColor).to.equal('rgb(200, 0, 0)');
  });

  it('follows prefers-color-scheme with theme="auto" (the default)', async () => {
    const el = await connected({ room: unique('r'), nickname: unique('ada'), open: true });
    expect(el.theme).to.equal('auto');
    const bg = (): string => getComputedStyle($(el, '[part=panel]')!).backgroundColor;
    try {
      await emulateMedia({ colorScheme: 'dark' });
      expect(bg()).to.equal('rgb(28, 33, 40)');
      await emulateMedia({ colorScheme: 'light' });
      expect(bg()).to.equal('rgb(255, 255, 255)');
    } finally {
      await emulateMedia({ colorScheme: 'light' });
    }
  });

  it('switches palettes with the theme attribute', async () => {
    const el = await connected({ room: unique('r'), nickname: unique('ada'), open: true, theme: 'light' });
    const bg = (): string => getComputedStyle($(el, '[part=panel]')!).backgroundColor;
    expect(bg()).to.equal('rgb(255, 255, 255)');
    el.theme = 'dark';
    await el.updateComplete;
    expect(el.getAttribute('theme')).to.equal('dark');
    expect(bg()).to.equal('rgb(28, 33, 40)');
    expect(getComputedStyle($(el, 'textarea')!).colorScheme).to.equal('dark');
  });
});
