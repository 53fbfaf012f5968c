import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tokenBucket } from '../src/pacer.js';

describe('tokenBucket', () => {
  it('lets a burst through at once, then the rate, and never saves up more than the burst', () => {
    let now = 1000;
    const clock = { now: () => now, setTimeout: () => 0, clearTimeout: () => {} };
    const take = tokenBucket(clock, 3, 10);
    const drain = () => {
      let n = 0;
      while (take()) n++;
      return n;
    };
    assert.equal(drain(), 3, 'the burst');
    now += 100;
    assert.equal(drain(), 1, 'one token per 100 ms at 10/s');
    now += 250;
    assert.equal(drain(), 2);
    now += 60_000;
    assert.equal(drain(), 3, 'capped at the burst');
  });
});
