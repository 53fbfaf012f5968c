import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SMALL_MAP_LINEAR_MAX, SmallMap } from '../src/sessions/small-map.js';

describe('SmallMap', () => {
  test('answers like a Map while small', () => {
    const m = new SmallMap<string, number>();
    assert.equal(m.size, 0);
    assert.equal(m.has('a'), false);
    m.set('a', 1).set('b', 2).set('a', 3);
    assert.equal(m.size, 2);
    assert.equal(m.get('a'), 3);
    assert.equal(m.get('c'), undefined);
    assert.deepEqual([...m], [['a', 3], ['b', 2]]);
    assert.deepEqual([...m.keys()], ['a', 'b']);
    assert.equal(m.delete('a'), true);
    assert.equal(m.delete('a'), false);
    assert.deepEqual([...m], [['b', 2]]);
    m.delete('b');
    assert.equal(m.size, 0);
    assert.deepEqual([...m], []);
  });

  test(`keeps insertion order and every entry past ${SMALL_MAP_LINEAR_MAX} entries`, () => {
    const m = new SmallMap<string, number>();
    const n = SMALL_MAP_LINEAR_MAX * 3;
    for (let i = 0; i < n; i++) m.set(`r${i}`, i);
    assert.equal(m.size, n);
    assert.deepEqual([...m.keys()], Array.from({ length: n }, (_, i) => `r${i}`));
    assert.equal(m.get(`r${n - 1}`), n - 1);
    assert.equal(m.delete('r0'), true);
    assert.equal(m.has('r0'), false);
    assert.equal(m.size, n - 1);
  });

  test('lets every entry be deleted while iterating over the keys', () => {
    const m = new SmallMap<string, number>();
    for (let i = 0; i < 3; i++) m.set(`r${i}`, i);
    const seen = [];
    for (const k of m.keys()) {
      seen.push(k);
      m.delete(k);
    }
    assert.deepEqual(seen, ['r0', 'r1', 'r2']);
    assert.equal(m.size, 0);
  });

  test('copies into a Map', () => {
    const m = new SmallMap<string, number>().set('x', 1);
    assert.deepEqual(new Map(m), new Map([['x', 1]]));
  });
});
