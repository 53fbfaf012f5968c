// Chaos (short run): 50 clients in 5 rooms plus private messages, every
// connection cut after 200-2000 ms (FIN, RST or frozen half-open), then every
// client's deliveries compared with the relay's history. The soak runs the same
// workload for at least 100,000 deliveries (test/soak/run.ts).
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { chaosLines, runChaos, type ChaosFigures } from '../suites/chaos.js';

describe('chaos: connections cut every 200-2000 ms', { timeout: 90_000 }, () => {
  let figures: ChaosFigures;
  before(async () => {
    figures = await runChaos({ sendMs: 4000 });
    for (const line of chaosLines(figures)) console.log(line);
  });

  test('cuts connections in every way: FIN, RST and frozen', () => {
    assert.ok(figures.cuts.fin > 0 && figures.cuts.rst > 0 && figures.cuts.freeze > 0, JSON.stringify(figures.cuts));
    assert.ok(figures.heartbeatDrops > 0, 'frozen connections were found by the client heartbeat');
  });

  test('no client loses its session to a cut (every reconnect is welcomed back)', () => {
    assert.deepEqual(figures.stopped, []);
  });

  test('nothing is lost, doubled, reordered or altered, and every send settles once with an ack of what was stored', () => {
    const v = figures.verdict;
    assert.ok(v.deliveries > 5000, `${v.deliveries} deliveries`);
    assert.deepEqual(
      { lost: v.lost, doubled: v.doubled, reordered: v.reordered, altered: v.altered, gapped: v.gapped, unsettled: v.unsettled, refused: v.refused, unacknowledged: v.unacknowledged, storedTwice: v.storedTwice },
      { lost: 0, doubled: 0, reordered: 0, altered: 0, gapped: 0, unsettled: 0, refused: 0, unacknowledged: 0, storedTwice: 0 },
      v.problems.join('\n'),
    );
    assert.deepEqual(v.problems, []);
  });
});
