import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decode,
  decodeClientFrame,
  decodeServerFrame,
  encode,
  encodeBatch,
  ErrorCode,
  MAX_BATCH_ENVELOPES,
  MAX_FRAME_BYTES,
  MAX_TEXT_LENGTH,
  type ClientMessage,
  type ServerMessage,
} from '@parley/protocol';

const valid: ClientMessage[] = [
  { type: 'hello', nick: 'ada' },
  { type: 'hello', token: 'eyJhbGciOi.x.y' },
  { type: 'hello', resume: 'r_abc', nick: 'ada', rooms: [{ room: 'lobby', since: 41 }], inbox: 3 },
  { type: 'join', room: 'lobby' },
  { type: 'join', room: 'lobby', since: 12 },
  { type: 'leave', room: 'lobby' },
  { type: 'send', room: 'lobby', text: 'hello', cid: 'c1' },
  { type: 'send', room: 'lobby', text: 'x'.repeat(MAX_TEXT_LENGTH), cid: 'c1' },
  { type: 'send', room: 'lobby', text: '😀'.repeat(MAX_TEXT_LENGTH), cid: 'c1' },
  { type: 'send', room: 'a-b_C9', text: '<script>alert(1)</script>', cid: 'c_k2x1.1:~' },
  { type: 'dm', to: 'grace', text: 'psst', cid: 'c2' },
  { type: 'typing', room: 'lobby', on: true },
  { type: 'history', qid: 'q1' },
  { type: 'history', qid: 'q1', room: 'lobby', before: 120, limit: 200 },
  { type: 'members', qid: 'q2', room: 'lobby' },
  { type: 'ping' },
  { type: 'ping', ts: 1764000000000 },
];

/** [description, frame, expected error code, expected ref] */
const invalid: Array<[string, string, string, string?]> = [
  ['empty frame', '', ErrorCode.BadJson],
  ['malformed JSON', '{"type":', ErrorCode.BadJson],
  ['a JSON array', '[1,2]', ErrorCode.BadEnvelope],
  ['a JSON string', '"hello"', ErrorCode.BadEnvelope],
  ['null', 'null', ErrorCode.BadEnvelope],
  ['a number', '42', ErrorCode.BadEnvelope],
  ['an object without type', '{"room":"lobby"}', ErrorCode.BadEnvelope],
  ['a non-string type', '{"type":7}', ErrorCode.BadEnvelope],
  ['an unknown type', '{"type":"shout","cid":"c9"}', ErrorCode.UnknownType, 'c9'],
  ['a server-only type from a client', '{"type":"welcome"}', ErrorCode.UnknownType],
  ['a type named after an Object.prototype member', '{"type":"toString"}', ErrorCode.UnknownType],
  ['a missing field', '{"type":"send","room":"lobby","cid":"c1"}', ErrorCode.BadField, 'c1'],
  ['a wrong field type', '{"type":"send","room":"lobby","text":5,"cid":"c1"}', ErrorCode.BadField, 'c1'],
  ['a forged from', '{"type":"send","room":"lobby","text":"hi","cid":"c1","from":"admin"}', ErrorCode.UnknownField, 'c1'],
  ['a __proto__ field', '{"type":"send","room":"lobby","text":"hi","cid":"c1","__proto__":{"x":1}}', ErrorCode.UnknownField, 'c1'],
  ['a constructor field', '{"type":"ping","constructor":1}', ErrorCode.UnknownField],
  ['an empty text', '{"type":"send","room":"lobby","text":"","cid":"c1"}', ErrorCode.TextTooLong, 'c1'],
  ['a text over the limit', JSON.stringify({ type: 'send', room: 'lobby', text: 'x'.repeat(MAX_TEXT_LENGTH + 1), cid: 'c1' }), ErrorCode.TextTooLong, 'c1'],
  ['a text with a lone surrogate', '{"type":"send","room":"lobby","text":"a\\ud800b","cid":"c1"}', ErrorCode.TextTooLong, 'c1'],
  ['a room with a space', '{"type":"join","room":"a b"}', ErrorCode.BadRoom],
  ['a room too long', JSON.stringify({ type: 'join', room: 'r'.repeat(65) }), ErrorCode.BadRoom],
  ['an empty room', '{"type":"join","room":""}', ErrorCode.BadRoom],
  ['a cid with a slash', '{"type":"send","room":"lobby","text":"hi","cid":"a/b"}', ErrorCode.BadField],
  ['a cid too long', JSON.stringify({ type: 'send', room: 'lobby', text: 'hi', cid: 'c'.repeat(65) }), ErrorCode.BadField],
  ['a negative since', '{"type":"join","room":"lobby","since":-1}', ErrorCode.BadField],
  ['a fractional since', '{"type":"join","room":"lobby","since":1.5}', ErrorCode.BadField],
  ['an unsafe integer since', '{"type":"join","room":"lobby","since":9007199254740993}', ErrorCode.BadField],
  ['a history limit of 0', '{"type":"history","qid":"q1","limit":0}', ErrorCode.BadField, 'q1'],
  ['a history limit over the page size', '{"type":"history","qid":"q1","limit":201}', ErrorCode.BadField, 'q1'],
  ['a string boolean', '{"type":"typing","room":"lobby","on":"yes"}', ErrorCode.BadField],
  ['a nickname with a bidi override', '{"type":"hello","nick":"ada\\u202egnp"}', ErrorCode.BadNickname, 'hello'],
  ['a nickname with a zero-width space', '{"type":"hello","nick":"a\\u200bda"}', ErrorCode.BadNickname, 'hello'],
  ['a nickname with a newline', '{"type":"hello","nick":"ada\\nadmin"}', ErrorCode.BadNickname, 'hello'],
  ['a blank nickname', '{"type":"hello","nick":"   "}', ErrorCode.BadNickname, 'hello'],
  ['a nickname too long', JSON.stringify({ type: 'hello', nick: 'n'.repeat(33) }), ErrorCode.BadNickname, 'hello'],
  ['a non-string nickname', '{"type":"hello","nick":["ada"]}', ErrorCode.BadField, 'hello'],
  ['too many rooms in hello', JSON.stringify({ type: 'hello', nick: 'a', rooms: Array.from({ length: 21 }, (_, i) => ({ room: `r${i}`, since: 0 })) }), ErrorCode.BadField, 'hello'],
  ['a room cursor with an extra field', '{"type":"hello","nick":"a","rooms":[{"room":"r","since":0,"x":1}]}', ErrorCode.UnknownField, 'hello'],
  ['a nested value where a string belongs', '{"type":"leave","room":{"a":{"b":{"c":[]}}}}', ErrorCode.BadRoom],
];

