import pg from 'pg';
import type { PoolClient, QueryResultRow } from 'pg';
import { AsyncMutex } from './async-mutex.ts';
import { encodeBody } from './json-body.ts';
import { SCHEMA_MIGRATIONS_DDL, migrationSql, pendingMigrations } from './migrations.ts';
import { SUPER_TENANT_ID } from './store.ts';
import type { RecordKind, Store, StoreWriter, StoredRecord } from './store.ts';
import { assertOutsideTransaction, runInTransactionScope } from './transaction-scope.ts';

/** Options of {@link PostgresStore.open}. */
export interface PostgresStoreOptions {
  /**
   * The schema that holds strato's tables; created if missing and put first on every connection's
   * search_path. Overrides a `schema` query parameter of the URL. Lower-case letters, digits and
   * underscores, starting with a letter or underscore, at most 63 characters.
   * @default the URL's `?schema=NAME`, else the server's search_path (normally `public`)
   */
  schema?: string;
  /** Connections in the pool. @default 10 */
  maxConnections?: number;
  /** The clock for createdAt/updatedAt. @default Date.now */
  now?: () => number;
}

/** Advisory lock classes (first key of pg_advisory_xact_lock); the second key hashes the schema. */
const LOCK_MIGRATIONS = 0x57a70001;
const LOCK_TRANSACTIONS = 0x57a70002;
const LOCK_SQL = 'SELECT pg_advisory_xact_lock($1::int, hashtext(current_schema()))';

const SQL = {
  get: 'SELECT body FROM records WHERE kind = $1 AND scope = $2 AND id = $3',
  list: 'SELECT kind, scope, id, body, created_at, updated_at FROM records WHERE kind = $1 AND scope = $2 ORDER BY seq',
  listAll: 'SELECT kind, scope, id, body, created_at, updated_at FROM records WHERE kind = $1 ORDER BY seq',
  put: `INSERT INTO records (kind, scope, id, body, created_at, updated_at) VALUES ($1, $2, $3, $4::jsonb, $5, $5)
ON CONFLICT (kind, scope, id) DO UPDATE SET body = EXCLUDED.body, updated_at = EXCLUDED.updated_at`,
  delete: 'DELETE FROM records WHERE kind = $1 AND scope = $2 AND id = $3',
} as const;

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

interface RecordRow {
  kind: string;
  scope: number;
  id: string;
  body: unknown;
  created_at: string; // BIGINT arrives as text
  updated_at: string;
}

/** Anything that runs a query: the pool, or the client of a transaction. */
interface Queryable {
  query<R extends QueryResultRow>(config: { name?: string; text: string; values?: unknown[] }): Promise<pg.QueryResult<R>>;
}

/** Record operations on one Queryable; named statements are prepared once per connection by pg. */
class RecordQueries implements StoreWriter {
  constructor(
    private readonly db: Queryable,
    private readonly now: () => number,
  ) {}

  async get<T>(kind: RecordKind, id: string, scope = SUPER_TENANT_ID): Promise<T | undefined> {
    const result = await this.db.query<{ body: T }>({ name: 'strato_get', text: SQL.get, values: [kind, scope, id] });
    return result.rows[0]?.body;
  }

  async list<T>(kind: RecordKind, scope: number | 'all' = SUPER_TENANT_ID): Promise<StoredRecord<T>[]> {
    const result =
      scope === 'all'
        ? await this.db.query<RecordRow>({ name: 'strato_list_all', text: SQL.listAll, values: [kind] })
        : await this.db.query<RecordRow>({ name: 'strato_list', text: SQL.list, values: [kind, scope] });
    return result.rows.map((row) => ({
      kind: row.kind,
      scope: row.scope,
      id: row.id,
      body: row.body as T,
      createdAt: Number(row.created_at),
      updatedAt: Number(row.updated_at),
    }));
  }

