import pg from 'pg';

/** The PostgreSQL server of the tests and the benchmark (STRATO_TEST_POSTGRES_URL overrides it). */
export const POSTGRES_URL = process.env.STRATO_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A fresh PostgreSQL schema on `server` (its `url` is a STRATO_DATABASE_URL), and its removal. */
export function pgSchema(prefix = 'strato_test', server = POSTGRES_URL): { url: string; drop: () => Promise<void> } {
  const schema = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  return {
    url: `${server}?schema=${schema}`,
    async drop() {
      const client = new pg.Client({ connectionString: server });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
