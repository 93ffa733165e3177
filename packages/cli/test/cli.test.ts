/**
 * The `strato` command line as a user runs it: a real child process (the CLI bundled once by the
 * build step's esbuild settings, plus one run of the TypeScript sources through tsx) against a real
 * strato server started here (mock IaaS with short boot delays, the process provider bound so that
 * every example applies), with its own config file in a temp folder.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { freePort } from '@strato/testing';
import { FAST_ENV, startTestServer, type TestServer } from '@strato/testing/server';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SOURCES = fileURLToPath(new URL('../src/main.ts', import.meta.url));
/** the artifacts of examples/: 17, of every kind */
const EXAMPLE_COUNT = 17;
/** where an ANSI colour sequence starts */
const ESC = '\u001b[';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

let server: TestServer;
let temp: string;
let bundle: string;
let configFile: string;

/** A clean environment: no STRATO_* nor colour variables of the machine, a config file of the test's own. */
function baseEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: temp, STRATO_CONFIG: configFile, ...extra };
}

/** Runs the CLI as a child process; resolves when it exits (never rejects on a non-zero exit). */
function strato(args: string[], env: NodeJS.ProcessEnv = {}, entry: string[] = [bundle]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...entry, ...args], { cwd: ROOT, env: baseEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const lines = (text: string) => text.split('\n').filter((l) => l !== '');
/** A kubectl-style table parsed back: one object per row, keyed by the headers. */
function parseTable(text: string): Record<string, string>[] {
  const [head, ...rows] = lines(text);
  const headers = head.trim().split(/\s{3,}/);
  return rows.map((row) =>
    Object.fromEntries(
      row
        .trim()
        .split(/\s{3,}/)
        .map((cell, i) => [headers[i], cell]),
    ),
  );
}
/** The one line a failure prints: exactly one line, `error: ...`, no stack trace. */
function oneErrorLine(run: Run): string {
  const errLines = lines(run.stderr);
  assert.equal(errLines.length, 1, `one line on stderr, got:\n${run.stderr}`);
  assert.match(errLines[0], /^error: /);
  assert.doesNotMatch(run.stderr, /\n\s+at |Error:/, 'no stack trace');
  return errLines[0];
}

before(async () => {
  temp = mkdtempSync(join(tmpdir(), 'strato-cli-'));
  configFile = join(temp, 'config', 'strato', 'config.json');
  const { bundleCli } = await import(pathToFileURL(join(ROOT, 'scripts/cli-bundle.mjs')).href);
  bundle = await bundleCli(join(temp, 'strato-cli.mjs'));
  server = await startTestServer({}, { ...FAST_ENV, STRATO_MOCK_BOOT_DELAY: '300', STRATO_IAAS_PROVIDERS: 'mock=mock,kubernetes=kubernetes,process=process' });
});

after(async () => {
  await server?.stop();
  if (temp) rmSync(temp, { recursive: true, force: true });
});

describe('strato CLI against a real server', () => {
  it('login checks the credentials and stores them in a file only the user can read (0600, folder 0700)', async () => {
    const run = await strato(['login', server.url, '--user', 'admin', '--password', 'admin']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Logged in to .* as admin; context default saved in /);
    assert.equal(statSync(configFile).mode & 0o777, 0o600);
    assert.equal(statSync(join(temp, 'config', 'strato')).mode & 0o777, 0o700);
    const stored = JSON.parse(readFileSync(configFile, 'utf8'));
    assert.deepEqual(stored, { current: 'default', contexts: { default: { server: server.url, user: 'admin', password: 'admin' } } });
    // later commands need no flag: the context is used
    const list = await strato(['get', 'cartridges', '-o', 'json']);
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(JSON.parse(list.stdout), []);
  });

  it('a wrong password gives one clear line with the server message and code, and is not stored', async () => {
    const run = await strato(['get', 'cartridges', '--password', 'wrong']);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    assert.equal(oneErrorLine(run), 'error: Authentication failed. Please check your username/password (LOGIN_FAILED, HTTP 401)');
    const login = await strato(['login', server.url, '--user', 'admin', '--password', 'wrong', '--name', 'bad']);
    assert.equal(login.code, 1);
    oneErrorLine(login);
    assert.equal(JSON.parse(readFileSync(configFile, 'utf8')).contexts.bad, undefined, 'a failed login stores nothing');
    // --user overrides the context's user, and the context's password is not sent for another user
    const other = await strato(['get', 'cartridges', '--user', 'nobody']);
    assert.equal(other.code, 1);
    assert.match(oneErrorLine(other), /^error: no password for nobody: /);
    const otherWithPassword = await strato(['get', 'cartridges', '--user', 'nobody', '--password', 'admin']);
    assert.match(oneErrorLine(otherWithPassword), /Authentication failed.*\(LOGIN_FAILED, HTTP 401\)$/);
  });

  it('an unreachable server gives one clear line', async () => {
    const port = await freePort(); // nothing listens there
    const run = await strato(['get', 'applications', '--server', `http://127.0.0.1:${port}`]);
    assert.equal(run.code, 1);
    assert.equal(oneErrorLine(run), `error: cannot reach strato at http://127.0.0.1:${port}: ECONNREFUSED`);
  });

  it('environment variables alone are enough (STRATO_SERVER/USER/PASSWORD; Stratos CLI variables too)', async () => {
    const noConfig = join(temp, 'none.json');
    const own = await strato(['get', 'applications', '-o', 'json'], {
      STRATO_CONFIG: noConfig,
      STRATO_SERVER: server.url,
      STRATO_USER: 'admin',
      STRATO_PASSWORD: 'admin',
    });
    assert.equal(own.code, 0, own.stderr);
    const stratos = await strato(['list-applications', '-o', 'json'], {
      STRATO_CONFIG: noConfig,
      STRATOS_URL: server.url,
      STRATOS_USERNAME: 'admin',
      STRATOS_PASSWORD: 'admin',
    });
    assert.equal(stratos.code, 0, stratos.stderr);
    const none = await strato(['get', 'applications'], { STRATO_CONFIG: noConfig });
    assert.equal(none.code, 1);
    assert.match(oneErrorLine(none), /no server: run `strato login URL`/);
  });

  it('apply -f examples creates every artifact in dependency order; a second run changes nothing', async () => {
    const first = await strato(['apply', '-f', 'examples']);
    assert.equal(first.code, 0, first.stderr);
    const created = lines(first.stdout);
    assert.equal(created.length, EXAMPLE_COUNT);
    assert.ok(
      created.every((l) => l.endsWith(' created')),
      first.stdout,
    );
    const order = ['network partition', 'autoscaling policy', 'deployment policy', 'application policy', 'cartridge', 'cartridge group', 'application'];
    const rank = (l: string) => order.indexOf(l.replace(/ \S+ created$/, ''));
    assert.ok(
      created.every((l) => rank(l) >= 0),
      first.stdout,
    );
    assert.deepEqual(
      created.map(rank),
      [...created.map(rank)].sort((a, b) => a - b),
      'kinds in dependency order',
    );
    assert.equal((await server.client.applications.get('shop')).status, 'Created');

    const second = await strato(['apply', '-f', 'examples', '-o', 'json']);
    assert.equal(second.code, 0, second.stderr);
    const outcomes: { kind: string; id: string; outcome: string }[] = JSON.parse(second.stdout);
    assert.equal(outcomes.length, EXAMPLE_COUNT);
    assert.deepEqual([...new Set(outcomes.map((o) => o.outcome))], ['unchanged']);
  });

  it('apply updates only what changed', async () => {
    const folder = join(temp, 'changed');
    cpSync(join(ROOT, 'examples'), folder, { recursive: true });
    const policyFile = join(folder, 'autoscaling-policies', 'moderate.json');
    const policy = JSON.parse(readFileSync(policyFile, 'utf8'));
    policy.loadThresholds.memoryConsumption.threshold = 80;
    writeFileSync(policyFile, JSON.stringify(policy));
    const run = await strato(['apply', '-f', folder, '-o', 'json']);
    assert.equal(run.code, 0, run.stderr);
    const outcomes: { kind: string; id: string; outcome: string }[] = JSON.parse(run.stdout);
    assert.deepEqual(
      outcomes.filter((o) => o.outcome !== 'unchanged').map(({ kind, id, outcome }) => ({ kind, id, outcome })),
      [{ kind: 'autoscalingPolicy', id: 'moderate', outcome: 'updated' }],
    );
    assert.equal((await server.client.autoscalingPolicies.get('moderate')).loadThresholds?.memoryConsumption?.threshold, 80);
    // and back, so that later tests see the examples as they are
    const back = await strato(['apply', '-f', 'examples/autoscaling-policies']);
    assert.equal(back.stdout.trim(), 'autoscaling policy moderate updated');
  });

  it('get: tables (plain and wide), JSON and YAML, each parsed back', async () => {
    const table = await strato(['get', 'cartridges']);
    assert.equal(table.code, 0, table.stderr);
    const rows = parseTable(table.stdout);
    assert.deepEqual(
      rows.map((r) => r.TYPE),
      ['api', 'db', 'site', 'web'],
    );
    assert.deepEqual(
      rows.find((r) => r.TYPE === 'db'),
      { TYPE: 'db', CATEGORY: 'data', PROVIDER: 'strato-examples', VERSION: '1', 'MULTI-TENANT': 'false' },
    );
    assert.ok(!table.stdout.includes(ESC), 'no colours when stdout is not a terminal');

    const wide = parseTable((await strato(['get', 'np', '-o', 'wide'])).stdout);
    assert.deepEqual(
      wide.find((r) => r.ID === 'local-mock'),
      { ID: 'local-mock', PROVIDER: 'mock', PARTITIONS: 'zone-a,zone-b', PROPERTIES: '-' },
    );

    const json = JSON.parse((await strato(['get', 'applications', '-o', 'json'])).stdout);
    assert.deepEqual(json.map((a: { applicationId: string }) => a.applicationId).sort(), ['api-backend', 'hello-web', 'shop']);
    const one = JSON.parse((await strato(['get', 'application', 'hello-web', '-o', 'json'])).stdout);
    assert.deepEqual(one, await server.client.applications.get('hello-web'));

    const yamlRun = await strato(['get', 'deployment-policy', 'local-mock', '-o', 'yaml']);
    assert.equal(yamlRun.code, 0, yamlRun.stderr);
    assert.match(yamlRun.stdout, /^id: local-mock\nnetworkPartitions:\n {2}- id: local-mock\n {4}partitionAlgo: round-robin\n/);

    const colours = await strato(['get', 'applications'], { FORCE_COLOR: '1' });
    assert.ok(colours.stdout.includes(ESC), 'FORCE_COLOR forces colours');
    const noColour = await strato(['get', 'applications'], { FORCE_COLOR: '1', NO_COLOR: '1' });
    assert.ok(!noColour.stdout.includes(ESC), 'NO_COLOR wins');

    const missing = await strato(['get', 'cartridge', 'nope']);
    assert.equal(missing.code, 1);
    assert.match(oneErrorLine(missing), /^error: .*nope.* \(ARTIFACT_NOT_FOUND, HTTP 404\)$/);
  });

  it('deploy --wait shows each cluster progressing and ends when the application is Active', async () => {
    const run = await strato(['deploy', 'hello-web', '--policy', 'local-mock', '--wait', '--interval', '50ms', '--timeout', '60s']);
    assert.equal(run.code, 0, run.stderr);
    const out = lines(run.stdout);
    assert.equal(out[0], 'Application deployed successfully: [application] hello-web');
    const progress = out.filter((l) => l.includes('hello-web (web) hello-web-1:'));
    assert.ok(progress.length >= 2, `progress lines, got:\n${run.stdout}`);
    const parsed = progress.map((l) => {
      const m = /(\d+) created, (\d+) starting, (\d+) active of min (\d+)/.exec(l);
      assert.ok(m, l);
      return { created: Number(m[1]), starting: Number(m[2]), active: Number(m[3]), min: Number(m[4]) };
    });
    assert.equal(parsed[0].active, 0, 'the first line is before any member is Active');
    assert.deepEqual(parsed.at(-1), { created: 0, starting: 0, active: 2, min: 2 });
    assert.match(out.at(-1)!, /^Application hello-web is Active \(\d+\.\ds\)$/);
    assert.equal((await server.client.applicationRuntime('hello-web')).status, 'Active');
  });

  it('describe application: the tree with member counts per status, as text and as JSON', async () => {
    const text = await strato(['describe', 'application', 'hello-web']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^Application: hello-web$/m);
    assert.match(text.stdout, /^Status: +Active$/m);
    assert.match(text.stdout, /^ {2}instance hello-web-1 {2}Active/m);
    assert.match(text.stdout, /^ {4}cluster hello-web \(web\) {2}Active {2}members: 2 Active \(min 2\)$/m);
    assert.equal(
      text.stdout.match(/^ {6}member hello-web\.hello-web\.web\.domain\S+ {2}Active {2}10\.0\.0\.\d+ {2}local-mock\/zone-[ab] {2}ports http:8080$/gm)?.length,
      2,
    );
    assert.doesNotMatch(text.stdout, /Events/, 'no events section: the server exposes no event history yet');

    const json = JSON.parse((await strato(['describe', 'application', 'hello-web', '-o', 'json'])).stdout);
    assert.equal(json.application.applicationId, 'hello-web');
    assert.equal(json.runtime.status, 'Active');
    assert.deepEqual(json.clusters, [
      {
        alias: 'hello-web',
        serviceName: 'web',
        clusterId: 'hello-web.hello-web.web.domain',
        instanceId: 'hello-web-1',
        groupPath: [],
        status: 'Active',
        minMembers: 2,
        members: { Active: 2 },
      },
    ]);
    const notDeployed = await strato(['describe', 'application', 'shop']);
    assert.match(notDeployed.stdout, /^Runtime: +not deployed$/m);
  });

  it('a deploy that cannot succeed (the IaaS fails every start) exits non-zero with the reason', async () => {
    assert.equal((await server.call('POST', '/mock-iaas/api/failures', { startInstance: 100_000 })).status, 200);
    try {
      const started = Date.now();
      const run = await strato(['deploy', 'api-backend', '--policy', 'local-mock', '--wait', '--interval', '50ms', '--timeout', '3s']);
      assert.equal(run.code, 1);
      assert.ok(Date.now() - started < 15_000, 'gave up at its timeout');
      assert.match(lines(run.stdout)[0], /^Application deployed successfully/);
      const line = oneErrorLine(run);
      assert.match(line, /^error: application api-backend is not Active after 3\.0s \(status [^)]+\): /);
      assert.match(line, /cluster shop-db \(db\) has 0 of min 1 members active/);
      assert.match(line, /no member has an instance yet|removed before becoming active/);
    } finally {
      await server.call('POST', '/mock-iaas/api/failures', { startInstance: 0 });
    }
    const undeploy = await strato(['undeploy', 'api-backend', '--wait', '--interval', '50ms', '--timeout', '60s']);
    assert.equal(undeploy.code, 0, undeploy.stderr);
  });

  it('undeploy --wait returns once the application is back to Created and its instances are gone', async () => {
    const run = await strato(['undeploy', 'hello-web', '--wait', '--interval', '50ms', '--timeout', '60s']);
    assert.equal(run.code, 0, run.stderr);
    const out = lines(run.stdout);
    assert.equal(out[0], 'Application undeploy process started successfully: [application-id] hello-web');
    assert.match(out.at(-1)!, /^Application hello-web is undeployed \(\d+\.\ds\)$/);
    assert.equal((await server.client.applications.get('hello-web')).status, 'Created');
    assert.deepEqual(
      (await server.mockIaas.listInstances()).filter((i) => i.memberId.startsWith('hello-web.')),
      [],
    );
  });

  it("Stratos 4.1's command names work: list-cartridges, add-cartridge -p, deploy-application -a -ap, describe-application-runtime -a, undeploy-application, remove-cartridge", async () => {
    const list = await strato(['list-cartridges']);
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(
      parseTable(list.stdout).map((r) => r.TYPE),
      ['api', 'db', 'site', 'web'],
    );

    const file = join(temp, 'web2.json');
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(join(ROOT, 'examples/cartridges/web.json'), 'utf8')), type: 'web2' }));
    // Stratos's own way to pass credentials: -u/-p before the command
    const add = await strato(['-s', server.url, '-u', 'admin', '-p', 'admin', 'add-cartridge', '-p', file], { STRATO_CONFIG: join(temp, 'none.json') });
    assert.equal(add.code, 0, add.stderr);
    assert.match(add.stdout, /web2/);
    assert.equal((await server.client.cartridges.get('web2')).type, 'web2');
    const wrongKind = await strato(['add-cartridge-group', '-j', file]);
    assert.equal(wrongKind.code, 1);
    assert.match(oneErrorLine(wrongKind), /holds a cartridge, not a cartridge group/);
    const remove = await strato(['remove-cartridge', 'web2']);
    assert.equal(remove.code, 0, remove.stderr);
    assert.equal(await server.client.cartridges.find('web2'), undefined);

    const deploy = await strato(['deploy-application', '-a', 'hello-web', '-ap', 'local-mock', '--wait', '--interval', '50ms', '--timeout', '60s']);
    assert.equal(deploy.code, 0, deploy.stderr);
    assert.match(deploy.stdout, /Application hello-web is Active/);
    // through the TypeScript sources this time, not the bundle
    const runtime = await strato(['describe-application-runtime', '-a', 'hello-web'], {}, ['--import', 'tsx', SOURCES]);
    assert.equal(runtime.code, 0, runtime.stderr);
    assert.match(runtime.stdout, /cluster hello-web \(web\) {2}Active {2}members: 2 Active/);
    const undeploy = await strato(['undeploy-application', 'hello-web', '--wait', '--interval', '50ms']);
    assert.equal(undeploy.code, 0, undeploy.stderr);
    assert.equal((await server.client.applications.get('hello-web')).status, 'Created');
  });

  it('delete -f removes every artifact in reverse dependency order', async () => {
    const run = await strato(['delete', '-f', 'examples']);
    assert.equal(run.code, 0, run.stderr);
    const out = lines(run.stdout);
    assert.equal(out.length, EXAMPLE_COUNT);
    assert.ok(
      out.every((l) => l.endsWith(' deleted')),
      run.stdout,
    );
    assert.ok(out[0].startsWith('application '));
    assert.ok(out.at(-1)!.startsWith('network partition '));
    for (const kind of ['applications', 'cartridge-groups', 'cartridges', 'network-partitions']) {
      const left = await strato(['get', kind, '-o', 'json']);
      assert.deepEqual(JSON.parse(left.stdout), [], kind);
    }
    const again = await strato(['delete', '-f', 'examples']);
    assert.equal(again.code, 0, again.stderr);
    assert.ok(lines(again.stdout).every((l) => l.endsWith('not found (nothing to delete)')));
  });

  it('usage errors exit 2 with one line; completion bash prints a script bash accepts', async () => {
    const unknown = await strato(['frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command 'frobnicate'/);
    const kind = await strato(['get', 'widgets']);
    assert.equal(kind.code, 2);
    assert.match(oneErrorLine(kind), /unknown kind widgets/);

    const completion = await strato(['completion', 'bash']);
    assert.equal(completion.code, 0);
    assert.match(completion.stdout, /complete -o default -F _strato_complete strato/);
    assert.match(completion.stdout, /deploy-application/);
    const check = spawnSync('bash', ['-n'], { input: completion.stdout });
    assert.equal(check.status, 0, String(check.stderr));
  });

  it('contexts: list marks the current one, use switches, logout forgets', async () => {
    const second = await strato(['login', server.url, '--user', 'admin', '--password', 'admin', '--name', 'second']);
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(lines((await strato(['context'])).stdout), [`  default   ${server.url}   admin`, `* second   ${server.url}   admin`]);
    assert.equal((await strato(['context', 'use', 'default'])).code, 0);
    assert.match((await strato(['context', 'list'])).stdout, /^\* default/);
    assert.equal((await strato(['logout'])).code, 0);
    const stored = JSON.parse(readFileSync(configFile, 'utf8'));
    assert.deepEqual(Object.keys(stored.contexts), ['second']);
    assert.equal(statSync(configFile).mode & 0o777, 0o600, 'still 0600 after rewrites');
  });
});