  async put<T>(kind: RecordKind, id: string, body: T, scope = SUPER_TENANT_ID): Promise<void> {
    // Always stringify: pg would turn a JavaScript array into a PostgreSQL array literal.
    const text = encodeBody(kind, id, body);
    await this.db.query({ name: 'strato_put', text: SQL.put, values: [kind, scope, id, text, this.now()] });
  }

  async delete(kind: RecordKind, id: string, scope = SUPER_TENANT_ID): Promise<boolean> {
    const result = await this.db.query({ name: 'strato_delete', text: SQL.delete, values: [kind, scope, id] });
    return (result.rowCount ?? 0) > 0;
  }
}

/** The writer handed to a transaction's fn; it refuses use once its transaction has ended. */
class PostgresTransaction implements StoreWriter {
  private finished = false;
  constructor(private readonly queries: RecordQueries) {}

  end(): void {
    this.finished = true;
  }

  private check(): void {
    if (this.finished) throw new Error('this transaction has already ended: its writer cannot be used');
  }

  async get<T>(kind: RecordKind, id: string, scope?: number): Promise<T | undefined> {
    this.check();
    return this.queries.get<T>(kind, id, scope);
  }
  async list<T>(kind: RecordKind, scope?: number | 'all'): Promise<StoredRecord<T>[]> {
    this.check();
    return this.queries.list<T>(kind, scope);
  }
  async put<T>(kind: RecordKind, id: string, body: T, scope?: number): Promise<void> {
    this.check();
    return this.queries.put(kind, id, body, scope);
  }
  async delete(kind: RecordKind, id: string, scope?: number): Promise<boolean> {
    this.check();
    return this.queries.delete(kind, id, scope);
  }
}

/**
 * Splits the `schema` query parameter off a connection URL and, when a schema is chosen, adds
 * `-c search_path=SCHEMA` to the URL's `options` parameter (kept if present), which PostgreSQL applies
 * to every connection at startup.
 */
function connectionUrl(url: string, schemaOption: string | undefined): { url: string; schema?: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error('the PostgreSQL URL cannot be parsed (expected postgres://user@host:port/database)');
  }
  const schema = schemaOption ?? (parsed.searchParams.get('schema') || undefined);
  parsed.searchParams.delete('schema');
  if (schema !== undefined) {
    if (!SCHEMA_NAME.test(schema)) {
      throw new Error(
        `invalid PostgreSQL schema name "${schema}": use lower-case letters, digits and underscores ` +
          '(starting with a letter or underscore, at most 63 characters)',
      );
    }
    const options = parsed.searchParams.get('options');
    parsed.searchParams.set('options', `${options ? `${options} ` : ''}-c search_path=${schema}`);
  }
  return { url: parsed.toString(), schema };
}

/**
 * The store on PostgreSQL (pg Pool); bodies are JSONB.
 *
 * Transactions run on one pooled client between BEGIN and COMMIT/ROLLBACK and are serialised, like
 * SQLite's: in this process by a mutex (so waiting transactions hold no pooled connection), and across
 * processes sharing the schema by a transaction-scoped advisory lock. A read-modify-write in a
 * transaction therefore never loses an update, with no retry logic. Plain reads and writes go straight
 * to the pool and see committed data only.
 *
 * JSONB normalises what it stores: object keys come back in PostgreSQL's order (not insertion order),
 * duplicate keys keep the last value, and a string holding U+0000 is refused.
 */
export class PostgresStore implements Store {
  readonly engine = 'postgres' as const;
  /** The schema strato's tables live in, when one was chosen. */
  readonly schema: string | undefined;
  private readonly pool: pg.Pool;
  private readonly queries: RecordQueries;
  private readonly mutex = new AsyncMutex();
  private readonly now: () => number;
  private closed = false;

  private constructor(pool: pg.Pool, schema: string | undefined, now: () => number) {
    this.pool = pool;
    this.schema = schema;
    this.now = now;
    this.queries = new RecordQueries(pool, now);
  }

