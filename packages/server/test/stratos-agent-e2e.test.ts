/**
 * Stratos's own Python cartridge agent (4.1.6, ported to Python 3 by ../shared/stratos-agent/setup.sh,
 * run unchanged) as a member of strato, end to end. Until the process IaaS lands, the test plays the
 * IaaS by hand: the application is deployed on an agentless mock provider, the test takes the
 * member's launch payload (as a VM would get it), writes agent.conf and payload/launch-params into
 * a copy of the agent, starts it in a process group of its own, and serves the member's port itself.
 *
 * Two members run side by side, each an application of its own: `repo`, whose cartridge
 * subscription has an artifact repository (a real git repository served over HTTP, git's dumb
 * protocol, that demands the configured user and password), so it activates only after strato's
 * ArtifactUpdatedEvent and only if the agent decrypted the password with its CARTRIDGE_KEY (the
 * clone authenticates with it); and `plain`, without one, which activates after its port check.
 * Then: both reach Active; their health statistics arrive over Thrift and keep them Active across
 * three fault-detection timeouts; on undeploy each gets the cleanup event, answers
 * InstanceMaintenanceModeEvent and InstanceReadyToShutdownEvent itself, and is terminated
 * (graceful); the agents' logs show no error and no exception from any event strato sent them.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runAgentMember, stratosAgent, type AgentMember, type StratosAgent } from '@strato/testing';
import { EventRecorder } from '@strato/testing/messaging';
import { waitFor } from '@strato/testing';
import { AGENTLESS, membersOf, registerSingleCartridgeApp, startLoggedServer, type LoggedServer } from './broker-agent.ts';
import { bareRepository } from './repo-app.ts';
import { sampleText } from '@strato/testing';

const REPO_USER = 'deployer';
const REPO_PASSWORD = 'Git-Pa55word!';
/** strato's member fault timeout here; the agent sends statistics every second */
const FAULT_TIMEOUT = 10_000;

/** An HTTP server on 127.0.0.1 (port 0: any). */
async function listen(server: Server, port = 0): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

