/**
 * Stratos's own Python cartridge agent (4.1.6, ported to Python 3 by ../shared/stratos-agent/setup.sh,
 * run unchanged) as a member of strato, end to end. Until the process IaaS lands, the test plays the
 * IaaS by hand: the application is deployed on an agentless mock provider, the test takes the
 * member's launch payload (as a VM would get it), writes agent.conf and payload/launch-params into
 * a copy of the agent, starts it in a process group of its own, and serves the member's port itself.
 *
 * The cartridge subscription has an artifact repository: a real git repository served over HTTP
 * (git's dumb protocol) that demands the configured user and password. So the member activates
 * only after strato's ArtifactUpdatedEvent, and only if the agent decrypted the password with its
 * CARTRIDGE_KEY (the clone authenticates with it). Then: the member reaches Active; its health
 * statistics arrive over Thrift and keep it Active across three fault-detection timeouts; on
 * undeploy it gets the cleanup event, answers InstanceMaintenanceModeEvent and
 * InstanceReadyToShutdownEvent itself, and is terminated (graceful); the agent's logs show no error
 * and no exception from any event strato sent it.
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
import { EventRecorder } from './event-recorder.ts';
import { waitFor } from './kit.ts';
import { AGENTLESS, membersOf, registerSingleCartridgeApp, startLoggedServer, type LoggedServer } from './broker-agent.ts';
import { bareRepository } from './repo-app.ts';
import { sampleText } from './samples.ts';

const APP = 'py-app';
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

describe("Stratos's Python cartridge agent as a member of strato", () => {
  let agent: StratosAgent | string;
  let server: LoggedServer;
  let recorder: EventRecorder;
  let member: AgentMember | undefined;
  let repoRoot: string;
  let git: Server;
  let web: Server;
  let webPort: number;
  let appPath: string;
  const gitRequests: { authorized: boolean; path: string }[] = [];
  const webRequests: string[] = [];
  let memberId: string;
  let startedAt: number;
  let activeAt: number;

  before(async () => {
    agent = await stratosAgent();
    if (typeof agent === 'string') return;
    const bare = bareRepository();
    repoRoot = dirname(bare);
    execFileSync('git', ['--git-dir', bare, 'update-server-info']);
    git = gitHttpServer(repoRoot, REPO_USER, REPO_PASSWORD, gitRequests);
    const gitPort = await listen(git);
    // the member's own server: the port its cartridge declares, which the agent checks before activating
    web = createServer((req, res) => {
      webRequests.push(req.url ?? '');
      res.end('member up\n');
    });
    webPort = await listen(web);

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
    const php = JSON.parse(sampleText('cartridges/mock/php.json'));
    const cartridge = { ...php, type: 'pyagent', displayName: 'pyagent', portMapping: [{ name: 'http-web', protocol: 'http', port: webPort, proxyPort: 0 }] };
    const app = JSON.parse(sampleText('applications/simple/single-cartridge-app/artifacts/application.json'));
    app.applicationId = APP;
    app.alias = APP;
    app.components.cartridges[0].type = 'pyagent';
    Object.assign(app.components.cartridges[0].subscribableInfo, {
      alias: 'my-py',
      deploymentPolicy: 'dp-py',
      artifactRepository: { privateRepo: true, repoUrl: `http://127.0.0.1:${gitPort}/artifacts.git`, repoUsername: REPO_USER, repoPassword: REPO_PASSWORD },
    });
    const posts: [string, unknown][] = [
      ['/api/cartridges', cartridge],
      ['/api/networkPartitions', { id: 'np-py', provider: AGENTLESS, partitions: [{ id: 'p-py', property: [{ name: 'region', value: 'default' }] }] }],
      ['/api/deploymentPolicies', { id: 'dp-py', networkPartitions: [{ id: 'np-py', partitionAlgo: 'one-after-another', partitions: [{ id: 'p-py', partitionMax: 5 }] }] }],
      ['/api/applicationPolicies', { id: 'ap-py', algorithm: 'one-after-another', networkPartitions: ['np-py'] }],
      ['/api/applications', app],
    ];
    for (const [path, body] of posts) {
      const r = await server.call('POST', path, body);
      assert.equal(r.status, 201, `${path}: ${JSON.stringify(r.body)}`);
    }
  });

  after(async () => {
    await member?.stop({ keep: process.env.STRATO_KEEP_AGENT === '1' });
    await recorder?.close();
    await server?.stop();
    await new Promise((r) => (git ? git.close(r) : r(undefined)));
    await new Promise((r) => (web ? web.close(r) : r(undefined)));
    if (repoRoot) rmSync(repoRoot, { recursive: true, force: true });
    if (appPath) rmSync(dirname(appPath), { recursive: true, force: true });
  });

  const myMember = async () => (await membersOf(server.call, APP)).members.find((m) => m.memberId === memberId);

  it('reaches Active: the ArtifactUpdatedEvent comes first, the clone authenticates with the decrypted password, the port check passes', async (t) => {
    if (typeof agent === 'string') return t.skip(agent);
    assert.equal((await server.call('POST', `/api/applications/${APP}/deploy/ap-py`, '')).status, 202);
    const m = await waitFor('member Initialized', async () => {
      const r = await membersOf(server.call, APP);
      return r.members[0]?.status === 'Initialized' ? r.members[0] : undefined;
    });
    memberId = m.memberId;
    // the launch payload exactly as the IaaS was given it (a VM's user data)
    const payload: string = (await server.call('GET', `/mock-iaas/api/instances/${encodeURIComponent(memberId)}`)).body.payload;
    assert.match(payload, new RegExp(`(^|,)PORTS=${webPort}(,|$)`));
    appPath = join(mkdtempSync(join(tmpdir(), 'strato-app-path-')), 'app');
    const db = server.databridge!;
    await db.ready;
    startedAt = Date.now();
    member = runAgentMember(agent, {
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
        'enable.artifact.update': true,
        'artifact.update.interval': 10,
        'auto.checkout': true,
        'auto.commit': false,
        'enable.data.publisher': false,
        'artifact.clone.retries': 2,
        'artifact.clone.interval': 1,
        APPLICATION_PATH: appPath,
        'metadata.service.url': server.url,
      },
      launchParams: payload,
    });

    const started = await waitFor('InstanceStartedEvent from the agent', () => recorder.first('InstanceStartedEvent', (p) => p.memberId === memberId), 60_000, 100);
    const artifact = await waitFor('ArtifactUpdatedEvent', () => recorder.first('ArtifactUpdatedEvent', (p) => p.clusterId === started.payload.clusterId), 10_000, 100);
    assert.ok(artifact.seq > started.seq);
    await waitFor('member Active', async () => (await myMember())?.status === 'Active', 90_000, 200);
    activeAt = Date.now();
    t.diagnostic(`agent start -> InstanceStartedEvent ${started.at - startedAt} ms, -> Active ${activeAt - startedAt} ms`);
    const activated = recorder.first('InstanceActivatedEvent', (p) => p.memberId === memberId)!;
    assert.ok(activated.seq > artifact.seq, 'activated only after the ArtifactUpdatedEvent');
    assert.equal(readFileSync(join(appPath, 'index.html'), 'utf8'), '<h1>strato artifact</h1>\n', 'the repository was cloned into APPLICATION_PATH');
    assert.ok(gitRequests.some((r) => r.authorized && r.path.endsWith('/info/refs')), 'git authenticated with the password the agent decrypted');
    assert.ok(recorder.first('MemberActivatedEvent', (p) => p.memberId === memberId));
  });

  it(`stays Active across three fault timeouts (${FAULT_TIMEOUT} ms): its statistics arrive over Thrift`, async (t) => {
    if (typeof agent === 'string') return t.skip(agent);
    assert.ok(activeAt, 'the member came up');
    const stats = () => recorder.named('MemberHealthStatEvent', (p) => p.memberId === memberId);
    const first = await waitFor('the first statistic', () => stats()[0], 30_000, 100);
    t.diagnostic(`first statistic ${first.at - activeAt} ms after Active`);
    // an observation window of three fault timeouts from activation, checked all along
    await waitFor(
      'three fault timeouts of Active',
      async () => {
        assert.equal(recorder.named('MemberFaultEvent', (p) => p.memberId === memberId).length, 0, 'no MemberFaultEvent');
        assert.equal((await myMember())?.status, 'Active');
        return Date.now() - activeAt > 3 * FAULT_TIMEOUT;
      },
      3 * FAULT_TIMEOUT + 30_000,
      500,
    );
    const all = stats();
    const kinds = new Set(all.map((s) => s.payload.healthDescription));
    assert.deepEqual([...kinds].sort(), ['load_average', 'memory_consumption']);
    const gaps = all.slice(1).map((s, i) => s.at - all[i].at);
    assert.ok(Math.max(...gaps) < FAULT_TIMEOUT / 2, `statistics come steadily (largest gap ${Math.max(...gaps)} ms, ${all.length} in all)`);
    t.diagnostic(`${all.length} statistics; largest gap ${Math.max(...gaps)} ms`);
    assert.deepEqual(
      (await membersOf(server.call, APP)).members.map((m) => m.memberId),
      [memberId],
      'no replacement member',
    );
  });

  it('on undeploy it cleans up and announces ReadyToShutdown itself; it is terminated gracefully', async (t) => {
    if (typeof agent === 'string') return t.skip(agent);
    assert.ok(activeAt, 'the member came up');
    const undeployAt = Date.now();
    assert.equal((await server.call('POST', `/api/applications/${APP}/undeploy`, '')).status, 202);
    const ready = await waitFor('InstanceReadyToShutdownEvent from the agent', () => recorder.first('InstanceReadyToShutdownEvent', (p) => p.memberId === memberId), 60_000, 100);
    const maintenance = recorder.first('InstanceMaintenanceModeEvent', (p) => p.memberId === memberId);
    assert.ok(maintenance && maintenance.seq < ready.seq, 'maintenance mode first');
    const cleanup = recorder.events.find((e) => (e.name === 'InstanceCleanupMemberEvent' && e.payload.memberId === memberId) || e.name === 'InstanceCleanupClusterEvent');
    assert.ok(cleanup && cleanup.seq < maintenance.seq, 'after the cleanup request');
    await waitFor('MemberTerminatedEvent', () => recorder.first('MemberTerminatedEvent', (p) => p.memberId === memberId), 30_000, 100);
    await waitFor('application Created', async () => (await server.call('GET', `/api/applications/${APP}`)).body.status === 'Created', 30_000, 100);
    t.diagnostic(`undeploy -> InstanceReadyToShutdownEvent ${ready.at - undeployAt} ms`);
    assert.ok(recorder.first('ApplicationSignUpRemovedEvent', (p) => p.applicationId === APP));
  });

  it("every event strato sent was taken by the agent without an error or exception in its logs", (t) => {
    if (typeof agent === 'string') return t.skip(agent);
    assert.ok(member, 'the agent ran');
    const log = member.log();
    assert.ok(log.length > 1000, 'agent.log was written');
    assert.equal(member.exited(), false, 'the agent is still running (it never exits by itself)');
    assert.equal(member.errorLog().trim(), '', 'error.log is empty');
    // the only tracebacks: yapsy's at DEBUG level while it loads plugins (harmless, README); no error, warning or exception line
    const count = (text: string) => log.split(text).length - 1;
    assert.equal(count('Traceback (most recent call last)'), count('TypeError: issubclass() arg 1 must be a class'), 'no traceback but yapsy\'s');
    assert.deepEqual(log.split('\n').filter((l) => /\] (ERROR|CRITICAL|WARNING|WARN) \{|Error processing|Cartridge Agent Exception/.test(l)), []);
    // it received what strato sent it on its topics
    for (const topic of ['topology/CompleteTopologyEvent', 'topology/MemberInitializedEvent', 'topology/MemberActivatedEvent', 'tenant/CompleteTenantEvent', 'instance/notifier/ArtifactUpdatedEvent', 'instance/notifier/InstanceCleanupMemberEvent', 'application/signup/ApplicationSignUpRemovedEvent']) {
      assert.ok(log.includes(`Message received: ${topic}`), topic);
    }
    // the agent saw strato's topology, its member and the artifact event
    assert.match(log, /Executing checkout job on artifact updated event/);
    assert.match(log, /Published event to thrift stream/);
    assert.ok(!server.lines.join('\n').includes(REPO_PASSWORD), 'the repository password is not in strato\'s log');
  });
});
