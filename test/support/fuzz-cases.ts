/**
 * fast-check arbitraries for bad input: envelopes (random JSON, wrong types,
 * unknown fields, huge and deep values, lone surrogates, prototype keys,
 * batches) as text frames, and raw WebSocket scenarios (unknown opcodes, RSV
 * bits, unmasked frames, oversized control frames, orphan continuations,
 * invalid UTF-8, fragmented floods, ping floods, bad close frames), each raw
 * scenario with the close code RFC 6455 (as `ws` applies it) demands.
 */
import fc from 'fast-check';
import { CloseCode, ErrorCode, SERVER_SHAPES } from '@parley/protocol';
import { Opcode, type RawFrame } from './raw-socket.js';

/** Every close code docs/protocol.md lists. */
export const DOCUMENTED_CLOSE_CODES = new Set<number>(Object.values(CloseCode));
/** Every error code docs/protocol.md lists. */
export const DOCUMENTED_ERROR_CODES = new Set<string>(Object.values(ErrorCode));
/** Every envelope type a relay may send. */
export const SERVER_TYPES = new Set(Object.keys(SERVER_SHAPES));

const TYPES = ['hello', 'join', 'leave', 'send', 'dm', 'typing', 'history', 'members', 'ping'];
const FIELDS = ['type', 'nick', 'token', 'resume', 'rooms', 'inbox', 'room', 'since', 'epoch', 'text', 'cid', 'to', 'on', 'qid', 'before', 'limit', 'ts', 'from', 'name', 'id', 'seq', 'user', 'dup', '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'];

/** Strings that break rules: lone surrogates, controls, bidi and zero-width, boundaries of the text and id limits; rarely huge. */
const nastyString = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom('', ' ', '\u0000', '\ud800', 'a\udfffb', '\u202e', '\u200b', '\ufeff', '\n', '\r\n', '\u2028', 'lobby', 'fz', '../..', '%00', '<script>', '${x}', '__proto__') },
  { weight: 10, arbitrary: fc.string({ maxLength: 16 }) },
  { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
  { weight: 3, arbitrary: fc.integer({ min: 60, max: 70 }).map((n) => 'i'.repeat(n)) },
  { weight: 1, arbitrary: fc.integer({ min: 3990, max: 4010 }).map((n) => 't'.repeat(n - 1) + '\u00e9') },
);

/** Numbers at and past the edges. */
const nastyNumber = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -0, -1, 1, 0.5, 200, 201, 2 ** 31, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1e21, 1e308, Number.MIN_VALUE),
);

/** Any JSON value, small and sometimes deep. */
export const jsonValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    nastyString,
    nastyNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...FIELDS), fc.string({ maxLength: 8 })), tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** A plausible envelope, then maybe broken: a random or wrong `type`, random fields, wrong-typed values. */
export const envelope: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(
    fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...TYPES) }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }) }, { weight: 1, arbitrary: jsonValue }),
    fc.dictionary(fc.constantFrom(...FIELDS), jsonValue, { maxKeys: 5 }),
    fc.boolean(),
  )
  .map(([type, fields, typeFirst]) => (typeFirst ? { type, ...fields } : { ...fields, type }));

/** A valid envelope of each type (the relay answers it), so fuzzing also walks the happy paths. */
export const validEnvelope: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.record({ type: fc.constant('ping'), ts: fc.nat() }),
  fc.record({ type: fc.constant('join'), room: fc.constantFrom('fz', 'fz2', 'fz3') }),
  fc.record({ type: fc.constant('leave'), room: fc.constantFrom('fz2', 'fz3') }),
  fc.record({ type: fc.constant('send'), room: fc.constant('fz'), text: fc.string({ minLength: 1, maxLength: 50 }), cid: fc.stringMatching(/^[a-z0-9]{1,16}$/) }),
  fc.record({ type: fc.constant('typing'), room: fc.constant('fz'), on: fc.boolean() }),
  fc.record({ type: fc.constant('history'), qid: fc.constant('q'), room: fc.constant('fz'), limit: fc.integer({ min: 1, max: 200 }) }),
  fc.record({ type: fc.constant('members'), qid: fc.constant('q'), room: fc.constant('fz') }),
  fc.record({ type: fc.constant('dm'), to: fc.constantFrom('nobody', 'fuzzer'), text: fc.constant('x'), cid: fc.stringMatching(/^[a-z0-9]{1,16}$/) }),
);