/** Serves the files of a bare repository (git's dumb HTTP protocol) to the given user only. */
function gitHttpServer(root: string, user: string, password: string, requests: { authorized: boolean; path: string }[]): Server {
  const expected = 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');
  return createServer((req, res) => {
    const authorized = req.headers.authorization === expected;
    const path = normalize(decodeURIComponent((req.url ?? '/').split('?')[0]));
    requests.push({ authorized, path });
    if (!authorized) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="artifacts"' }).end();
      return;
    }
    const file = join(root, path);
    if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
}

/** One member: an application with one cartridge of its own, the agent, the server on its port. */
interface Scenario {
  name: 'repo' | 'plain';
  appId: string;
  cartridge: string;
  web: Server;
  webPort: number;
  appPath: string;
  member?: AgentMember;
  memberId?: string;
  startedAt?: number;
  activeAt?: number;
}

describe("Stratos's Python cartridge agent as a member of strato", () => {
  let agent: StratosAgent | string;
  let server: LoggedServer;
  let recorder: EventRecorder;
  let repoRoot: string;
  let git: Server;
  const gitRequests: { authorized: boolean; path: string }[] = [];
  const scenarios: Scenario[] = [];

  before(async () => {
    agent = await stratosAgent();
    if (typeof agent === 'string') return;
    const bare = bareRepository();
    repoRoot = dirname(bare);
    execFileSync('git', ['--git-dir', bare, 'update-server-info']);
    git = gitHttpServer(repoRoot, REPO_USER, REPO_PASSWORD, gitRequests);
    const gitPort = await listen(git);

    server = await startLoggedServer({
      STRATO_MEMBER_FAULT_TIMEOUT: String(FAULT_TIMEOUT),
      STRATO_MEMBER_FAULT_CHECK_INTERVAL: '250',
      STRATO_CLUSTER_MONITOR_INTERVAL: '1000',
      STRATO_MEMBER_LIST_WATCHER_INTERVAL: '1000',
      // Stratos's interval: a complete topology replaces the agent's own, and one that shows the
      // member Starting before StartServers runs (5 s after InstanceStartedEvent) makes the agent
      // skip StartServers ("Member has not initialized"), in Stratos as in strato
      STRATO_COMPLETE_TOPOLOGY_INTERVAL: '60000',
    });
    recorder = await EventRecorder.connect(server.mbUrls[0], server.mbCredentials);
    await registerSingleCartridgeApp(server.call); // autoscaling policy
    const posts: [string, unknown][] = [
      ['/api/networkPartitions', { id: 'np-py', provider: AGENTLESS, partitions: [{ id: 'p-py', property: [{ name: 'region', value: 'default' }] }] }],
      [
        '/api/deploymentPolicies',
        { id: 'dp-py', networkPartitions: [{ id: 'np-py', partitionAlgo: 'one-after-another', partitions: [{ id: 'p-py', partitionMax: 5 }] }] },
      ],
      ['/api/applicationPolicies', { id: 'ap-py', algorithm: 'one-after-another', networkPartitions: ['np-py'] }],
    ];
    for (const name of ['repo', 'plain'] as const) {
      // the member's own server: the port its cartridge declares, which the agent checks before activating
      const web = createServer((_req, res) => res.end('member up\n'));
      const webPort = await listen(web);
      const sc: Scenario = {
        name,
        appId: `py-${name}`,
        cartridge: `py${name}`,
        web,
        webPort,
        appPath: join(mkdtempSync(join(tmpdir(), 'strato-app-path-')), 'app'),
      };
      scenarios.push(sc);
      const php = JSON.parse(sampleText('cartridges/mock/php.json'));
      const cartridge = {
        ...php,
        type: sc.cartridge,
        displayName: sc.cartridge,
        portMapping: [{ name: 'http-web', protocol: 'http', port: webPort, proxyPort: 0 }],
      };
      const app = JSON.parse(sampleText('applications/simple/single-cartridge-app/artifacts/application.json'));
      app.applicationId = sc.appId;
      app.alias = sc.appId;
      app.components.cartridges[0].type = sc.cartridge;
      const info = app.components.cartridges[0].subscribableInfo;
      Object.assign(info, { alias: `my-${name}`, deploymentPolicy: 'dp-py' });
      if (name === 'repo')
        info.artifactRepository = {
          privateRepo: true,
          repoUrl: `http://127.0.0.1:${gitPort}/artifacts.git`,
          repoUsername: REPO_USER,
          repoPassword: REPO_PASSWORD,
        };
      else delete info.artifactRepository;
      posts.push(['/api/cartridges', cartridge], ['/api/applications', app]);
    }
    for (const [path, body] of posts) {
      const r = await server.call('POST', path, body);
      assert.equal(r.status, 201, `${path}: ${JSON.stringify(r.body)}`);
    }
  });

  after(async () => {
    for (const sc of scenarios) {
      await sc.member?.stop({ keep: process.env.STRATO_KEEP_AGENT === '1' });
      await new Promise((r) => sc.web.close(r));
      rmSync(dirname(sc.appPath), { recursive: true, force: true });
    }
    await recorder?.close();
    await server?.stop();
    if (git) await new Promise((r) => git.close(r));
    if (repoRoot) rmSync(repoRoot, { recursive: true, force: true });
  });

  const statusOf = async (sc: Scenario) => (await membersOf(server.call, sc.appId)).members.find((m) => m.memberId === sc.memberId)?.status;
  const [repo, plain] = [() => scenarios[0], () => scenarios[1]];

  /** Deploys the scenario's application and starts an agent on its member's launch payload. */
  async function launch(sc: Scenario, a: StratosAgent): Promise<void> {
    assert.equal((await server.call('POST', `/api/applications/${sc.appId}/deploy/ap-py`, '')).status, 202);
    const m = await waitFor(`${sc.name}: member Initialized`, async () => {
      const r = await membersOf(server.call, sc.appId);
      return r.members[0]?.status === 'Initialized' ? r.members[0] : undefined;
    });
    sc.memberId = m.memberId;
    // the launch payload exactly as the IaaS was given it (a VM's user data)
    const payload: string = (await server.call('GET', `/mock-iaas/api/instances/${encodeURIComponent(m.memberId)}`)).body.payload;
    assert.match(payload, new RegExp(`(^|,)PORTS=${sc.webPort}(,|$)`));
    const db = server.databridge!;
    await db.ready;
    sc.startedAt = Date.now();
    sc.member = runAgentMember(a, {
      conf: {
        'mb.urls': new URL(server.mbUrls[0]).host,
        'mb.publisher.timeout': 900,
        'listen.address': '127.0.0.1',
        'port.check.timeout': 60_000,
        'thrift.receiver.urls': `127.0.0.1:${db.port}`,
        'thrift.server.admin.username': db.account.username,
        'thrift.server.admin.password': db.account.password,
        'cep.stats.publisher.enabled': true,
        'stats.notifier.interval': 1,
        // the clone needs the checkout plugin (auto.checkout); the update task (enable.artifact.update)
        // is what the agent's ApplicationSignUpRemovedEvent handler stops at undeploy (without one it fails)
        'enable.artifact.update': sc.name === 'repo',
        'artifact.update.interval': 10,
        'auto.checkout': sc.name === 'repo',
        'auto.commit': false,
        'enable.data.publisher': false,
        'artifact.clone.retries': 2,
        'artifact.clone.interval': 1,
        APPLICATION_PATH: sc.appPath,
        'metadata.service.url': server.url,
      },
      launchParams: payload,
    });
  }

  it('both reach Active; the one with a repository after the ArtifactUpdatedEvent and a clone that authenticates with the decrypted password', async (t) => {
    if (typeof agent === 'string') return t.skip(agent);
    for (const sc of scenarios) await launch(sc, agent);
    for (const sc of scenarios) {
      await waitFor(`${sc.name}: member Active`, async () => (await statusOf(sc)) === 'Active', { timeoutMs: 90_000, everyMs: 200 });
      sc.activeAt = Date.now();
      const started = recorder.first('InstanceStartedEvent', (p) => p.memberId === sc.memberId)!;
      t.diagnostic(
        `${sc.name}: agent start -> InstanceStartedEvent ${started.at - sc.startedAt!} ms, -> Active ${sc.activeAt - sc.startedAt!} ms (observed every 200 ms)`,
      );
      assert.ok(recorder.first('MemberActivatedEvent', (p) => p.memberId === sc.memberId));
    }
    const r = repo();
    const started = recorder.first('InstanceStartedEvent', (p) => p.memberId === r.memberId)!;
    const artifact = recorder.first('ArtifactUpdatedEvent', (p) => p.clusterId === started.payload.clusterId);
    assert.ok(artifact && artifact.seq > started.seq, 'the ArtifactUpdatedEvent answers the InstanceStartedEvent');
    const activated = recorder.first('InstanceActivatedEvent', (p) => p.memberId === r.memberId)!;
    assert.ok(activated.seq > artifact.seq, 'activated only after the ArtifactUpdatedEvent');
    assert.equal(readFileSync(join(r.appPath, 'index.html'), 'utf8'), '<h1>strato artifact</h1>\n', 'the repository was cloned into APPLICATION_PATH');
    assert.ok(
      gitRequests.some((q) => q.authorized && q.path.endsWith('/info/refs')),
      'git authenticated with the password the agent decrypted',
    );
    const p = plain();
    const plainCluster = recorder.first('InstanceStartedEvent', (e) => e.memberId === p.memberId)!.payload.clusterId;
    assert.equal(recorder.named('ArtifactUpdatedEvent', (e) => e.clusterId === plainCluster).length, 0, 'no repository, no ArtifactUpdatedEvent');
    assert.ok(!existsSync(p.appPath), 'nothing cloned');
  });

  it(`both stay Active across three fault timeouts (${FAULT_TIMEOUT} ms): their statistics arrive over Thrift`, async (t) => {
    if (typeof agent === 'string') return t.skip(agent);
    assert.ok(
      scenarios.every((sc) => sc.activeAt),
      'the members came up',
    );
    const stats = (sc: Scenario) => recorder.named('MemberHealthStatEvent', (p) => p.memberId === sc.memberId);
    for (const sc of scenarios) {
      const first = await waitFor(`${sc.name}: the first statistic`, () => stats(sc)[0], { timeoutMs: 30_000, everyMs: 100 });
      t.diagnostic(`${sc.name}: first statistic ${first.at - sc.activeAt!} ms after Active`);
    }
    const since = Math.max(...scenarios.map((sc) => sc.activeAt!));
    // an observation window of three fault timeouts from the later activation, checked all along
    await waitFor(
      'three fault timeouts of Active',
      async () => {
        for (const sc of scenarios) {
          assert.equal(recorder.named('MemberFaultEvent', (p) => p.memberId === sc.memberId).length, 0, `${sc.name}: no MemberFaultEvent`);
          assert.equal(await statusOf(sc), 'Active', sc.name);
        }
        return Date.now() - since > 3 * FAULT_TIMEOUT;
      },
      { timeoutMs: 3 * FAULT_TIMEOUT + 30_000, everyMs: 500 },
    );
    for (const sc of scenarios) {
      const all = stats(sc);
      assert.deepEqual([...new Set(all.map((s) => s.payload.healthDescription))].sort(), ['load_average', 'memory_consumption']);
      const gaps = all.slice(1).map((s, i) => s.at - all[i].at);
      assert.ok(Math.max(...gaps) < FAULT_TIMEOUT / 2, `${sc.name}: statistics come steadily (largest gap ${Math.max(...gaps)} ms, ${all.length} in all)`);
      t.diagnostic(`${sc.name}: ${all.length} statistics; largest gap ${Math.max(...gaps)} ms`);
      assert.deepEqual(
        (await membersOf(server.call, sc.appId)).members.map((m) => m.memberId),
        [sc.memberId],
        `${sc.name}: no replacement member`,
      );
    }
  });

  it('on undeploy each cleans up and announces ReadyToShutdown itself; each is terminated gracefully', async (t) => {
    if (typeof agent === 'string') return t.skip(agent);
    assert.ok(
      scenarios.every((sc) => sc.activeAt),
      'the members came up',
    );
    for (const sc of scenarios) {
      const undeployAt = Date.now();
      assert.equal((await server.call('POST', `/api/applications/${sc.appId}/undeploy`, '')).status, 202);
      const ready = await waitFor(
        `${sc.name}: InstanceReadyToShutdownEvent from the agent`,
        () => recorder.first('InstanceReadyToShutdownEvent', (p) => p.memberId === sc.memberId),
        { timeoutMs: 60_000, everyMs: 100 },
      );
      const maintenance = recorder.first('InstanceMaintenanceModeEvent', (p) => p.memberId === sc.memberId);
      assert.ok(maintenance && maintenance.seq < ready.seq, 'maintenance mode first');
      const cleanup = recorder.events.find(
        (e) =>
          (e.name === 'InstanceCleanupMemberEvent' && e.payload.memberId === sc.memberId) ||
          (e.name === 'InstanceCleanupClusterEvent' && e.payload.clusterId === ready.payload.clusterId),
      );
      assert.ok(cleanup && cleanup.seq < maintenance.seq, 'after the cleanup request');
      await waitFor(`${sc.name}: MemberTerminatedEvent`, () => recorder.first('MemberTerminatedEvent', (p) => p.memberId === sc.memberId), {
        timeoutMs: 30_000,
        everyMs: 100,
      });
      // its instance is gone: as an IaaS ends the VM, the test ends the agent (it never exits by itself); its logs stay
      assert.equal(sc.member!.exited(), false, 'the agent was still running');
      await sc.member!.stop({ keep: true });
      await waitFor(`${sc.name}: application Created`, async () => (await server.call('GET', `/api/applications/${sc.appId}`)).body.status === 'Created', {
        timeoutMs: 30_000,
        everyMs: 100,
      });
      t.diagnostic(`${sc.name}: undeploy -> InstanceReadyToShutdownEvent ${ready.at - undeployAt} ms`);
    }
    assert.ok(recorder.first('ApplicationSignUpRemovedEvent', (p) => p.applicationId === repo().appId));
  });

  it('every event strato sent was taken by the agents without an error or exception in their logs', (t) => {
    if (typeof agent === 'string') return t.skip(agent);
    for (const sc of scenarios) {
      assert.ok(sc.member, `${sc.name}: the agent ran`);
      const log = sc.member.log();
      assert.ok(log.length > 1000, 'agent.log was written');
      // One ERROR is the agent's own: it logs one for the MemberTerminatedEvent of any member that its
      // topology (taken at its start) does not show Initialized — here the other application's member,
      // terminated while this agent runs (cartridge-agent.md §1.7; Stratos's agent does the same). Nothing else.
      const quirk = /Member has not initialized, failed to execute member terminated event/;
      const errors = sc.member
        .errorLog()
        .split('\n')
        .filter((l) => l.trim() !== '' && !quirk.test(l));
      assert.deepEqual(errors, [], `${sc.name}: error.log`);
      // the only tracebacks: yapsy's at DEBUG level while it loads plugins (harmless, README); no other error, warning or exception line
      const count = (text: string) => log.split(text).length - 1;
      assert.equal(count('Traceback (most recent call last)'), count('TypeError: issubclass() arg 1 must be a class'), "no traceback but yapsy's");
      assert.deepEqual(
        log.split('\n').filter((l) => /\] (ERROR|CRITICAL|WARNING|WARN) \{|Error processing|Cartridge Agent Exception/.test(l) && !quirk.test(l)),
        [],
        sc.name,
      );
      // it received what strato sent it on its topics
      const topics = [
        'topology/CompleteTopologyEvent',
        'topology/MemberInitializedEvent',
        'topology/MemberActivatedEvent',
        'tenant/CompleteTenantEvent',
        'instance/notifier/InstanceCleanupMemberEvent',
      ];
      if (sc.name === 'repo') topics.push('instance/notifier/ArtifactUpdatedEvent', 'application/signup/ApplicationSignUpRemovedEvent');
      for (const topic of topics) assert.ok(log.includes(`Message received: ${topic}`), `${sc.name}: ${topic}`);
      assert.match(log, /Published event to thrift stream/);
    }
    assert.match(repo().member!.log(), /Executing checkout job on artifact updated event/);
    assert.ok(!server.lines.join('\n').includes(REPO_PASSWORD), "the repository password is not in strato's log");
  });
});
