/**
 * Heavy requests cost the requester: `history` pages, `members` lists and
 * replays are paid from a budget per client address, shared by all its
 * connections, so that many connections from one address cannot read more
 * than one could, while other addresses read as usual.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { ErrorCode } from '@parley/protocol';
import { createRelay, MemoryStore, type RelayHandle } from '../src/index.js';
import { ReadBudget } from '../src/limits/read-budget.js';
import { Harness, type TestClient } from './helpers.js';

describe('the read budget of an address', () => {
  const h = new Harness();
  const relays: RelayHandle[] = [];
  let relay: RelayHandle;
  after(async () => {
    await h.close();
    for (const r of relays) await r.close();
  });

  async function start(): Promise<void> {
    const store = new MemoryStore({ historyLimit: 1000, inboxLimit: 10 });
    for (let i = 1; i <= 1000; i++) await store.appendRoom({ type: 'msg', room: 'archive', id: `m${i}`, ts: i, from: 'u_a', name: 'A', text: `t${i}` }, 'u_a', `c${i}`);
    relay = await createRelay(
      { port: 0, host: '127.0.0.1', log: false, trustedProxies: ['127.0.0.1'], readBurst: 1000, readPerSecond: 100, rateBurst: 1000, ratePerSecond: 1000 },
      { store },
    );
    relays.push(relay);
  }

  async function reader(address: string, nick: string): Promise<TestClient> {
    const c = await h.open(relay.wsUrl, undefined, { headers: { 'x-forwarded-for': address } });
    await c.hello({ nick, rooms: [{ room: 'archive', since: 1000 }] });
    return c;
  }

  /** Asks for a 200-message page; answers the envelope that came back for it. */
  async function page(c: TestClient, qid: string): Promise<Record<string, unknown>> {
    c.send({ type: 'history', qid, room: 'archive', limit: 200 });
    return c.next(undefined, (e) => (e.type === 'page' || e.type === 'error') && (e.qid === qid || e.ref === qid));
  }

  test('connections from one address share it: past it they get rate_limited with the wait, stay open, and another address reads on', async () => {
    await start();
    const many = await Promise.all(Array.from({ length: 10 }, (_, i) => reader('203.0.113.5', `r${i}`)));
    const answers = [];
    for (const [i, c] of many.entries()) answers.push(await page(c, `q${i}`));
    const pages = answers.filter((e) => e.type === 'page').length;
    assert.equal(pages, 5, '1,000 messages of budget: five pages of 200, whichever connection asks');
    const refused = answers.find((e) => e.type === 'error')!;
    assert.equal(refused.code, ErrorCode.RateLimited);
    assert.match(refused.message as string, /retry in \d+ ms/);
    many[9]!.send({ type: 'ping', ts: 1 });
    await many[9]!.next('pong');
    const other = await reader('198.51.100.5', 'other');
    assert.equal((await page(other, 'o1')).type, 'page', 'another address has a budget of its own');
  });

  test('a replay is never refused, but its address pays for it: right after, its pages wait', async () => {
    await start();
    const c = await h.open(relay.wsUrl, undefined, { headers: { 'x-forwarded-for': '203.0.113.6' } });
    await c.hello({ nick: 'late', rooms: [{ room: 'archive', since: 1 }] });
    for (let i = 0; i < 999; i++) await c.next('msg');
    assert.equal((await page(c, 'p1')).type, 'error', 'the 999 replayed messages used the budget');
  });
});

describe('ReadBudget', () => {
  test('refills at its rate, up to its burst, and forgets an address once full again', () => {
    let now = 0;
    const b = new ReadBudget(100, 10, () => now);
    assert.ok(b.take('a', 100));
    assert.ok(!b.take('a', 1));
    assert.equal(b.waitMs('a', 50), 5000);
    now = 5000;
    assert.ok(b.take('a', 50));
    b.charge('a', 500);
    now = 10_000;
    assert.ok(!b.take('a', 1), 'still in debt');
    assert.ok(b.take('b', 1000), 'a cost past the burst is taken from a full bucket');
    assert.equal(b.size, 2);
  });
});
