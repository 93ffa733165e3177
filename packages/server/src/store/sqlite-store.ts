import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { Database as Connection, Statement } from 'better-sqlite3';
import { AsyncMutex } from './async-mutex.ts';
import { encodeBody } from './json-body.ts';
import { SCHEMA_MIGRATIONS_DDL, migrationSql, pendingMigrations } from './migrations.ts';
import { SUPER_TENANT_ID } from './store.ts';
import type { RecordKind, Store, StoreWriter, StoredRecord } from './store.ts';
import { assertOutsideTransaction, runInTransactionScope } from './transaction-scope.ts';

/** Options of {@link SqliteStore.open}. */
export interface SqliteStoreOptions {
  /**
   * How long a write waits for another process's write lock before failing, in milliseconds. The wait
   * blocks the event loop (better-sqlite3 is synchronous); strato is normally the only writer.
   * @default 5000
   */
  busyTimeoutMs?: number;
  /** The clock for createdAt/updatedAt. @default Date.now */
  now?: () => number;
}

interface RecordRow {
  kind: string;
  scope: number;
  id: string;
  body: string;
  created_at: number;
  updated_at: number;
}

const SQL = {
  get: 'SELECT body FROM records WHERE kind = ? AND scope = ? AND id = ?',
  list: 'SELECT kind, scope, id, body, created_at, updated_at FROM records WHERE kind = ? AND scope = ? ORDER BY seq',
  listAll: 'SELECT kind, scope, id, body, created_at, updated_at FROM records WHERE kind = ? ORDER BY seq',
  put: `INSERT INTO records (kind, scope, id, body, seq, created_at, updated_at)
VALUES (@kind, @scope, @id, @body, (SELECT IFNULL(MAX(seq), 0) + 1 FROM records WHERE kind = @kind), @now, @now)
ON CONFLICT (kind, scope, id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`,
  delete: 'DELETE FROM records WHERE kind = ? AND scope = ? AND id = ?',
  appliedVersions: 'SELECT version FROM schema_migrations',
  recordMigration: 'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
} as const;

/** Prepares each statement once per connection, on first use (the tables exist only after migrate). */
class StatementCache {
  private readonly statements = new Map<string, Statement>();
  constructor(readonly db: Connection) {}

