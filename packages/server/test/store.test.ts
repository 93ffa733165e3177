/**
 * The store contract, run against SQLite (a temp directory) and PostgreSQL (a throw-away schema in the
 * local `test` database). The PostgreSQL suite fails when the server cannot be reached, unless
 * STRATO_SKIP_POSTGRES=1. STRATO_TEST_POSTGRES_URL overrides the server URL.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '../src/store/migrations.ts';
import { openStore } from '../src/store/open-store.ts';
import { PostgresStore } from '../src/store/postgres-store.ts';
import { SqliteStore } from '../src/store/sqlite-store.ts';
import { SUPER_TENANT_ID } from '../src/store/store.ts';
import type { Store } from '../src/store/store.ts';

const POSTGRES_URL = process.env.STRATO_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SKIP_POSTGRES = process.env.STRATO_SKIP_POSTGRES === '1';

/** How the contract reaches one engine; filled in by the suite's `before` hook. */
interface Harness {
  /** Opens the suite's database (the same file or schema every time) and migrates it. */
  open(options?: { now?: () => number }): Promise<Store>;
  /** The versions in schema_migrations, read with a separate raw connection. */
  appliedVersions(): Promise<number[]>;
}

let kindCounter = 0;
/** A kind no other test uses, so tests sharing one database cannot see each other's records. */
const freshKind = () => `test-kind-${++kindCounter}`;

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

