/**
 * The limits a relay announces in `welcome.limits`, against a real relay
 * started with small ones: what breaks them is refused by the client itself,
 * with the code the relay would have used, and never sent.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '@parley/protocol';
import type { RelayHandle } from '@parley/relay';
import type { ParleyError } from '../src/index.js';
import { Harness, recordingSocket } from './harness.js';
import { next } from './wait.js';

describe('the limits the relay announces', () => {
  const h = new Harness();
  let relay: RelayHandle;
  before(async () => {
    relay = await h.relay({ maxTextLength: 10, maxRooms: 2 });
  });
  after(() => h.close());

  it('refuses a text longer than limits.text code points with text_too_long, before sending it', async () => {
    const { frames, WebSocket } = recordingSocket();
    const ada = await h.open({ url: relay.wsUrl, nick: 'lim-ada', rooms: ['l1'], WebSocket });
    const atTheLimit = '😀'.repeat(10); // 10 code points, 20 UTF-16 units
    assert.equal((await ada.send('l1', atTheLimit)).seq, 1, 'the limit counts code points');

    const long = ada.send('l1', 'x'.repeat(11));
    const longDirect = ada.sendDirect('lim-ada', '😀'.repeat(11));
    assert.deepEqual(ada.outbox, [], 'neither is queued');
    assert.ok(!frames.some((f) => f.includes(long.cid) || f.includes(longDirect.cid)), 'neither is sent');
    for (const refused of [long, longDirect]) {
      await assert.rejects(refused, (e: ParleyError) => e instanceof Error && e.code === ErrorCode.TextTooLong && e.ref === refused.cid);
    }
  });

  it('refuses to join past limits.rooms with too_many_rooms, before sending the join, and keeps its rooms as they were', async () => {
    const { frames, WebSocket } = recordingSocket();
    const bob = await h.open({ url: relay.wsUrl, nick: 'lim-bob', rooms: ['r1'], WebSocket });
    const joined = next(bob, 'members', (e) => e.room === 'r2');
    bob.join('r2');
    await joined;
    assert.throws(() => bob.join('r3'), (e: ParleyError) => e instanceof Error && e.code === ErrorCode.TooManyRooms);
    assert.deepEqual(bob.rooms, ['r1', 'r2'], 'not kept for the next hello either');
    assert.ok(!frames.some((f) => f.includes('"r3"')), 'no join is sent');
    bob.join('r2'); // a room it is in already is no new room
    assert.deepEqual(bob.rooms, ['r1', 'r2']);
  });

  it('leaves the limits to the relay until it has announced them: a long text queued before the first welcome is refused by the relay, with the same code', async () => {
    const carl = h.client({ url: relay.wsUrl, nick: 'lim-carl', rooms: ['l1'] });
    const queued = carl.send('l1', 'x'.repeat(11));
    assert.equal(carl.outbox.length, 1, 'queued: no limit is known yet');
    carl.connect();
    await assert.rejects(queued, (e: ParleyError) => e.code === ErrorCode.TextTooLong && e.ref === queued.cid);
    // welcomed, it knows them
    const again = carl.send('l1', 'x'.repeat(11));
    assert.deepEqual(carl.outbox, []);
    await assert.rejects(again, { code: ErrorCode.TextTooLong });
  });
});
