// Relay restarts mid-stream, with the real CLI as child processes. In memory:
// what history cannot cover is reported as a gap (without `end`: the room's
// sequence started over), never silently missed. With Redis: nothing lost or
// doubled across SIGKILL of each relay in turn and of all at once. With SQLite:
// nothing lost, doubled or gapped across repeated SIGKILLs of the relay.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { memoryRestartLines, redisKillLines, runInboxRestart, runMemoryRestart, runRedisKills, runDurableKills, durableKillLines } from '../suites/restart.js';

describe('in-memory relay restarts mid-stream', { timeout: 90_000 }, () => {
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    test(`${signal}: every client comes back, is told of the restart with a gap without end, and gets the whole new sequence`, async () => {
      const f = await runMemoryRestart(signal);
      for (const line of memoryRestartLines(f)) console.log(line);
      assert.equal(f.cameBack, f.clients, 'every client came back');
      assert.equal(f.unsettled, 0, 'every send settled once with an ack');
      if (signal === 'SIGTERM') assert.equal(f.resentAcrossRestart, 0, 'a graceful stop acks what it stored: nothing is sent twice');
      assert.deepEqual(f.problems, []);
      assert.equal(f.gapsReported, f.clients);
    });
  }

  test('SIGKILL: private messages stored for a client that never got them are reported with an inbox gap, never silently missed', async () => {
    const f = await runInboxRestart('SIGKILL');
    console.log(`restart (memory, inbox): bob had d1, d2; d3, d4 were stored for him, then the relay was killed; he came back resumed=${f.resumed}, delivered ${JSON.stringify(f.delivered)}, inbox gaps ${JSON.stringify(f.inboxGaps)}`);
    assert.deepEqual(f.delivered, ['d1', 'd2']);
    assert.ok(
      f.inboxGaps.some((g) => g.start === 3 && (g.end === undefined || g.end >= 4)),
      `no inbox gap covers d3 and d4 (got ${JSON.stringify(f.inboxGaps)}; welcome.resumed was ${f.resumed})`,
    );
  });
});

describe('Redis relays killed mid-stream', { timeout: 120_000 }, () => {
  test('SIGKILL of each relay in turn, then of all at once: nothing lost, doubled or reordered, every send acked once', async () => {
    const f = await runRedisKills({ clients: 12, rounds: 1, upMs: 400, downMs: 400 });
    for (const line of redisKillLines(f)) console.log(line);
    const v = f.verdict;
    assert.deepEqual(f.stopped, []);
    assert.ok(v.deliveries > 500, `${v.deliveries} deliveries`);
    assert.deepEqual(
      { lost: v.lost, doubled: v.doubled, reordered: v.reordered, altered: v.altered, gapped: v.gapped, unsettled: v.unsettled, refused: v.refused, unacknowledged: v.unacknowledged, storedTwice: v.storedTwice },
      { lost: 0, doubled: 0, reordered: 0, altered: 0, gapped: 0, unsettled: 0, refused: 0, unacknowledged: 0, storedTwice: 0 },
      v.problems.join('\n'),
    );
  });
});

for (const store of ['sqlite', 'postgres'] as const) {
  describe(`${store} relay killed mid-stream`, { timeout: 90_000 }, () => {
    test('SIGKILL again and again: every acked message is in history once, in order, and every client got exactly it, with no gap', async () => {
      const f = await runDurableKills(store, { clients: 10, kills: 3 });
      for (const line of durableKillLines(f)) console.log(line);
      const v = f.verdict;
      assert.deepEqual(f.stopped, []);
      assert.ok(v.deliveries > 300, `${v.deliveries} deliveries`);
      assert.equal(f.roomGaps, 0, 'a durable store causes no gap');
      assert.deepEqual(
        { lost: v.lost, doubled: v.doubled, reordered: v.reordered, altered: v.altered, gapped: v.gapped, unsettled: v.unsettled, refused: v.refused, unacknowledged: v.unacknowledged, storedTwice: v.storedTwice },
        { lost: 0, doubled: 0, reordered: 0, altered: 0, gapped: 0, unsettled: 0, refused: 0, unacknowledged: 0, storedTwice: 0 },
        v.problems.join('\n'),
      );
    });
  });
}
