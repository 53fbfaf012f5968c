export * from './types.js';
// the payloads the client's events, promises and properties carry, so its users need not import @parley/protocol
export type { Ack, DirectMessage, Gap, HistoryPage, Member, Presence, RoomMessage, Typing } from '@parley/protocol';
export { createClient } from './client.js';
export { backoff } from './backoff.js';
export type { ParleyError } from './errors.js';
export { ClientErrorCode } from './constants.js';
