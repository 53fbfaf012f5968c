/**
 * Look-alike and colliding identities, over real sockets: names compared by
 * their confusable skeleton on `/chat` and on the seed path, mixed-script
 * words refused, token users and anonymous visitors never showing names that
 * look alike, and no name able to take the id another name hashes to.
 */
import { CloseCode, ErrorCode } from '@parley/protocol';
import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import { after, before, describe, test } from 'node:test';
import type { RelayHandle } from '../src/index.js';
import { anonymousClaim } from '../src/sessions/claim.js';
import { HASHED_ID_PREFIX } from '../src/wire/ids.js';
import { ClusterHarness } from './cluster-helpers.js';
import { Harness, type TestClient } from './helpers.js';

const SECRET = 'a-test-secret-that-is-at-least-32-chars';

/** Signs a token that lives a minute. */
function token(claims: Record<string, unknown>): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + 60)
    .sign(new TextEncoder().encode(SECRET));
}

/** Sends a hello and answers the error it gets (failing on a welcome). */
async function refusal(c: TestClient, fields: Record<string, unknown>): Promise<{ code: unknown; message: unknown }> {
  c.send({ type: 'hello', ...fields });
  const e = await c.next('error');
  assert.equal(e.ref, 'hello');
  return { code: e.code, message: e.message };
}

describe('look-alike nicknames', () => {
  const h = new Harness();
  let relay: RelayHandle;
  let seed: string;
  before(async () => {
    relay = await h.relay({ tokenSecret: SECRET });
    seed = relay.url.replace(/^http/, 'ws') + '/ws/';
  });
  after(() => h.close());

  test('refuses a whole-script look-alike of an online nickname with nickname_taken (Cyrillic, Greek, Lisu, dotless ı)', async () => {
    await h.chat(relay, { nick: 'ape' });
    await h.chat(relay, { nick: 'lida' });
    for (const alike of ['\u0430\u0440\u0435', '\u03b1\u03c1\u03b5', '\ua4ee\ua4d1\ua4f0', 'APE', 'lıda', 'Lida', '1ida']) {
      const c = await h.open(relay.wsUrl);
      const { code } = await refusal(c, { nick: alike });
      assert.equal(code, ErrorCode.NicknameTaken, `${alike} looks like an online name`);
    }
  });

  test('refuses a word that mixes Latin with Cyrillic or Greek letters with bad_nickname, held or not', async () => {
    await h.chat(relay, { nick: 'ada' });
    for (const mixed of ['\u0430da', 'Gr\u0430ce', '\u03b1lan', 'Zo\u0435 Smith']) {
      const c = await h.open(relay.wsUrl);
      const { code } = await refusal(c, { nick: mixed });
      assert.equal(code, ErrorCode.BadNickname, `${mixed} mixes scripts in one word`);
    }
  });

  test('welcomes single-script names, one script per word, and Japanese that mixes kana and kanji', async () => {
    for (const nick of ['Иван', 'Ivan Иванов', 'Ελένη', '東京タワー', 'Zoë']) {
      const c = await h.chat(relay, { nick });
      assert.equal(c.received.find((e) => e.type === 'welcome')?.user?.name, nick);
    }
  });

  test('refuses on the seed path too: a look-alike as taken, a mixed word as a bad nickname, both with 1008', async () => {
    await h.chat(relay, { nick: 'pop' });
    const alike = await h.open(seed + encodeURIComponent('\u0440\u043e\u0440'), []);
    const taken = await alike.closedWithin();
    assert.equal(taken.code, CloseCode.PolicyViolation);
    assert.match(taken.reason, /taken/);
    const mixed = await h.open(seed + encodeURIComponent('p\u043ep'), []);
    const bad = await mixed.closedWithin();
    assert.equal(bad.code, CloseCode.PolicyViolation);
    assert.match(bad.reason, /bad nickname/);
  });

  test('keeps a protocol look-alike from taking a nickname held on the seed path', async () => {
    const watcher = await h.chat(relay, { nick: 'watcher-k', rooms: [{ room: 'lobby', since: 0 }] });
    await h.open(seed + 'kate', []);
    await watcher.next('presence', (p) => p.event === 'join' && (p.user as { name: string }).name === 'kate');
    const c = await h.open(relay.wsUrl);
    assert.equal((await refusal(c, { nick: '\u043a\u0430\u0442\u0435' })).code, ErrorCode.NicknameTaken, 'Cyrillic кате');
  });
});