/** Text that is not an envelope: garbage, non-objects, prototype tricks, odd batches; rarely deep nesting and huge frames. */
const oddText: fc.Arbitrary<string> = fc.oneof(
  { weight: 10, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 10, arbitrary: jsonValue.map((v) => JSON.stringify(v) ?? 'null') },
  {
    weight: 8,
    arbitrary: fc.constantFrom('', '\n', '\n\n', ' ', '{', '}', '[]', 'null', '1e999', '"type"', '{"type":"ping"}\n', '\n{"type":"ping"}', '{"type":"ping"} ', '{"type":"ping","ts":1}{"type":"ping"}'),
  },
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      '{"type":"join","room":"fz","__proto__":{"admin":true}}',
      '{"__proto__":{"type":"ping"}}',
      '{"type":"hello","nick":"p","constructor":{"prototype":{"polluted":1}}}',
      '{"type":"send","room":"fz","text":"x","cid":"c","__proto__":null}',
      '{"type":"ping","type":"send"}',
      '{"type":"send","room":"fz","text":"x","cid":"c","text":"y"}',
    ),
  },
  { weight: 2, arbitrary: fc.integer({ min: 60, max: 80 }).map((n) => Array.from({ length: n }, () => '{"type":"ping"}').join('\n')) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 2000 }).map((d) => '['.repeat(d) + ']'.repeat(d)) },
);

/** Huge and deep values (up to the frame limit), kept rare so that a million cases stay affordable. */
const hugeText: fc.Arbitrary<string> = fc.oneof(
  fc.integer({ min: 1, max: 200_000 }).map((d) => '['.repeat(d) + ']'.repeat(d)),
  fc.integer({ min: 1, max: 50_000 }).map((d) => '{"a":'.repeat(d) + '1' + '}'.repeat(d)),
  fc.integer({ min: 1, max: 3 }).map((k) => `{"type":"send","room":"fz","cid":"big","text":"${'y'.repeat(k * 300_000)}"}`),
  fc.integer({ min: 1, max: 3 }).map((k) => `{"type":"hello","nick":"${'n'.repeat(k * 100_000)}"}`),
  fc.integer({ min: 1, max: 300_000 }).map((n) => '\n'.repeat(n)),
  fc.integer({ min: 1, max: 3 }).map((k) => JSON.stringify({ type: 'join', room: 'fz', since: 1, epoch: 'e'.repeat(k * 50_000) })),
);

/** One text frame's content: a single (maybe broken) envelope, a batch mixing good and bad ones, or odd text. */
export const textFrame: fc.Arbitrary<string> = fc.oneof(
  { weight: 1, arbitrary: hugeText },
  { weight: 500, arbitrary: envelope.map((e) => JSON.stringify(e)) },
  { weight: 200, arbitrary: validEnvelope.map((e) => JSON.stringify(e)) },
  { weight: 200, arbitrary: fc.array(fc.oneof(envelope, validEnvelope), { minLength: 2, maxLength: 8 }).map((l) => l.map((e) => JSON.stringify(e)).join('\n')) },
  { weight: 300, arbitrary: oddText },
);

/** One case sent on an envelope connection: a text frame, or (rarely) a binary one. */
export type FrameCase = { kind: 'text'; text: string } | { kind: 'binary'; bytes: Buffer };

