// Narrow screens: the panel fills the viewport (the visual viewport, when the
// keyboard shrinks it), inputs are 16px so phones do not zoom.
import { expect } from 'chai';
import { setViewport } from '@web/test-runner-commands';
import { $, cleanup, connected, mount, unique } from './helpers.js';

describe('narrow screens', () => {
  afterEach(async () => {
    cleanup();
    await setViewport({ width: 800, height: 600 });
  });

  it('fills the viewport with the panel, with 16px inputs', async () => {
    await setViewport({ width: 375, height: 667 });
    const el = await connected({ room: unique('r'), nickname: unique('m') });
    el.open();
    await el.updateComplete;
    const panel = $(el, '[part=panel]')!;
    const r = panel.getBoundingClientRect();
    expect([r.left, r.top, r.width, r.height]).to.deep.equal([0, 0, 375, 667]);
    expect(getComputedStyle($(el, 'textarea')!).fontSize).to.equal('16px');
    // the launcher hides under the full-screen panel; the header's button closes it
    expect(getComputedStyle($(el, '[part=launcher]')!).display).to.equal('none');
    expect($(el, 'header button[aria-label="Close chat"]')!.getBoundingClientRect().width).to.be.greaterThan(0);
    // sized from the visual viewport, through the CSSOM
    expect(panel.style.getPropertyValue('height')).to.equal(`${Math.round(visualViewport!.height)}px`);
    expect(panel.style.getPropertyValue('top')).to.equal(`${Math.round(visualViewport!.offsetTop)}px`);
    el.close();
    await el.updateComplete;
    expect(panel.style.getPropertyValue('height')).to.equal('');
  });

  it('uses 16px in the nickname field too', async () => {
    await setViewport({ width: 360, height: 640 });
    const el = await mount({ room: unique('r'), open: true });
    expect(getComputedStyle($(el, '#nick')!).fontSize).to.equal('16px');
  });

  it('keeps the floating panel and 14px text on wide screens', async () => {
    await setViewport({ width: 1200, height: 800 });
    const el = await connected({ room: unique('r'), nickname: unique('m'), open: true });
    const r = $(el, '[part=panel]')!.getBoundingClientRect();
    expect(r.width).to.equal(370);
    expect(r.right).to.equal(1200 - 20);
    expect(getComputedStyle($(el, 'textarea')!).fontSize).to.equal('14px');
    expect($(el, '[part=panel]')!.style.getPropertyValue('height')).to.equal('');
  });
});
