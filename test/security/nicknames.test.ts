// Nickname spoofing with invisible characters: nicknames holding control,
// bidi-override, zero-width or other invisible (default-ignorable)
// characters are refused — in hello, on the seed path and in a token's name —
// so no one can look exactly like someone else. A property test (fast-check)
// checks that no nickname the relay welcomes holds such a character.
import { createRelay, type RelayHandle } from '@parley/relay';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { after, before, describe, test } from 'node:test';
import { Peer } from '../support/peer.js';

const SECRET = 'nicknames-test-secret-of-at-least-32-characters';
const token = (name: string): string => {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: 'tok', name, exp: Math.floor(Date.now() / 1000) + 600 })}`;
  return `${body}.${createHmac('sha256', SECRET).update(body).digest('base64url')}`;
};

const hex = (c: string): string => [...c].map((x) => 'U+' + x.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')).join(' ');
const range = (from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => String.fromCodePoint(from + i));

/** Controls, bidi controls, zero-width and other invisible characters. */
export const INVISIBLE = {
  control: [...range(0x00, 0x1f), '\u007f', ...range(0x80, 0x9f)],
  bidi: [...range(0x202a, 0x202e), ...range(0x2066, 0x2069), '\u200e', '\u200f', '\u061c'],
  'zero-width': ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u180e', '\u00ad', '\u2061', '\u2062', '\u2063', '\u2064'],
  separator: ['\u2028', '\u2029', '\u00a0', '\u2007', '\u202f', '\u3000', '\u205f'],
  'blank-looking': ['\u3164', '\u115f', '\u1160', '\uffa0', '\u2800'],
  'private use and tags': ['\ue000', '\uf8ff', '\u{f0000}', '\u{e0001}', '\u{e0041}', '\u{e007f}'],
  // default-ignorable marks: letters followed by these render exactly like the letters alone
  'invisible marks': ['\u034f', '\u17b4', '\u17b5', '\u180b', '\u180c', '\u180d', '\u180f', '\ufe00', '\ufe0e', '\u{e0100}', '\u{e01ef}'],
};

/** What a welcomed nickname must never hold (a plain space between words aside; see `badName`). */
const FORBIDDEN_CHARS = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cs}\p{Cn}\u00a0\u2000-\u200a\u202f\u205f\u3000\u3164\u115f\u1160\uffa0\u2800]|\p{Default_Ignorable_Code_Point}/u;
/** The emoji presentation selector right after an emoji is visible (❤️): left to the emoji decision, not counted. */
const FORBIDDEN = { test: (name: string): boolean => FORBIDDEN_CHARS.test(name.replace(/(\p{Extended_Pictographic})\uFE0F/gu, '$1')) };

describe('nicknames with invisible characters', { timeout: 60_000 }, () => {
  let relay: RelayHandle;
  let probe: Peer;
  const peers: Peer[] = [];
  /** Says hello with `fields`; answers the welcome's user name, or the error code. Welcomed sessions are closed (1000). */
  const tryHello = async (fields: Record<string, unknown>): Promise<{ name?: string; code?: string }> => {
    if (probe.isClosed) probe = await Peer.open(relay.wsUrl);
    const answer = await probe.hello(fields);
    if (answer.type === 'welcome') {
      const name = answer.user.name as string;
      await probe.close();
      probe = await Peer.open(relay.wsUrl);
      return { name };
    }
    if (!['bad_nickname', 'nickname_taken', 'auth_failed', 'bad_field'].includes(answer.code)) throw new Error(`unexpected answer ${JSON.stringify(answer)}`);
    if (answer.code === 'auth_failed') {
      // a refused token closes the connection (4500)
      await probe.closed;
      probe = await Peer.open(relay.wsUrl);
    }
    return { code: answer.code };
  };
  before(async () => {
    // many hellos on one connection: the rate limit and the strikes are not what this suite tests
    relay = await createRelay({ port: 0, host: '127.0.0.1', log: false, tokenSecret: SECRET, abuseStrikes: 1_000_000, rateBurst: 1_000_000, ratePerSecond: 1_000_000 });
    probe = await Peer.open(relay.wsUrl);
  });
  after(async () => {
    await probe.close();
    await Promise.all(peers.map((p) => p.close()));
    await relay.close();
  });

  for (const [kind, chars] of Object.entries(INVISIBLE)) {
    test(`never welcomes a nickname holding ${kind} characters (inside, before or after a name; trimmed edges aside)`, async () => {
      const accepted: string[] = [];
      for (const c of chars) {
        for (const nick of [`ad${c}a`, `${c}ada`, `ada${c}`, `ada ${c}x`]) {
          const r = await tryHello({ nick });
          // surrounding white space is trimmed (documented): only a name that still holds the character is a fault
          if (r.name !== undefined && (r.name.includes(c) || FORBIDDEN.test(r.name))) accepted.push(`${JSON.stringify(nick)} (${hex(c)}) welcomed as ${JSON.stringify(r.name)}`);
        }
      }
      assert.deepEqual(accepted, []);
    });
  }

  test('refuses them in a token name and on the seed path too', async () => {
    const accepted: string[] = [];
    for (const c of Object.values(INVISIBLE).flat()) {
      const r = await tryHello({ token: token(`ad${c}a`) });
      if (r.name !== undefined && (r.name.includes(c) || FORBIDDEN.test(r.name))) accepted.push(`token name ${hex(c)}`);
    }
    for (const c of ['\u202e', '\u200b', '\n', '\u0000', '\u3164']) {
      const seed = await Peer.open(`${relay.wsUrl.replace('/chat', '/ws/')}${encodeURIComponent(`ad${c}a`)}`, []);
      peers.push(seed);
      const closed = await seed.closed;
      if (closed.code !== 1008) accepted.push(`seed path ${hex(c)} (closed ${closed.code})`);
    }
    assert.deepEqual(accepted, []);
  });

  test('a nickname that looks exactly like a held one cannot be taken', async () => {
    const ada = await Peer.open(relay.wsUrl);
    peers.push(ada);
    assert.equal((await ada.hello({ nick: 'grace' })).type, 'welcome');
    const lookalikes = ['grace\u034f', 'gra\u034fce', 'grace\ufe00', 'grace\u{e0100}', 'GRACE', 'ｇｒａｃｅ', 'grace\u200b', ' grace'];
    const taken: string[] = [];
    for (const nick of lookalikes) {
      const r = await tryHello({ nick });
      if (r.name !== undefined) taken.push(`${JSON.stringify(nick)} (${hex(nick)})`);
    }
    assert.deepEqual(taken, [], 'welcomed beside "grace"');
  });

  test('no nickname the relay welcomes holds an invisible character (property, fast-check)', async () => {
    const pool = Object.values(INVISIBLE).flat();
    const nick = fc.oneof(
      fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }),
      fc.tuple(fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 8 }), fc.constantFrom(...pool), fc.string({ unit: 'grapheme', maxLength: 4 })).map(([a, c, b]) => a + c + b),
    );
    await fc.assert(
      fc.asyncProperty(nick, async (n) => {
        const r = await tryHello({ nick: n });
        if (r.name !== undefined && FORBIDDEN.test(r.name)) throw new Error(`welcomed ${JSON.stringify(r.name)} (${hex(r.name)})`);
      }),
      { numRuns: 400 },
    );
  });
});
