export * from './types.js';
export { createClient } from './client.js';
export { backoff } from './backoff.js';
export { ParleyError } from './errors.js';
export { DEFAULTS, ClientErrorCode, Reason } from './constants.js';
