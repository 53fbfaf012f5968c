/**
 * Turns untrusted frames into typed envelopes. Never throws.
 */
import { checkShape, has, isObject, type Shape } from './checks.js';
import { CLIENT_SHAPES } from './client-schema.js';
import { ErrorCode } from './codes.js';
import { MAX_BATCH_ENVELOPES, MAX_FRAME_BYTES } from './limits.js';
import { isId } from './rules.js';
import { SERVER_SHAPES } from './server-schema.js';
import type { ClientMessage, ServerMessage } from './types.js';

/** Why an envelope was refused: a stable `code`, a readable `message`, and the `cid`/`qid` it carried. */
export interface DecodeError {
  code: ErrorCode;
  message: string;
  /** The refused envelope's `cid` or `qid` when it had a valid one, `'hello'` for a hello. */
  ref?: string;
}

/** One envelope of a frame: the typed value, or why it was refused. */
export type Decoded<T> = { ok: true; value: T } | { ok: false; error: DecodeError };

const fail = (code: ErrorCode, message: string, ref?: string): { ok: false; error: DecodeError } => ({
  ok: false,
  error: ref === undefined ? { code, message } : { code, message, ref },
});

function decodeOne<T>(line: string, shapes: Record<string, Shape>, strict: boolean): Decoded<T> {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return fail(ErrorCode.BadJson, 'The frame is not valid JSON.');
  }
  if (!isObject(v) || typeof v.type !== 'string') {
    return fail(ErrorCode.BadEnvelope, 'An envelope must be a JSON object with a string "type".');
  }
  const type = v.type;
  const ref = type === 'hello' ? 'hello' : isId(v.cid) ? v.cid : isId(v.qid) ? v.qid : undefined;
  if (!has(shapes, type)) return fail(ErrorCode.UnknownType, `Unknown envelope type "${type.slice(0, 32)}".`, ref);
  const r = checkShape(v, shapes[type]!, strict);
  if (r !== true) {
    const [code, field] = r;
    const what = code === ErrorCode.UnknownField ? 'is not a field of' : v[field] === undefined ? 'is missing from' : 'is invalid in';
    return fail(code, `"${field.slice(0, 32)}" ${what} "${type}".`, ref);
  }
  return { ok: true, value: v as T };
}

/**
 * Decodes a frame a client sent (as the relay does): one result per envelope,
 * in order. Unknown types and unknown fields are refused.
 *
 * @example
 * ```ts
 * for (const r of decodeClientFrame(data)) {
 *   if (r.ok) handle(r.value); else reply({ type: 'error', ...r.error });
 * }
 * ```
 */
export function decodeClientFrame(frame: string): Decoded<ClientMessage>[] {
  if (typeof frame !== 'string') return [fail(ErrorCode.BadJson, 'A frame must be text.')];
  if (frame.length > MAX_FRAME_BYTES) return [fail(ErrorCode.FrameTooLarge, `The frame is larger than ${MAX_FRAME_BYTES} bytes.`)];
  const lines = frame.split('\n');
  if (lines.length > MAX_BATCH_ENVELOPES) {
    return [fail(ErrorCode.FrameTooLarge, `A frame may carry at most ${MAX_BATCH_ENVELOPES} envelopes.`)];
  }
  return lines.map((line) => decodeOne<ClientMessage>(line, CLIENT_SHAPES, true));
}

/**
 * Decodes a frame the relay sent (as a client does): one result per envelope,
 * in order. Unknown types are refused (a client skips them); unknown fields
 * are ignored so newer relays stay compatible.
 *
 * @example
 * ```ts
 * socket.onmessage = (e) => decodeServerFrame(e.data).forEach((r) => r.ok && route(r.value));
 * ```
 */
export function decodeServerFrame(frame: string): Decoded<ServerMessage>[] {
  return typeof frame === 'string'
    ? frame.split('\n').map((line) => decodeOne<ServerMessage>(line, SERVER_SHAPES, false))
    : [fail(ErrorCode.BadJson, 'A frame must be text.')];
}

/**
 * Decodes a frame sent by `from`: the client (strict, as the relay reads it)
 * or the server (as a client reads it).
 *
 * @example
 * ```ts
 * const [first] = decode('{"type":"ping"}', 'client'); // { ok: true, value: { type: 'ping' } }
 * ```
 */
export function decode(frame: string, from: 'client'): Decoded<ClientMessage>[];
export function decode(frame: string, from: 'server'): Decoded<ServerMessage>[];
export function decode(frame: string, from: 'client' | 'server'): Decoded<ClientMessage | ServerMessage>[] {
  return from === 'client' ? decodeClientFrame(frame) : decodeServerFrame(frame);
}
