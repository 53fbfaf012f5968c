// Connection exhaustion: the per-address limit and the hello timeout hold,
// and idle unauthenticated sockets are closed — also those that never even
// finish their upgrade request (bound: the hello timeout, plus slack).
import { CloseCode } from '@parley/protocol';
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { exhaustionLines, runExhaustion, type ExhaustionFigures } from '../suites/exhaustion.js';

const SLACK_MS = 1000;

describe('connection exhaustion', { timeout: 30_000 }, () => {
  let f: ExhaustionFigures;
  before(async () => {
    f = await runExhaustion({ limit: 10, helloTimeoutMs: 500, rawBoundMs: 500 + SLACK_MS + 500 });
    for (const line of exhaustionLines(f)) console.log(line);
  });

  test('closes one connection past the per-address limit with 4006, serves other addresses, and counts a closed one back', () => {
    assert.equal(f.overLimitCode, CloseCode.TooManyConnections);
    assert.equal(f.otherAddressOk, true);
    assert.equal(f.freedSlotOk, true);
  });

  test('closes WebSockets that never say hello with 4002 at the hello timeout', () => {
    assert.deepEqual([...new Set(f.idleCodes)], [CloseCode.HelloTimeout]);
    for (const t of f.idleClosedAfterMs) assert.ok(t <= f.helloTimeoutMs + SLACK_MS, `closed after ${t} ms`);
    assert.equal(f.leftOver, 0);
  });

  test('closes TCP connections that never finish their upgrade request within the hello timeout', () => {
    for (const t of f.rawIdleMs) assert.ok(t <= f.helloTimeoutMs + SLACK_MS, `an idle TCP connection was ${Number.isFinite(t) ? `closed after ${t} ms` : `still open after ${f.rawBoundMs} ms`}`);
  });
});
