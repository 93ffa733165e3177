import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FAST_ENV, startInProcessServer, type InProcessServer } from '@strato/testing/server';

/*
 * The servers here run in process: an in-memory broker and a fake clock that moves while the test
 * waits (server.waitFor).
 */

/** Partition algorithms of deployment policies (orchestration.md §4.4 and spec/README.md's decisions). */
describe('members land where the partition algorithm says', () => {
  let server: InProcessServer;
  before(async () => {
    server = await startInProcessServer({}, FAST_ENV);
    const setup: [string, unknown][] = [
      ['/api/networkPartitions', { id: 'np-pa', provider: 'mock', partitions: [{ id: 'p1' }, { id: 'p2' }, { id: 'p3' }] }],
      ['/api/autoscalingPolicies', { id: 'as-pa', loadThresholds: { requestsInFlight: { threshold: 80 } } }],
      ['/api/applicationPolicies', { id: 'ap-pa', algorithm: 'one-after-another', networkPartitions: ['np-pa'] }],
      [
        '/api/cartridges',
        {
          type: 'pc',
          category: 'framework',
          host: 'strato.test',
          portMapping: [{ protocol: 'http', port: 80, proxyPort: 0 }],
          iaasProvider: [{ type: 'mock', imageId: 'i' }],
        },
      ],
    ];
    for (const [path, body] of setup) assert.equal((await server.call('POST', path, body)).status, 201, path);
  });
  after(() => server?.stop());

  async function placement(name: string, algo: string, maxes: number[], min: number, expectActive = true): Promise<number[]> {
    const policy = {
      id: `dp-${name}`,
      networkPartitions: [{ id: 'np-pa', partitionAlgo: algo, partitions: maxes.map((m, i) => ({ id: `p${i + 1}`, partitionMax: m })) }],
    };
    assert.equal((await server.call('POST', '/api/deploymentPolicies', policy)).status, 201);
    const app = {
      applicationId: name,
      alias: name,
      components: {
        cartridges: [
          { type: 'pc', cartridgeMin: min, cartridgeMax: min, subscribableInfo: { alias: 'pc1', autoscalingPolicy: 'as-pa', deploymentPolicy: `dp-${name}` } },
        ],
      },
    };
    assert.equal((await server.call('POST', '/api/applications', app)).status, 201);
    assert.equal((await server.call('POST', `/api/applications/${name}/deploy/ap-pa`, '')).status, 202);
    const members = await server.waitFor(`${name} placed`, async () => {
      const r = (await server.call('GET', `/api/applications/${name}/runtime`)).body;
      const ms = r.applicationInstances?.[0]?.clusterInstances?.[0]?.member ?? [];
      const placed = ms.filter((m: any) => m.status === 'Active');
      if (expectActive) return r.status === 'Active' ? placed : undefined;
      return placed.length === maxes.reduce((a, b) => a + b, 0) ? placed : undefined;
    });
    const counts = maxes.map((_, i) => members.filter((m: any) => m.partitionId === `p${i + 1}`).length);
    return counts;
  }

  it('one-after-another fills partitions in policy order, passing a full one to the next', async () => {
    assert.deepEqual(await placement('oaa', 'one-after-another', [1, 2, 5], 4), [1, 2, 1]);
  });

  it('one-after-another with room in the first partition keeps every member there', async () => {
    assert.deepEqual(await placement('oaa-room', 'one-after-another', [5, 5, 5], 3), [3, 0, 0]);
  });

  it('round-robin rotates over the partitions', async () => {
    assert.deepEqual(await placement('rr', 'round-robin', [2, 2, 2], 4), [2, 1, 1]);
  });

  it('round-robin passes full partitions', async () => {
    assert.deepEqual(await placement('rr-full', 'round-robin', [1, 1, 5], 5), [1, 1, 3]);
  });

  it('never exceeds partitionMax: a minimum larger than every partition allows is not met', async () => {
    const counts = await placement('too-small', 'one-after-another', [1, 2], 6, false);
    assert.deepEqual(counts, [1, 2]);
    const cluster = (await server.client.applicationRuntime('too-small')).applicationInstances![0].clusterInstances![0];
    assert.equal(cluster.status, 'Created', 'the cluster is not Active below its minimum');
    assert.equal(cluster.member!.length, 3);
  });
});

describe('network partitions are validated by the IaaS driver of their provider', () => {
  it('asks the driver for each partition, and a refusal is a 400 that writes nothing', async () => {
    const { validatePartitions } = await import('../src/cloud/iaas-driver.ts');
    const refusing = {
      name: 'strict',
      validatePartition(p: { id: string; property?: { name: string; value?: string }[] }) {
        if (!p.property?.some((x) => x.name === 'region')) throw new Error('a region is required');
      },
    };
    const drivers = new Map([['strict', refusing as never]]);
    await assert.doesNotReject(
      validatePartitions({ id: 'np', provider: 'strict', partitions: [{ id: 'p1', property: [{ name: 'region', value: 'r' }] }] }, drivers),
    );
    await assert.rejects(
      validatePartitions({ id: 'np', provider: 'strict', partitions: [{ id: 'p1', property: [{ name: 'region', value: 'r' }] }, { id: 'p2' }] }, drivers),
      (e: any) => e.statusCode === 400 && /np is invalid since the partition p2 is invalid: a region is required/.test(e.message),
    );
    await assert.doesNotReject(validatePartitions({ id: 'np', provider: 'unbound', partitions: [{ id: 'p1' }] }, drivers));
  });
});

