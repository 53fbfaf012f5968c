import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  CLIENT_SHAPES,
  decodeClientFrame,
  decodeServerFrame,
  encode,
  encodeBatch,
  ErrorCode,
  isText,
  normalizeNickname,
  SERVER_SHAPES,
  type ClientMessage,
  type ServerMessage,
} from '@parley/protocol';

/** The same value as plain JSON objects (fast-check may build null-prototype objects). */
const plain = <T>(v: T): T => JSON.parse(JSON.stringify(v));

const RUNS = Number(process.env.PARLEY_FC_RUNS ?? 300);
const codes = new Set<string>(Object.values(ErrorCode));

const room = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
const id = fc.stringMatching(/^[A-Za-z0-9_.:~-]{1,64}$/);
const count = fc.nat({ max: Number.MAX_SAFE_INTEGER });
const seq = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });
const text = fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }).filter((s) => isText(s));
const nick = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 32 })
  .filter((s) => normalizeNickname(s) === s);
const token = fc.string({ minLength: 1, maxLength: 200 });
const member = fc.record({ id, name: nick });
const opt = <T>(arb: fc.Arbitrary<T>) => ({ arb, optional: true as const });

/** Builds an arbitrary object with required and optional fields (optional ones sometimes absent). */
function shape<T>(type: string, fields: Record<string, fc.Arbitrary<unknown> | { arb: fc.Arbitrary<unknown>; optional: true }>) {
  const model: Record<string, fc.Arbitrary<unknown>> = { type: fc.constant(type) };
  const required: string[] = ['type'];
  for (const [k, v] of Object.entries(fields)) {
    if ('optional' in v) model[k] = v.arb;
    else {
      model[k] = v;
      required.push(k);
    }
  }
  return fc.record(model, { requiredKeys: required }) as unknown as fc.Arbitrary<T>;
}

const clientMessage = fc.oneof(
  shape('hello', { nick: opt(nick), token: opt(token), resume: opt(token), rooms: opt(fc.array(fc.record({ room, since: count, epoch: id }, { requiredKeys: ['room', 'since'] }), { maxLength: 20 })), inbox: opt(count) }),
  shape('join', { room, since: opt(count), epoch: opt(id) }),
  shape('leave', { room }),
  shape('send', { room, text, cid: id }),
  shape('dm', { to: id, text, cid: id }),
  shape('typing', { room, on: fc.boolean() }),
  shape('history', { qid: id, room: opt(room), before: opt(count), limit: opt(fc.integer({ min: 1, max: 200 })) }),
  shape('members', { qid: id, room }),
  shape('ping', { ts: opt(count) }),
) as fc.Arbitrary<ClientMessage>;

const msg = shape<ServerMessage>('msg', { room, id, seq, ts: count, from: id, name: nick, text });
const direct = shape<ServerMessage>('direct', { id, seq, ts: count, from: id, name: nick, to: id, text });
const serverMessage = fc.oneof(
  shape('welcome', {
    session: id,
    user: member,
    resume: token,
    resumed: fc.boolean(),
    inbox: count,
    rooms: fc.array(fc.record({ room, seq: count, epoch: id, members: fc.array(member, { maxLength: 3 }) }, { requiredKeys: ['room', 'seq', 'members'] }), { maxLength: 3 }),
    limits: fc.record({ text: seq, rooms: seq, frame: seq, ping: seq, pingTimeout: seq }),
  }),
  shape('joined', { room, seq: count, epoch: opt(id), members: fc.array(member, { maxLength: 5 }) }),
  shape('left', { room }),
  shape('presence', { room, event: fc.constantFrom('join', 'leave'), user: member }),
  msg,
  direct,
  shape('ack', { cid: id, id, seq, ts: count, dup: opt(fc.boolean()) }),
  shape('typing', { room, from: id, name: nick, on: fc.boolean() }),
  shape('page', { qid: id, room: opt(room), messages: fc.array(fc.oneof(msg, direct), { maxLength: 4 }), more: fc.boolean() }),
  shape('members', { qid: id, room, members: fc.array(member, { maxLength: 5 }) }),
  shape('gap', { room: opt(room), start: seq, end: opt(seq) }),
  shape('pong', { ts: opt(count) }),
  shape('error', { code: fc.constantFrom(...codes), message: fc.string(), ref: opt(fc.string()) }),
) as fc.Arbitrary<ServerMessage>;

