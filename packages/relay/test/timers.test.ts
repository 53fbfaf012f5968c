/**
 * The connection clocks: every hello timeout and token expiry runs under one
 * timer (src/deadlines.ts) and the heartbeat is one sweep over all sockets
 * (src/heartbeat.ts). These check the documented bounds with a real relay and
 * real sockets: 4002 after the hello timeout and never before it, 4000 for a
 * peer silent for one ping interval, at the next sweep (so within two).
 */
import { CloseCode, SUBPROTOCOL } from '@parley/protocol';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, describe, test } from 'node:test';
import { Deadlines } from '../src/limits/deadlines.js';
import { Harness, WAIT_MS, sleep, type TestClient } from './helpers.js';

/** Lateness tolerated past a documented bound (the machine is shared). */
const SLACK_MS = 1500;
/** Timers count from the event loop's cached clock, a millisecond at most. */
const EARLY_MS = 2;

/** Resolves with the close code and the time from `since` to the close. */
const closing = (c: TestClient, since: number): Promise<{ code: number; elapsed: number }> =>
  c.closed.then(({ code }) => ({ code, elapsed: performance.now() - since }));

describe('connection clocks', () => {
  const h = new Harness();
  after(() => h.close());

  test('closes every connection without hello with 4002 at its own hello timeout, never before', async () => {
    const timeout = 300;
    const relay = await h.relay({ helloTimeoutMs: timeout });
    const silent: Array<Promise<{ code: number; elapsed: number }>> = [];
    for (let i = 0; i < 6; i++) {
      const t0 = performance.now();
      silent.push(closing(await h.open(relay.wsUrl), t0));
      await sleep(70); // staggered deadlines under the one timer
    }
    for (const { code, elapsed } of await Promise.all(silent)) {
      assert.equal(code, CloseCode.HelloTimeout);
      assert.ok(elapsed >= timeout - EARLY_MS, `closed after ${elapsed.toFixed(0)} ms, before the ${timeout} ms timeout`);
      assert.ok(elapsed < timeout + SLACK_MS, `closed after ${elapsed.toFixed(0)} ms`);
    }
  });

  test('keeps a connection whose hello arrives just before its deadline, and closes only the silent ones among many', async () => {
    const timeout = 400;
    const relay = await h.relay({ helloTimeoutMs: timeout });
    const late = await h.open(relay.wsUrl);
    const clients = await Promise.all(Array.from({ length: 30 }, () => h.open(relay.wsUrl)));
    const greeted = clients.filter((_, i) => i % 3 !== 0);
    await Promise.all(greeted.map((c, i) => c.hello({ nick: `early${i}` })));
    const BEFORE_DEADLINE_MS = timeout - 150; // the point: its hello lands shortly before its deadline
    await sleep(BEFORE_DEADLINE_MS);
    await late.hello({ nick: 'late' });
    const PAST_EVERY_DEADLINE_MS = timeout; // every deadline has passed: the greeted must still be open
    await sleep(PAST_EVERY_DEADLINE_MS);
    const silent = clients.filter((_, i) => i % 3 === 0);
    for (const c of silent) assert.equal((await c.closedWithin()).code, CloseCode.HelloTimeout);
    for (const c of [late, ...greeted]) {
      c.send({ type: 'ping', ts: 1 });
      assert.equal((await c.next('pong')).ts, 1);
    }
  });

  test('closes a peer silent for a whole ping interval with 4000 at the next sweep, within two intervals', async () => {
    const interval = 250;
    const relay = await h.relay({ pingIntervalMs: interval });
    const mute = await h.open(relay.wsUrl, SUBPROTOCOL, { autoPong: false });
    const lastSign = performance.now(); // its hello, below, is the last thing it sends
    await mute.hello({ nick: 'mute' });
    const { code, elapsed } = await closing(mute, lastSign);
    assert.equal(code, CloseCode.HeartbeatTimeout);
    assert.ok(elapsed >= interval - EARLY_MS, `closed ${elapsed.toFixed(0)} ms after its last frame, less than one interval`);
    assert.ok(elapsed < 2 * interval + SLACK_MS, `closed ${elapsed.toFixed(0)} ms after its last frame`);
  });

  test('counts any frame as a sign of life, and drops only the silent peers among many', async () => {
    const interval = 300;
    const relay = await h.relay({ pingIntervalMs: interval });
    // answers no WebSocket ping but sends envelopes: alive
    const chatty = await h.open(relay.wsUrl, SUBPROTOCOL, { autoPong: false });
    await chatty.hello({ nick: 'chatty' });
    const talking = setInterval(() => chatty.send({ type: 'ping' }), 50);
    try {
      const answering = await Promise.all(Array.from({ length: 20 }, (_, i) => h.chat(relay, { nick: `pong${i}` })));
      const mutes = await Promise.all(
        Array.from({ length: 5 }, async (_, i) => {
          const c = await h.open(relay.wsUrl, SUBPROTOCOL, { autoPong: false });
          await c.hello({ nick: `mute${i}` });
          return c;
        }),
      );
      for (const c of mutes) assert.equal((await c.closedWithin(2 * interval + SLACK_MS)).code, CloseCode.HeartbeatTimeout);
      // the point: two more sweeps pass, and the live peers outlive them
      const TWO_SWEEPS_MS = 2 * interval;
      await sleep(TWO_SWEEPS_MS);
      for (const c of [chatty, ...answering]) {
        c.send({ type: 'ping', ts: 2 });
        assert.equal((await c.next('pong', (e) => e.ts === 2)).ts, 2);
      }
    } finally {
      clearInterval(talking);
    }
  });
});

describe('Deadlines', () => {
  const fired: string[] = [];
  const target = { expired: (what: string) => void fired.push(what) };

  test('fires in due order, never early, and not once cancelled', async () => {
    const deadlines = new Deadlines();
    fired.length = 0;
    const t0 = performance.now();
    const at: Record<string, number> = {};
    let lastFired!: () => void;
    const allFired = new Promise<void>((resolve) => (lastFired = resolve));
    const record = {
      expired: (what: string) => {
        at[what] = performance.now() - t0;
        fired.push(what);
        if (fired.length === 3) lastFired();
      },
    };
    deadlines.after(120, record, 'c');
    deadlines.after(40, record, 'a');
    const b = deadlines.after(80, record, 'x');
    deadlines.after(80, record, 'b');
    deadlines.cancel(b);
    deadlines.cancel(b); // twice is harmless
    assert.equal(deadlines.size, 3);
    // the deadlines' own timer is unref'd: this one keeps the process alive, and fails the test if they never fire
    let guard!: NodeJS.Timeout;
    await Promise.race([allFired, new Promise((_, reject) => (guard = setTimeout(() => reject(new Error(`fired only ${JSON.stringify(fired)}`)), WAIT_MS)))]);
    clearTimeout(guard);
    // the cancelled one would have been due before the last: it had its chance to fire
    assert.deepEqual(fired, ['a', 'b', 'c']);
    assert.ok(at.a! >= 40 && at.b! >= 80 && at.c! >= 120, JSON.stringify(at));
    assert.equal(deadlines.size, 0);
    deadlines.stop();
  });

  test('drops everything when stopped', async () => {
    const deadlines = new Deadlines();
    fired.length = 0;
    deadlines.after(20, target, 'never');
    deadlines.stop();
    deadlines.after(10, target, 'never either');
    const PAST_BOTH_MS = 80; // the point: both would have fired well within this, had they been kept
    await sleep(PAST_BOTH_MS);
    assert.deepEqual(fired, []);
  });
});