describe('decodeClientFrame', () => {
  for (const message of valid) {
    test(`accepts ${JSON.stringify(message).slice(0, 80)}`, () => {
      assert.deepEqual(decodeClientFrame(encode(message)), [{ ok: true, value: message }]);
    });
  }

  for (const [what, frame, code, ref] of invalid) {
    test(`refuses ${what} with ${code}`, () => {
      const results = decodeClientFrame(frame);
      assert.equal(results.length, 1);
      const [r] = results;
      assert.equal(r!.ok, false);
      if (r!.ok) return;
      assert.equal(r!.error.code, code);
      assert.equal(r!.error.ref, ref);
      assert.ok(r!.error.message.length > 0);
    });
  }

  test('decodes every envelope of a batched frame, in order, each on its own', () => {
    const frame = encodeBatch([encode(valid[6]!), '{"type":"nope"}', encode(valid[15]!)]);
    const results = decodeClientFrame(frame);
    assert.equal(results.length, 3);
    assert.deepEqual(results[0], { ok: true, value: valid[6] });
    assert.equal(results[1]!.ok, false);
    assert.deepEqual(results[2], { ok: true, value: valid[15] });
  });

  test('refuses a batch of more envelopes than allowed as a whole', () => {
    const frame = Array.from({ length: MAX_BATCH_ENVELOPES + 1 }, () => '{"type":"ping"}').join('\n');
    const results = decodeClientFrame(frame);
    assert.equal(results.length, 1);
    assert.equal(!results[0]!.ok && results[0]!.error.code, ErrorCode.FrameTooLarge);
  });

  test('refuses a frame longer than the frame limit without parsing it', () => {
    const results = decodeClientFrame('x'.repeat(MAX_FRAME_BYTES + 1));
    assert.equal(!results[0]!.ok && results[0]!.error.code, ErrorCode.FrameTooLarge);
  });

  test('survives deeply nested JSON', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const results = decodeClientFrame(deep);
    assert.equal(results[0]!.ok, false);
  });

  test('refuses an empty line inside a batch', () => {
    const results = decodeClientFrame('{"type":"ping"}\n\n{"type":"ping"}');
    assert.deepEqual(
      results.map((r) => r.ok || r.error.code),
      [true, ErrorCode.BadJson, true],
    );
  });

  test('treats a non-string frame as bad JSON instead of throwing', () => {
    assert.equal(decodeClientFrame(Buffer.from('{}') as unknown as string)[0]!.ok, false);
  });
});

