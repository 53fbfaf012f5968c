/**
 * Pacing of sends, so a flushed outbox stays under the relay's rate limit.
 */
import type { Clock } from './types.js';

/**
 * A token bucket: `take()` answers `true` (and spends a token) when a send
 * may go out now. It holds at most `burst` tokens and refills `perSecond`
 * tokens a second, so sends go out `burst` at once, then `perSecond` a second.
 *
 * @example
 * ```ts
 * const take = tokenBucket(clock, 20, 10);
 * while (queue.length && take()) socket.send(queue.shift()!);
 * ```
 */
export function tokenBucket(clock: Clock, burst: number, perSecond: number): () => boolean {
  let tokens = burst;
  let at = clock.now();
  return () => {
    const now = clock.now();
    tokens = Math.min(burst, tokens + ((now - at) * perSecond) / 1000);
    at = now;
    if (tokens < 1) return false;
    tokens--;
    return true;
  };
}
