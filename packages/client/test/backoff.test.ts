import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backoff } from '../src/index.js';
import { BACKOFF_BASE, BACKOFF_CAP, BACKOFF_FACTOR, BACKOFF_RESET_AFTER } from '../src/constants.js';

describe('backoff', () => {
  it('draws the first delay from [0, base] with the documented defaults (base 500, cap 30000, factor 2)', () => {
    assert.deepEqual([BACKOFF_BASE, BACKOFF_CAP, BACKOFF_FACTOR, BACKOFF_RESET_AFTER], [500, 30_000, 2, 10_000]);
    assert.equal(backoff(0, {}, () => 0), 0);
    assert.equal(backoff(0, {}, () => 0.999999), 499);
    for (let i = 0; i < 200; i++) {
      const d = backoff(0);
      assert.ok(d >= 0 && d <= 500, `${d} is outside [0, 500]`);
    }
  });

  it('grows the upper bound by factor per attempt until the cap', () => {
    const top = (attempt: number) => backoff(attempt, { base: 100, cap: 5000, factor: 3 }, () => 1);
    assert.deepEqual([0, 1, 2, 3, 4, 5, 30].map(top), [100, 300, 900, 2700, 5000, 5000, 5000]);
  });

  it('never exceeds the cap, even for huge attempt counts', () => {
    for (const attempt of [10, 50, 1000, 1e6]) {
      for (let i = 0; i < 50; i++) assert.ok(backoff(attempt) <= BACKOFF_CAP);
    }
  });

  it('jitters fully: delays spread over the whole range instead of clustering', () => {
    const delays = Array.from({ length: 2000 }, () => backoff(6, { base: 100, cap: 6400 }));
    const buckets = [0, 0, 0, 0];
    for (const d of delays) buckets[Math.min(3, Math.floor(d / 1600))]!++;
    // each quarter of [0, 6400] gets roughly a quarter of the draws
    for (const b of buckets) assert.ok(b > 350 && b < 650, `uneven buckets ${buckets}`);
    assert.ok(new Set(delays).size > 1000, 'delays should not repeat');
  });

  it('is a pure function of attempt, options and the random source', () => {
    const r = () => 0.25;
    assert.equal(backoff(4, { base: 10, cap: 1000, factor: 2 }, r), backoff(4, { base: 10, cap: 1000, factor: 2 }, r));
    assert.equal(backoff(4, { base: 10, cap: 1000, factor: 2 }, r), 40);
  });
});