describe('application policies place application instances in network partitions', () => {
  let server: InProcessServer;
  before(async () => {
    server = await startInProcessServer({}, FAST_ENV);
    const setup: [string, unknown][] = [
      ['/api/networkPartitions', { id: 'np-a', provider: 'mock', partitions: [{ id: 'pa' }] }],
      ['/api/networkPartitions', { id: 'np-b', provider: 'mock', partitions: [{ id: 'pb' }] }],
      ['/api/autoscalingPolicies', { id: 'as', loadThresholds: { requestsInFlight: { threshold: 80 } } }],
      [
        '/api/deploymentPolicies',
        {
          id: 'dp-ab',
          networkPartitions: [
            { id: 'np-a', partitionAlgo: 'one-after-another', partitions: [{ id: 'pa', partitionMax: 5 }] },
            { id: 'np-b', partitionAlgo: 'one-after-another', partitions: [{ id: 'pb', partitionMax: 5 }] },
          ],
        },
      ],
      ['/api/applicationPolicies', { id: 'all', algorithm: 'all-at-once', networkPartitions: ['np-a', 'np-b'] }],
      ['/api/applicationPolicies', { id: 'first', algorithm: 'one-after-another', networkPartitions: ['np-b', 'np-a'] }],
      ['/api/applicationPolicies', { id: 'only-a', algorithm: 'one-after-another', networkPartitions: ['np-a'] }],
      [
        '/api/cartridges',
        {
          type: 'nc',
          category: 'framework',
          host: 'strato.test',
          portMapping: [{ protocol: 'http', port: 80, proxyPort: 0 }],
          iaasProvider: [{ type: 'mock', imageId: 'i' }],
        },
      ],
    ];
    for (const [path, body] of setup) assert.equal((await server.call('POST', path, body)).status, 201, path);
  });
  after(() => server?.stop());

  async function deploy(appId: string, policy: string) {
    const app = {
      applicationId: appId,
      alias: appId,
      components: {
        cartridges: [{ type: 'nc', cartridgeMin: 1, cartridgeMax: 2, subscribableInfo: { alias: 'nc1', autoscalingPolicy: 'as', deploymentPolicy: 'dp-ab' } }],
      },
    };
    assert.equal((await server.call('POST', '/api/applications', app)).status, 201);
    assert.equal((await server.call('POST', `/api/applications/${appId}/deploy/${policy}`, '')).status, 202);
    return server.waitFor(`${appId} Active`, async () => {
      const r = (await server.call('GET', `/api/applications/${appId}/runtime`)).body;
      return r.status === 'Active' ? r : undefined;
    });
  }

  const placed = (runtime: any) =>
    runtime.applicationInstances.map((i: any) => [i.instanceId, i.clusterInstances[0].member.map((m: any) => m.networkPartitionId)]);

  it('all-at-once: an application instance in every network partition', async () => {
    assert.deepEqual(placed(await deploy('everywhere', 'all')), [
      ['everywhere-1', ['np-a']],
      ['everywhere-2', ['np-b']],
    ]);
  });

  it('one-after-another: the first network partition of the policy only', async () => {
    assert.deepEqual(placed(await deploy('first-only', 'first')), [['first-only-1', ['np-b']]]);
  });

  it('refuses a policy whose network partitions a deployment policy of the application does not use', async () => {
    const policy = { id: 'dp-a', networkPartitions: [{ id: 'np-a', partitionAlgo: 'round-robin', partitions: [{ id: 'pa', partitionMax: 5 }] }] };
    assert.equal((await server.call('POST', '/api/deploymentPolicies', policy)).status, 201);
    const app = {
      applicationId: 'narrow',
      alias: 'narrow',
      components: {
        cartridges: [{ type: 'nc', cartridgeMin: 1, cartridgeMax: 1, subscribableInfo: { alias: 'nc1', autoscalingPolicy: 'as', deploymentPolicy: 'dp-a' } }],
      },
    };
    assert.equal((await server.call('POST', '/api/applications', app)).status, 201);
    const res = await server.call('POST', '/api/applications/narrow/deploy/all', '');
    assert.equal(res.status, 400);
    assert.match(res.body.message, /np-b/);
    assert.equal((await server.client.applications.get('narrow')).status, 'Created', 'nothing was deployed');
    assert.equal((await server.call('POST', '/api/applications/narrow/deploy/only-a', '')).status, 202);
  });
});
