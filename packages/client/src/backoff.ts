/**
 * Reconnect delays: exponential backoff with full jitter.
 */
import type { BackoffOptions } from './types.js';
import { BACKOFF_BASE, BACKOFF_CAP, BACKOFF_FACTOR } from './constants.js';

/**
 * The delay before reconnect attempt number `attempt` (0 for the first retry),
 * in ms: a uniform draw from `[0, min(cap, base * factor ** attempt)]`
 * ("full jitter"), so that many clients dropped at once by a relay restart do
 * not come back at the same instant. A pure function: pass `random` to make it
 * deterministic.
 *
 * Defaults: `base` 500 ms, `cap` 30 000 ms, `factor` 2.
 *
 * @example
 * ```ts
 * backoff(0);                       // somewhere in [0, 500]
 * backoff(3, { base: 100 });        // somewhere in [0, 800]
 * backoff(20, {}, () => 1);         // 30000: the cap
 * ```
 */
export function backoff(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const { base = BACKOFF_BASE, cap = BACKOFF_CAP, factor = BACKOFF_FACTOR } = options;
  return Math.floor(random() * Math.min(cap, base * factor ** attempt));
}
