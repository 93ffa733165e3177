/**
 * strato-agent as the member of a real strato server: the mock IaaS of an agentless provider
 * creates the instance; the agent gets an agent.conf and the instance's launch payload as it is
 * (its own broker credentials included: the embedded broker refuses anonymous clients). The
 * subscription's artifact repository is set to a bare repository the test made, so the member
 * activates only after the server's ArtifactUpdatedEvent (its answer to InstanceStartedEvent, the
 * password encrypted with the cluster's CARTRIDGE_KEY) has been checked out with real git, AND its port accepts
 * connections. Then: a commit pushed later reaches the member's working tree within the update
 * interval, a file the member writes reaches the repository (auto-commit), its health statistics
 * keep it alive past the fault timeout, an undeployment's cleanup request is answered, and
 * SIGTERM stops it.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createCipheriv } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort } from '@strato/testing';
import {
  membersOf,
  readLaunchParams,
  registerAgentApp,
  registerSingleCartridgeApp,
  startLoggedServer,
  type LoggedServer,
} from '../../server/test/broker-agent.ts';
import { fastConf, listenOn, memberDir, startAgent, waitFor, type AgentProcess, type MemberDir } from './support.ts';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.email=t@example.org', '-c', 'user.name=test', ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** AES/ECB/PKCS5 as Stratos's Java side encrypts a repository password. */
function encrypt(text: string, key: string): string {
  const c = createCipheriv('aes-128-ecb', Buffer.from(key, 'utf8'), null);
  return Buffer.concat([c.update(text, 'utf8'), c.final()]).toString('base64');
}

