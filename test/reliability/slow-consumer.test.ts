// Slow consumers: clients that never read are closed at the send-buffer cap
// (4001), a healthy reader in the same room misses nothing, and the relay's
// memory stays bounded (peak printed) and comes back down.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runSlowConsumers, slowLines } from '../suites/slow-consumer.js';

describe('slow consumers', { timeout: 90_000 }, () => {
  test('are cut off at the send-buffer cap while the relay memory stays bounded', async () => {
    const f = await runSlowConsumers({ readers: 20, capBytes: 256 * 1024, messages: 2000 });
    for (const line of slowLines(f)) console.log(line);
    assert.equal(f.cutOff, f.readers, 'every reader that never reads was cut off with 4001');
    assert.equal(f.healthyGotAll, true, 'the healthy reader got every message, in order');
    assert.equal(f.pingFloodCut, true, 'a ping flood from a peer that never reads was cut');
    // what 20 readers could pin if nothing capped them: 20 x 12 MB; with the cap, far less
    const bound = f.baseline + f.readers * f.capBytes * 4 + 64 * 1048576;
    assert.ok(f.peakHeap <= bound, `peak ${f.peakHeap} above ${bound}`);
    assert.ok(f.after - f.baseline <= 4 * 1048576, `memory after: +${f.after - f.baseline} bytes`);
  });
});
