import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { anonymousClaim } from '../src/sessions/claim.js';
import { Directory } from '../src/sessions/directory.js';
import { MemoryStore, createRelay } from '../src/index.js';
import { IpCounter } from '../src/limits/ip-counter.js';
import { Harness, eventually, get } from './helpers.js';

const WINDOW_MS = 150;

describe('bounded state', () => {
  const h = new Harness();
  after(() => h.close());

  test('forgets sessions, rooms, inboxes and idempotency records once everyone has gone', async () => {
    const store = new MemoryStore({ historyLimit: 50, inboxLimit: 50 });
    const custom = await createRelay({ port: 0, host: '127.0.0.1', log: false, resumeWindowMs: WINDOW_MS }, { store });
    try {
      const clients = [];
      for (let i = 0; i < 5; i++) clients.push(await h.chat(custom, { nick: `u${i}`, rooms: [{ room: `room${i % 2}`, since: 0 }, { room: 'lobby', since: 0 }] }));
      for (let i = 0; i < 5; i++) {
        clients[i]!.send({ type: 'send', room: `room${i % 2}`, text: 'x', cid: `c${i}` });
        clients[i]!.send({ type: 'send', room: 'lobby', text: 'y', cid: `l${i}` });
        clients[i]!.send({ type: 'dm', to: `u${(i + 1) % 5}`, text: 'z', cid: `d${i}` });
      }
      for (const c of clients) for (let k = 0; k < 3; k++) await c.next('ack');
      assert.deepEqual(store.logs, { rooms: 3, inboxes: 5 });
      for (const c of clients) await c.close();
      // the sessions end a resume window after their sockets closed, then their rooms and inboxes go
      const health = async (): Promise<Record<string, number>> => JSON.parse((await get(custom, '/healthz')).text) as Record<string, number>;
      await eventually(async () => {
        const now = await health();
        return now.connections === 0 && now.rooms === 0 && now.sessions === 0 && store.logs.inboxes === 0 && store.logs.rooms === 1;
      }, 'every session, room and inbox to be forgotten');
      assert.deepEqual(store.logs, { rooms: 1, inboxes: 0 }, 'only the default room keeps its history');
      assert.equal(store.idempotencyRecords, 5, "the default room's retained messages");
    } finally {
      await custom.close();
    }
  });

  test('deletes a per-IP counter when it drops to zero', () => {
    const ips = new IpCounter(2);
    assert.equal(ips.acquire('1.2.3.4'), true);
    assert.equal(ips.acquire('1.2.3.4'), true);
    assert.equal(ips.acquire('1.2.3.4'), false);
    ips.release('1.2.3.4');
    ips.release('1.2.3.4');
    assert.equal(ips.size, 0);
  });

  test('frees a nickname, its id and its resume secret when the last session closes', () => {
    const d = new Directory();
    const user = d.claim(anonymousClaim('Ada'))!;
    const s = d.open(user, 's1', 'chat', 'r_secret');
    assert.equal(d.claim(anonymousClaim('ada')), null);
    assert.equal(d.close(s), true);
    assert.deepEqual([d.userCount, d.sessionCount, d.secretCount], [0, 0, 0]);
    assert.equal(d.bySecret('r_secret'), undefined);
    assert.ok(d.claim(anonymousClaim('ada')));
  });
});