function storeContract(harness: Harness): void {
  let store: Store;
  beforeEach(async () => {
    store = await harness.open();
  });
  afterEach(async () => {
    await store.close();
  });

  test('put, get and delete a record', async () => {
    const kind = freshKind();
    assert.equal(await store.get(kind, 'a'), undefined);
    await store.put(kind, 'a', { name: 'a' });
    assert.deepEqual(await store.get(kind, 'a'), { name: 'a' });
    assert.equal(await store.delete(kind, 'a'), true);
    assert.equal(await store.delete(kind, 'a'), false);
    assert.equal(await store.get(kind, 'a'), undefined);
    assert.deepEqual(await store.list(kind), []);
  });

  test('put replaces the body, keeps createdAt and moves updatedAt', async () => {
    let now = 1_000;
    const timed = await harness.open({ now: () => now });
    try {
      const kind = freshKind();
      await timed.put(kind, 'a', { v: 1 });
      now = 2_000;
      await timed.put(kind, 'a', { v: 2 });
      const [record] = await timed.list(kind);
      assert.deepEqual(record, { kind, scope: SUPER_TENANT_ID, id: 'a', body: { v: 2 }, createdAt: 1_000, updatedAt: 2_000 });
    } finally {
      await timed.close();
    }
  });

  test('scopes are isolated and default to the super tenant', async () => {
    const kind = freshKind();
    await store.put(kind, 'x', 'global');
    await store.put(kind, 'x', 'tenant 1', 1);
    await store.put(kind, 'x', 'tenant 2', 2);
    assert.equal(await store.get(kind, 'x'), 'global');
    assert.equal(await store.get(kind, 'x', SUPER_TENANT_ID), 'global');
    assert.equal(await store.get(kind, 'x', 1), 'tenant 1');
    assert.equal(await store.get(kind, 'x', 2), 'tenant 2');
    assert.equal(await store.get(kind, 'x', 3), undefined);
    assert.equal(await store.delete(kind, 'x', 1), true);
    assert.equal(await store.get(kind, 'x', 1), undefined);
    assert.equal(await store.get(kind, 'x', 2), 'tenant 2');
    assert.deepEqual(
      (await store.list(kind, 2)).map((r) => [r.scope, r.body]),
      [[2, 'tenant 2']],
    );
    assert.deepEqual(
      (await store.list(kind)).map((r) => [r.scope, r.body]),
      [[SUPER_TENANT_ID, 'global']],
    );
  });

  test('kinds are isolated', async () => {
    const a = freshKind();
    const b = freshKind();
    await store.put(a, 'same', 'in a');
    await store.put(b, 'same', 'in b');
    assert.equal(await store.get(a, 'same'), 'in a');
    assert.deepEqual(
      (await store.list(b)).map((r) => r.body),
      ['in b'],
    );
  });

  test("list 'all' returns every scope in insertion order", async () => {
    const kind = freshKind();
    await store.put(kind, 'one', 1, 5);
    await store.put(kind, 'two', 2);
    await store.put(kind, 'three', 3, 7);
    await store.put(kind, 'four', 4, 5);
    const all = await store.list<number>(kind, 'all');
    assert.deepEqual(
      all.map((r) => [r.id, r.scope, r.body]),
      [
        ['one', 5, 1],
        ['two', SUPER_TENANT_ID, 2],
        ['three', 7, 3],
        ['four', 5, 4],
      ],
    );
    assert.deepEqual(
      (await store.list(kind, 5)).map((r) => r.id),
      ['one', 'four'],
    );
  });

  test('an update keeps the record in its place; delete and put again moves it to the end', async () => {
    const kind = freshKind();
    for (const id of ['c', 'a', 'b']) await store.put(kind, id, { id });
    await store.put(kind, 'c', { id: 'c', updated: true });
    assert.deepEqual(
      (await store.list(kind)).map((r) => r.id),
      ['c', 'a', 'b'],
    );
    assert.deepEqual((await store.list(kind))[0].body, { id: 'c', updated: true });
    await store.delete(kind, 'a');
    await store.put(kind, 'a', { id: 'a' });
    assert.deepEqual(
      (await store.list(kind)).map((r) => r.id),
      ['c', 'b', 'a'],
    );
  });

  test('nested JSON bodies round-trip', async () => {
    const kind = freshKind();
    const body = {
      text: 'héllo wörld ✓ 日本語 🚀 "quoted" \\ back\nline\ttab',
      integers: [0, -1, 42, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER],
      floats: [0.1, -2.5, 1e-7, 6.02e23, 1.7976931348623157e308],
      booleans: [true, false],
      nothing: null,
      empty: { object: {}, array: [], string: '' },
      nested: [{ deep: [[{ deeper: { deepest: [1, 'two', false, null] } }]] }],
      'key with spaces & ünïcode': 'ok',
    };
    await store.put(kind, 'doc', body);
    assert.deepEqual(await store.get(kind, 'doc'), body);
    assert.deepEqual((await store.list(kind))[0].body, body);
    for (const scalar of [7, 'just a string', true, null, [1, [2, [3]]]]) {
      await store.put(kind, 'scalar', scalar);
      assert.deepEqual(await store.get(kind, 'scalar'), scalar);
    }
  });

  test('a body with no JSON form is refused', async () => {
    const kind = freshKind();
    await assert.rejects(store.put(kind, 'u', undefined), TypeError);
    await assert.rejects(store.put(kind, 'b', { n: 1n }), TypeError);
    assert.deepEqual(await store.list(kind), []);
  });

  test('a transaction commits every write and returns what fn returns', async () => {
    const kind = freshKind();
    await store.put(kind, 'doomed', 0);
    const result = await store.transaction(async (tx) => {
      await tx.put(kind, 'a', 1);
      await tx.put(kind, 'b', 2, 9);
      assert.equal(await tx.delete(kind, 'doomed'), true);
      assert.equal(await tx.get(kind, 'a'), 1, 'a transaction reads its own writes');
      assert.deepEqual(
        (await tx.list(kind, 'all')).map((r) => r.id),
        ['a', 'b'],
      );
      return 'done';
    });
    assert.equal(result, 'done');
    assert.deepEqual(
      (await store.list(kind, 'all')).map((r) => [r.id, r.body]),
      [
        ['a', 1],
        ['b', 2],
      ],
    );
  });

  test('a throwing transaction rolls back every write in it and rethrows', async () => {
    const kind = freshKind();
    await store.put(kind, 'kept', 'original');
    await store.put(kind, 'survivor', 'still here');
    const failure = new Error('boom');
    await assert.rejects(
      store.transaction(async (tx) => {
        await tx.put(kind, 'new', 'should vanish');
        await tx.put(kind, 'kept', 'overwritten');
        await tx.delete(kind, 'survivor');
        await tick();
        throw failure;
      }),
      (err) => err === failure,
    );
    assert.equal(await store.get(kind, 'new'), undefined);
    assert.equal(await store.get(kind, 'kept'), 'original');
    assert.equal(await store.get(kind, 'survivor'), 'still here');
    assert.deepEqual(
      (await store.list(kind)).map((r) => r.id),
      ['kept', 'survivor'],
    );
    // The store is still usable after a rollback.
    await store.transaction(async (tx) => tx.put(kind, 'after', true));
    assert.equal(await store.get(kind, 'after'), true);
  });

  test('writes of a running transaction are invisible outside it until commit', async () => {
    const kind = freshKind();
    await store.transaction(async (tx) => {
      await tx.put(kind, 'x', 1);
      assert.equal(await store.get(kind, 'x'), undefined);
      assert.deepEqual(await store.list(kind), []);
    });
    assert.equal(await store.get(kind, 'x'), 1);
  });

  test('a plain write made while a transaction runs is not rolled back with it', async () => {
    const kind = freshKind();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const running = store.transaction(async (tx) => {
      await tx.put(kind, 'in-tx', 1);
      entered();
      await gate;
      throw new Error('abort');
    });
    await inside;
    const plain = store.put(kind, 'plain', 2);
    await tick();
    release();
    await assert.rejects(running, /abort/);
    await plain;
    assert.equal(await store.get(kind, 'in-tx'), undefined);
    assert.equal(await store.get(kind, 'plain'), 2);
  });

  test('concurrent transactions are serialised: no lost update in a read-modify-write', async () => {
    const kind = freshKind();
    await store.put(kind, 'counter', { n: 0 });
    await Promise.all(
      Array.from({ length: 20 }, () =>
        store.transaction(async (tx) => {
          const current = await tx.get<{ n: number }>(kind, 'counter');
          await tick(); // give every other transaction the chance to interleave
          await tx.put(kind, 'counter', { n: current!.n + 1 });
        }),
      ),
    );
    assert.deepEqual(await store.get(kind, 'counter'), { n: 20 });
  });

  test('calls that would deadlock inside a transaction fail fast; an ended writer is refused', async () => {
    const kind = freshKind();
    let leaked: Parameters<Parameters<Store['transaction']>[0]>[0] | undefined;
    await store.transaction(async (tx) => {
      leaked = tx;
      await assert.rejects(store.put(kind, 'a', 1), /inside a transaction/);
      await assert.rejects(store.delete(kind, 'a'), /inside a transaction/);
      await assert.rejects(
        store.transaction(async () => undefined),
        /inside a transaction/,
      );
    });
    await assert.rejects(leaked!.put(kind, 'late', 1), /already ended/);
    await store.put(kind, 'a', 1); // outside again: fine
    assert.equal(await store.get(kind, 'a'), 1);
  });

  test('migrate() again is a no-op', async () => {
    const kind = freshKind();
    await store.put(kind, 'a', 1);
    const before = await harness.appliedVersions();
    assert.deepEqual(
      before,
      MIGRATIONS.map((m) => m.version),
    );
    await store.migrate();
    await store.migrate();
    assert.deepEqual(await harness.appliedVersions(), before);
    assert.equal(await store.get(kind, 'a'), 1);
  });

  test('reopening the same database keeps the data (restart)', async () => {
    const kind = freshKind();
    await store.put(kind, 'a', { kept: true }, 4);
    await store.transaction(async (tx) => tx.put(kind, 'b', [1, 2]));
    await store.close();
    store = await harness.open();
    assert.deepEqual(await store.get(kind, 'a', 4), { kept: true });
    assert.deepEqual(
      (await store.list(kind, 'all')).map((r) => r.id),
      ['a', 'b'],
    );
  });

  test('a closed store refuses calls', async () => {
    const closed = await harness.open();
    await closed.close();
    await closed.close(); // twice is fine
    await assert.rejects(closed.get(freshKind(), 'a'), /closed/);
    await assert.rejects(closed.put(freshKind(), 'a', 1), /closed/);
  });
}

