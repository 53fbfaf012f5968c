// Nickname spoofing and takeover during a reconnect: a nickname held by a
// session within its resume window cannot be taken (in any case or width, by
// hello, by the seed path or by a token), a stale or guessed resume secret
// takes nothing, and the rightful client gets its session back even when a
// cut swallowed the welcome of its resume.
import { createRelay, type RelayHandle } from '@parley/relay';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createChaosProxy, type ChaosProxy } from '../support/chaos-proxy.js';
import { Participant } from '../support/participant.js';
import { Peer } from '../support/peer.js';
import { eventually, sleep } from '../support/wait.js';

const SECRET = 'takeover-test-secret-of-at-least-32-characters';

function token(claims: Record<string, unknown>): string {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ exp: Math.floor(Date.now() / 1000) + 600, ...claims })}`;
  return `${body}.${createHmac('sha256', SECRET).update(body).digest('base64url')}`;
}

describe('nickname takeover during a reconnect', { timeout: 60_000 }, () => {
  let relay: RelayHandle;
  const peers: Peer[] = [];
  const open = async (): Promise<Peer> => {
    const p = await Peer.open(relay.wsUrl);
    peers.push(p);
    return p;
  };
  before(async () => {
    relay = await createRelay({ port: 0, host: '127.0.0.1', log: false, tokenSecret: SECRET });
  });
  after(async () => {
    await Promise.all(peers.map((p) => p.close()));
    await relay.close();
  });

  test('refuses a nickname held by a dropped session within its resume window, in any case or width', async () => {
    const ada = await open();
    const welcome = await ada.hello({ nick: 'Ada', rooms: [{ room: 'lobby', since: 0 }] });
    assert.equal(welcome.type, 'welcome');
    await ada.drop();
    for (const nick of ['Ada', 'ada', 'ADA', 'Ａｄａ', ' Ada ']) {
      const thief = await open();
      const answer = await thief.hello({ nick });
      assert.deepEqual([answer.type, answer.code], ['error', 'nickname_taken'], `"${nick}"`);
    }
  });

  test('refuses the held nickname on the seed path too (1008, the session stays)', async () => {
    const ada = await open();
    await ada.hello({ nick: 'grace' });
    await ada.drop();
    const seed = await Peer.open(relay.wsUrl.replace('/chat', '/ws/GRACE'), []);
    peers.push(seed);
    assert.equal((await seed.closed).code, 1008);
  });

  test('refuses a token whose subject is an anonymous nickname held within its resume window', async () => {
    const ada = await open();
    await ada.hello({ nick: 'linus' });
    await ada.drop();
    const thief = await open();
    const answer = await thief.hello({ token: token({ sub: 'linus', name: 'linus' }) });
    assert.deepEqual([answer.type, answer.code], ['error', 'nickname_taken']);
  });

  test('a guessed or stale resume secret takes nothing: the hello counts as fresh and the nickname is still refused', async () => {
    const ada = await open();
    const first = await ada.hello({ nick: 'hopper' });
    await ada.drop();
    // the real owner resumes once: the first secret is now stale
    const back = await open();
    const second = await back.hello({ resume: first.resume, nick: 'hopper' });
    assert.equal(second.resumed, true);
    await back.drop();
    for (const resume of [first.resume, 'r_' + 'A'.repeat(32), second.resume.slice(0, -2) + 'xx']) {
      const thief = await open();
      const answer = await thief.hello({ resume, nick: 'hopper' });
      assert.deepEqual([answer.type, answer.code], ['error', 'nickname_taken'], `resume ${resume}`);
    }
    // and the current secret still works for its owner
    const owner = await open();
    assert.equal((await owner.hello({ resume: second.resume })).resumed, true);
  });

  test('resuming closes the older connection that still holds the session with 4502', async () => {
    const ada = await open();
    const w = await ada.hello({ nick: 'turing' });
    const again = await open();
    assert.equal((await again.hello({ resume: w.resume })).resumed, true);
    assert.equal((await ada.closed).code, 4502);
  });
});

describe('a cut that swallows the welcome of a resume', { timeout: 60_000 }, () => {
  let relay: RelayHandle;
  let proxy: ChaosProxy;
  const people: Participant[] = [];
  before(async () => {
    relay = await createRelay({ port: 0, host: '127.0.0.1', log: false });
    proxy = await createChaosProxy({ host: '127.0.0.1', port: relay.port });
  });
  after(async () => {
    for (const p of people) p.close();
    await proxy.close();
    await relay.close();
  });

  test('does not lock the rightful client out of its own session and nickname', async () => {
    const ada = new Participant({ url: proxy.url, nick: 'ada', rooms: ['lobby'], backoff: { base: 50, cap: 200 } });
    const bob = new Participant({ url: relay.wsUrl, nick: 'bob', rooms: ['lobby'] });
    people.push(ada, bob);
    ada.connect();
    bob.connect();
    await Promise.all([ada.opened(), bob.opened()]);
    // the next welcome the relay sends ada is lost: the relay has rotated her secret, she never learns the new one
    let swallowed = 0;
    proxy.inspectDown = (chunk) => (swallowed === 0 && chunk.includes('"type":"welcome"') ? (swallowed++, 'rst') : 'forward');
    proxy.all('rst');
    await eventually(() => swallowed === 1, 'the resume welcome to be swallowed');
    bob.send('lobby', 'while ada was away');
    await eventually(() => ada.client.state !== 'reconnecting' && ada.client.state !== 'connecting', 'ada to settle', 8000).catch(() => {});
    await sleep(300);
    assert.equal(
      ada.client.state,
      'open',
      `ada ended ${ada.client.state} (${ada.stopped?.reason ?? ''}): errors ${JSON.stringify(ada.errors)} — her own session, within its resume window, now holds her nickname against her`,
    );
    await eventually(() => (ada.messages.get('lobby') ?? []).some((m) => m.text === 'while ada was away'), 'ada to get what she missed');
  });
});