/** What a decoder may return: a typed value whose type it knows, or an error with a documented code. */
function wellFormed(results: ReturnType<typeof decodeClientFrame | typeof decodeServerFrame>, shapes: object): void {
  assert.ok(Array.isArray(results) && results.length >= 1);
  for (const r of results) {
    if (r.ok) assert.ok(Object.prototype.hasOwnProperty.call(shapes, r.value.type));
    else {
      assert.ok(codes.has(r.error.code), r.error.code);
      assert.equal(typeof r.error.message, 'string');
    }
  }
}

describe('decoding untrusted input', () => {
  test('never throws on arbitrary strings and returns only typed results or documented errors', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => {
        wellFormed(decodeClientFrame(s), CLIENT_SHAPES);
        wellFormed(decodeServerFrame(s), SERVER_SHAPES);
      }),
      { numRuns: RUNS * 3 },
    );
  });

  test('never throws on arbitrary JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const s = JSON.stringify(v) ?? 'null';
        wellFormed(decodeClientFrame(s), CLIENT_SHAPES);
        wellFormed(decodeServerFrame(s), SERVER_SHAPES);
      }),
      { numRuns: RUNS },
    );
  });

  test('never throws on envelope-like objects with random field values', () => {
    const types = [...Object.keys(CLIENT_SHAPES), ...Object.keys(SERVER_SHAPES)];
    const fields = ['room', 'text', 'cid', 'qid', 'nick', 'token', 'since', 'rooms', 'inbox', 'on', 'limit', 'before', 'to', 'members', 'messages', 'user', 'from'];
    const envelopeLike = fc.dictionary(fc.constantFrom(...fields), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 });
    fc.assert(
      fc.property(fc.constantFrom(...types), envelopeLike, (type, rest) => {
        const s = JSON.stringify({ ...rest, type });
        wellFormed(decodeClientFrame(s), CLIENT_SHAPES);
        wellFormed(decodeServerFrame(s), SERVER_SHAPES);
      }),
      { numRuns: RUNS * 3 },
    );
  });
});

describe('encode and decode', () => {
  test('round-trip every valid client envelope', () => {
    fc.assert(
      fc.property(clientMessage, (m) => {
        assert.deepEqual(decodeClientFrame(encode(m)), [{ ok: true, value: plain(m) }]);
      }),
      { numRuns: RUNS },
    );
  });

  test('round-trip every valid relay envelope', () => {
    fc.assert(
      fc.property(serverMessage, (m) => {
        assert.deepEqual(decodeServerFrame(encode(m)), [{ ok: true, value: plain(m) }]);
      }),
      { numRuns: RUNS },
    );
  });

  test('round-trip batches of envelopes, in order', () => {
    fc.assert(
      fc.property(fc.array(serverMessage, { minLength: 1, maxLength: 10 }), (ms) => {
        assert.deepEqual(
          decodeServerFrame(encodeBatch(ms.map(encode))),
          ms.map((value) => ({ ok: true, value: plain(value) })),
        );
      }),
      { numRuns: RUNS / 3 },
    );
  });

  test('refuse any client envelope with a field added', () => {
    const extra = fc.string({ minLength: 1, maxLength: 10 }).filter((k) => !['type', 'nick', 'token', 'resume', 'rooms', 'inbox', 'room', 'since', 'epoch', 'text', 'cid', 'to', 'on', 'qid', 'before', 'limit', 'ts'].includes(k));
    fc.assert(
      fc.property(clientMessage, extra, fc.jsonValue(), (m, key, value) => {
        const [r] = decodeClientFrame(JSON.stringify({ ...m, [key]: value ?? 0 }));
        assert.equal(r!.ok, false);
        if (!r!.ok) assert.equal(r!.error.code, ErrorCode.UnknownField);
      }),
      { numRuns: RUNS },
    );
  });
});
