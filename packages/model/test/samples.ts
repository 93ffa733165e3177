import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ArtifactKind } from '../src/index.ts';
import { parseJson } from '../src/index.ts';

/** /work/shared, located relative to this file (packages/model/test → ../../../../shared); in a git worktree without it, /work/shared. */
export function sharedDir(): string {
  const beside = fileURLToPath(new URL('../../../../shared/', import.meta.url));
  return existsSync(beside) ? beside : '/work/shared/';
}

/** The folder of Stratos's sample artifacts. */
export function samplesDir(): string {
  return join(sharedDir(), 'stratos-samples');
}

/** Reads and parses a sample (path relative to stratos-samples). */
export function loadSample(rel: string): unknown {
  return parseJson(readFileSync(join(samplesDir(), rel), 'utf8'));
}

/** Every JSON file under stratos-samples, as paths relative to it. */
export function sampleFiles(): string[] {
  const root = samplesDir();
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? walk(p) : [p];
    });
  return walk(root)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(root.length + 1))
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
