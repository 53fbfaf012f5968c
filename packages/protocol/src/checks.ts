/**
 * Small field validators that the envelope schemas are made of.
 *
 * A check answers `true` for a valid value, or the {@link ErrorCode} that
 * describes what is wrong with it.
 */
import { ErrorCode } from './codes.js';
import { MAX_HISTORY_PAGE, MAX_NICKNAME_LENGTH, MAX_TOKEN_LENGTH } from './limits.js';
import { isId, isRoomName, isText, isWellFormed, normalizeNickname } from './rules.js';

/** Validates one value. */
export type Check = (value: unknown) => true | ErrorCode;

/** The fields of one object: a key ending in `?` is optional. */
export type Shape = Record<string, Check>;

const ok = (test: (v: unknown) => boolean, code: ErrorCode = ErrorCode.BadField): Check => (v) => test(v) || code;

const has = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export const bool: Check = ok((v) => typeof v === 'boolean');
/** A non-negative safe integer: `seq`, `ts`, cursors. */
export const count: Check = ok((v) => Number.isSafeInteger(v) && (v as number) >= 0);
export const positive: Check = ok((v) => Number.isSafeInteger(v) && (v as number) > 0);
export const limit: Check = ok((v) => Number.isSafeInteger(v) && (v as number) > 0 && (v as number) <= MAX_HISTORY_PAGE);
export const id: Check = ok(isId);
export const room: Check = ok(isRoomName, ErrorCode.BadRoom);
export const text: Check = (v) => isText(v) || (typeof v === 'string' ? ErrorCode.TextTooLong : ErrorCode.BadField);
export const nick: Check = (v) =>
  typeof v !== 'string' ? ErrorCode.BadField : normalizeNickname(v) !== null || ErrorCode.BadNickname;
export const token: Check = ok((v) => typeof v === 'string' && v.length > 0 && v.length <= MAX_TOKEN_LENGTH && isWellFormed(v));
/** A display name as the relay sends it (already normalized by the relay). */
export const name: Check = ok((v) => typeof v === 'string' && v.length > 0 && v.length <= MAX_NICKNAME_LENGTH * 4);
/** Any string, for human-readable messages and codes from the relay. */
export const string: Check = ok((v) => typeof v === 'string');

/** One of the given literal values. */
export const oneOf =
  (...values: unknown[]): Check =>
  (v) =>
    values.includes(v) || ErrorCode.BadField;

/** An array of at most `max` items, each passing `item`. */
export const list =
  (item: Check, max = Infinity): Check =>
  (v) => {
    if (!Array.isArray(v) || v.length > max) return ErrorCode.BadField;
    for (const x of v) {
      const r = item(x);
      if (r !== true) return r;
    }
    return true;
  };

/**
 * Checks an object against a shape. In `strict` mode a field the shape does
 * not name is an error; otherwise it is ignored (so relays can add fields
 * without breaking older clients).
 */
export function checkShape(v: Record<string, unknown>, shape: Shape, strict: boolean): true | [ErrorCode, string] {
  for (const key in shape) {
    const optional = key.endsWith('?');
    const field = optional ? key.slice(0, -1) : key;
    const value = has(v, field) ? v[field] : undefined;
    if (value === undefined) {
      if (!optional) return [ErrorCode.BadField, field];
      continue;
    }
    const r = shape[key]!(value);
    if (r !== true) return [r, field];
  }
  if (strict) {
    for (const field in v) {
      if (field !== 'type' && !has(shape, field) && !has(shape, field + '?')) return [ErrorCode.UnknownField, field];
    }
  }
  return true;
}

/** A nested object of the given shape. */
export const object =
  (shape: Shape, strict: boolean): Check =>
  (v) => {
    if (!isObject(v)) return ErrorCode.BadField;
    const r = checkShape(v, shape, strict);
    return r === true || r[0];
  };

/** A nested envelope: an object whose `type` picks its shape from `shapes`. */
export const envelope =
  (shapes: Record<string, Shape>, strict: boolean): Check =>
  (v) => {
    if (!isObject(v) || typeof v.type !== 'string' || !has(shapes, v.type)) {
      return ErrorCode.BadField;
    }
    const r = checkShape(v, shapes[v.type]!, strict);
    return r === true || r[0];
  };

export { isObject, has };
