// Locales: en and zh-CN, chosen by the lang attribute or navigator.language,
// every string in one object per locale.
import { expect } from 'chai';
import { LOCALES, pickLocale } from '@parley/widget';
import { $, cleanup, connected, mount, unique, until } from './helpers.js';

/** The shape of a locale: its keys, nested, with the type of each value. */
function shape(o: object): unknown {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'object' ? shape(v as object) : typeof v]));
}

describe('locales', () => {
  afterEach(cleanup);

  it('ships en and zh-CN with the same strings, none empty', () => {
    expect(Object.keys(LOCALES)).to.deep.equal(['en', 'zh-CN']);
    expect(shape(LOCALES['zh-CN'])).to.deep.equal(shape(LOCALES.en));
    const walk = (o: object, path: string): void => {
      for (const [k, v] of Object.entries(o)) {
        if (typeof v === 'object') walk(v as object, `${path}.${k}`);
        else if (typeof v === 'string') expect(v, `${path}.${k}`).to.not.equal('');
        else expect((v as (...a: unknown[]) => string)(2, 'x'), `${path}.${k}()`).to.be.a('string').and.not.equal('');
      }
    };
    for (const [name, strings] of Object.entries(LOCALES)) walk(strings, name);
  });

  it('picks zh-CN for any Chinese language tag and English otherwise', () => {
    for (const tag of ['zh', 'zh-CN', 'zh-TW', 'zh-Hans-CN', 'ZH-hk']) expect(pickLocale(tag), tag).to.equal('zh-CN');
    for (const tag of ['en', 'en-GB', 'fr-FR', 'zhx', '', undefined]) expect(pickLocale(tag), String(tag)).to.equal('en');
  });

  it('speaks zh-CN with lang="zh-CN"', async () => {
    const room = unique('r');
    const el = await connected({ room, nickname: unique('li'), lang: 'zh-CN', open: true });
    expect($(el, '.root')!.getAttribute('lang')).to.equal('zh-CN');
    expect($(el, '[part=launcher]')!.getAttribute('aria-label')).to.equal('关闭聊天');
    expect($(el, '#title')!.textContent).to.equal('聊天');
    expect($(el, '[part=status]')!.textContent).to.equal('已连接');
    expect($(el, '[part=members-button]')!.textContent!.trim()).to.equal('1 人在线');
    expect($(el, 'textarea')!.getAttribute('placeholder')).to.equal('输入消息…');
    expect($(el, '[part=send]')!.textContent).to.equal('发送');
    expect($(el, '[part=messages]')!.getAttribute('aria-label')).to.equal('消息');
    await until(() => $(el, '.empty')?.textContent === '还没有消息，打个招呼吧！', 'the empty room says so in Chinese');
    el.lang = 'en';
    await el.updateComplete;
    expect($(el, '[part=send]')!.textContent).to.equal('Send');
  });

  it('asks for a nickname in zh-CN', async () => {
    const el = await mount({ room: unique('r'), lang: 'zh-CN', open: true });
    expect($(el, 'label[for=nick]')!.textContent).to.equal('你的昵称');
    expect($(el, '[part=nickname] button')!.textContent).to.equal('加入');
  });

  it('follows navigator.language when no lang is given', async () => {
    Object.defineProperty(navigator, 'language', { configurable: true, get: () => 'zh-CN' });
    try {
      const el = await mount({ room: unique('r') });
      expect($(el, '[part=launcher]')!.getAttribute('aria-label')).to.equal('打开聊天');
    } finally {
      delete (navigator as unknown as Record<string, unknown>).language;
    }
    const el = await mount({ room: unique('r') });
    expect(navigator.language.startsWith('zh')).to.equal(false);
    expect($(el, '[part=launcher]')!.getAttribute('aria-label')).to.equal('Open chat');
  });
});
