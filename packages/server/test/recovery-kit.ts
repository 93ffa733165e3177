/**
 * Shared helpers of the recovery tests (broker failover, kill -9 restart): registering and
 * deploying a sample of the manifest against any strato base URL, reading the expected minimums,
 * and checking a converged runtime view exactly (no member counted twice, no instance leaked).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, isDeploy, isUndeploy, MANIFEST, type ManifestEntry, samplesMissing, sampleText, waitFor } from '@strato/testing';
import { ADMIN, FAST_ENV, type Reply, request } from '@strato/testing/server';
import { MOCK_INSTANCE_KIND } from '../src/cloud/drivers/mock/mock-iaas.ts';
import type { StoredApplication } from '../src/registry/registry.ts';
import { openStore } from '../src/store/open-store.ts';
import { SUPER_TENANT_ID, type Store } from '../src/store/store.ts';
import type { MemberRuntime } from '../src/runtime/runtime-model.ts';

/** Every cluster instance of a runtime view, at any depth. */
export function clusterInstancesOf(runtime: any): any[] {
  const out: any[] = [];
  const level = (l: any) => {
    for (const c of l.clusterInstances ?? []) out.push(c);
    for (const g of l.groupInstances ?? []) level(g);
  };
  for (const i of runtime?.applicationInstances ?? []) level(i);
  return out;
}

/**
 * A manifest entry by the end of its application folder, e.g. `five-levels-nested-groups-app` (an
 * empty one when the samples are missing: the tests that use it are skipped then).
 */
export function manifestEntry(folderSuffix: string): ManifestEntry {
  if (samplesMissing) return { application: folderSuffix, deploy: [{ method: 'POST', path: `/api/applications/${folderSuffix}/deploy/-` }], undeploy: [] };
  const entry = MANIFEST.find((e) => e.application.endsWith(`/${folderSuffix}`));
  if (!entry) throw new Error(`no manifest entry for ${folderSuffix}`);
  return entry;
}

export type Call = (method: string, path: string, body?: unknown) => Promise<Reply>;

/** A caller as admin against a base URL. */
export const callerOf =
  (base: string): Call =>
  (method, path, body) =>
    request(base, method, path, body);

/** The application id a manifest entry deploys. */
export function appIdOf(entry: ManifestEntry): string {
  return entry.deploy.find(isDeploy)!.path.split('/')[3];
}

/**
 * Posts every artifact of the entry (201, or 409 when it exists already); not the deploy itself.
 * `patchApplication` may change the application definition before it is posted.
 */
export async function registerSample(call: Call, entry: ManifestEntry, patchApplication?: (app: any) => void): Promise<void> {
  for (const c of entry.deploy) {
    if (isDeploy(c)) continue;
    let body: unknown = c.body ? sampleText(c.body) : undefined;
    if (patchApplication && c.path === '/api/applications' && typeof body === 'string') {
      const app = JSON.parse(body);
      patchApplication(app);
      body = app;
    }
    const res = await call(c.method, c.path, body);
    assert.ok(res.status === 201 || res.status === 409, `${c.method} ${c.path}: ${res.status} ${JSON.stringify(res.body)}`);
  }
}

/** POSTs the deploy call of the entry (202). */
export async function deploySample(call: Call, entry: ManifestEntry): Promise<void> {
  const c = entry.deploy.find(isDeploy)!;
  const res = await call(c.method, c.path, '');
  assert.equal(res.status, 202, `${c.path}: ${JSON.stringify(res.body)}`);
}

/** POSTs the (graceful) undeploy call of the entry (202). */
export async function undeploySample(call: Call, entry: ManifestEntry): Promise<void> {
  const c = entry.undeploy.find(isUndeploy)!;
  const res = await call('POST', c.path, '');
  assert.equal(res.status, 202, `${c.path}: ${JSON.stringify(res.body)}`);
}

/** The manifest's remaining undeploy calls (deletes), each answered 200. */
export async function removeSample(call: Call, entry: ManifestEntry): Promise<void> {
  for (const c of entry.undeploy) {
    if (isUndeploy(c)) continue;
    const res = await call(c.method, c.path);
    assert.equal(res.status, 200, `${c.method} ${c.path}: ${JSON.stringify(res.body)}`);
  }
}

/** cartridgeMin per subscription alias of an application definition as GET /applications/{id} shows it. */
export function minimumsOf(app: any): Map<string, number> {
  const minOf = new Map<string, number>();
  const collect = (level: any) => {
    for (const c of level?.cartridges ?? []) minOf.set(c.subscribableInfo.alias, c.cartridgeMin ?? 1);
    for (const g of level?.groups ?? []) collect(g);
  };
  collect(app.components);
  return minOf;
}

