import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { isDeploy, MANIFEST, MULTI_CLOUD_PROVIDERS, pgSchema, samplesMissing, sampleText, waitFor } from '@strato/testing';
import { ADMIN, basic, request, startTestServer } from '@strato/testing/server';
import { StratoClient } from '@strato/client';
import { parseJson } from '@strato/model';

/**
 * Restart: what was added is still there after the server stops (cleanly, SIGTERM, or SIGKILL) and a
 * new one starts on the same data dir or the same PostgreSQL schema.
 */

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

const SAMPLES = [
  'applications/simple/single-cartridge-app',
  'applications/simple/single-group-app',
  'applications/nested/five-levels-nested-groups-app',
  'applications/simple/single-cartridge-app-multi-cloud',
];
const LISTS = [
  'cartridges',
  'cartridgeGroups',
  'applications',
  'autoscalingPolicies',
  'deploymentPolicies',
  'applicationPolicies',
  'networkPartitions',
  'kubernetesClusters',
  'tenants',
  'users',
  'iaasProviders',
];
const ACME = { tenantDomain: 'acme.com', admin: 'bob', adminPassword: 'bob-pw-1', email: 'bob@acme.com', firstName: 'Bob', lastName: 'A' };
const BOB = basic('bob@acme.com', 'bob-pw-1');
const CAROL = basic('carol@acme.com', 'carol-pw-1');

type Call = (method: string, path: string, body?: unknown, auth?: string | null) => ReturnType<typeof request>;
const caller =
  (base: string): Call =>
  (method, path, body, auth = ADMIN) =>
    request(base, method, path, body, auth);

/** Adds every artifact of the samples (up to their deploy call), a tenant with a user and an application. */
async function populate(call: Call, samples = SAMPLES): Promise<void> {
  for (const sample of samples) {
    const entry = MANIFEST.find((e) => e.application === sample)!;
    for (const c of entry.deploy) {
      if (isDeploy(c)) break;
      const res = await call(c.method, c.path, sampleText(c.body!));
      assert.ok(res.status === 201 || res.status === 409, `${c.path} ${c.body}: ${res.status} ${JSON.stringify(res.body)}`);
    }
  }
  assert.equal((await call('POST', '/api/kubernetesClusters', sampleText('kubernetes-clusters/kubernetes-cluster-1.json'))).status, 201);
  assert.equal((await call('POST', '/api/tenants', ACME)).status, 201);
  assert.equal((await call('POST', '/api/users', { userName: 'carol', credential: 'carol-pw-1', role: 'user' }, BOB)).status, 201);
  const app = parseJson(sampleText('applications/simple/single-cartridge-app/artifacts/application.json')) as object;
  assert.equal((await call('POST', '/api/applications', { ...app, applicationId: 'acme-app' }, BOB)).status, 201);
}

/** Everything the API lists, as admin and as the tenant's users. */
async function snapshot(call: Call): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const list of LISTS) {
    const res = await call('GET', `/api/${list}`);
    assert.equal(res.status, 200, `GET /api/${list}`);
    out[list] = res.body;
  }
  for (const [who, auth] of [
    ['bob', BOB],
    ['carol', CAROL],
  ] as const) {
    for (const list of ['applications', 'users']) {
      const res = await call('GET', `/api/${list}`, undefined, auth);
      assert.equal(res.status, 200, `${who}: GET /api/${list} ${JSON.stringify(res.body)}`);
      out[`${who}:${list}`] = res.body;
    }
  }
  return out;
}

/** Checks the snapshot has what populate added, so that an empty store cannot pass. */
function assertPopulated(snap: Record<string, any>, samples = SAMPLES): void {
  assert.ok(snap.cartridges.length >= 3, 'cartridges');
  assert.ok(snap.cartridgeGroups.length >= 1, 'groups');
  assert.equal(snap.kubernetesClusters.length, 1, 'kubernetes cluster');
  assert.equal(snap.applications.length, samples.length, 'one application per sample');
  assert.deepEqual(
    snap['bob:applications'].map((a: any) => a.applicationId),
    ['acme-app'],
  );
  assert.deepEqual(
    snap.tenants.map((t: any) => t.tenantDomain),
    ['acme.com'],
  );
}

interface Child {
  base: string;
  process: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output: () => string;
}

const children = new Set<ChildProcess>();

/**
 * `node --import tsx packages/server/src/main.ts` with the given settings, on ports the server picks
 * itself (no race with other tests for a port chosen beforehand); resolves once the URL it prints
 * answers /api/health.
 */
async function spawnServer(env: Record<string, string>): Promise<Child> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('STRATO_')));
  const child = spawn(process.execPath, ['--import', 'tsx', 'packages/server/src/main.ts'], {
    cwd: REPO,
    env: {
      ...clean,
      STRATO_HTTP_PORT: '0',
      STRATO_MB_PORT: '0',
      STRATO_DATABRIDGE_PORT: '0',
      STRATO_LOG_LEVEL: 'silent',
      STRATO_IAAS_PROVIDERS: MULTI_CLOUD_PROVIDERS,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  let done: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      children.delete(child);
      done = { code, signal };
      resolve(done);
    }),
  );
  let base = '';
  await waitFor(
    'strato to print its URL and answer /api/health',
    async () => {
      if (done) throw new Error(`strato exited early (${JSON.stringify(done)}): ${output}`);
      base ||= /strato is ready at (http:\/\/\S+)\/api\s/.exec(output)?.[1] ?? '';
      if (!base) return false;
      try {
        await new StratoClient({ baseUrl: base }).health();
        return true;
      } catch {
        return false;
      }
    },
    { timeoutMs: 60_000, everyMs: 50 },
  );
  return { base, process: child, exited, output: () => output };
}

