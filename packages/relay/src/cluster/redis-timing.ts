/**
 * How long a relay waits for Redis, in one place: a command's answer, the
 * health probe, and the deadline a send carries into its script.
 *
 * A send's script reads Redis's clock (`TIME`) and stores nothing when it
 * runs past its deadline; the relay answers `unavailable` only when the
 * command times out, {@link REDIS_COMMAND_TIMEOUT_MS} after it was sent,
 * which is {@link REDIS_CLOCK_MARGIN_MS} after the deadline in Redis's own
 * clock (the deadline is set by a `RemoteClock` that is never ahead
 * of Redis's). A send that Redis holds or gets late (frozen, SIGSTOP, a
 * stalled link, ioredis resending after a reconnect) is therefore either
 * refused by the script or was carried out at least the margin before the
 * relay gave up on its answer.
 */
/** Longest one Redis command may take before the caller is answered `unavailable`, ms. */
export const REDIS_COMMAND_TIMEOUT_MS = 2000;
/** How often each Redis connection is asked whether it answers (TIME or PING), ms. */
export const REDIS_PROBE_INTERVAL_MS = 500;
/** A probe unanswered this long marks Redis down (`/healthz` degraded, sends refused at once) until one is answered, ms. */
export const REDIS_PROBE_TIMEOUT_MS = 1500;
/**
 * How long before the command timeout a send's deadline falls, ms: room for
 * the answer of a script that ran just in time to come back, and for
 * Redis's clock to step or drift against the relay's between samples.
 */
export const REDIS_CLOCK_MARGIN_MS = 500;
/** How long after it is sent a send may still be carried out by Redis (in Redis's clock), ms. */
export const REDIS_WRITE_DEADLINE_MS = REDIS_COMMAND_TIMEOUT_MS - REDIS_CLOCK_MARGIN_MS;

/** Redis's `TIME` answer ([seconds, microseconds]) in ms since the epoch. */
export function redisTimeMs(time: [string | number, string | number]): number {
  return Number(time[0]) * 1000 + Math.floor(Number(time[1]) / 1000);
}