/** Every member of a runtime view (any depth). */
export function membersOf(runtime: any): any[] {
  return clusterInstancesOf(runtime).flatMap((ci) => ci.member ?? []);
}

/**
 * The runtime once it is Active with exactly `min` members, all Active, in every cluster instance
 * (a member counted twice or an extra member fails the wait), or a timeout naming the last view.
 */
export function isConverged(runtime: any, minOf: Map<string, number>): boolean {
  if (runtime?.status !== 'Active') return false;
  const cis = clusterInstancesOf(runtime);
  if (cis.length === 0) return false;
  return cis.every((ci) => {
    const members = ci.member ?? [];
    const min = minOf.get(ci.alias) ?? 1;
    return ci.status === 'Active' && members.length === min && members.every((m: any) => m.status === 'Active');
  });
}

/** A short digest of a runtime view for failure messages: alias → status and member statuses. */
export function digest(runtime: any): string {
  if (!runtime || typeof runtime !== 'object') return JSON.stringify(runtime);
  return (
    `${runtime.status}: ` +
    clusterInstancesOf(runtime)
      .map((ci) => `${ci.alias}/${ci.instanceId}=${ci.status}[${(ci.member ?? []).map((m: any) => m.status).join(',')}]`)
      .join(' ')
  );
}

/** Resolves with the value once check() answers one; rejects at the deadline with describe()'s words. */
export async function until<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  describe: () => Promise<string> | string = () => '',
): Promise<T> {
  return (await waitFor(what, check, { timeoutMs, describe })) as T;
}

/** Sets cartridgeMin (and cartridgeMax, when lower) of every cartridge of an application definition. */
export function withCartridgeMin(min: number): (app: any) => void {
  const level = (l: any) => {
    for (const c of l?.cartridges ?? []) {
      c.cartridgeMin = min;
      c.cartridgeMax = Math.max(c.cartridgeMax ?? min, min);
    }
    for (const g of l?.groups ?? []) level(g);
  };
  return (app) => level(app.components);
}

/** What a killed server left in its store for some applications: exactly the state at the kill. */
export interface StoredState {
  /** application id → status of its record (Created, Deployed, Undeploying) */
  status: Map<string, string | undefined>;
  /** application id → its members as stored */
  members: Map<string, { memberId: string; status: string }[]>;
  /** member ids of the stored mock instances */
  mockInstances: string[];
}

/**
 * Reads the store a server left behind (call it only while no server runs on it): the records of
 * the applications (admin's, super tenant), their members and the mock IaaS's instances.
 */
export async function readStoredState(where: { dataDir: string; databaseUrl?: string }, appIds: string[]): Promise<StoredState> {
  const store = await openStore(where);
  try {
    const members = (await store.list<MemberRuntime>('member', SUPER_TENANT_ID)).map((r) => r.body);
    const out: StoredState = { status: new Map(), members: new Map(), mockInstances: [] };
    for (const appId of appIds) {
      out.status.set(appId, (await store.get<StoredApplication>('application', appId, SUPER_TENANT_ID))?.status);
      out.members.set(
        appId,
        members.filter((m) => m.applicationId === appId).map((m) => ({ memberId: m.memberId, status: m.status })),
      );
    }
    out.mockInstances = (await store.list(MOCK_INSTANCE_KIND, SUPER_TENANT_ID)).map((r) => r.id);
    return out;
  } finally {
    await store.close();
  }
}

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** One run of the server bundle. */
interface ServerProcess {
  proc: ChildProcess;
  exited: Promise<void>;
  stderr: () => string;
}

/**
 * A strato server run as a real child process (embedded broker, mock IaaS) on one data dir and
 * store and fixed ports, which a test kills with SIGKILL and starts again at will.
 */
export interface CrashableServer {
  /** http://127.0.0.1:<port>, the same across restarts */
  url: string;
  /** SIGKILL: no shutdown code runs, as in a crash. Resolves once the process is gone. */
  kill(): Promise<void>;
  /** Starts a new process on the same data dir, store and ports; resolves once it answers. */
  start(): Promise<void>;
  /**
   * What the store holds: between kill and start, exactly what the killed server left; while a
   * server runs, a read beside it (both stores allow a concurrent reader).
   */
  stored(appIds: string[]): Promise<StoredState>;
  /** Runs fn on the server's store, opened while no process runs (between kill and start). */
  withStore<T>(fn: (store: Store) => Promise<T>): Promise<T>;
}

