// A page with a strict Content-Security-Policy (no 'unsafe-inline', no
// 'unsafe-eval', only its own origin): the widget renders, is styled,
// connects and chats, and the page records no violation.
import { expect } from 'chai';
import { Frame } from './frame.js';
import { bubbles, cleanup, connected, unique, until } from './helpers.js';

describe('strict Content-Security-Policy', () => {
  let frame: Frame | undefined;
  afterEach(() => {
    frame?.close();
    frame = undefined;
    cleanup();
  });

  it('works on a page that allows only its own scripts, styles and connections', async function () {
    this.timeout(60000);
    // phone-sized: the open panel follows the visual viewport through the CSSOM, which the policy allows
    frame = await Frame.open('csp.html', 380, 640);
    const s = await frame.until((s) => s.widgets[0]?.status === 'open', 'the widget connects under the CSP');
    const w = s.widgets[0]!;
    // styled through adopted stylesheets: the launcher is a fixed 56px button
    expect(w.adoptedSheets).to.be.greaterThan(0);
    expect(w.launcher).to.deep.include({ width: 56, height: 56, position: 'fixed' });

    await frame.ask('open');
    const open = await frame.until((s) => !!s.widgets[0]!.panel, 'the panel opens');
    expect(open.widgets[0]!.panel).to.deep.equal({ top: 0, left: 0, width: 380, height: 640 });
    const here = await connected({ room: 'csp-fixture', nickname: unique('here') });
    await frame.ask('send', 'sent under a strict CSP');
    await until(() => bubbles(here).includes('sent under a strict CSP'), 'the message arrives');
    await here.send('answered');
    const after = await frame.until((s) => s.widgets[0]!.bubbles.includes('answered'), 'the answer shows in the frame');
    expect(after.violations).to.deep.equal([]);
    expect(after.errors).to.deep.equal([]);
  });

  it('the fixture does enforce its policy (an inline style is refused and reported)', async function () {
    // guards the test above against a fixture whose policy silently does not apply
    this.timeout(30000);
    frame = await Frame.open('csp.html');
    await frame.until((s) => s.widgets.length === 1, 'the widget mounts');
    await frame.ask('inlineStyle');
    const s = await frame.until((s) => s.violations.length > 0, 'a violation is reported');
    expect(s.violations[0]).to.match(/^style-src/);
  });
});
