// Half-open connections (frozen by the proxy: open on both ends, nothing
// passes) are found by both sides within the documented heartbeat bounds.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { halfOpenLines, runHalfOpen } from '../suites/half-open.js';

/** Timers fire late on a busy shared machine; this much is scheduling, not protocol. */
const SLACK_MS = 250;

describe('half-open connections', { timeout: 30_000 }, () => {
  test('are found by the client within ping + ping timeout, and by the relay within two ping intervals', async () => {
    const f = await runHalfOpen({ connections: 5 });
    for (const line of halfOpenLines(f)) console.log(line);
    assert.equal(f.client.length, 5, 'every client found its frozen connection');
    assert.equal(f.relay.length, 5, 'the relay found every frozen connection');
    for (const t of f.client) assert.ok(t <= f.clientBoundMs + SLACK_MS, `client took ${t} ms (bound ${f.clientBoundMs})`);
    for (const t of f.relay) assert.ok(t <= f.relayBoundMs + SLACK_MS, `relay took ${t} ms (bound ${f.relayBoundMs})`);
  });
});
