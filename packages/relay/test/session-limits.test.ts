/**
 * Bounded state per address and per relay: sessions one address can make
 * the relay keep (live or waiting in their resume window), sessions in all,
 * and rooms in all. Addresses come from X-Forwarded-For through a trusted
 * proxy (the test's own 127.0.0.1), so one test plays several addresses.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { CloseCode, ErrorCode } from '@parley/protocol';
import { createRelay, type RelayHandle } from '../src/index.js';
import type { RelayOptions } from '../src/config/options.js';
import { Harness, type TestClient } from './helpers.js';

describe('state a relay keeps per address and in all', () => {
  const h = new Harness();
  const relays: RelayHandle[] = [];
  after(async () => {
    await h.close();
    for (const r of relays) await r.close();
  });

  async function relay(options: RelayOptions): Promise<RelayHandle> {
    const r = await createRelay({ port: 0, host: '127.0.0.1', log: false, trustedProxies: ['127.0.0.1'], resumeWindowMs: 60_000, ...options });
    relays.push(r);
    return r;
  }

  /** A connection that the relay counts under `address`. */
  function from(r: RelayHandle, address: string): Promise<TestClient> {
    return h.open(r.wsUrl, undefined, { headers: { 'x-forwarded-for': address } });
  }

  test('a fresh session past maxSessionsPerIp ends the oldest of that address waiting to be resumed; other addresses keep theirs', async () => {
    const r = await relay({ maxSessionsPerIp: 3 });
    const resumes: string[] = [];
    for (let i = 0; i < 3; i++) {
      const c = await from(r, '203.0.113.7');
      resumes.push((await c.hello({ nick: `a${i}` })).resume as string);
      await c.close(); // dropped: resumable for the window
    }
    const other = await from(r, '198.51.100.9');
    const otherResume = (await other.hello({ nick: 'b0' })).resume as string;
    await other.close();
    const fourth = await from(r, '203.0.113.7');
    assert.equal((await fourth.hello({ nick: 'a3' })).type, 'welcome', 'a fresh session from the address is let in');
    // (asked from other addresses: a fresh session from 203.0.113.7 would end the next waiting one)
    const oldest = await from(r, '192.0.2.1');
    const again = await oldest.hello({ resume: resumes[0], nick: 'a0' });
    assert.equal(again.resumed, false, 'the oldest waiting session of the address was ended');
    assert.equal((again.user as { name: string }).name, 'a0', 'and its nickname is free again');
    const second = await from(r, '192.0.2.2');
    assert.equal((await second.hello({ resume: resumes[1] })).resumed, true, 'the next one still waits');
    const b = await from(r, '198.51.100.9');
    assert.equal((await b.hello({ resume: otherResume })).resumed, true, "another address's session is untouched");
  });

  test('when every session of the address is live, one more hello is closed with 4006 and other addresses are served', async () => {
    const r = await relay({ maxSessionsPerIp: 2 });
    await (await from(r, '203.0.113.20')).hello({ nick: 'l0' });
    await (await from(r, '203.0.113.20')).hello({ nick: 'l1' });
    const third = await from(r, '203.0.113.20');
    third.send({ type: 'hello', nick: 'l2' });
    assert.equal((await third.closedWithin()).code, CloseCode.TooManyConnections);
    const elsewhere = await from(r, '198.51.100.20');
    assert.equal((await elsewhere.hello({ nick: 'm0' })).type, 'welcome');
  });

  test('past maxSessions a fresh hello ends the oldest waiting session of the relay, and with every one live it is closed with 1013', async () => {
    const r = await relay({ maxSessions: 2 });
    const first = await from(r, '203.0.113.30');
    const resume = (await first.hello({ nick: 'g0' })).resume as string;
    await first.close();
    await (await from(r, '203.0.113.31')).hello({ nick: 'g1' });
    await (await from(r, '203.0.113.32')).hello({ nick: 'g2' });
    const back = await from(r, '203.0.113.30');
    back.send({ type: 'hello', resume, nick: 'g0' });
    const closed = await back.closedWithin();
    assert.equal(closed.code, CloseCode.TryAgainLater, 'g0 was ended to let g2 in; its client is now one too many with g1 and g2 live');
  });

  test('entering a room nobody is in past maxTotalRooms is refused with too_many_rooms; occupied rooms stay open to all', async () => {
    const r = await relay({ maxTotalRooms: 2 });
    const ada = await from(r, '203.0.113.40');
    await ada.hello({ nick: 'ada', rooms: [{ room: 'one', since: 0 }, { room: 'two', since: 0 }] });
    ada.send({ type: 'join', room: 'three', since: 0 });
    const refused = await ada.next('error');
    assert.equal(refused.code, ErrorCode.TooManyRooms);
    const bob = await from(r, '198.51.100.40');
    const w = await bob.hello({ nick: 'bob', rooms: [{ room: 'two', since: 0 }] });
    assert.deepEqual((w.rooms as Array<{ room: string }>).map((x) => x.room), ['two'], 'an occupied room takes anyone');
  });

  test('a plain client (/ws/<nickname>) counts against the same limit: past it, with every session live, it is closed with 4006', async () => {
    const r = await relay({ maxSessionsPerIp: 1 });
    await (await from(r, '203.0.113.50')).hello({ nick: 'chat-one' });
    const plain = await h.open(r.wsUrl.replace(/\/chat$/, '/ws/plain-one'), [], { headers: { 'x-forwarded-for': '203.0.113.50' } });
    assert.equal((await plain.closedWithin()).code, CloseCode.TooManyConnections);
    const elsewhere = await h.open(r.wsUrl.replace(/\/chat$/, '/ws/plain-two'), [], { headers: { 'x-forwarded-for': '198.51.100.50' } });
    await assert.rejects(elsewhere.closedWithin(300), 'another address is let in');
  });
});