describe('strato-agent as the member of a real strato server (a repository cartridge)', () => {
  let server: LoggedServer;
  let agent: AgentProcess | undefined;
  let m: MemberDir | undefined;
  let listener: Server | undefined;
  let memberId: string;
  let work: string;
  let bare: string;
  let www: string;
  let payload: string;
  const REPO_PASSWORD = 'repo-s3cret-pw';

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'strato-agent-repo-'));
    bare = join(work, 'app.git');
    execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', bare]);
    const seed = join(work, 'seed');
    execFileSync('git', ['clone', '--quiet', bare, seed], { stdio: 'ignore' });
    writeFileSync(join(seed, 'index.html'), 'version 1\n');
    git(seed, 'add', '.');
    git(seed, 'commit', '--quiet', '-m', 'first');
    git(seed, 'push', '--quiet', 'origin', 'HEAD:main');
    server = await startLoggedServer();
    await registerSingleCartridgeApp(server.call);
    await registerAgentApp(server.call);
    // the subscription's repository: the bare one (the server sends the ArtifactUpdatedEvent for it)
    const app = (await server.call('GET', '/api/applications/agent-app')).body;
    const { status: _s, signUpsExist: _e, ...body } = app;
    body.components.cartridges[0].subscribableInfo.artifactRepository = {
      privateRepo: true,
      repoUrl: `file://${bare}`,
      repoUsername: 'git',
      repoPassword: REPO_PASSWORD,
    };
    const put = await server.call('PUT', '/api/applications', body);
    assert.equal(put.status, 200, JSON.stringify(put.body));
  });
  after(async () => {
    await agent?.kill();
    listener?.close();
    m?.remove();
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('Active only after the checkout and once its port accepts connections; stays Active on its statistics', async () => {
    assert.equal((await server.call('POST', '/api/applications/agent-app/deploy/ap-agent', '')).status, 202);
    const mine = await waitFor('agent-app member Initialized', async () => {
      const ms = await membersOf(server.call, 'agent-app');
      return ms.members.length === 1 && ms.members[0].status === 'Initialized' ? ms.members[0] : undefined;
    });
    memberId = mine.memberId;
    const instance = await server.call('GET', `/mock-iaas/api/instances/${encodeURIComponent(memberId)}`);
    assert.equal(instance.status, 200);
    payload = instance.body.payload;
    const params = readLaunchParams(payload);
    assert.match(params['mb.password'], /^[A-Za-z0-9_-]{43}$/, 'the payload has the member broker credentials');
    assert.equal(params.REPO_URL, `file://${bare}`, 'the subscription has a repository');
    assert.match(params.CARTRIDGE_KEY, /^[A-Za-z0-9]{16}$/);

    const port = await freePort();
    const mb = new URL(server.mbUrls[0]);
    m = memberDir({}, {});
    www = join(m.dir, 'www');
    // agent.conf as a Stratos cartridge image has it; PORTS in agent.conf wins over the payload's (80)
    const conf = fastConf(`${mb.hostname}:${mb.port}`, {
      PORTS: port,
      APPLICATION_PATH: www,
      'enable.artifact.update': true,
      'auto.checkout': true,
      'auto.commit': true,
      'artifact.update.interval': 1,
    });
    writeFileSync(join(m.dir, 'agent.conf'), ['[agent]', ...Object.entries(conf).map(([k, v]) => `${k} = ${v}`), ''].join('\n'));
    writeFileSync(join(m.dir, 'payload', 'launch-params'), payload);
    // written whole, then renamed: the test never reads half a file
    m.script(
      'ArtifactUpdatedEvent',
      'env | grep "^STRATOS_ARTIFACT_UPDATED_" | sort > "$PWD/../../artifact-env.tmp" && mv "$PWD/../../artifact-env.tmp" "$PWD/../../artifact-env"',
    );
    agent = await startAgent(m.dir);

    await waitFor('Starting', async () => (await membersOf(server.call, 'agent-app')).members[0]?.status === 'Starting');
    await waitFor('waiting for the artifacts', () => agent!.log().find((r) => r.msg === 'Agent phase changed' && r.to === 'starting'));

    await waitFor('the clone', () => agent!.log().find((r) => r.msg === 'Git clone executed'));
    assert.equal(readFileSync(join(www, 'index.html'), 'utf8'), 'version 1\n');
    assert.equal(git(www, 'remote', 'get-url', 'origin').trim(), `file://${bare}`);
    await waitFor('the ArtifactUpdatedEvent extension', () => existsSync(join(m!.dir, 'artifact-env')));
    const env = Object.fromEntries(
      readFileSync(join(m.dir, 'artifact-env'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    assert.deepEqual(env, {
      STRATOS_ARTIFACT_UPDATED_CLUSTER_ID: params.CLUSTER_ID,
      STRATOS_ARTIFACT_UPDATED_REPO_PASSWORD: encrypt(REPO_PASSWORD, params.CARTRIDGE_KEY), // still encrypted, as in Stratos
      STRATOS_ARTIFACT_UPDATED_REPO_URL: `file://${bare}`,
      STRATOS_ARTIFACT_UPDATED_REPO_USERNAME: 'git',
      STRATOS_ARTIFACT_UPDATED_TENANT_ID: '-1234',
    });
    await waitFor('port check rounds after the clone', () => agent!.log().filter((r) => r.msg.startsWith('Waiting for ports to be active')).length >= 3);
    assert.equal((await membersOf(server.call, 'agent-app')).members[0]?.status, 'Starting', 'not Active while the port is closed');

    listener = await listenOn(port);
    await waitFor('agent-app Active', async () => (await membersOf(server.call, 'agent-app')).status === 'Active');
    assert.ok(
      server.records.some((r) => r.msg === 'message broker client authenticated' && r.user === memberId && r.role === 'member'),
      'it connected as the member',
    );
    // the fault timeout is 3 s: four statistics rounds (1 s apart) later it is still Active
    const rounds = () => agent!.log().filter((r) => r.msg === 'Health statistics published').length;
    const start = rounds();
    await waitFor('four statistics rounds', () => rounds() >= start + 4);
    assert.deepEqual(
      (await membersOf(server.call, 'agent-app')).members.map((x) => [x.memberId, x.status]),
      [[memberId, 'Active']],
    );
  });

  it('a commit pushed later reaches the working tree; a file the member writes reaches the repository', async () => {
    const other = join(work, 'other');
    execFileSync('git', ['clone', '--quiet', bare, other], { stdio: 'ignore' });
    writeFileSync(join(other, 'index.html'), 'version 2\n');
    git(other, 'commit', '--quiet', '-am', 'second');
    git(other, 'push', '--quiet', 'origin', 'HEAD:main');
    const pushed = Date.now();
    await waitFor('version 2 in the working tree', () => readFileSync(join(www, 'index.html'), 'utf8') === 'version 2\n', 10_000);
    assert.ok(Date.now() - pushed < 5_000, 'within a few update intervals (1 s)');

    writeFileSync(join(www, 'uploaded.txt'), 'written by the member\n');
    await waitFor(
      'the member file in the repository',
      () => {
        try {
          return (
            execFileSync('git', ['--git-dir', bare, 'show', 'main:uploaded.txt'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }) ===
            'written by the member\n'
          );
        } catch {
          return false;
        }
      },
      10_000,
    );
    assert.match(
      execFileSync('git', ['--git-dir', bare, 'log', '-1', '--format=%an %s', 'main'], { encoding: 'utf8' }),
      /^-1234 tenant \[-1234\]'s artifacts committed to local repo at /,
    );
    assert.deepEqual(agent!.errorLog(), []);
  });

  it('undeployment: the cleanup request is answered, the member is terminated; SIGTERM then exits 0; no secret in its logs', async () => {
    assert.equal((await server.call('POST', '/api/applications/agent-app/undeploy', '')).status, 202);
    await waitFor('the cleanup request reached the agent', () => agent!.log().find((r) => r.msg.startsWith('Cleanup requested')));
    await waitFor('agent-app Created', async () => (await server.call('GET', '/api/applications/agent-app')).body.status === 'Created');
    assert.ok(!(await server.mockIaas.listInstances()).map((i) => i.memberId).includes(memberId), 'its instance was terminated');
    const published = agent!
      .log()
      .filter((r) => /^Instance\w+Event published$/.test(r.msg))
      .map((r) => r.event);
    // in this order (a control plane's repeated announcement or cleanup request is answered again: the server re-announces a member stalled 200 ms)
    assert.deepEqual(
      [...new Set(published)],
      ['InstanceStartedEvent', 'InstanceActivatedEvent', 'InstanceMaintenanceModeEvent', 'InstanceReadyToShutdownEvent'],
    );
    agent!.signal('SIGTERM');
    assert.equal(await agent!.exited, 0);
    const logs = readFileSync(join(m!.dir, 'agent.log'), 'utf8') + readFileSync(join(m!.dir, 'error.log'), 'utf8');
    assert.ok(!logs.includes(readLaunchParams(payload)['mb.password']), 'the broker password is not logged');
    assert.ok(!logs.includes(REPO_PASSWORD), 'the repository password is not logged');
    assert.ok(!readFileSync(join(www, '.git', 'config'), 'utf8').includes(REPO_PASSWORD));
  });
});
