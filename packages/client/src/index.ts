export * from './types.js';
export { createClient } from './client.js';
export { backoff } from './backoff.js';
export type { ParleyError } from './errors.js';
export { ClientErrorCode } from './constants.js';
