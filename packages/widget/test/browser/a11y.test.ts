// Automated accessibility check (axe-core) of the widget closed and open, in
// both themes, with the states a visitor meets: messages, links, notices,
// private tabs and unread counts, typing, the counter, the online list, the
// nickname prompt with an error.
import { expect } from 'chai';
import 'axe-core';
import type { AxeResults, RunOptions } from 'axe-core';
import type { ChatWidget } from '@parley/widget';
import { $, $$, cleanup, connected, mount, type, unique, until } from './helpers.js';

const axe = (window as unknown as { axe: { run(context: Element, options: RunOptions): Promise<AxeResults> } }).axe;

/** Runs axe on the element (into its shadow root) and fails with a readable list of violations. */
async function check(el: Element, label: string): Promise<void> {
  const results = await axe.run(el, { resultTypes: ['violations'] });
  const found = results.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(found, label).to.deep.equal([]);
  // the checks did look inside: axe names a node in a shadow root by a list of selectors (host, then inside)
  const inside = [...results.passes, ...results.incomplete].filter((r) => r.nodes.some((n) => n.target.some((t) => Array.isArray(t))));
  expect(inside.length, `${label}: rules that reached into the shadow root`).to.be.greaterThan(0);
}

/** Two widgets with a conversation going: ada (under test) is open on the room, with a private tab. */
async function busy(theme: string, lang = 'en'): Promise<ChatWidget> {
  const room = unique('r');
  const ada = await connected({ room, nickname: unique('ada'), theme, lang });
  const bob = await connected({ room, nickname: unique('bob'), theme });
  await bob.send('hello, see https://example.com/docs');
  await ada.send('mine');
  // bob writes privately: ada gets a tab with an unread count
  $(bob, '[part=members-button]')!.click();
  await bob.updateComplete;
  const pick = await until(() => $$(bob, '[part=members] button')[0], 'bob sees ada');
  pick.click();
  await bob.updateComplete;
  await type(bob, 'private hello');
  await until(() => ada.unread === 2, 'ada has unread messages');
  await check(ada, `closed, ${theme}, with a badge`);
  ada.open();
  await until(() => $$(ada, '[part=tabs] button').length === 2, 'the private tab shows');
  $$(bob, '[part=tabs] button')[0]!.click();
  await bob.updateComplete;
  await type(bob, 'typing…', false);
  await until(() => $(ada, '[part=typing]')!.textContent, 'ada sees bob typing');
  await type(ada, 'x'.repeat(3950), false);
  return ada;
}

describe('accessibility (axe-core)', () => {
  afterEach(cleanup);

  for (const theme of ['light', 'dark']) {
    it(`reports no violations closed and open, ${theme} theme`, async function () {
      this.timeout(60000);
      const ada = await busy(theme);
      expect($(ada, '[part=counter]')!.hidden).to.equal(false);
      await check(ada, `open, ${theme}, room`);
      $(ada, '[part=members-button]')!.click();
      await ada.updateComplete;
      await check(ada, `open, ${theme}, online list`);
      $(ada, '[part=members-button]')!.click();
      $$(ada, '[part=tabs] button')[1]!.click();
      await ada.updateComplete;
      await check(ada, `open, ${theme}, private conversation`);
      ada.close();
      await ada.updateComplete;
      await check(ada, `closed again, ${theme}`);
    });

    it(`reports no violations on the nickname prompt with an error, ${theme} theme`, async function () {
      this.timeout(30000);
      const el = await mount({ room: unique('r'), theme, open: true });
      (el.shadowRoot!.querySelector('#nick') as HTMLInputElement).value = '';
      (el.shadowRoot!.querySelector('[part=nickname]') as HTMLFormElement).requestSubmit();
      await until(() => $(el, '#ne')!.textContent, 'the error shows');
      await check(el, `prompt, ${theme}`);
    });
  }

  it('reports no violations in zh-CN', async function () {
    this.timeout(60000);
    const ada = await busy('light', 'zh-CN');
    await check(ada, 'open, zh-CN');
  });
});
