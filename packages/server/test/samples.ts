import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { idOf, normalize, parseJson, type ArtifactKind } from '@strato/model';
import { SAMPLES } from './kit.ts';

export interface ManifestCall {
  method: string;
  path: string;
  body?: string;
}

export interface ManifestEntry {
  application: string;
  deploy: ManifestCall[];
  undeploy: ManifestCall[];
}

/** The 17 sample applications and the REST calls of their deploy and undeploy scripts. */
export const MANIFEST: ManifestEntry[] = JSON.parse(readFileSync(join(SAMPLES, 'manifest.json'), 'utf8'));

/** The provider names the multi-cloud sample uses, bound to the mock IaaS for tests. */
export const MULTI_CLOUD_PROVIDERS = 'mock=mock,kubernetes=kubernetes,ec2-singapore=mock,ec2-sydney=mock,openstack=mock';

const KIND_OF_COLLECTION: Record<string, ArtifactKind> = {
  cartridges: 'cartridge',
  cartridgeGroups: 'cartridgeGroup',
  applications: 'application',
  autoscalingPolicies: 'autoscalingPolicy',
  deploymentPolicies: 'deploymentPolicy',
  applicationPolicies: 'applicationPolicy',
  networkPartitions: 'networkPartition',
  kubernetesClusters: 'kubernetesCluster',
};

/** The sample file's text as the scripts post it. */
export function sampleText(file: string): string {
  return readFileSync(join(SAMPLES, file), 'utf8');
}

/** For a POST of an artifact: its kind, id and the URL it can be read back from. */
export function artifactOfCall(call: ManifestCall): { kind: ArtifactKind; id: string; url: string; expected: unknown } {
  const collection = call.path.split('/').filter(Boolean)[1];
  const kind = KIND_OF_COLLECTION[collection];
  if (!kind || !call.body) throw new Error(`not an artifact POST: ${call.method} ${call.path}`);
  const expected = normalize(kind, parseJson(sampleText(call.body)));
  const id = idOf(kind, expected as never);
  return { kind, id, url: `/api/${collection}/${encodeURIComponent(id)}`, expected };
}

export const isDeploy = (c: ManifestCall) => /\/deploy\//.test(c.path);
export const isUndeploy = (c: ManifestCall) => /\/undeploy/.test(c.path);
