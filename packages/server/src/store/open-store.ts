import { join, resolve } from 'node:path';
import { PostgresStore } from './postgres-store.ts';
import { SqliteStore } from './sqlite-store.ts';
import type { Store } from './store.ts';

/** Where the store lives: the settings STRATO_DATABASE_URL and STRATO_DATA_DIR. */
export interface OpenStoreOptions {
  /**
   * STRATO_DATABASE_URL. Accepted forms:
   * - unset or empty: SQLite at `<dataDir>/strato.db`;
   * - `postgres://...` or `postgresql://...`: PostgreSQL; `?schema=NAME` keeps strato's tables in
   *   that schema, created if missing (see {@link PostgresStore.open});
   * - `sqlite:PATH`: SQLite at PATH (`sqlite:///abs/strato.db` and `sqlite:/abs/strato.db` are both
   *   absolute; a relative PATH resolves against the working directory).
   * @default undefined
   */
  databaseUrl?: string;
  /** STRATO_DATA_DIR: the directory of the default SQLite file. */
  dataDir: string;
}

/**
 * Opens the store the settings name and runs its pending migrations.
 * @throws Error naming STRATO_DATABASE_URL when the URL has none of the accepted forms.
 */
export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  const url = opts.databaseUrl?.trim();
  let store: Store;
  if (!url) {
    store = SqliteStore.open(join(opts.dataDir, 'strato.db'));
  } else if (/^postgres(ql)?:\/\//i.test(url)) {
    store = await PostgresStore.open(url);
  } else if (/^sqlite:/i.test(url)) {
    const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (!path) throw unsupported(url);
    store = SqliteStore.open(resolve(path));
  } else {
    throw unsupported(url);
  }
  try {
    await store.migrate();
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
  return store;
}

function unsupported(url: string): Error {
  // Name only the scheme: the rest of a URL may hold a password.
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1];
  return new Error(
    `STRATO_DATABASE_URL is not a supported database URL (${scheme ? `scheme "${scheme}:"` : 'no scheme'}); ` +
      'use postgres://user@host:port/database (or postgresql://, optionally with ?schema=NAME), ' +
      'sqlite:PATH, or leave it unset for SQLite at <STRATO_DATA_DIR>/strato.db',
  );
}