async function stopChild(child: Child, signal: NodeJS.Signals) {
  child.process.kill(signal);
  return child.exited;
}

after(() => {
  for (const child of children) child.kill('SIGKILL');
});

describe('restart in process', { skip: samplesMissing }, () => {
  for (const engine of ['sqlite', 'postgres'] as const) {
    it(`keeps every artifact, tenant and user (${engine})`, async (t) => {
      const dataDir = mkdtempSync(join(tmpdir(), 'strato-restart-'));
      t.after(() => rmSync(dataDir, { recursive: true, force: true }));
      const overrides: Record<string, unknown> = { dataDir, mbPort: 0 };
      if (engine === 'postgres') {
        const schema = pgSchema();
        t.after(() => schema.drop());
        overrides.databaseUrl = schema.url;
      }
      const env = { STRATO_IAAS_PROVIDERS: MULTI_CLOUD_PROVIDERS };

      const first = await startTestServer(overrides, env);
      let before: Record<string, any>;
      try {
        await populate(first.call);
        before = await snapshot(first.call);
        assertPopulated(before);
      } finally {
        await first.stop({ keepData: true });
      }

      const second = await startTestServer(overrides, env);
      t.after(() => second.stop());
      assert.equal(second.store.engine, engine);
      assert.deepEqual(await snapshot(second.call), before);
      // the stored hashes still verify, and the new server goes on numbering tenants
      assert.equal((await second.call('GET', '/api/init', undefined, CAROL)).status, 200);
      assert.equal((await second.call('GET', '/api/init', undefined, basic('carol@acme.com', 'wrong'))).status, 401);
      const beta = await second.call('POST', '/api/tenants', { ...ACME, tenantDomain: 'beta.org', admin: 'eve', email: 'eve@beta.org' });
      assert.equal(beta.status, 201);
      const tenants = (await second.call('GET', '/api/tenants')).body;
      assert.equal(new Set(tenants.map((x: any) => x.tenantId)).size, 2, 'tenant ids stay unique');
      // and a rejected duplicate is still a duplicate
      assert.equal((await second.call('POST', '/api/cartridges', sampleText('cartridges/mock/php.json'))).status, 409);
    });
  }
});

describe('restart of the server process', { concurrency: true, skip: samplesMissing }, () => {
  it('SQLite: survives SIGTERM and SIGKILL', async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'strato-restart-proc-'));
    t.after(() => rmSync(dataDir, { recursive: true, force: true }));
    const env = { STRATO_DATA_DIR: dataDir };

    const first = await spawnServer(env);
    await populate(caller(first.base), SAMPLES.slice(0, 2));
    const before = await snapshot(caller(first.base));
    assertPopulated(before, SAMPLES.slice(0, 2));
    assert.deepEqual(await stopChild(first, 'SIGTERM'), { code: 0, signal: null }, first.output());

    const second = await spawnServer(env);
    const call = caller(second.base);
    assert.deepEqual(await snapshot(call), before, 'after SIGTERM');
    // more changes, then no chance to shut down cleanly
    assert.equal((await call('POST', '/api/cartridges', sampleText('cartridges/mock/mysql.json'))).status, 201);
    assert.equal((await call('DELETE', '/api/kubernetesClusters/kubernetes-cluster-1')).status, 200);
    assert.equal((await call('PUT', '/api/users', { userName: 'carol', credential: 'carol-pw-2', role: 'user' }, BOB)).status, 200);
    const expected: Record<string, unknown> = { ...before, cartridges: (await call('GET', '/api/cartridges')).body, kubernetesClusters: [] };
    assert.equal((await stopChild(second, 'SIGKILL')).signal, 'SIGKILL');

    const third = await startTestServer({ dataDir, mbPort: 0 }, { STRATO_IAAS_PROVIDERS: MULTI_CLOUD_PROVIDERS });
    t.after(() => third.stop());
    assert.equal((await third.call('GET', '/api/init', undefined, CAROL)).status, 401, 'old password');
    assert.equal((await third.call('GET', '/api/init', undefined, basic('carol@acme.com', 'carol-pw-2'))).status, 200, 'new password');
    for (const list of LISTS) assert.deepEqual((await third.call('GET', `/api/${list}`)).body, expected[list], `after SIGKILL: ${list}`);
    assert.deepEqual((await third.call('GET', '/api/applications', undefined, BOB)).body, before['bob:applications']);
  });

  it('PostgreSQL: survives SIGKILL', async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'strato-restart-pg-'));
    t.after(() => rmSync(dataDir, { recursive: true, force: true }));
    const schema = pgSchema();
    t.after(() => schema.drop());

    const first = await spawnServer({ STRATO_DATA_DIR: dataDir, STRATO_DATABASE_URL: schema.url });
    await populate(caller(first.base), SAMPLES.slice(1, 3));
    const before = await snapshot(caller(first.base));
    assertPopulated(before, SAMPLES.slice(1, 3));
    assert.equal((await stopChild(first, 'SIGKILL')).signal, 'SIGKILL');

    const second = await startTestServer({ dataDir, databaseUrl: schema.url, mbPort: 0 }, { STRATO_IAAS_PROVIDERS: MULTI_CLOUD_PROVIDERS });
    t.after(() => second.stop());
    assert.equal(second.store.engine, 'postgres');
    assert.deepEqual(await snapshot(second.call), before, 'after SIGKILL');
  });
});
