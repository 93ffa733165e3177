import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ArtifactKind, Catalog } from '../src/index.ts';
import { emptyCatalog, idOf, normalize, referrerOf, validate } from '../src/index.ts';
import { loadSample, MANIFEST, samplesMissing } from '@strato/testing';

const KIND_OF_RESOURCE: Record<string, ArtifactKind> = {
  networkPartitions: 'networkPartition',
  autoscalingPolicies: 'autoscalingPolicy',
  deploymentPolicies: 'deploymentPolicy',
  applicationPolicies: 'applicationPolicy',
  cartridges: 'cartridge',
  cartridgeGroups: 'cartridgeGroup',
  applications: 'application',
};

function mapOf(catalog: Catalog, kind: ArtifactKind): Map<string, unknown> {
  const maps: Partial<Record<ArtifactKind, Map<string, unknown>>> = {
    networkPartition: catalog.networkPartitions,
    autoscalingPolicy: catalog.autoscalingPolicies,
    deploymentPolicy: catalog.deploymentPolicies,
    applicationPolicy: catalog.applicationPolicies,
    cartridge: catalog.cartridges,
    cartridgeGroup: catalog.cartridgeGroups,
    application: catalog.applications,
  };
  return maps[kind]!;
}

if (samplesMissing) test('manifest replay', { skip: samplesMissing }, () => undefined);
for (const entry of MANIFEST) {
  test(`manifest replay: ${entry.application} deploys and undeploys through normalize/validate/referrerOf`, () => {
    const providers = ['mock', 'kubernetes', 'ec2-singapore', 'ec2-sydney', 'openstack'];
    const catalog = emptyCatalog(providers);
    for (const call of entry.deploy) {
      const [, , resource, id, action, policy] = call.path.split('/');
      const kind = KIND_OF_RESOURCE[resource];
      if (call.method === 'POST' && id === undefined) {
        const artifact = normalize(kind, loadSample(call.body!));
        assert.doesNotThrow(() => validate(kind, artifact, catalog, 'add'), `${call.body}`);
        mapOf(catalog, kind).set(idOf(kind, artifact), kind === 'application' ? { ...(artifact as object), status: 'Created' } : artifact);
      } else if (call.method === 'POST' && action === 'deploy') {
        assert.ok(catalog.applicationPolicies.has(policy), `application policy ${policy} exists`);
        const app = catalog.applications.get(id)!;
        app.status = 'Deployed';
        app.applicationPolicyId = policy;
      } else {
        assert.fail(`unexpected deploy call ${call.method} ${call.path}`);
      }
    }
    for (const call of entry.undeploy) {
      const [, , resource, id, action] = call.path.split('/');
      const kind = KIND_OF_RESOURCE[resource];
      if (call.method === 'POST' && action === 'undeploy') {
        catalog.applications.get(id)!.status = 'Created';
      } else if (call.method === 'DELETE') {
        const map = mapOf(catalog, kind);
        if (!map.has(id)) continue; // the scripts also delete things another sample added
        assert.equal(referrerOf(kind, id, catalog), undefined, `${call.path} is free`);
        map.delete(id);
      }
    }
  });
}
