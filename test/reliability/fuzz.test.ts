// Property-based fuzzing (fast-check) of a live relay process: random,
// broken and valid envelopes, and raw WebSocket frames. The relay stays up,
// answers with documented errors or close codes (the exact ones RFC 6455 and
// the protocol's decoder demand), and its memory returns to its baseline.
// The soak runs at least 1,000,000 cases.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fuzzLines, runFuzz } from '../suites/fuzz.js';

/** Heap + external may differ this much after full collections without anything having leaked. */
export const MEMORY_SLACK_BYTES = 3 * 1048576;

describe('fuzzing a live relay', { timeout: 120_000 }, () => {
  test('answers bad input only with documented errors and close codes, keeps serving, and returns to its memory baseline', async () => {
    const f = await runFuzz({ envelopeRuns: 40, batch: 50, rawRuns: 400 });
    for (const line of fuzzLines(f)) console.log(line);
    assert.ok(f.cases >= 2000, `${f.cases} cases`);
    assert.equal(f.healthy, true);
    assert.ok(f.after - f.baseline <= MEMORY_SLACK_BYTES, `memory grew by ${f.after - f.baseline} bytes`);
  });
});
