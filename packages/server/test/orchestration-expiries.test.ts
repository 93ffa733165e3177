import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { FAST_ENV, startInProcessServer, type InProcessServer } from '@strato/testing/server';

/**
 * The three member expiries of orchestration.md §3.12 on a server in process (an in-memory broker
 * and a fake clock that moves while the test waits; times below are the clock's), with the
 * timeouts shortened through their settings (the exact instants are unit-tested in
 * packages/model/test/orchestration-member-expiry.test.ts).
 */
const ARTIFACTS: [string, unknown][] = [
  ['/api/networkPartitions', { id: 'exp-np', provider: 'mock', partitions: [{ id: 'p1' }] }],
  [
    '/api/autoscalingPolicies',
    { id: 'exp-as', loadThresholds: { requestsInFlight: { threshold: 20 }, memoryConsumption: { threshold: 70 }, loadAverage: { threshold: 70 } } },
  ],
  [
    '/api/deploymentPolicies',
    { id: 'exp-dp', networkPartitions: [{ id: 'exp-np', partitionAlgo: 'one-after-another', partitions: [{ id: 'p1', partitionMax: 50 }] }] },
  ],
  ['/api/applicationPolicies', { id: 'exp-ap', algorithm: 'one-after-another', networkPartitions: ['exp-np'] }],
  [
    '/api/cartridges',
    {
      type: 'exp-web',
      category: 'framework',
      provider: 'strato',
      host: 'strato.test',
      multiTenant: false,
      portMapping: [{ protocol: 'http', port: 8080, proxyPort: 0 }],
      iaasProvider: [{ type: 'mock', imageId: 'img' }],
    },
  ],
  [
    '/api/applications',
    {
      applicationId: 'exp-app',
      alias: 'exp-app',
      components: {
        cartridges: [
          { type: 'exp-web', cartridgeMin: 1, cartridgeMax: 2, subscribableInfo: { alias: 'web', autoscalingPolicy: 'exp-as', deploymentPolicy: 'exp-dp' } },
        ],
      },
    },
  ],
];