  get(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}

function toRecord<T>(row: RecordRow): StoredRecord<T> {
  return {
    kind: row.kind,
    scope: row.scope,
    id: row.id,
    body: JSON.parse(row.body) as T,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function readOne<T>(statements: StatementCache, kind: RecordKind, id: string, scope: number): T | undefined {
  const row = statements.get(SQL.get).get(kind, scope, id) as { body: string } | undefined;
  return row ? (JSON.parse(row.body) as T) : undefined;
}

function readList<T>(statements: StatementCache, kind: RecordKind, scope: number | 'all'): StoredRecord<T>[] {
  const rows = (scope === 'all' ? statements.get(SQL.listAll).all(kind) : statements.get(SQL.list).all(kind, scope)) as RecordRow[];
  return rows.map((row) => toRecord<T>(row));
}

/** Synchronous writes on the writer connection; callers hold the store's mutex. */
interface SqliteWrites {
  put(kind: RecordKind, id: string, body: string, scope: number): void;
  delete(kind: RecordKind, id: string, scope: number): boolean;
}

/** The writer handed to a transaction's fn; it refuses use once its transaction has ended. */
class SqliteTransaction implements StoreWriter {
  private finished = false;
  constructor(
    private readonly writes: StatementCache,
    private readonly write: SqliteWrites,
  ) {}

  end(): void {
    this.finished = true;
  }

  private check(): void {
    if (this.finished) throw new Error('this transaction has already ended: its writer cannot be used');
  }

  async get<T>(kind: RecordKind, id: string, scope = SUPER_TENANT_ID): Promise<T | undefined> {
    this.check();
    return readOne<T>(this.writes, kind, id, scope);
  }

  async list<T>(kind: RecordKind, scope: number | 'all' = SUPER_TENANT_ID): Promise<StoredRecord<T>[]> {
    this.check();
    return readList<T>(this.writes, kind, scope);
  }

  async put<T>(kind: RecordKind, id: string, body: T, scope = SUPER_TENANT_ID): Promise<void> {
    this.check();
    this.write.put(kind, id, encodeBody(kind, id, body), scope);
  }

  async delete(kind: RecordKind, id: string, scope = SUPER_TENANT_ID): Promise<boolean> {
    this.check();
    return this.write.delete(kind, id, scope);
  }
}

/**
 * The store on an SQLite file (better-sqlite3), in WAL mode.
 *
 * Two connections: one writes (plain writes and transactions), one only reads. Reads outside a
 * transaction go to the reader and see committed data only, without waiting for a running
 * transaction. Transactions (BEGIN IMMEDIATE ... COMMIT) and plain writes are serialised by an
 * in-process mutex, since better-sqlite3 is synchronous while a transaction's fn is async: a plain
 * `put` issued while a transaction awaits waits for it to end instead of joining it.
 */
export class SqliteStore implements Store {
  readonly engine = 'sqlite' as const;
  private readonly writes: StatementCache;
  private readonly reads: StatementCache;
  private readonly mutex = new AsyncMutex();
  private readonly now: () => number;
  private readonly write: SqliteWrites = {
    put: (kind, id, body, scope) => {
      this.writes.get(SQL.put).run({ kind, scope, id, body, now: this.now() });
    },
    delete: (kind, id, scope) => this.writes.get(SQL.delete).run(kind, scope, id).changes > 0,
  };
  private closed = false;

  private constructor(writer: Connection, reader: Connection, now: () => number) {
    this.writes = new StatementCache(writer);
    this.reads = new StatementCache(reader);
    this.now = now;
  }

  /**
   * Opens (creating it and its parent directory if missing) the database file. Call
   * {@link SqliteStore.migrate} before use.
   */
  static open(file: string, options: SqliteStoreOptions = {}): SqliteStore {
    const path = resolve(file);
    const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    mkdirSync(dirname(path), { recursive: true });
    const writer = new Database(path);
    let reader: Connection | undefined;
    try {
      writer.pragma('journal_mode = WAL');
      writer.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
      writer.pragma('synchronous = NORMAL');
      reader = new Database(path, { readonly: true });
      reader.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
    } catch (err) {
      reader?.close();
      writer.close();
      throw err;
    }
    return new SqliteStore(writer, reader, options.now ?? Date.now);
  }

  async migrate(): Promise<void> {
    this.checkOpen();
    assertOutsideTransaction(this, 'migrate');
    await this.mutex.run(() => {
      const db = this.writes.db;
      db.exec(SCHEMA_MIGRATIONS_DDL);
      const applied = (db.prepare(SQL.appliedVersions).all() as { version: number }[]).map((r) => r.version);
      for (const migration of pendingMigrations(applied)) {
        // BEGIN IMMEDIATE takes the write lock, so a second process migrating waits here, then skips.
        db.exec('BEGIN IMMEDIATE');
        try {
          const done = db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').get(migration.version);
          if (!done) {
            db.exec(migrationSql(migration, 'sqlite'));
            db.prepare(SQL.recordMigration).run(migration.version, migration.name, this.now());
          }
          db.exec('COMMIT');
        } catch (err) {
          if (db.inTransaction) db.exec('ROLLBACK');
          throw err;
        }
      }
    });
  }

  async get<T>(kind: RecordKind, id: string, scope = SUPER_TENANT_ID): Promise<T | undefined> {
    this.checkOpen();
    return readOne<T>(this.reads, kind, id, scope);
  }

  async list<T>(kind: RecordKind, scope: number | 'all' = SUPER_TENANT_ID): Promise<StoredRecord<T>[]> {
    this.checkOpen();
    return readList<T>(this.reads, kind, scope);
  }

  async put<T>(kind: RecordKind, id: string, body: T, scope = SUPER_TENANT_ID): Promise<void> {
    this.checkOpen();
    assertOutsideTransaction(this, 'put');
    const text = encodeBody(kind, id, body);
    await this.mutex.run(() => this.write.put(kind, id, text, scope));
  }

  async delete(kind: RecordKind, id: string, scope = SUPER_TENANT_ID): Promise<boolean> {
    this.checkOpen();
    assertOutsideTransaction(this, 'delete');
    return this.mutex.run(() => this.write.delete(kind, id, scope));
  }

  async transaction<R>(fn: (tx: StoreWriter) => Promise<R>): Promise<R> {
    this.checkOpen();
    assertOutsideTransaction(this, 'transaction');
    return this.mutex.run(async () => {
      const db = this.writes.db;
      const tx = new SqliteTransaction(this.writes, this.write);
      db.exec('BEGIN IMMEDIATE');
      try {
        const result = await runInTransactionScope(this, () => fn(tx));
        tx.end();
        db.exec('COMMIT');
        return result;
      } catch (err) {
        tx.end();
        if (db.inTransaction) db.exec('ROLLBACK');
        throw err;
      }
    });
  }

  /** Waits for a running transaction, then closes both connections. Later calls fail. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.mutex.run(() => {
      this.reads.db.close();
      this.writes.db.close();
    });
  }

  private checkOpen(): void {
    if (this.closed) throw new Error('the SQLite store is closed');
  }
}
