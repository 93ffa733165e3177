import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { EventRecorder } from '@strato/testing/messaging';
import { FAST_ENV, startInProcessServer, type InProcessServer } from '@strato/testing/server';

/**
 * Termination behaviour (orchestration.md §3.5): a group `tb` holds clusters a1 → a2 (startup
 * order) and a3 (no order); the application also has a cluster `s1` outside the group. A member of
 * a1 is killed (it goes silent like a crashed VM); after the fault timeout a1 turns Inactive, and
 * the group's termination behaviour decides what is terminated before it all comes back. In
 * process: the events of an in-memory broker, and a fake clock that moves while the test waits.
 */
const FAULT_ENV = { ...FAST_ENV, STRATO_MEMBER_FAULT_TIMEOUT: '1500', STRATO_MEMBER_FAULT_CHECK_INTERVAL: '100' };

const cartridge = (type: string) => ({
  type,
  category: 'framework',
  provider: 'apache',
  host: 'strato.test',
  portMapping: [{ protocol: 'http', port: 8080, proxyPort: 8280 }],
  iaasProvider: [{ type: 'mock', imageId: 'img' }],
});

async function setUp(server: InProcessServer): Promise<void> {
  const calls: [string, unknown][] = [
    ['/api/networkPartitions', { id: 'np-tb', provider: 'mock', partitions: [{ id: 'p1' }] }],
    [
      '/api/deploymentPolicies',
      { id: 'dp-tb', networkPartitions: [{ id: 'np-tb', partitionAlgo: 'one-after-another', partitions: [{ id: 'p1', partitionMax: 20 }] }] },
    ],
    [
      '/api/autoscalingPolicies',
      { id: 'as-tb', loadThresholds: { requestsInFlight: { threshold: 80 }, memoryConsumption: { threshold: 90 }, loadAverage: { threshold: 90 } } },
    ],
    ['/api/applicationPolicies', { id: 'ap-tb', algorithm: 'one-after-another', networkPartitions: ['np-tb'] }],
    ['/api/cartridges', cartridge('tc1')],
    ['/api/cartridges', cartridge('tc2')],
    ['/api/cartridges', cartridge('tc3')],
  ];
  for (const behaviour of ['terminate-none', 'terminate-dependents', 'terminate-all']) {
    calls.push([
      '/api/cartridgeGroups',
      {
        name: `tb-${behaviour}`,
        cartridges: ['tc1', 'tc2', 'tc3'],
        dependencies: { startupOrders: [{ aliases: ['cartridge.a1', 'cartridge.a2'] }], terminationBehaviour: behaviour },
      },
    ]);
  }
  for (const [path, body] of calls) {
    const res = await server.call('POST', path, body);
    assert.equal(res.status, 201, `${path}: ${JSON.stringify(res.body)}`);
  }
}

const sub = (type: string, alias: string, withPolicy = false) => ({
  type,
  cartridgeMin: 1,
  cartridgeMax: 2,
  subscribableInfo: { alias, autoscalingPolicy: 'as-tb', ...(withPolicy ? { deploymentPolicy: 'dp-tb' } : {}) },
});

function application(id: string, behaviour: string) {
  return {
    applicationId: id,
    alias: id,
    components: {
      cartridges: [sub('tc1', 's1', true)],
      groups: [
        {
          name: `tb-${behaviour}`,
          alias: 'tb',
          groupMinInstances: 1,
          groupMaxInstances: 1,
          deploymentPolicy: 'dp-tb',
          cartridges: [sub('tc1', 'a1'), sub('tc2', 'a2'), sub('tc3', 'a3')],
        },
      ],
    },
  };
}

const clusterOf = (appId: string, alias: string, type: string) => `${appId}.${alias}.${type}.domain`;