describe('member expiries', () => {
  const open: InProcessServer[] = [];
  after(async () => {
    for (const server of open) await server.stop();
  });

  async function start(env: NodeJS.ProcessEnv) {
    const server = await startInProcessServer({}, { ...FAST_ENV, ...env });
    const { recorder, waitFor } = server;
    open.push(server);
    for (const [path, body] of ARTIFACTS) assert.equal((await server.call('POST', path, body)).status, 201, path);
    assert.equal((await server.call('POST', '/api/applications/exp-app/deploy/exp-ap', '')).status, 202);
    return { server, recorder, waitFor };
  }

  const statusOf = async (server: InProcessServer) => (await server.call('GET', '/api/applications/exp-app')).body.status as string;
  const clusterInstance = (server: InProcessServer) =>
    server.controlPlane.state.apps.get('exp-app')?.clusters['exp-app.web.exp-web.domain']?.instances['exp-app-1'];

  it('pending members expire; after the fifth consecutive expiry the partition timeout doubles, and an activation resets it', async () => {
    // every member boots in 1 s; the pending timeout is 300 ms: members 1-6 expire at 300 ms, the
    // 7th (timeout 600 ms) expires too, the 8th (timeout 1200 ms) has time to activate
    const { server, recorder, waitFor } = await start({
      STRATO_MOCK_BOOT_DELAY: '1000',
      STRATO_PENDING_MEMBER_EXPIRY_TIMEOUT: '300',
      STRATO_CLUSTER_MONITOR_INTERVAL: '50',
      STRATO_MEMBER_LIST_WATCHER_INTERVAL: '50',
    });
    // while members expire, the partition's record counts them
    const counted = await waitFor('two expiries counted', () => {
      const record = clusterInstance(server)?.pendingExpiries?.p1;
      return record && record.consecutive >= 2 ? record : undefined;
    });
    assert.equal(counted.timeoutMs, 300);
    const activated = await waitFor('a member activated', () => recorder.first('MemberActivatedEvent'), 30_000);
    const expired = recorder.events.filter((e) => e.name === 'MemberTerminatedEvent' && e.seq < activated.seq);
    const created = recorder.events.filter((e) => e.name === 'MemberCreatedEvent' && e.seq < activated.seq);
    assert.equal(expired.length, 7, 'seven members expired before one could activate');
    assert.equal(created.length, 8, 'each expired member was replaced');
    assert.equal(activated.payload.memberId, created[7].payload.memberId, 'the eighth member is the one that activated');
    // the seventh member was given the doubled timeout: it ended more than 600 ms after its initTime
    // (the event's arrival is later than the termination it reports, so this lower bound is exact)
    const seventh = created[6].payload;
    const seventhEnd = expired.find((e) => e.payload.memberId === seventh.memberId)!;
    assert.ok(seventhEnd.at - seventh.initTime > 600, `the seventh member ended ${seventhEnd.at - seventh.initTime} ms after its initTime`);
    // the activation reset the partition's record
    await waitFor('the partition record reset', () => clusterInstance(server) !== undefined && clusterInstance(server)!.pendingExpiries === undefined);
    await waitFor('application Active', async () => (await statusOf(server)) === 'Active');
  });

  it('a member that never answers its cleanup request is terminated after the pending termination timeout', async () => {
    const { server, recorder, waitFor } = await start({
      STRATO_PENDING_TERMINATION_MEMBER_EXPIRY_TIMEOUT: '700',
      // fault detection would otherwise take the silent member first
      STRATO_MEMBER_FAULT_TIMEOUT: '600000',
    });
    const active = await waitFor('a member activated', () => recorder.first('MemberActivatedEvent'));
    const memberId = active.payload.memberId as string;
    // the instance dies silently: it will never answer InstanceCleanupMemberEvent
    assert.equal((await server.call('POST', `/mock-iaas/api/instances/${encodeURIComponent(memberId)}/kill`, '')).status, 200);
    assert.equal((await server.call('POST', '/api/applications/exp-app/undeploy', '')).status, 202);
    await waitFor('cleanup request', () => recorder.first('InstanceCleanupMemberEvent', (p) => p.memberId === memberId));
    const drained = server.controlPlane.state.members.get(memberId);
    assert.equal(drained?.disposition, 'terminationPending');
    const askedAt = drained!.dispositionAt!;
    const terminated = await waitFor('terminated', () => recorder.first('MemberTerminatedEvent', (p) => p.memberId === memberId), 10_000);
    // the event's arrival is later than the expiry it follows: an exact lower bound
    assert.ok(terminated.at - askedAt > 700, `terminated ${terminated.at - askedAt} ms after it was asked to clean up`);
    assert.equal(
      recorder.first('InstanceReadyToShutdownEvent', (p) => p.memberId === memberId),
      undefined,
      'the member never answered',
    );
    await waitFor('application Created', async () => (await statusOf(server)) === 'Created');
    assert.deepEqual(await server.store.list('member', 'all'), []);
  });

  it('an obsolete member whose instance cannot be terminated is forgotten after the obsolete timeout', async () => {
    const { server, recorder, waitFor } = await start({ STRATO_OBSOLETED_MEMBER_EXPIRY_TIMEOUT: '800' });
    const active = await waitFor('a member activated', () => recorder.first('MemberActivatedEvent'));
    const memberId = active.payload.memberId as string;
    // the IaaS fails every termination from now on
    assert.equal((await server.call('POST', '/mock-iaas/api/failures', { terminateInstance: 1_000_000 })).status, 200);
    const forced = server.clock.now();
    assert.equal((await server.call('POST', '/api/applications/exp-app/undeploy?force=true', '')).status, 202);
    await waitFor('obsolete', () => server.controlPlane.state.members.get(memberId)?.disposition === 'obsolete');
    await waitFor('forgotten', () => !server.controlPlane.state.members.has(memberId), 10_000);
    assert.ok(server.clock.now() - forced >= 800, 'not forgotten before the obsolete timeout');
    assert.ok((await server.mockIaas.listInstances()).map((i) => i.memberId).includes(memberId), 'the IaaS never terminated the instance');
    await waitFor('application Created', async () => (await statusOf(server)) === 'Created');
    assert.deepEqual(await server.store.list('member', 'all'), []);
  });
});