describe('token users beside anonymous visitors', () => {
  const h = new Harness();
  let relay: RelayHandle;
  before(async () => {
    relay = await h.relay({ tokenSecret: SECRET });
  });
  after(() => h.close());

  test("refuses a token whose display name looks like an online anonymous nickname, and the nickname of an online token user's name", async () => {
    await h.chat(relay, { nick: 'linus' });
    const t = await h.open(relay.wsUrl);
    const r = await refusal(t, { token: await token({ sub: 'u_linus', name: 'Linus' }) });
    assert.equal(r.code, ErrorCode.NicknameTaken);
    assert.match(String(r.message), /anonymous/);
    const look = await h.open(relay.wsUrl);
    assert.equal((await refusal(look, { token: await token({ sub: 'u_linus2', name: '\u217cinus' }) })).code, ErrorCode.NicknameTaken, 'a Roman-numeral ⅼ is l');

    const grace = await h.open(relay.wsUrl);
    await grace.hello({ token: await token({ sub: 'u_grace', name: 'Grace' }) });
    for (const nick of ['grace', 'GRACE', 'gr\u0430ce'.normalize()]) {
      const c = await h.open(relay.wsUrl);
      const { code } = await refusal(c, { nick });
      assert.ok(code === ErrorCode.NicknameTaken || code === ErrorCode.BadNickname, `${nick} refused`);
    }
  });

  test('lets two token users share a display name (their issuer chose them)', async () => {
    const a = await h.open(relay.wsUrl);
    const b = await h.open(relay.wsUrl);
    assert.deepEqual((await a.hello({ token: await token({ sub: 'u_sam1', name: 'Sam' }) })).user, { id: 'u_sam1', name: 'Sam' });
    assert.deepEqual((await b.hello({ token: await token({ sub: 'u_sam2', name: 'Sam' }) })).user, { id: 'u_sam2', name: 'Sam' });
  });
});

describe('user ids no name can squat', () => {
  const h = new Harness();
  let relay: RelayHandle;
  before(async () => {
    relay = await h.relay({ tokenSecret: SECRET });
  });
  after(() => h.close());

  test('gives a nickname spelled like a hashed id a hashed id of its own, so the name it hashes to is still free', async () => {
    const target = anonymousClaim('Grace H').id;
    assert.ok(target.startsWith(HASHED_ID_PREFIX));
    const squatter = await h.chat(relay, { nick: target });
    const w = squatter.received.find((e) => e.type === 'welcome')!;
    assert.notEqual(w.user.id, target, 'the spelling of an id is not the id');
    assert.ok(w.user.id.startsWith(HASHED_ID_PREFIX));
    const real = await h.open(relay.wsUrl);
    assert.deepEqual((await real.hello({ nick: 'Grace H' })).user, { id: target, name: 'Grace H' });
  });

  test('refuses a token whose sub is in the hashed namespace (auth_failed, 4500), so it cannot hold a nickname\'s id', async () => {
    const target = anonymousClaim('Ada L').id;
    const t = await h.open(relay.wsUrl);
    const r = await refusal(t, { token: await token({ sub: target, name: 'Someone' }) });
    assert.equal(r.code, ErrorCode.AuthFailed);
    assert.equal((await t.closedWithin()).code, CloseCode.AuthFailed);
    const real = await h.open(relay.wsUrl);
    assert.deepEqual((await real.hello({ nick: 'Ada L' })).user, { id: target, name: 'Ada L' });
  });
});

describe('look-alike nicknames across a cluster', () => {
  const c = new ClusterHarness();
  let a: RelayHandle;
  let b: RelayHandle;
  before(async () => {
    await c.init();
    [a, b] = (await c.startRelays(2, { tokenSecret: SECRET })) as [RelayHandle, RelayHandle];
  });
  after(() => c.close());

  test('refuses on one relay a look-alike of a nickname held on another, and a token name like it', async () => {
    await c.chat(a, { nick: 'ope' });
    const alike = await c.open(b.wsUrl);
    assert.equal((await refusal(alike, { nick: '\u03bf\u03c1\u03b5' })).code, ErrorCode.NicknameTaken);
    const t = await c.open(b.wsUrl);
    assert.equal((await refusal(t, { token: await token({ sub: 'u_ope', name: 'OPE' }) })).code, ErrorCode.NicknameTaken);
  });

  test('keeps a resumed claim holding its key: a look-alike is still refused after the session moved relays', async () => {
    const first = await c.open(a.wsUrl);
    const w = await first.hello({ nick: 'copa' });
    await first.close();
    const back = await c.open(b.wsUrl);
    assert.deepEqual((await back.hello({ resume: w.resume })).user, w.user);
    for (const [relay, nick] of [[a, '\u0441\u043e\u0440\u0430'], [b, 'COPA']] as const) {
      const alike = await c.open(relay.wsUrl);
      assert.equal((await refusal(alike, { nick })).code, ErrorCode.NicknameTaken, `${nick} on ${relay === a ? 'a' : 'b'}`);
    }
  });
});
