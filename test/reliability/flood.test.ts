// Flood: a client sending as fast as it can is rate-limited and then closed
// with 4004, and the latency of the other clients in its room stays within
// 2x of the unflooded run (measured and printed; relay and flooder each run
// in their own process).
import { CloseCode } from '@parley/protocol';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FLOOD_SLACK, floodLines, heavyLines, runFlood, runHeavyReads } from '../suites/flood.js';
import { DEFAULT_READ_BURST, DEFAULT_READ_PER_SECOND } from '@parley/relay';

describe('a flooding client', { timeout: 60_000 }, () => {
  test('is rate-limited, then closed with 4004, every time it comes back; the others keep their latency (p50 within 2x)', async () => {
    const f = await runFlood({ reconnectDelayMs: 200, phaseMs: 2000 });
    for (const line of floodLines(f)) console.log(line);
    assert.ok(f.flooder.connections >= 3, 'the flooder came back several times');
    assert.ok(f.flooder.rateLimited >= f.flooder.connections * 10, 'it was told rate_limited');
    assert.deepEqual(Object.keys(f.flooder.closes), [String(CloseCode.RateLimited)], 'and closed with 4004 each time');
    assert.equal(f.victimsDropped, 0, 'nobody else was disconnected');
    assert.ok(f.ratioP50 <= 2, `p50 latency went x${f.ratioP50.toFixed(2)}`);
    // coming back does not refill the bucket: the address gets one burst and the sustained rate over the whole flood (S4)
    assert.ok(f.floodDeliveredPerClient <= f.allowedPerClient + FLOOD_SLACK, `the others got ${f.floodDeliveredPerClient} flood messages in ${f.floodMs} ms; the rate limit allows ${f.allowedPerClient}`);
  });
});

describe('heavy requests from one address', { timeout: 60_000 }, () => {
  test('50 connections asking for 200-message pages, each within its own limits, get the reading rate of one address; the others keep their latency (p50 within 2x; p99 printed)', async () => {
    const f = await runHeavyReads({ readers: 50, phaseMs: 2000 });
    for (const line of heavyLines(f)) console.log(line);
    // the address reads its burst and then its sustained rate, whatever the number of its connections
    const allowed = DEFAULT_READ_BURST + DEFAULT_READ_PER_SECOND * ((f.readMs + 500) / 1000);
    assert.ok(f.readers_.messages <= allowed, `the address read ${f.readers_.messages} messages; its budget allows ${allowed}`);
    assert.ok(f.readers_.refused > 0, 'the address was told rate_limited');
    assert.equal(f.victimsDropped, 0, 'nobody else was disconnected');
    assert.ok(f.ratioP50 <= 2, `p50 latency went x${f.ratioP50.toFixed(2)}`);
  });
});
