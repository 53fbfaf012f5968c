import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RemoteClock } from '../src/store/remote-clock.js';

/** A clock whose local time the test sets. */
function clockAt(windowMs = 1000): { clock: RemoteClock; at: (ms: number) => void } {
  let now = 0;
  return { clock: new RemoteClock(windowMs, () => now), at: (ms) => (now = ms) };
}

describe('RemoteClock', () => {
  test('knows nothing before the first sample', () => {
    const { clock } = clockAt();
    assert.equal(clock.known, false);
    assert.equal(clock.now(), undefined);
  });

  test('is never ahead of the remote clock: it takes the answer as read at the end of the round trip', () => {
    const { clock, at } = clockAt();
    // the remote is 5,000 ms ahead; it read its clock at local 110, half way through a 20 ms round trip
    clock.sample(100, 5110, 120);
    at(200);
    assert.equal(clock.now(), 5190, 'at most behind by the round trip (the remote says 5200)');
  });

  test('keeps the tightest bound of the window, and follows a remote clock that stepped back once the window passed', () => {
    const { clock, at } = clockAt(1000);
    clock.sample(0, 5010, 20); // a 20 ms round trip: bound 4990
    clock.sample(500, 5500, 800); // a slow one: bound 4700
    at(900);
    assert.equal(clock.now(), 900 + 4990, 'the slow answer does not pull the clock back');
    clock.sample(1500, 4000 + 1505, 1510); // the remote stepped back by 1,000 ms: bound 3995
    at(1600);
    assert.equal(clock.now(), 1600 + 4700, 'the old bounds still count within the window');
    at(2600);
    assert.equal(clock.now(), 2600 + 3995, 'after the window only the newest sample counts');
  });

  test('ignores an answer that is no time at all, or read before it was sent', () => {
    const { clock } = clockAt();
    clock.sample(0, Number.NaN, 10);
    clock.sample(10, 100, 5);
    assert.equal(clock.known, false);
  });
});
