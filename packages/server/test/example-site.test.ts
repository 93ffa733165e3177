/**
 * The README's process IaaS example, as a user runs it: `examples/scripts/make-site-repo.sh` makes
 * the site's bare git repository and the application `site` that refers to it; the examples'
 * network partition, policies, cartridge `site` (image `examples/images/site`) and group
 * `site-tier` are added through the typed client; the application is deployed on the process
 * IaaS with strato's own agent in every member.
 *
 * - each of the two members serves the repository's page on its own port (its StartServers
 *   extension started `serve.mjs`; the agent cloned the repository on ArtifactUpdatedEvent);
 * - a commit pushed to the repository is served by both within a few artifact update intervals
 *   (1 s here), and so is one announced by the git hook route `POST /api/repo/notify`;
 * - undeploy: the application is Created again, no member folder and no member process is left.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { membersOf, type MemberView } from '@strato/client';
import { waitFor } from '@strato/testing';
import { FAST_ENV, startTestServer, type TestServer } from '@strato/testing/server';
import { repositoryRoot } from '../src/cloud/drivers/process/agent-spec.ts';
import { markedProcesses } from '../src/cloud/drivers/process/proc.ts';
import { INSTANCE_ENV } from '../src/cloud/drivers/process/process-iaas.ts';
import { testPortRange } from './process-iaas-kit.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const example = (path: string) => JSON.parse(readFileSync(join(ROOT, 'examples', path), 'utf8'));
const agentMissing = repositoryRoot() === undefined ? "strato's agent (packages/agent) is not in this repository" : false;

/** GET http://127.0.0.1:port/ → the body, or undefined when nothing answers. */
function page(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve(res.statusCode === 200 ? body : undefined));
    });
    req.on('error', () => resolve(undefined));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.invalid', ...args], { cwd, encoding: 'utf8' });
}

describe('the site example on the process IaaS (README walkthrough)', { skip: agentMissing }, () => {
  let server: TestServer;
  let dir: string;
  let processDir: string;
  let repo: string;
  const range = testPortRange();

  const members = async (): Promise<MemberView[]> => membersOf(await server.client.applicationRuntime('site'));
  const portsOf = (ms: MemberView[]) => ms.map((m) => (m.ports ?? [])[0]?.port).filter((p): p is number => typeof p === 'number');

  /** Waits until both members serve a page containing `text`. */
  async function servedByBoth(text: string, what: string) {
    await waitFor(
      what,
      async () => {
        const ports = portsOf(await members());
        if (ports.length !== 2) return false;
        for (const port of ports) if (!(await page(port))?.includes(text)) return false;
        return true;
      },
      { timeoutMs: 30_000, everyMs: 200, describe: async () => JSON.stringify(await Promise.all(portsOf(await members()).map(page))) },
    );
  }

  function push(text: string) {
    const work = mkdtempSync(join(dir, 'work-'));
    git(dir, 'clone', '-q', repo, work);
    writeFileSync(join(work, 'index.html'), `<!doctype html>\n<h1>${text}</h1>\n`);
    git(work, 'commit', '-qam', text);
    git(work, 'push', '-q', 'origin', 'HEAD');
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strato-example-site-'));
    processDir = join(dir, 'iaas');
    server = await startTestServer(
      {},
      {
        ...FAST_ENV,
        STRATO_IAAS_PROVIDERS: 'mock=mock,process=process',
        STRATO_PROCESS_DIR: processDir,
        STRATO_PROCESS_PORTS: `${range.from}-${range.to}`,
        STRATO_PROCESS_PORT_CHECK_INTERVAL: '100',
        STRATO_PROCESS_STATS_INTERVAL: '1',
        STRATO_PROCESS_ARTIFACT_UPDATE_INTERVAL: '1',
        STRATO_PROCESS_TERMINATE_GRACE: '3000',
        STRATO_PROCESS_POLL_INTERVAL: '100',
      },
    );
  });

  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('make-site-repo.sh makes the repository and the application; the examples add as they are', async () => {
    const out = execFileSync(join(ROOT, 'examples/scripts/make-site-repo.sh'), [join(dir, 'repos')], { encoding: 'utf8' });
    repo = join(dir, 'repos', 'site.git');
    assert.match(out, /repository: .*site\.git/);
    assert.ok(existsSync(join(repo, 'HEAD')), 'a bare repository');
    const app = JSON.parse(readFileSync(join(dir, 'repos', 'site-app.json'), 'utf8'));
    assert.equal(app.components.groups[0].cartridges[0].subscribableInfo.artifactRepository.repoUrl, `file://${repo}`);

    const c = server.client;
    await c.networkPartitions.add(example('network-partitions/local-process.json'));
    await c.autoscalingPolicies.add(example('autoscaling-policies/moderate.json'));
    await c.deploymentPolicies.add(example('deployment-policies/local-process.json'));
    await c.applicationPolicies.add(example('application-policies/local-process.json'));
    await c.cartridges.add(example('cartridges/site.json'));
    await c.cartridgeGroups.add(example('cartridge-groups/site-tier.json'));
    await c.applications.add(app);
  });

  it('deploys: both members serve the repository page on their own ports', async () => {
    await server.client.deployApplication('site', 'local-process');
    await waitFor(
      'site Active with 2 Active members',
      async () => {
        const view = await server.client.applicationRuntime('site');
        const ms = membersOf(view);
        return view.status === 'Active' && ms.length === 2 && ms.every((m) => m.status === 'Active');
      },
      { timeoutMs: 60_000, everyMs: 100 },
    );
    const ports = portsOf(await members());
    assert.equal(new Set(ports).size, 2, `two ports: ${ports}`);
    for (const port of ports) {
      assert.ok(port >= range.from && port <= range.to, `port ${port} from STRATO_PROCESS_PORTS`);
      assert.match((await page(port)) ?? '', /Hello from strato/, `member on ${port} serves the repository's page`);
    }
  });

  it('a pushed commit is served by both members, by the periodic update and by the git hook route', async () => {
    push('Pulled by the periodic update');
    await servedByBoth('Pulled by the periodic update', 'the pushed commit served by both members');
    push('Announced by the git hook');
    const answer = await server.client.notifyRepository(`file://${repo}`);
    assert.equal(answer.status, 'success');
    await servedByBoth('Announced by the git hook', 'the announced commit served by both members');
  });

  it('undeploys: no member folder and no member process left', async () => {
    const instances = (await members()).map((m) => m.instanceId);
    assert.equal(instances.length, 2);
    for (const i of instances) assert.ok(markedProcesses(`${INSTANCE_ENV}=${i}`).length >= 2, `the agent and the site server of ${i} run`);
    await server.client.undeployApplication('site');
    await waitFor('site Created', async () => (await server.client.applications.get('site')).status === 'Created', { timeoutMs: 30_000, everyMs: 100 });
    await waitFor(
      'member folders removed and processes gone',
      () =>
        (!existsSync(join(processDir, 'members')) || readdirSync(join(processDir, 'members')).length === 0) &&
        instances.every((i) => markedProcesses(`${INSTANCE_ENV}=${i}`).length === 0),
      { timeoutMs: 20_000, everyMs: 100 },
    );
  });
});
