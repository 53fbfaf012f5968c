/**
 * The test PostgreSQL (PARLEY_TEST_POSTGRES_URL, default the database
 * `.ci/run` provides): a schema of each test's own, dropped afterwards.
 * Fails, never skips, without one. The same helpers the relay's tests use.
 */
export { POSTGRES_URL, dropSchema, pgQuery, schemaUrl, testSchema } from '../../packages/relay/test/postgres-helpers.js';
