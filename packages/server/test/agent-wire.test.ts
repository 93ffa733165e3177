/**
 * What Stratos's Python agent needs from strato on the wire, before it is ever run: the
 * CompleteTopologyEvent strato publishes has every key the agent's topology parser requires
 * (cartridge-agent.md §5.3, the list written out below by hand), kubernetesServices and
 * loadBalancerIps included; and a member's launch payload has every key the agent reads
 * (README "payload/launch-params", cartridge-agent.md §2.3), each readable the way the agent
 * splits it. When the agent is set up, its own topology parser also reads the event.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { stratosAgentOrSkip } from '@strato/testing';
import { EventRecorder } from '@strato/testing/messaging';
import { waitFor } from '@strato/testing';
import { launchParamsOf, membersOf, registerAgentApp, registerSingleCartridgeApp, startLoggedServer, type LoggedServer } from './broker-agent.ts';

/** cartridge-agent.md §5.3: keys the Python parser requires, and those Stratos 4.1 always sends. */
const TOPOLOGY_KEYS = ['serviceMap', 'initialized'];
const SERVICE_KEYS = ['serviceName', 'serviceType', 'portMap', 'clusterIdClusterMap'];
const CLUSTER_KEYS = [
  'serviceName',
  'clusterId',
  'autoscalePolicyName',
  'hostNames',
  'isLbCluster',
  'isKubernetesCluster',
  'memberMap',
  'appId',
  'kubernetesServices',
  'instanceIdToInstanceContextMap',
  'accessUrls',
  'loadBalancerIps',
];
const MEMBER_KEYS = [
  'serviceName',
  'clusterId',
  'memberId',
  'clusterInstanceId',
  'networkPartitionId',
  'partitionId',
  'initTime',
  'portMap',
  'memberStateManager',
  'loadBalancingIPType',
];
const PORT_KEYS = ['protocol', 'value', 'proxy'];

/** README "payload/launch-params": mandatory, needed in practice, and the broker credentials. */
const PAYLOAD_KEYS = [
  'APPLICATION_ID',
  'SERVICE_NAME',
  'CLUSTER_ID',
  'PORTS',
  'MULTITENANT',
  'TENANT_ID',
  'CARTRIDGE_KEY',
  'MEMBER_ID',
  'CLUSTER_INSTANCE_ID',
  'NETWORK_PARTITION_ID',
  'PARTITION_ID',
  'REPO_URL',
  'mb.username',
  'mb.password',
];

const has = (o: Record<string, unknown>, keys: string[], where: string) => {
  for (const k of keys) assert.ok(k in o, `${where} has ${k}`);
};