/**
 * Runs fn with a crashable server: a fresh data dir, FAST_ENV timings (overridable by `env`), the
 * given store (SQLite in the data dir unless `databaseUrl`). The server is killed when fn ends,
 * before the test's after hooks (which may drop the PostgreSQL schema) run.
 */
export async function withCrashableServer(
  opts: { databaseUrl?: string; env?: NodeJS.ProcessEnv },
  fn: (server: CrashableServer) => Promise<void>,
): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'strato-crash-'));
  const httpPort = await freePort();
  const mbPort = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('STRATO_') || k === 'NODE_TEST_CONTEXT') delete env[k];
  // providers may be given (the mock stays bound: readiness is asked of its API)
  Object.assign(env, FAST_ENV, { STRATO_IAAS_PROVIDERS: 'mock=mock,kubernetes=kubernetes' }, opts.env, {
    STRATO_DATA_DIR: dataDir,
    STRATO_HTTP_PORT: String(httpPort),
    STRATO_MB_PORT: String(mbPort),
    STRATO_DATABRIDGE_PORT: '0',
    STRATO_LOG_LEVEL: 'silent',
    ...(opts.databaseUrl ? { STRATO_DATABASE_URL: opts.databaseUrl } : {}),
  });
  const url = `http://127.0.0.1:${httpPort}`;
  let current: ServerProcess | undefined;
  const kill = async () => {
    const p = current?.proc;
    if (p && p.exitCode === null && p.signalCode === null) {
      p.kill('SIGKILL');
      await current!.exited;
    }
    current = undefined;
  };
  const start = async () => {
    if (current) throw new Error('the server process runs already');
    current = await startProcess(env);
    const proc = current.proc;
    const stderr = current.stderr;
    try {
      await until(
        'the server process to answer',
        async () => {
          if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`the server exited (${proc.exitCode ?? proc.signalCode}): ${stderr()}`);
          try {
            return (await fetch(`${url}/mock-iaas/api/status`, { headers: { authorization: ADMIN } })).status === 200;
          } catch {
            return false;
          }
        },
        20_000,
        stderr,
      );
    } catch (e) {
      await kill();
      throw e;
    }
  };
  const server: CrashableServer = {
    url,
    kill,
    start,
    stored: (appIds) => readStoredState({ dataDir, databaseUrl: opts.databaseUrl }, appIds),
    withStore: async (fn) => {
      if (current) throw new Error('the store is opened only while no server process runs');
      const store = await openStore({ dataDir, databaseUrl: opts.databaseUrl });
      try {
        return await fn(store);
      } finally {
        await store.close();
      }
    },
  };
  try {
    await start();
    await fn(server);
  } finally {
    await kill();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

let bundle: Promise<string> | undefined;

/**
 * The server bundled as `npm start` runs it (scripts/build.mjs's options), built once per test
 * process into its own file under node_modules/.cache (so that its native dependencies resolve and
 * no other run's dist/ is touched), removed when the process exits. A bundle starts in a fraction
 * of the time `--import tsx` takes, which matters to tests that restart the server many times.
 */
function serverBundle(): Promise<string> {
  bundle ??= (async () => {
    const { build } = await import('esbuild');
    const dir = join(ROOT, 'node_modules', '.cache', 'strato-test');
    mkdirSync(dir, { recursive: true });
    const outfile = join(dir, `strato-${process.pid}.mjs`);
    await build({
      entryPoints: [join(ROOT, 'packages/server/src/main.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      external: ['better-sqlite3', 'pg-native'],
      banner: { js: "import { createRequire as __strato_createRequire } from 'node:module'; const require = __strato_createRequire(import.meta.url);" },
      logLevel: 'silent',
    });
    process.once('exit', () => rmSync(outfile, { force: true }));
    return outfile;
  })();
  return bundle;
}

async function startProcess(env: NodeJS.ProcessEnv): Promise<ServerProcess> {
  const proc = spawn(process.execPath, [await serverBundle()], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (chunk: Buffer) => {
    if (err.length < 20_000) err += chunk.toString('utf8');
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  return { proc, exited, stderr: () => err };
}

/** The mock IaaS's instances (its API wants admin credentials). */
export async function mockInstancesOf(base: string): Promise<any[]> {
  const r = await request(base, 'GET', '/mock-iaas/api/instances');
  assert.equal(r.status, 200, `GET /mock-iaas/api/instances: ${JSON.stringify(r.body)}`);
  return r.body;
}
