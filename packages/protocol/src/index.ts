export * from './limits.js';
export * from './codes.js';
export type * from './types.js';
export { codePoints, isWellFormed, normalizeNickname, nicknameKey, isRoomName, isId, isText } from './rules.js';
export { decode, decodeClientFrame, decodeServerFrame, type Decoded, type DecodeError } from './decode.js';
export { encode, encodeBatch } from './encode.js';
export { CLIENT_SHAPES } from './client-schema.js';
export { SERVER_SHAPES } from './server-schema.js';
