// Reconnect storm: 1,000 clients whose relay (the real CLI) restarts all come
// back, spread by the SDK's jittered backoff, and catch up with what was sent
// after the restart. Prints p50/p95/max of how long clients took.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runStorm, stormLines } from '../suites/storm.js';

describe('reconnect storm', { timeout: 120_000 }, () => {
  test('1,000 clients whose relay restarts all come back and catch up', async () => {
    const f = await runStorm({ clients: 1000, boundMs: 30_000 });
    for (const line of stormLines(f)) console.log(line);
    assert.equal(f.back, f.clients, 'every client was welcomed again');
    assert.equal(f.caughtUp, f.clients, 'every client has the messages sent after the restart');
  });
});
