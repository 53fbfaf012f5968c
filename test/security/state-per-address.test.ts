// One address cannot make the relay keep state without bound: a client that
// opens session after session, each in 20 rooms no one else uses, and drops
// every socket (so each session would wait out its resume window) leaves the
// relay's heap within a documented bound, while another address is served.
// The relay runs in a child process that reports its memory after full
// garbage collections; addresses come from X-Forwarded-For through a trusted
// proxy (this test's 127.0.0.1).
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Peer } from '../support/peer.js';
import { ProbedRelay } from '../support/probe.js';

/** Sessions the attacker opens: far past what the relay keeps of one address. */
const HELLOS = 1500;
const ROOMS_PER_HELLO = 20;
/** The limits under test (smaller than the defaults, so the run is short; the bound scales with them). */
const LIMITS = { maxSessionsPerIp: 100, maxTotalRooms: 5000 };
/**
 * The documented bound on what the attack may add to the heap, MiB: the
 * address's 100 sessions in 20 rooms each, and up to 2 × 5,000 rooms (occupied, and
 * emptied within the resume window), at about 1 kB a room with its history
 * log (docs/security.md, S-state).
 */
const BOUND_MIB = 24;

describe('state one address can make the relay keep', { timeout: 120_000 }, () => {
  let relay: ProbedRelay;
  after(() => relay?.close());

  test(`${HELLOS} sessions in ${HELLOS * ROOMS_PER_HELLO} fresh rooms from one address leave the heap within ${BOUND_MIB} MiB, and another address is served meanwhile`, async () => {
    relay = await ProbedRelay.start({ trustedProxies: ['127.0.0.1'], resumeWindowMs: 120_000, rateBurst: 100_000, ratePerSecond: 100_000, ...LIMITS });
    const as = (address: string): Promise<Peer> => Peer.open(relay.wsUrl, 'parley.v1', { headers: { 'x-forwarded-for': address } });
    const other = await as('198.51.100.1');
    assert.equal((await other.hello({ nick: 'bystander', rooms: [{ room: 'calm', since: 0 }] })).type, 'welcome');
    const before = (await relay.memory()).heapUsed;

    let slowest = 0;
    let stop = false;
    const served = (async () => {
      for (let i = 0; !stop; i++) {
        const t0 = performance.now();
        other.send({ type: 'send', room: 'calm', text: `still here ${i}`, cid: `b${i}` });
        await other.next((e) => e.type === 'ack' && e.cid === `b${i}`, 5000);
        slowest = Math.max(slowest, performance.now() - t0);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();

    let refused = 0;
    const attack = async (lane: number): Promise<void> => {
      for (let i = lane; i < HELLOS; i += 10) {
        const p = await as('203.0.113.66');
        const rooms = Array.from({ length: ROOMS_PER_HELLO }, (_, k) => ({ room: `r${i}x${k}`, since: 0 }));
        const w = await p.hello({ nick: `spam${i}`, rooms }).catch(() => undefined);
        if (w?.type !== 'welcome') refused++;
        await p.drop(); // no close frame: the session waits to be resumed
      }
    };
    await Promise.all(Array.from({ length: 10 }, (_, lane) => attack(lane)));
    stop = true;
    await served;

    const grown = ((await relay.memory()).heapUsed - before) / 2 ** 20;
    const health = (await (await fetch(relay.url + '/healthz')).json()) as { sessions: number; rooms: number };
    console.log(`state per address: ${HELLOS} hellos (${refused} refused), heap +${grown.toFixed(1)} MiB, ${health.sessions} sessions, ${health.rooms} rooms kept; bystander's slowest ack ${slowest.toFixed(0)} ms`);
    assert.ok(health.sessions <= LIMITS.maxSessionsPerIp + 1, `${health.sessions} sessions kept`);
    assert.ok(health.rooms <= LIMITS.maxTotalRooms, `${health.rooms} rooms occupied`);
    assert.ok(grown < BOUND_MIB, `the heap grew ${grown.toFixed(1)} MiB`);
    assert.ok(slowest < 1000, `the other address waited ${slowest.toFixed(0)} ms for an ack at worst`);
  });
});
