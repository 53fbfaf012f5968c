/**
 * A relay that loses its history (an in-memory relay restarted on the same
 * port) while a client is away: nothing said after the restart is skipped.
 */
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { Gap } from '@parley/protocol';
import { State } from '../src/index.js';
import { Harness, collect } from './harness.js';
import { next, until } from './wait.js';

describe('after a relay restart', () => {
  let h: Harness;
  afterEach(() => h.close());

  it('gets a gap and then everything sent to the restarted relay, exactly once, even past its old cursor', async () => {
    h = new Harness();
    const first = await h.relay();
    const port = first.port;
    const proxy = await h.proxy(first.wsUrl); // lets the test keep ada away while the others talk
    const ada = await h.open({ url: proxy.url, nick: 'ada', rooms: ['rs'] });
    const got = collect(ada);
    const gaps: Gap[] = [];
    ada.on('gap', (g) => gaps.push(g));
    for (const text of ['a1', 'a2', 'a3']) await ada.send('rs', text);
    await until(() => got.length === 3, "ada's own messages");
    proxy.refusing = true;
    h.forget(first);
    await first.close();

    await h.relay({ port }); // starts empty: the room's sequence starts over under a new epoch
    const carl = await h.open({ url: `ws://127.0.0.1:${port}/chat`, nick: 'carl', rooms: ['rs'] });
    for (let i = 1; i <= 5; i++) await carl.send('rs', `c${i}`); // seqs 1..5 pass ada's cursor (3)
    assert.equal(ada.state, State.Reconnecting);
    proxy.refusing = false;
    await until(() => got.length === 8, 'what was said while ada was away', 8000);
    assert.deepEqual(gaps, [{ type: 'gap', room: 'rs', start: 4 }], 'what followed a3 on the old relay is unknown');
    // c6 is live and last: ada delivers a room in seq order, so once it is there anything doubled would be too
    const last = next(ada, 'message', (m) => m.text === 'c6');
    await carl.send('rs', 'c6');
    await last;
    assert.deepEqual(
      got.map((m) => `${m.seq}:${m.text}`),
      ['1:a1', '2:a2', '3:a3', '1:c1', '2:c2', '3:c3', '4:c4', '5:c5', '6:c6'],
    );
  });

  it('emits a gap for the private inbox when the session could not be taken back', async () => {
    h = new Harness();
    const first = await h.relay();
    const port = first.port;
    const url = first.wsUrl;
    const ada = await h.open({ url, nick: 'ada2' });
    const bob = await h.open({ url, nick: 'bob2' });
    const got: string[] = [];
    ada.on('direct', (d) => got.push(d.text));
    await bob.sendDirect('ada2', 'one');
    await bob.sendDirect('ada2', 'two');
    await until(() => got.length === 2, 'the direct messages');
    h.forget(first);
    await first.close();
    await h.relay({ port });
    const gap = await next(ada, 'gap', () => true, 8000);
    assert.deepEqual(gap, { type: 'gap', start: 3 }, 'no room: the inbox');
    await until(() => bob.state === State.Open, 'bob back');
    await bob.sendDirect('ada2', 'three');
    await until(() => got.length === 3, 'a direct message in the new inbox');
    assert.deepEqual(got, ['one', 'two', 'three']);
  });
});
