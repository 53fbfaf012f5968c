// The resume secret rotates on every resume, but the secret used keeps working
// until the client shows it got the new one (a pong to the ping sent right
// behind the welcome, or a resume with the new secret): a welcome lost to a cut
// does not lock the client out of its own session (security.md finding S2).
// On one relay and across two relays sharing Redis.
import { CloseCode, ErrorCode } from '@parley/protocol';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RelayHandle } from '../src/index.js';
import { ClusterHarness, eventually } from './cluster-helpers.js';
import { Harness, type TestClient } from './helpers.js';

/** A client that never answers pings: the relay cannot tell whether it got the welcome. */
const DEAF = { autoPong: false };

function suite(name: string, setup: () => Promise<{ h: Harness; relays: [RelayHandle, RelayHandle] }>): void {
  describe(name, () => {
    let h: Harness;
    let a: RelayHandle;
    let b: RelayHandle;
    before(async () => {
      ({ h, relays: [a, b] } = await setup());
    });
    after(() => h.close());

    const open = (relay: RelayHandle, options = {}): Promise<TestClient> => h.open(relay.wsUrl, undefined, options);
    /** Whether `secret` takes the session back (closing whoever holds it). */
    const resumes = async (relay: RelayHandle, secret: unknown): Promise<boolean> => {
      const c = await open(relay);
      c.send({ type: 'hello', resume: secret as string });
      const answer = await c.next(undefined, (e) => e.type === 'welcome' || e.type === 'error');
      await c.close();
      return answer.type === 'welcome' && answer.resumed === true;
    };

    test('a resume whose welcome was never acknowledged leaves the secret used valid, once more and again', async () => {
      const first = await (await open(a)).hello({ nick: 'lost-1' });
      // the welcome of this resume "is lost": the client never answers the ping behind it
      const deaf = await open(b, DEAF);
      const second = await deaf.hello({ resume: first.resume });
      assert.equal(second.resumed, true);
      await deaf.pinged(); // the ping behind the welcome arrived, and goes unanswered
      await deaf.close();
      const again = await open(a, DEAF);
      const third = await again.hello({ resume: first.resume });
      assert.equal(third.resumed, true, 'the secret the client still holds takes its session back');
      assert.equal(third.session, first.session);
      // the client that took it back holds the newest secret; the one whose welcome was lost is dead
      await again.pinged();
      await again.close();
      assert.equal(await resumes(b, second.resume), false, 'a secret from a lost welcome no longer works');
    });

    test('the secret used stops working once the client acknowledged the welcome (pong)', async () => {
      const first = await (await open(a)).hello({ nick: 'acked-1' });
      const back = await open(b);
      const second = await back.hello({ resume: first.resume });
      assert.equal(second.resumed, true);
      // the pong to the ping behind the welcome goes out as the ping arrives; the relay reads it before
      // the ping envelope settle() sends next
      await back.pinged();
      await back.settle();
      if (h instanceof ClusterHarness) {
        const cluster: ClusterHarness = h;
        // there the relay drops it in Redis after reading the pong
        await eventually(async () => (await cluster.redis.hget(`${cluster.prefix}session/${second.session}`, 'prev')) === '', 'the previous secret to be dropped in Redis');
      }
      await back.close();
      assert.equal(await resumes(a, first.resume), false);
      assert.equal(await resumes(b, second.resume), true);
    });

    test('the secret used stops working once the new one is used, even without a pong', async () => {
      const first = await (await open(a)).hello({ nick: 'used-1' });
      const deaf = await open(b, DEAF);
      const second = await deaf.hello({ resume: first.resume });
      const next = await open(a, DEAF);
      const third = await next.hello({ resume: second.resume });
      assert.equal(third.resumed, true);
      assert.equal((await deaf.closedWithin()).code, CloseCode.Replaced);
      await next.close();
      const stale = await open(b);
      stale.send({ type: 'hello', resume: first.resume });
      assert.equal((await stale.next('error')).code, ErrorCode.BadField);
      assert.equal(await resumes(a, third.resume), true);
    });

    test('resuming with the previous secret still closes the connection holding the session with 4502', async () => {
      const first = await (await open(a)).hello({ nick: 'held-1' });
      const deaf = await open(b, DEAF);
      assert.equal((await deaf.hello({ resume: first.resume })).resumed, true);
      const owner = await open(a);
      assert.equal((await owner.hello({ resume: first.resume })).resumed, true);
      assert.equal((await deaf.closedWithin()).code, CloseCode.Replaced);
    });
  });
}

suite('resume secret on one relay', async () => {
  const h = new Harness();
  const relay = await h.relay({ resumeWindowMs: 10_000 });
  return { h, relays: [relay, relay] };
});

suite('resume secret in a cluster (two relays, one Redis)', async () => {
  const c = await new ClusterHarness().init();
  const [a, b] = (await c.startRelays(2, { resumeWindowMs: 10_000 })) as [RelayHandle, RelayHandle];
  return { h: c, relays: [a, b] };
});