describe('SqliteStore', () => {
  let dir: string;
  let file: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'strato-store-'));
    file = join(dir, 'nested', 'dir', 'contract.db');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  storeContract({
    async open(options) {
      const store = SqliteStore.open(file, options);
      await store.migrate();
      return store;
    },
    async appliedVersions() {
      const db = new Database(file, { readonly: true });
      try {
        return (db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[]).map((r) => r.version);
      } finally {
        db.close();
      }
    },
  });

  test('the database is in WAL mode', async () => {
    const store = SqliteStore.open(file);
    await store.close();
    const db = new Database(file, { readonly: true });
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    } finally {
      db.close();
    }
  });
});

describe('PostgresStore', { skip: SKIP_POSTGRES && 'STRATO_SKIP_POSTGRES=1' }, () => {
  const schema = `strato_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  let admin: pg.Client;
  let unreachable: Error | undefined;
  before(async () => {
    admin = new pg.Client({ connectionString: POSTGRES_URL });
    try {
      await admin.connect();
    } catch (err) {
      // Not thrown here: a failing `before` only cancels the tests, and the summary would read "fail 0".
      unreachable = new Error(
        `PostgreSQL is not reachable at ${POSTGRES_URL} (${(err as Error).message}); ` +
          'start it, point STRATO_TEST_POSTGRES_URL at one, or set STRATO_SKIP_POSTGRES=1 to skip',
      );
    }
  });
  after(async () => {
    if (unreachable) return;
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  });

  test('the PostgreSQL server is reachable', () => {
    if (unreachable) throw unreachable;
  });

  storeContract({
    async open(options) {
      const store = await PostgresStore.open(POSTGRES_URL, { schema, now: options?.now });
      await store.migrate();
      return store;
    },
    async appliedVersions() {
      const result = await admin.query<{ version: number }>(`SELECT version FROM ${schema}.schema_migrations ORDER BY version`);
      return result.rows.map((r) => r.version);
    },
  });

  test('the tables live in the chosen schema', async () => {
    const store = await PostgresStore.open(POSTGRES_URL, { schema });
    await store.close();
    const result = await admin.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`, [schema]);
    assert.deepEqual(
      result.rows.map((r) => r.table_name),
      ['records', 'schema_migrations'],
    );
  });

  test('an invalid schema name is refused', async () => {
    await assert.rejects(PostgresStore.open(POSTGRES_URL, { schema: 'Bad-Name; DROP' }), /invalid PostgreSQL schema/);
  });

  test('openStore dispatches postgres:// and postgresql:// URLs, with ?schema=', async () => {
    const separator = POSTGRES_URL.includes('?') ? '&' : '?';
    const urlSchema = `${schema}_url`;
    try {
      for (const url of [POSTGRES_URL, POSTGRES_URL.replace(/^postgres:/, 'postgresql:')]) {
        const store = await openStore({ databaseUrl: `${url}${separator}schema=${urlSchema}`, dataDir: '/nonexistent' });
        try {
          assert.equal(store.engine, 'postgres');
          assert.equal((store as PostgresStore).schema, urlSchema);
          await store.put('probe', url, 1);
          assert.equal(await store.get('probe', url), 1);
        } finally {
          await store.close();
        }
      }
      const count = await admin.query(`SELECT count(*)::int AS n FROM ${urlSchema}.records`);
      assert.equal(count.rows[0].n, 2);
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS ${urlSchema} CASCADE`);
    }
  });
});

describe('openStore', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'strato-open-store-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('no URL: SQLite at <dataDir>/strato.db, migrated', async () => {
    for (const databaseUrl of [undefined, '', '  ']) {
      const dataDir = join(dir, 'data', String(databaseUrl?.length));
      const store = await openStore({ databaseUrl, dataDir });
      try {
        assert.equal(store.engine, 'sqlite');
        assert.ok(existsSync(join(dataDir, 'strato.db')));
        await store.put('probe', 'p', 1); // the tables exist: migrate ran
      } finally {
        await store.close();
      }
    }
  });

  test('sqlite:PATH: SQLite at that path (absolute, sqlite:///absolute, relative)', async () => {
    const absolute = join(dir, 'abs', 'a.db');
    const tripleSlash = join(dir, 'triple', 'b.db');
    const rel = relative(process.cwd(), join(dir, 'rel', 'c.db'));
    for (const [url, file] of [
      [`sqlite:${absolute}`, absolute],
      [`sqlite://${tripleSlash}`, tripleSlash],
      [`sqlite:${rel}`, join(dir, 'rel', 'c.db')],
    ]) {
      const store = await openStore({ databaseUrl: url, dataDir: join(dir, 'unused') });
      try {
        assert.equal(store.engine, 'sqlite');
        assert.ok(existsSync(file), `${url} opens ${file}`);
        assert.deepEqual(await store.list('probe'), []);
      } finally {
        await store.close();
      }
    }
    assert.ok(!existsSync(join(dir, 'unused')));
  });

  test('any other URL is refused with an error naming STRATO_DATABASE_URL, without the password', async () => {
    for (const databaseUrl of ['mysql://admin:s3cret@db/strato', 'sqlite:', 'strato.db', 'http://x']) {
      await assert.rejects(openStore({ databaseUrl, dataDir: dir }), (err: Error) => {
        assert.match(err.message, /STRATO_DATABASE_URL/);
        assert.match(err.message, /postgres:\/\//);
        assert.match(err.message, /sqlite:/);
        assert.doesNotMatch(err.message, /s3cret/);
        return true;
      });
    }
  });

  test('a database migrated by a newer strato is refused', async () => {
    const file = join(dir, 'newer.db');
    const store = await openStore({ databaseUrl: `sqlite:${file}`, dataDir: dir });
    await store.close();
    const db = new Database(file);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(LATEST_SCHEMA_VERSION + 1, 'from the future', 0);
    db.close();
    await assert.rejects(openStore({ databaseUrl: `sqlite:${file}`, dataDir: dir }), /newer than this strato knows/);
  });
});