describe("what Stratos's Python agent reads from strato", () => {
  let server: LoggedServer;
  let recorder: EventRecorder;
  let member: { memberId: string };
  before(async () => {
    server = await startLoggedServer();
    recorder = await EventRecorder.connect(server.mbUrls[0], server.mbCredentials);
    await registerSingleCartridgeApp(server.call);
    await registerAgentApp(server.call);
    assert.equal((await server.call('POST', '/api/applications/agent-app/deploy/ap-agent', '')).status, 202);
    member = await waitFor('agent-app member Initialized', async () => {
      const m = await membersOf(server.call, 'agent-app');
      return m.members[0]?.status === 'Initialized' ? m.members[0] : undefined;
    });
  });
  after(async () => {
    await recorder?.close();
    await server?.stop();
  });

  /** The first CompleteTopologyEvent that shows the member Initialized (what an agent waits for). */
  const topology = () =>
    waitFor('a CompleteTopologyEvent with the member Initialized', () =>
      recorder.events.find(
        (e) =>
          e.name === 'CompleteTopologyEvent' &&
          Object.values<any>(e.payload.topology.serviceMap.php?.clusterIdClusterMap ?? {}).some(
            (c) => c.memberMap[member.memberId]?.memberStateManager.stateStack.at(-1) === 'Initialized',
          ),
      ),
    );

  it('CompleteTopologyEvent: every key of §5.3 at every level, kubernetesServices [] and loadBalancerIps [] on every cluster', async () => {
    const { payload } = await topology();
    const t = payload.topology;
    has(t, TOPOLOGY_KEYS, 'the topology');
    assert.equal(t.initialized, false, 'as Stratos 4.1 sends it: the agent then checks its own member');
    let clusters = 0;
    let members = 0;
    for (const [name, service] of Object.entries<any>(t.serviceMap)) {
      has(service, SERVICE_KEYS, `service ${name}`);
      assert.ok(['SingleTenant', 'MultiTenant'].includes(service.serviceType));
      for (const port of Object.values<any>(service.portMap)) has(port, PORT_KEYS, `a port of ${name}`);
      for (const [id, cluster] of Object.entries<any>(service.clusterIdClusterMap)) {
        clusters++;
        has(cluster, CLUSTER_KEYS, `cluster ${id}`);
        assert.deepEqual(cluster.kubernetesServices, [], `${id}: not on Kubernetes`);
        assert.deepEqual(cluster.loadBalancerIps, []);
        assert.equal(typeof cluster.isLbCluster, 'boolean');
        assert.equal(typeof cluster.isKubernetesCluster, 'boolean');
        assert.ok(Array.isArray(cluster.hostNames));
        for (const [memberId, m] of Object.entries<any>(cluster.memberMap)) {
          members++;
          has(m, MEMBER_KEYS, `member ${memberId}`);
          assert.ok(Array.isArray(m.memberStateManager.stateStack) && m.memberStateManager.stateStack.length > 0);
          for (const port of Object.values<any>(m.portMap)) has(port, PORT_KEYS, `a port of ${memberId}`);
        }
      }
    }
    assert.ok(clusters >= 1 && members >= 1, `${clusters} clusters, ${members} members`);
    const mine = Object.values<any>(t.serviceMap.php.clusterIdClusterMap).find((c) => member.memberId in c.memberMap);
    assert.deepEqual(mine.memberMap[member.memberId].memberStateManager.stateStack.at(-1), 'Initialized', 'the status is the last state');
  });

  it('ApplicationClustersCreatedEvent clusters carry kubernetesServices and loadBalancerIps too', async () => {
    const created = await waitFor('ApplicationClustersCreatedEvent', () => recorder.first('ApplicationClustersCreatedEvent', (p) => p.appId === 'agent-app'));
    for (const c of created.payload.clusterList) {
      assert.deepEqual(c.kubernetesServices, []);
      assert.deepEqual(c.loadBalancerIps, []);
    }
  });

  it('the launch payload has every key the agent reads, each whole when split as the agent splits it', async () => {
    const r = await server.call('GET', `/mock-iaas/api/instances/${encodeURIComponent(member.memberId)}`);
    const text: string = r.body.payload;
    for (const item of text.split(',')) assert.ok(item.split('=').length <= 2, `no value loses text after a second '=': ${item.split('=')[0]}`);
    const p = await launchParamsOf(server.call, member.memberId);
    has(p, PAYLOAD_KEYS, 'the payload');
    const view = await server.call('GET', '/api/applications/agent-app/runtime');
    const ci = view.body.applicationInstances[0].clusterInstances[0];
    assert.equal(p.MEMBER_ID, member.memberId);
    assert.equal(p.APPLICATION_ID, 'agent-app');
    assert.equal(p.SERVICE_NAME, 'php');
    assert.equal(p.CLUSTER_ID, ci.clusterId);
    assert.equal(p.CLUSTER_INSTANCE_ID, ci.instanceId);
    assert.equal(p.NETWORK_PARTITION_ID, 'np-agent');
    assert.equal(p.PARTITION_ID, 'p-agent');
    assert.equal(p.MULTITENANT, 'false');
    assert.equal(p.TENANT_ID, '-1234');
    assert.match(p.CARTRIDGE_KEY, /^[A-Za-z0-9]{16}$/, 'an AES-128 key');
    assert.match(p.PORTS, /^\d+(\|\d+)*$/, 'the ports, |-separated');
    assert.equal(p['mb.username'], member.memberId);
    assert.match(p['mb.password'], /^[A-Za-z0-9_-]{43}$/);
  });

  it("the agent's own topology parser reads the event (when the agent is set up)", async (t) => {
    const agent = await stratosAgentOrSkip(t);
    if (!agent) return;
    const { payload } = await topology();
    const work = mkdtempSync(join(tmpdir(), 'strato-parse-'));
    t.after(() => rmSync(work, { recursive: true, force: true }));
    writeFileSync(join(work, 'topology.json'), JSON.stringify(payload));
    // our script: parse with the agent's CompleteTopologyEvent, then look the member up as the agent does
    writeFileSync(
      join(work, 'parse.py'),
      [
        'import sys',
        'sys.path.insert(0, sys.argv[1])',
        'from modules.event.topology.events import CompleteTopologyEvent',
        'e = CompleteTopologyEvent.create_from_json(open(sys.argv[2]).read())',
        'm = e.get_topology().get_service("php").get_cluster(sys.argv[3]).get_member(sys.argv[4])',
        'print(m.status)',
      ].join('\n'),
    );
    const p = await launchParamsOf(server.call, member.memberId);
    const { stdout } = await promisify(execFile)(
      agent.python,
      [join(work, 'parse.py'), agent.agentDir, join(work, 'topology.json'), p.CLUSTER_ID, member.memberId],
      { cwd: work, timeout: 30_000 },
    );
    assert.equal(stdout.trim(), 'Initialized');
  });
});
