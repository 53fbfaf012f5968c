/**
 * Helpers for the tests that use PostgreSQL: the test database
 * (PARLEY_TEST_POSTGRES_URL, default the one `.ci/run` provides), a schema
 * of their own for each store, dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The database the tests use. `.ci/run` makes sure it exists. */
export const POSTGRES_URL = process.env.PARLEY_TEST_POSTGRES_URL ?? 'postgres://parley:parley@127.0.0.1:5432/parley_test';

/** A fresh schema name, so tests never see each other's (or production) tables. */
export function testSchema(): string {
  return `parley_test_${randomBytes(5).toString('hex')}`;
}

/** The store URL of `schema` in the test database (through `port` when a proxy stands in front of it). */
export function schemaUrl(schema: string, port?: number): string {
  const url = new URL(POSTGRES_URL);
  if (port !== undefined) {
    url.hostname = '127.0.0.1';
    url.port = String(port);
  }
  url.searchParams.set('schema', schema);
  return url.toString();
}

/** Runs `sql` in the test database; fails (never skips) with a clear message when there is none. */
export async function pgQuery<T extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(
      `The PostgreSQL tests need a database at ${POSTGRES_URL} (set PARLEY_TEST_POSTGRES_URL to use another; .ci/run creates it): ${(err as Error).message}`,
    );
  }
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

/** Drops a test schema and everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  await pgQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}
