/**
 * The test Redis (127.0.0.1:6379, or PARLEY_TEST_REDIS_URL): a key prefix of
 * each test's own, deleted afterwards. Fails, never skips, without a Redis.
 */
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';

export const REDIS_URL = process.env.PARLEY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A fresh prefix, so runs never see each other's keys. */
export const testPrefix = (): string => `parley-xtest:${randomBytes(5).toString('hex')}:`;

/** A connection to the test Redis, or a clear failure. */
export async function requireRedis(): Promise<Redis> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null, connectTimeout: 2000 });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    throw new Error(`these suites need a Redis at ${REDIS_URL} (PARLEY_TEST_REDIS_URL): ${(err as Error).message}`);
  }
  return redis;
}

/** Deletes every key under `prefix`. */
export async function deletePrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix.replace(/[*?[\]\\]/g, (c) => '\\' + c)}*`, 'COUNT', 500);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}