  /**
   * Connects (checking the server answers) and creates the schema if one is chosen and missing.
   * Call {@link PostgresStore.migrate} before use.
   * @param url `postgres://` or `postgresql://` URL; may carry `?schema=NAME` (see options.schema)
   */
  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const target = connectionUrl(url, options.schema);
    const pool = new pg.Pool({ connectionString: target.url, max: options.maxConnections ?? 10 });
    // An idle client that loses its connection emits 'error' on the pool; the pool discards the client
    // and the next query opens a fresh one. Without a listener the error would crash the process.
    pool.on('error', () => undefined);
    try {
      if (target.schema !== undefined) {
        await pool.query(`CREATE SCHEMA IF NOT EXISTS ${target.schema}`).catch((err: { code?: string }) => {
          // Two openers racing on CREATE SCHEMA IF NOT EXISTS: the loser sees a duplicate.
          if (err.code !== '42P06' && err.code !== '23505') throw err;
        });
      } else {
        await pool.query('SELECT 1');
      }
    } catch (err) {
      await pool.end();
      throw err;
    }
    return new PostgresStore(pool, target.schema, options.now ?? Date.now);
  }

  async migrate(): Promise<void> {
    this.checkOpen();
    assertOutsideTransaction(this, 'migrate');
    await this.mutex.run(async () => {
      // One transaction per migration, each under an advisory lock so concurrent openers take turns;
      // the first also creates schema_migrations, under the same lock.
      const applied = await this.inTransaction(LOCK_MIGRATIONS, async (client) => {
        await client.query(SCHEMA_MIGRATIONS_DDL);
        return (await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows;
      });
      for (const migration of pendingMigrations(applied.map((r) => r.version))) {
        await this.inTransaction(LOCK_MIGRATIONS, async (client) => {
          const done = await client.query('SELECT 1 FROM schema_migrations WHERE version = $1', [migration.version]);
          if (done.rowCount) return;
          await client.query(migrationSql(migration, 'postgres'));
          await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [migration.version, migration.name, this.now()]);
        });
      }
    });
  }

  async get<T>(kind: RecordKind, id: string, scope?: number): Promise<T | undefined> {
    this.checkOpen();
    return this.queries.get<T>(kind, id, scope);
  }

  async list<T>(kind: RecordKind, scope?: number | 'all'): Promise<StoredRecord<T>[]> {
    this.checkOpen();
    return this.queries.list<T>(kind, scope);
  }

  async put<T>(kind: RecordKind, id: string, body: T, scope?: number): Promise<void> {
    this.checkOpen();
    assertOutsideTransaction(this, 'put');
    await this.queries.put(kind, id, body, scope);
  }

  async delete(kind: RecordKind, id: string, scope?: number): Promise<boolean> {
    this.checkOpen();
    assertOutsideTransaction(this, 'delete');
    return this.queries.delete(kind, id, scope);
  }

  async transaction<R>(fn: (tx: StoreWriter) => Promise<R>): Promise<R> {
    this.checkOpen();
    assertOutsideTransaction(this, 'transaction');
    return this.mutex.run(() =>
      this.inTransaction(LOCK_TRANSACTIONS, async (client) => {
        const tx = new PostgresTransaction(new RecordQueries(client, this.now));
        try {
          return await runInTransactionScope(this, () => fn(tx));
        } finally {
          tx.end();
        }
      }),
    );
  }

  /** Waits for a running transaction, then closes the pool. Later calls fail. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.mutex.run(() => this.pool.end());
  }

  /** BEGIN, the advisory lock, fn, COMMIT; ROLLBACK when anything throws. */
  private async inTransaction<R>(lockClass: number, fn: (client: PoolClient) => Promise<R>): Promise<R> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      await client.query(LOCK_SQL, [lockClass]);
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch((rollbackErr: Error) => {
        broken = rollbackErr; // the connection is unusable: destroy it rather than pool it again
      });
      throw err;
    } finally {
      client.release(broken);
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new Error('the PostgreSQL store is closed');
  }
}
