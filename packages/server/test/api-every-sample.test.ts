import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { idOf, normalize, parseJson, type ArtifactKind } from '@strato/model';
import { SAMPLES, samplesMissing, sampleText } from '@strato/testing';
import { startTestServer, type TestServer } from '@strato/testing/server';

/** Every IaaS provider name the samples use, bound to the mock IaaS. */
const PROVIDERS = ['mock', 'kubernetes', 'ec2', 'openstack', 'gce', 'ec2-singapore', 'ec2-sydney'].map((p) => `${p}=mock`).join(',');

/** The artifact files of one folder of the samples, recursively. */
function files(folder: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.json')) out.push(relative(SAMPLES, path));
    }
  };
  walk(join(SAMPLES, folder));
  return out;
}

const COLLECTIONS: [string, ArtifactKind, string][] = [
  ['network-partitions', 'networkPartition', 'networkPartitions'],
  ['autoscaling-policies', 'autoscalingPolicy', 'autoscalingPolicies'],
  ['cartridges', 'cartridge', 'cartridges'],
  ['kubernetes-clusters', 'kubernetesCluster', 'kubernetesClusters'],
];

/**
 * Every sample artifact of these kinds is accepted as it is and read back in its normal form (the
 * groups, policies and applications of the sample applications are covered by the manifest replay).
 * Artifacts that share an id (the same network partition for several IaaSes) are added one after
 * the other: each is removed again before the next.
 */
describe('every sample artifact file is accepted through the REST API', { skip: samplesMissing }, () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({}, { STRATO_IAAS_PROVIDERS: PROVIDERS });
  });
  after(() => server.stop());

  for (const [folder, kind, collection] of COLLECTIONS) {
    for (const file of files(folder)) {
      it(file, async () => {
        const text = sampleText(file);
        const expected = normalize(kind, parseJson(text));
        const url = `/api/${collection}/${encodeURIComponent(idOf(kind, expected))}`;
        const res = await server.call('POST', `/api/${collection}`, text);
        assert.equal(res.status, 201, `${file}: ${JSON.stringify(res.body)}`);
        assert.deepEqual((await server.call('GET', url)).body, expected);
        assert.equal((await server.call('DELETE', url)).status, 200);
      });
    }
  }

  it('every deployment and application policy, against the network partitions of its IaaS', async () => {
    const nps = files('network-partitions').filter((f) => f.includes('/mock/'));
    for (const f of nps) assert.equal((await server.call('POST', '/api/networkPartitions', sampleText(f))).status, 201, f);
    // application-policy-3 names network-partition-5, which no sample defines: references must resolve
    const np5 = { id: 'network-partition-5', provider: 'mock', partitions: [{ id: 'partition-1' }] };
    assert.equal((await server.call('POST', '/api/networkPartitions', np5)).status, 201);
    for (const [folder, kind, collection] of [
      ['deployment-policies', 'deploymentPolicy', 'deploymentPolicies'],
      ['application-policies', 'applicationPolicy', 'applicationPolicies'],
    ] as const) {
      for (const file of files(folder).filter((f) => !f.includes('multi-cloud'))) {
        const text = sampleText(file);
        const expected = normalize(kind, parseJson(text));
        const res = await server.call('POST', `/api/${collection}`, text);
        assert.equal(res.status, 201, `${file}: ${JSON.stringify(res.body)}`);
        const url = `/api/${collection}/${encodeURIComponent(idOf(kind, expected))}`;
        assert.deepEqual((await server.call('GET', url)).body, expected, file);
        assert.equal((await server.call('DELETE', url)).status, 200);
      }
    }
  });
});
