import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isDeploy, MANIFEST, samplesMissing, sampleText } from '@strato/testing';
import type { EventRecorder } from '@strato/testing/messaging';
import { FAST_ENV, startInProcessServer, type InProcessServer } from '@strato/testing/server';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * In process: the events are those of an in-memory broker (the same JSON payloads as on the wire),
 * and a fake clock moves while the test waits.
 */
describe('the topology and applications models on the wire', { skip: samplesMissing }, () => {
  let server: InProcessServer;
  let recorder: EventRecorder;
  const entry = MANIFEST.find((e) => e.application.endsWith('/single-cartridge-app'))!;
  const appId = 'single-cartridge-app';
  const clusterId = 'single-cartridge-app.my-php.php.domain';

  before(async () => {
    server = await startInProcessServer({}, FAST_ENV);
    recorder = server.recorder;
    for (const call of entry.deploy) {
      if (isDeploy(call)) break;
      assert.equal((await server.call(call.method, call.path, sampleText(call.body!))).status, 201);
    }
  });
  after(() => server?.stop());

  it('announces a new cartridge as a service and a new application as ApplicationCreatedEvent', async () => {
    const service = await server.waitFor('ServiceCreatedEvent', () => recorder.first('ServiceCreatedEvent', (p) => p.serviceName === 'php'));
    assert.equal(service.payload.serviceType, 'SingleTenant');
    assert.deepEqual(service.payload.portMap['8280'], { protocol: 'http', value: 8080, proxy: 8280 });
    const created = await server.waitFor('ApplicationCreatedEvent', () => recorder.first('ApplicationCreatedEvent', (p) => p.application.id === appId));
    assert.deepEqual(created.payload.application.aliasToClusterDataMap['my-php'], { serviceType: 'php', clusterId, minInstances: 1, maxInstances: 5 });
  });

  it('deploys with Stratos identifiers and answers complete-model requests', async () => {
    assert.equal((await server.call('POST', `/api/applications/${appId}/deploy/application-policy-1`, '')).status, 202);
    await server.waitFor('Active', async () => (await server.call('GET', `/api/applications/${appId}/runtime`)).body.status === 'Active');
    const activated = await server.waitFor('MemberActivatedEvent', () => recorder.first('MemberActivatedEvent', (p) => p.clusterId === clusterId));
    assert.ok(activated.payload.memberId.startsWith(clusterId) && UUID.test(activated.payload.memberId), activated.payload.memberId);
    assert.equal(activated.payload.clusterInstanceId, `${appId}-1`);
    assert.match(activated.payload.defaultPrivateIP, /^10\.0\.0\.\d+$/);
    assert.match(activated.payload.defaultPublicIP, /^20\.0\.0\.\d+$/);
    for (const name of [
      'MemberCreatedEvent',
      'MemberInitializedEvent',
      'MemberStartedEvent',
      'InstanceStartedEvent',
      'InstanceActivatedEvent',
      'ClusterInstanceCreatedEvent',
      'ApplicationInstanceCreatedEvent',
      'ApplicationClustersCreatedEvent',
    ]) {
      assert.ok(recorder.first(name), `${name} was published`);
    }

    // a client of the broker (a load balancer, an agent) asks for the complete models
    const client = server.broker.bus();
    try {
      const since = recorder.events.length;
      assert.ok(await client.publish('CompleteTopologyRequestEvent', {}));
      assert.ok(await client.publish('CompleteApplicationsRequestEvent', {}));
      assert.ok(await client.publish('CompleteTenantRequestEvent', {}));
      const tenants = await server.waitFor('CompleteTenantEvent', () => recorder.events.slice(since).find((e) => e.name === 'CompleteTenantEvent'));
      assert.deepEqual(tenants.payload.tenants[0], { tenantId: -1234, tenantDomain: 'carbon.super' });
      const topology = await server.waitFor('CompleteTopologyEvent', () => recorder.events.slice(since).find((e) => e.name === 'CompleteTopologyEvent'));
      const cluster = topology.payload.topology.serviceMap.php.clusterIdClusterMap[clusterId];
      assert.equal(cluster.appId, appId);
      assert.deepEqual(cluster.hostNames, ['single-cartridge-app.my-php.php.stratos.org']);
      const members = Object.values(cluster.memberMap) as any[];
      assert.equal(members.length, 1);
      assert.deepEqual(members[0].memberStateManager.stateStack.at(-1), 'Active');
      assert.equal(cluster.instanceIdToInstanceContextMap[`${appId}-1`].lifeCycleStateManager.stateStack.at(-1), 'Active');
      const apps = await server.waitFor('CompleteApplicationsEvent', () => recorder.events.slice(since).find((e) => e.name === 'CompleteApplicationsEvent'));
      const app = apps.payload.applications.applicationMap[appId];
      assert.equal(app.instanceIdToInstanceContextMap[`${appId}-1`].lifeCycleStateManager.stateStack.at(-1), 'Active');
      assert.equal(app.applicationPolicyId, 'application-policy-1');
    } finally {
      await client.close();
    }
  });

  it('shows a cluster and the network partitions of an application', async () => {
    const cluster = await server.call('GET', `/api/cluster/${clusterId}`);
    assert.equal(cluster.status, 200);
    assert.equal(cluster.body.alias, 'my-php');
    assert.equal(cluster.body.serviceName, 'php');
    assert.deepEqual(cluster.body.instances, [{ instanceId: `${appId}-1`, status: 'Active' }]);
    assert.equal(cluster.body.member.length, 1);
    assert.equal((await server.call('GET', '/api/cluster/nope.my-php.php.domain')).status, 404);
    const nps = await server.call('GET', `/api/applications/${appId}/networkPartitions`);
    assert.deepEqual(nps.body, { networkPartitionIds: ['network-partition-1'] });
  });

  it('applies a new cartridgeMin of a deployed application at once', async () => {
    const definition = (await server.call('GET', `/api/applications/${appId}`)).body;
    delete definition.status;
    delete definition.signUpsExist;
    definition.components.cartridges[0].cartridgeMin = 3;
    assert.equal((await server.call('PUT', '/api/applications', definition)).status, 200);
    await server.waitFor('three active members', async () => {
      const rt = (await server.call('GET', `/api/applications/${appId}/runtime`)).body;
      return rt.applicationInstances[0].clusterInstances[0].member.filter((m: any) => m.status === 'Active').length === 3;
    });
    assert.ok(recorder.first('ApplicationUpdatedEvent', (p) => p.application.id === appId));
  });

  it('drains members gracefully when cartridgeMax is lowered below the member count', async () => {
    const definition = (await server.call('GET', `/api/applications/${appId}`)).body;
    delete definition.status;
    delete definition.signUpsExist;
    definition.components.cartridges[0].cartridgeMin = 1;
    definition.components.cartridges[0].cartridgeMax = 1;
    assert.equal((await server.call('PUT', '/api/applications', definition)).status, 200);
    const runtime = await server.waitFor('one member left', async () => {
      const rt = (await server.call('GET', `/api/applications/${appId}/runtime`)).body;
      return rt.applicationInstances[0].clusterInstances[0].member.length === 1 ? rt : undefined;
    });
    assert.equal(runtime.status, 'Active');
    assert.equal(recorder.named('InstanceCleanupMemberEvent').length >= 2, true, 'the two extra members were asked to clean up');
    assert.equal(recorder.named('InstanceReadyToShutdownEvent').length, 2);
    await server.waitFor('mock instances follow', async () => (await server.mockIaas.listInstances()).length === 1);
  });

  it('refuses to deploy twice, to delete a deployed application, and to remove what it uses', async () => {
    const again = await server.call('POST', `/api/applications/${appId}/deploy/application-policy-1`, '');
    assert.equal(again.status, 409);
    assert.equal((await server.call('DELETE', `/api/applications/${appId}`)).status, 409);
    assert.equal((await server.call('DELETE', '/api/cartridges/php')).status, 409);
    assert.equal((await server.call('DELETE', '/api/applicationPolicies/application-policy-1')).status, 409);
    assert.equal((await server.call('POST', '/api/applications/nope/deploy/application-policy-1', '')).status, 404);
    assert.equal((await server.call('POST', '/api/applications/nope/undeploy', '')).status, 404);
  });

  it('force undeploy terminates at once', async () => {
    const cleanupsBefore = recorder.named('InstanceCleanupMemberEvent').length;
    assert.equal((await server.call('POST', `/api/applications/${appId}/undeploy?force=true`, '')).status, 202);
    await server.waitFor('Created', async () => (await server.call('GET', `/api/applications/${appId}`)).body.status === 'Created');
    assert.equal(recorder.named('InstanceCleanupMemberEvent').length, cleanupsBefore, 'no graceful cleanup in a forced undeploy');
    assert.equal(server.controlPlane.state.members.size, 0);
    assert.deepEqual(await server.mockIaas.listInstances(), []);
    assert.ok(await server.waitFor('ApplicationClustersRemovedEvent', () => recorder.first('ApplicationClustersRemovedEvent', (p) => p.appId === appId)));
    assert.equal((await server.call('POST', `/api/applications/${appId}/undeploy`, '')).status, 409);
  });

  it('a forced undeploy takes over a graceful one in progress', async () => {
    assert.equal((await server.call('POST', `/api/applications/${appId}/deploy/application-policy-1`, '')).status, 202);
    await server.waitFor('Active', async () => (await server.call('GET', `/api/applications/${appId}/runtime`)).body.status === 'Active');
    // a member that never answers its cleanup request would hold a graceful undeploy for the drain timeout
    const member = (await server.call('GET', `/api/applications/${appId}/runtime`)).body.applicationInstances[0].clusterInstances[0].member[0];
    assert.equal((await server.call('POST', `/mock-iaas/api/instances/${encodeURIComponent(member.memberId)}/kill`, '')).status, 200);
    assert.equal((await server.call('POST', `/api/applications/${appId}/undeploy`, '')).status, 202);
    assert.equal((await server.call('GET', `/api/applications/${appId}`)).body.status, 'Undeploying');
    assert.equal((await server.call('POST', `/api/applications/${appId}/deploy/application-policy-1`, '')).status, 409, 'no deploy while undeploying');
    assert.equal((await server.call('POST', `/api/applications/${appId}/undeploy?force=true`, '')).status, 202);
    await server.waitFor('Created', async () => (await server.call('GET', `/api/applications/${appId}`)).body.status === 'Created', 10_000);
    assert.equal(server.controlPlane.state.members.size, 0);
    assert.deepEqual(await server.mockIaas.listInstances(), []);
    assert.ok(!recorder.first('MemberFaultEvent', (p) => p.memberId === member.memberId), 'terminated by the force, before fault detection had to');
  });
});
