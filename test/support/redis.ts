/**
 * The test Redis (127.0.0.1:6379, or PARLEY_TEST_REDIS_URL): a key prefix of
 * each test's own, deleted afterwards. Fails, never skips, without a Redis.
 * The same helpers the relay's cluster tests use.
 */
export { REDIS_URL, deletePrefix, requireRedis, testPrefix } from '../../packages/relay/test/cluster-helpers.js';
