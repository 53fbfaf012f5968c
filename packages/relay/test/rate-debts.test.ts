import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_RATE_DEBTS, RateDebts } from '../src/limits/rate-debts.js';

describe('RateDebts', () => {
  test('owes nothing to an address it has not seen', () => {
    assert.equal(new RateDebts().fullAt('198.51.100.1', 1000), 0);
  });

  test('keeps the bucket of a closed connection until it would be full again', () => {
    const d = new RateDebts();
    d.record('198.51.100.1', 3000, 1000);
    assert.equal(d.fullAt('198.51.100.1', 1500), 3000);
    assert.equal(d.fullAt('198.51.100.2', 1500), 0, 'another address owes nothing');
    assert.equal(d.fullAt('198.51.100.1', 3000), 0, 'full again: nothing owed');
    assert.equal(d.size, 0, 'and forgotten');
  });

  test('keeps nothing for a bucket that is already full', () => {
    const d = new RateDebts();
    d.record('198.51.100.1', 900, 1000);
    d.record('198.51.100.1', 1000, 1000);
    assert.equal(d.size, 0);
  });

  test('keeps the later of two drained connections of one address', () => {
    const d = new RateDebts();
    d.record('198.51.100.1', 5000, 1000);
    d.record('198.51.100.1', 2000, 1100);
    assert.equal(d.fullAt('198.51.100.1', 1200), 5000);
    d.record('198.51.100.1', 7000, 1300);
    assert.equal(d.fullAt('198.51.100.1', 1400), 7000);
  });

  test('drops expired entries as new ones come', () => {
    const d = new RateDebts();
    for (let i = 0; i < 3; i++) d.record(`198.51.100.${i}`, 2000, 1000);
    d.record('203.0.113.1', 9000, 5000);
    assert.equal(d.size, 1);
  });

  test(`remembers at most its bound of addresses, the oldest going first (default ${MAX_RATE_DEBTS})`, () => {
    const d = new RateDebts(3);
    for (let i = 1; i <= 5; i++) d.record(`198.51.100.${i}`, 10_000 + i, 1000);
    assert.equal(d.size, 3);
    assert.equal(d.fullAt('198.51.100.1', 2000), 0);
    assert.equal(d.fullAt('198.51.100.2', 2000), 0);
    assert.equal(d.fullAt('198.51.100.5', 2000), 10_005);
  });
});