describe('decodeServerFrame', () => {
  const msg = { type: 'msg', room: 'lobby', id: 'm1', seq: 1, ts: 5, from: 'ada', name: 'ada', text: 'hi' } as const;

  test('accepts every relay envelope type', () => {
    const all: ServerMessage[] = [
      {
        type: 'welcome',
        session: 's1',
        user: { id: 'ada', name: 'Ada' },
        resume: 'r_x',
        resumed: false,
        inbox: 0,
        rooms: [{ room: 'lobby', seq: 0, members: [{ id: 'ada', name: 'Ada' }] }],
        limits: { text: 4000, rooms: 20, frame: 1048576, ping: 20000, pingTimeout: 10000 },
      },
      { type: 'joined', room: 'lobby', seq: 3, members: [] },
      { type: 'left', room: 'lobby' },
      { type: 'presence', room: 'lobby', event: 'leave', user: { id: 'ada', name: 'Ada' } },
      msg,
      { type: 'direct', id: 'd1', seq: 1, ts: 5, from: 'ada', name: 'ada', to: 'grace', text: 'psst' },
      { type: 'ack', cid: 'c1', id: 'm1', seq: 1, ts: 5 },
      { type: 'ack', cid: 'c1', id: 'm1', seq: 1, ts: 5, dup: true },
      { type: 'typing', room: 'lobby', from: 'ada', name: 'ada', on: false },
      { type: 'page', qid: 'q1', room: 'lobby', messages: [msg], more: false },
      { type: 'page', qid: 'q1', messages: [], more: true },
      { type: 'members', qid: 'q2', room: 'lobby', members: [{ id: 'ada', name: 'Ada' }] },
      { type: 'gap', room: 'lobby', start: 1, end: 9 },
      { type: 'gap', start: 1, end: 2 },
      { type: 'pong' },
      { type: 'error', code: 'rate_limited', message: 'slow down', ref: 'c1' },
    ];
    const results = decodeServerFrame(encodeBatch(all.map(encode)));
    assert.deepEqual(results, all.map((value) => ({ ok: true, value })));
  });

  test('ignores fields it does not know, so newer relays stay compatible', () => {
    const [r] = decodeServerFrame(JSON.stringify({ ...msg, reactions: [] }));
    assert.equal(r!.ok, true);
  });

  test('refuses an unknown type and a broken nested message', () => {
    assert.equal(decodeServerFrame('{"type":"hello","nick":"x"}')[0]!.ok, false);
    const page = { type: 'page', qid: 'q', messages: [{ ...msg, seq: 'one' }], more: false };
    assert.equal(decodeServerFrame(JSON.stringify(page))[0]!.ok, false);
  });

  test("accepts a tombstone (an erased sender's message): empty from, name and text, deleted true, alone and in a page", () => {
    const gone: ServerMessage = { ...msg, from: '', name: '', text: '', deleted: true };
    const dm: ServerMessage = { type: 'direct', id: 'd1', seq: 2, ts: 5, from: '', name: '', to: 'grace', text: '', deleted: true };
    const page: ServerMessage = { type: 'page', qid: 'q1', room: 'lobby', messages: [{ ...msg, from: '', name: '', text: '', deleted: true }, msg], more: false };
    assert.deepEqual(decodeServerFrame(encodeBatch([gone, dm, page].map(encode))), [gone, dm, page].map((value) => ({ ok: true, value })));
    // who sent it is the relay's stamp, shown as text: any string is taken, anything else is not
    assert.equal(decodeServerFrame(JSON.stringify({ ...msg, from: 7 }))[0]!.ok, false, 'a from that is not a string is refused');
    assert.equal(decodeServerFrame(JSON.stringify({ ...msg, name: null }))[0]!.ok, false, 'a name that is not a string is refused');
  });

  test('refuses a message whose seq is zero', () => {
    assert.equal(decodeServerFrame(JSON.stringify({ ...msg, seq: 0 }))[0]!.ok, false);
  });
});

describe('decode', () => {
  test('picks the rules of the side that sent the frame', () => {
    assert.equal(decode('{"type":"ping"}', 'client')[0]!.ok, true);
    assert.equal(decode('{"type":"ping"}', 'server')[0]!.ok, false);
    assert.equal(decode('{"type":"pong"}', 'server')[0]!.ok, true);
  });
});
