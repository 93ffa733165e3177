/**
 * Versioned schema migrations for both store engines.
 *
 * Each migration runs once, in its own transaction, in ascending `version` order; the versions that ran
 * are recorded in `schema_migrations`. Migrations are append-only: never edit one that has shipped, add
 * a new version instead. A database that records a version this build does not know (it was migrated by
 * a newer strato) is refused rather than written to.
 */

/** The SQL dialects strato speaks. */
export type Dialect = 'sqlite' | 'postgres';

export interface Migration {
  /** Positive, strictly ascending across {@link MIGRATIONS}. */
  readonly version: number;
  /** A short description, recorded in `schema_migrations.name`. */
  readonly name: string;
  /** One or more statements; a string when both dialects take the same text. */
  readonly sql: string | Readonly<Record<Dialect, string>>;
}

/**
 * The table that records applied migrations. Its text is valid in both dialects and idempotent, so it
 * runs before every migration pass.
 */
export const SCHEMA_MIGRATIONS_DDL = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at BIGINT NOT NULL
)`;

/**
 * All migrations, oldest first.
 *
 * Dialect differences in `records`: the body is TEXT holding JSON in SQLite and JSONB in PostgreSQL;
 * `seq` (insertion order) is an identity column in PostgreSQL and computed on insert as the kind's
 * highest `seq` + 1 in SQLite (safe there because SQLite has a single writer). An update keeps `seq`,
 * so a record keeps its place in `list`. Timestamps are milliseconds since the epoch.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'create records',
    sql: {
      sqlite: `CREATE TABLE records (
  kind TEXT NOT NULL,
  scope INTEGER NOT NULL,
  id TEXT NOT NULL,
  body TEXT NOT NULL,
  seq INTEGER NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (kind, scope, id)
);
CREATE INDEX records_kind_seq ON records (kind, seq);`,
      postgres: `CREATE TABLE records (
  kind TEXT NOT NULL,
  scope INTEGER NOT NULL,
  id TEXT NOT NULL,
  body JSONB NOT NULL,
  seq BIGINT GENERATED ALWAYS AS IDENTITY,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (kind, scope, id)
);
CREATE INDEX records_kind_seq ON records (kind, seq);`,
    },
  },
];

/** The SQL of a migration in one dialect. */
export function migrationSql(migration: Migration, dialect: Dialect): string {
  return typeof migration.sql === 'string' ? migration.sql : migration.sql[dialect];
}

/** The highest version this build knows. */
export const LATEST_SCHEMA_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

/**
 * The migrations still to run, given the versions already recorded, oldest first.
 * @throws Error when the database records a version newer than {@link LATEST_SCHEMA_VERSION}.
 */
export function pendingMigrations(applied: Iterable<number>): Migration[] {
  const done = new Set(applied);
  for (const version of done) {
    if (version > LATEST_SCHEMA_VERSION) {
      throw new Error(
        `the database schema is at version ${version}, newer than this strato knows (${LATEST_SCHEMA_VERSION}): ` +
          'upgrade strato or point STRATO_DATABASE_URL at another database',
      );
    }
  }
  return MIGRATIONS.filter((m) => !done.has(m.version));
}

// A broken ordering is a programming error: fail at load, not halfway through a migration pass.
MIGRATIONS.forEach((m, i) => {
  const previous = MIGRATIONS[i - 1];
  if (!Number.isInteger(m.version) || m.version < 1 || (previous && m.version <= previous.version)) {
    throw new Error(`migration versions must be positive integers in ascending order (at "${m.name}")`);
  }
});