export const frameCase: fc.Arbitrary<FrameCase> = fc.oneof(
  { weight: 20, arbitrary: textFrame.map((text): FrameCase => ({ kind: 'text', text })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((b): FrameCase => ({ kind: 'binary', bytes: Buffer.from(b) })) },
);

/** Byte sequences that are not UTF-8. */
const INVALID_UTF8 = [
  [0xc3, 0x28],
  [0xa0, 0xa1],
  [0xe2, 0x28, 0xa1],
  [0xe2, 0x82, 0x28],
  [0xf0, 0x28, 0x8c, 0xbc],
  [0xf0, 0x90, 0x28, 0xbc],
  [0xf8, 0xa1, 0xa1, 0xa1, 0xa1],
  [0xed, 0xa0, 0x80], // a surrogate encoded in UTF-8
  [0xc0, 0xaf], // overlong '/'
  [0xff],
  [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
];

/** A raw scenario: frames to write, and what the relay must do. */
export interface RawScenario {
  name: string;
  /** Say hello first (so the relay has a session). */
  hello: boolean;
  frames: RawFrame[];
  /** The close code RFC 6455 demands; `'open'` when the connection must stay open and answer; `'any'` when only "documented" is asked. */
  expect: number | 'open' | 'any';
  /** The close code of a valid close frame we sent (then the relay echoes it). */
  echo?: number;
}

const text = (payload: string | Buffer, more: Partial<RawFrame> = {}): RawFrame => ({ opcode: Opcode.Text, payload, ...more });
const PING_ENVELOPE = '{"type":"ping","ts":7}';

/** Valid close codes a peer may send (RFC 6455 § 7.4, as `ws` checks them). */
const validCloseCode = fc.oneof(fc.constantFrom(1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014), fc.integer({ min: 3000, max: 4999 }));
const invalidCloseCode = fc.oneof(fc.integer({ min: 0, max: 999 }), fc.constantFrom(1004, 1005, 1006, 1015), fc.integer({ min: 1016, max: 2999 }), fc.integer({ min: 5000, max: 65535 }));

export function rawScenario(maxPayload: number): fc.Arbitrary<RawScenario> {
  const hello = fc.boolean();
  const s = (name: string, arb: fc.Arbitrary<Omit<RawScenario, 'name' | 'hello'>>): fc.Arbitrary<RawScenario> =>
    fc.tuple(hello, arb).map(([h, x]) => ({ name, hello: h, ...x }));
  return fc.oneof(
    s('reserved opcode', fc.constantFrom(3, 4, 5, 6, 7, 11, 12, 13, 14, 15).map((opcode) => ({ frames: [{ opcode, payload: 'x' }], expect: CloseCode.ProtocolError }))),
    s('RSV bits', fc.integer({ min: 1, max: 7 }).map((rsv) => ({ frames: [text(PING_ENVELOPE, { rsv })], expect: CloseCode.ProtocolError }))),
    s('unmasked frame', fc.constant({ frames: [text(PING_ENVELOPE, { mask: false })], expect: CloseCode.ProtocolError })),
    s('control frame over 125 bytes', fc.integer({ min: 126, max: 300 }).map((n) => ({ frames: [{ opcode: Opcode.Ping, payload: Buffer.alloc(n, 1) }], expect: CloseCode.ProtocolError }))),
    s('fragmented control frame', fc.constantFrom(Opcode.Ping, Opcode.Pong, Opcode.Close).map((opcode) => ({ frames: [{ opcode, payload: Buffer.from([3, 232]), fin: false }], expect: CloseCode.ProtocolError }))),
    s('orphan continuation', fc.boolean().map((fin) => ({ frames: [{ opcode: Opcode.Continuation, payload: PING_ENVELOPE, fin }], expect: CloseCode.ProtocolError }))),
    s('new message inside a fragmented one', fc.constant({ frames: [text('{"type":', { fin: false }), text(PING_ENVELOPE)], expect: CloseCode.ProtocolError })),
    s(
      'invalid UTF-8',
      fc.tuple(fc.constantFrom(...INVALID_UTF8), fc.boolean()).map(([bad, split]) => {
        const payload = Buffer.concat([Buffer.from('{"type":"ping","x":"'), Buffer.from(bad), Buffer.from('"}')]);
        const frames = split
          ? [text(payload.subarray(0, 10), { fin: false }), { opcode: Opcode.Continuation, payload: payload.subarray(10) }]
          : [text(payload)];
        return { frames, expect: CloseCode.InvalidPayload };
      }),
    ),
    s(
      'fragmented message',
      fc.integer({ min: 2, max: 40 }).map((k) => {
        const bytes = Buffer.from(PING_ENVELOPE);
        const size = Math.max(1, Math.ceil(bytes.length / k));
        const parts: Buffer[] = [];
        for (let i = 0; i < bytes.length; i += size) parts.push(bytes.subarray(i, i + size));
        const frames: RawFrame[] = parts.map((p, i) => ({ opcode: i === 0 ? Opcode.Text : Opcode.Continuation, payload: p, fin: i === parts.length - 1 }));
        // a control frame may sit between fragments
        if (frames.length > 1) frames.splice(1, 0, { opcode: Opcode.Ping, payload: 'in-between' });
        return { frames, expect: 'open' as const };
      }),
    ),
    s(
      'fragmented flood past the frame limit',
      fc.integer({ min: 1, max: 4 }).map((k) => {
        const chunk = Buffer.alloc(16_384, 0x61);
        const count = Math.ceil(maxPayload / chunk.length) + k;
        return { frames: [text(chunk, { fin: false }), ...Array.from({ length: count }, () => ({ opcode: Opcode.Continuation, payload: chunk, fin: false }))], expect: CloseCode.MessageTooBig };
      }),
    ),
    s('announced length past the frame limit', fc.integer({ min: maxPayload + 1, max: 2 ** 40 }).map((length) => ({ frames: [text('{"type', { length })], expect: CloseCode.MessageTooBig }))),
    s('binary frame', fc.uint8Array({ maxLength: 200 }).map((b) => ({ frames: [{ opcode: Opcode.Binary, payload: Buffer.from(b) }], expect: 'open' as const }))),
    s('ping burst', fc.integer({ min: 1, max: 40 }).map((n) => ({ frames: Array.from({ length: n }, () => ({ opcode: Opcode.Ping, payload: Buffer.alloc(125, 7) })), expect: 'open' as const }))),
    // ws (8.23+) cuts a peer with more than 60 pongs pending (GHSA ping-flood fix): no close frame, the peer sees 1006
    s('ping flood', fc.integer({ min: 200, max: 3000 }).map((n) => ({ frames: Array.from({ length: n }, () => ({ opcode: Opcode.Ping, payload: Buffer.alloc(125, 7) })), expect: CloseCode.Abnormal }))),
    s(
      'too many fragments',
      fc.integer({ min: 16_385, max: 17_000 }).map((n) => ({
        frames: [text('[', { fin: false }), ...Array.from({ length: n }, () => ({ opcode: Opcode.Continuation, payload: ' ', fin: false }))],
        expect: CloseCode.PolicyViolation,
      })),
    ),
    s('unsolicited pongs', fc.integer({ min: 1, max: 200 }).map((n) => ({ frames: Array.from({ length: n }, () => ({ opcode: Opcode.Pong, payload: 'p' })), expect: 'open' as const }))),
    s('close with an invalid code', invalidCloseCode.map((code) => ({ frames: [{ opcode: Opcode.Close, payload: Buffer.from([code >> 8, code & 0xff]) }], expect: CloseCode.ProtocolError }))),
    s('close with a one-byte payload', fc.constant({ frames: [{ opcode: Opcode.Close, payload: Buffer.from([3]) }], expect: CloseCode.ProtocolError })),
    s(
      'close with an invalid UTF-8 reason',
      fc.constantFrom(...INVALID_UTF8).map((bad) => ({ frames: [{ opcode: Opcode.Close, payload: Buffer.from([3, 232, ...bad]) }], expect: CloseCode.InvalidPayload })),
    ),
    s('close with a valid code', validCloseCode.map((code) => ({ frames: [{ opcode: Opcode.Close, payload: Buffer.from([code >> 8, code & 0xff]) }], expect: code, echo: code }))),
    s(
      'random frames',
      fc
        .array(
          fc.record({
            opcode: fc.integer({ min: 0, max: 15 }),
            fin: fc.boolean(),
            rsv: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 7 }) }),
            mask: fc.oneof({ weight: 6, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
            payload: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
          }),
          { minLength: 1, maxLength: 3 },
        )
        .map((frames) => ({ frames, expect: 'any' as const })),
    ),
  );
}
