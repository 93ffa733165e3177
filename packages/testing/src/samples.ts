/**
 * What tests take from beside the repository (`../shared`), and Stratos's sample artifacts there:
 * where they are, the manifest of the 17 sample applications with the REST calls of their deploy
 * and undeploy scripts, and readers. The samples are not part of the repository: when they are
 * absent, {@link samplesMissing} says so, {@link MANIFEST} is empty, and a test that needs them is
 * skipped with that message (`describe(name, { skip: samplesMissing }, ...)`).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { idOf, normalize, parseJson, type ArtifactKind } from '@strato/model';

/** The repository's root (this file is packages/testing/src/samples.ts). */
const REPO = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * The folder of what tests take from outside the repository (Stratos's samples and agent, the
 * specification): `<repo>/../shared` when it exists (a checkout beside `shared/`), else
 * `/work/shared` (a worktree one level deeper).
 */
export const SHARED: string = [join(REPO, '..', 'shared'), '/work/shared'].find((dir) => existsSync(dir)) ?? join(REPO, '..', 'shared');

/** The folder of Stratos's samples: STRATO_SAMPLES_DIR when set, else `stratos-samples` of {@link SHARED}. */
export const SAMPLES: string = process.env.STRATO_SAMPLES_DIR || join(SHARED, 'stratos-samples');

/** Why sample-based tests are skipped, or undefined when the samples are there. */
export const samplesMissing: string | undefined = existsSync(join(SAMPLES, 'manifest.json'))
  ? undefined
  : `Stratos's samples are not at ${SAMPLES} (no manifest.json there; set STRATO_SAMPLES_DIR)`;

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

/** The 17 sample applications and the REST calls of their deploy and undeploy scripts (none when the samples are missing). */
export const MANIFEST: ManifestEntry[] = samplesMissing ? [] : JSON.parse(readFileSync(join(SAMPLES, 'manifest.json'), 'utf8'));

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

/** The sample file's text as the scripts post it (path relative to stratos-samples). */
export function sampleText(file: string): string {
  return readFileSync(join(SAMPLES, file), 'utf8');
}

/** A sample parsed as strato parses a request body (path relative to stratos-samples). */
export function loadSample(file: string): unknown {
  return parseJson(sampleText(file));
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

/** Every JSON file under stratos-samples, as paths relative to it, sorted (none when missing). */
export function sampleFiles(): string[] {
  if (samplesMissing) return [];
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? walk(p) : [p];
    });
  return walk(SAMPLES)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(SAMPLES.length).replace(/^\/+/, ''))
    .sort();
}

/**
 * The artifact kind of a sample, from its folder (or, inside applications/, its file name);
 * undefined for files that are not artifacts (manifest, sign-ups, domain mappings).
 */
export function kindOfSample(rel: string): ArtifactKind | undefined {
  const top = rel.split('/')[0];
  const byFolder: Record<string, ArtifactKind> = {
    cartridges: 'cartridge',
    'cartridge-groups': 'cartridgeGroup',
    'autoscaling-policies': 'autoscalingPolicy',
    'deployment-policies': 'deploymentPolicy',
    'application-policies': 'applicationPolicy',
    'network-partitions': 'networkPartition',
    'kubernetes-clusters': 'kubernetesCluster',
  };
  if (byFolder[top]) return byFolder[top];
  if (top !== 'applications') return undefined;
  const file = rel.split('/').pop()!;
  if (file === 'application.json') return 'application';
  if (file.startsWith('deployment-policy')) return 'deploymentPolicy';
  if (file.startsWith('autoscaling-policy')) return 'autoscalingPolicy';
  if (file.startsWith('application-policy')) return 'applicationPolicy';
  if (file.startsWith('network-partition')) return 'networkPartition';
  return undefined; // application-signup.json, domain-mappings.json: not artifacts of this model
}