describe('termination behaviour when a member of a group fails', () => {
  let server: InProcessServer;
  let recorder: EventRecorder;
  before(async () => {
    server = await startInProcessServer({}, FAULT_ENV);
    recorder = server.recorder;
    await setUp(server);
  });
  after(() => server?.stop());

  const cases: [string, string[], boolean][] = [
    // behaviour, clusters (aliases) terminated, group instance terminated
    ['terminate-none', [], false],
    ['terminate-dependents', ['a1', 'a2'], false],
    ['terminate-all', ['a1', 'a2', 'a3'], true],
  ];
  for (const [behaviour, terminated, groupTerminated] of cases) {
    it(behaviour, async () => {
      const appId = `tb-${behaviour.replace('terminate-', '')}`;
      assert.equal((await server.call('POST', '/api/applications', application(appId, behaviour))).status, 201);
      assert.equal((await server.call('POST', `/api/applications/${appId}/deploy/ap-tb`, '')).status, 202);
      const runtime = await server.waitFor(`${appId} Active`, async () => {
        const r = await server.call('GET', `/api/applications/${appId}/runtime`);
        return r.body.status === 'Active' ? r.body : undefined;
      });
      await server.waitFor('activation on the wire', () => recorder.first('ApplicationInstanceActivatedEvent', (p) => p.appId === appId));
      const group = runtime.applicationInstances[0].groupInstances[0];
      const a1 = group.clusterInstances.find((c: any) => c.alias === 'a1');
      const victim = a1.member[0].memberId;
      const since = recorder.events.length;

      assert.equal((await server.call('POST', `/mock-iaas/api/instances/${encodeURIComponent(victim)}/kill`, '')).status, 200);
      const a1Id = clusterOf(appId, 'a1', 'tc1');
      await server.waitFor('a1 Inactive', () => recorder.first('ClusterInstanceInactivateEvent', (p) => p.clusterId === a1Id));
      await server.waitFor('member fault reported', () => recorder.first('MemberFaultEvent', (p) => p.memberId === victim));
      // back to Active: a new activation of the application instance after the fault
      await server.waitFor(
        `${appId} Active again`,
        () => recorder.events.slice(since).find((e) => e.name === 'ApplicationInstanceActivatedEvent' && e.payload.appId === appId),
        30_000,
      );
      const after = recorder.events.slice(since);
      const terminating = new Set(
        after.filter((e) => e.name === 'ClusterInstanceTerminatingEvent' && e.payload.appId === appId).map((e) => e.payload.clusterId as string),
      );
      const expected = new Set(terminated.map((alias) => clusterOf(appId, alias, { a1: 'tc1', a2: 'tc2', a3: 'tc3' }[alias]!)));
      assert.deepEqual([...terminating].sort(), [...expected].sort(), 'exactly these clusters are terminated');
      assert.ok(!terminating.has(clusterOf(appId, 's1', 'tc1')), 'the cluster outside the group is never terminated');
      const groupTerminating = after.some((e) => e.name === 'GroupInstanceTerminatingEvent' && e.payload.appId === appId);
      assert.equal(groupTerminating, groupTerminated, 'the group instance is terminated only with terminate-all');
      assert.ok(!after.some((e) => e.name === 'ApplicationInstanceTerminatingEvent' && e.payload.appId === appId));
      // the faulty member was replaced; every terminated cluster was re-created, a2 after a1 is Active again
      const rt = await server.waitFor('all clusters Active', async () => {
        const r = (await server.call('GET', `/api/applications/${appId}/runtime`)).body;
        const cis = r.applicationInstances[0].groupInstances[0].clusterInstances;
        return r.status === 'Active' && cis.every((c: any) => c.status === 'Active') ? r : undefined;
      });
      const members = rt.applicationInstances[0].groupInstances[0].clusterInstances.flatMap((c: any) => c.member);
      assert.ok(!members.some((m: any) => m.memberId === victim), 'the killed member is gone');
      if (terminated.includes('a2')) {
        const a1Active = after.filter((e) => e.name === 'ClusterInstanceActivatedEvent' && e.payload.clusterId === a1Id).at(-1)!;
        const a2Created = after.filter((e) => e.name === 'ClusterInstanceCreatedEvent' && e.payload.clusterId === clusterOf(appId, 'a2', 'tc2')).at(-1)!;
        assert.ok(a2Created.seq > a1Active.seq, 'a2 is re-created after a1 is Active again');
      }
      assert.equal((await server.call('POST', `/api/applications/${appId}/undeploy`, '')).status, 202);
      await server.waitFor(`${appId} undeployed`, async () => (await server.call('GET', `/api/applications/${appId}`)).body.status === 'Created', 30_000);
    });
  }
});
