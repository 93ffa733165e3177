/**
 * The definition kinds the CLI manages: how a kind is named on the command line, how an artifact's
 * kind is recognised from its content, the order `apply` follows (each kind refers only to kinds
 * before it) and the columns `get` shows.
 */
import { COLLECTIONS, type CollectionKind } from '@strato/client';
import { ID_FIELD, KIND_LABEL } from '@strato/model';
import { CliError, EXIT } from './errors.ts';

/**
 * Dependency order of `apply` (reversed by `delete`): network partitions and Kubernetes clusters,
 * autoscaling, deployment and application policies, cartridges, cartridge groups, applications.
 */
export const APPLY_ORDER: readonly CollectionKind[] = [
  'networkPartition',
  'kubernetesCluster',
  'autoscalingPolicy',
  'deploymentPolicy',
  'applicationPolicy',
  'cartridge',
  'cartridgeGroup',
  'application',
];

export const idField = (kind: CollectionKind): string => ID_FIELD[kind];
export const label = (kind: CollectionKind): string => KIND_LABEL[kind];

/** Names of each kind on the command line (singular, plural, REST collection, short). */
const NAMES: Record<CollectionKind, string[]> = {
  networkPartition: ['network-partition', 'network-partitions', 'networkpartition', 'networkpartitions', 'np'],
  kubernetesCluster: ['kubernetes-cluster', 'kubernetes-clusters', 'kubernetescluster', 'kubernetesclusters', 'k8s'],
  autoscalingPolicy: ['autoscaling-policy', 'autoscaling-policies', 'autoscalingpolicy', 'autoscalingpolicies', 'asp'],
  deploymentPolicy: ['deployment-policy', 'deployment-policies', 'deploymentpolicy', 'deploymentpolicies', 'dp'],
  applicationPolicy: ['application-policy', 'application-policies', 'applicationpolicy', 'applicationpolicies', 'ap'],
  cartridge: ['cartridge', 'cartridges', 'c'],
  cartridgeGroup: ['cartridge-group', 'cartridge-groups', 'cartridgegroup', 'cartridgegroups', 'group', 'groups', 'cg'],
  application: ['application', 'applications', 'app', 'apps'],
};

/** The kinds `get` knows besides definitions. */
export type ExtraKind = 'tenant' | 'user';
const EXTRA_NAMES: Record<ExtraKind, string[]> = {
  tenant: ['tenant', 'tenants'],
  user: ['user', 'users'],
};

/** Every name a kind may be given by, for completion and help. */
export const KIND_NAMES: readonly string[] = [...APPLY_ORDER.map((k) => NAMES[k][1]), 'tenants', 'users'];

/** The kind a command-line name means. */
export function kindNamed(name: string): CollectionKind | ExtraKind {
  const n = name.toLowerCase();
  for (const kind of APPLY_ORDER) if (NAMES[kind].includes(n) || COLLECTIONS[kind].toLowerCase() === n) return kind;
  for (const kind of Object.keys(EXTRA_NAMES) as ExtraKind[]) if (EXTRA_NAMES[kind].includes(n)) return kind;
  throw new CliError(`unknown kind ${name}: expected one of ${KIND_NAMES.join(', ')}`, EXIT.usage);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The kind of an artifact, recognised from its content (Stratos's formats carry no kind field):
 * its id field and the fields only that kind has. undefined when it matches no kind.
 */
export function recogniseKind(a: unknown): CollectionKind | undefined {
  if (!isObject(a)) return undefined;
  if ('applicationId' in a && ('components' in a || 'alias' in a)) return 'application';
  if ('clusterId' in a && ('kubernetesMaster' in a || 'portRange' in a || 'kubernetesHosts' in a)) return 'kubernetesCluster';
  if ('type' in a && ('category' in a || 'iaasProvider' in a || 'portMapping' in a)) return 'cartridge';
  if ('name' in a && !('id' in a) && ('cartridges' in a || 'groups' in a || 'dependencies' in a)) return 'cartridgeGroup';
  if ('id' in a) {
    if ('loadThresholds' in a) return 'autoscalingPolicy';
    if ('algorithm' in a) return 'applicationPolicy';
    if ('provider' in a || ('partitions' in a && !('networkPartitions' in a))) return 'networkPartition';
    if (Array.isArray(a.networkPartitions)) {
      // a deployment policy refers to network partitions with partitions; an application policy by id
      return a.networkPartitions.every((np) => typeof np === 'string') ? 'applicationPolicy' : 'deploymentPolicy';
    }
    // an older spelling some of Stratos's samples still use (the server says what it lacks)
    if (Array.isArray(a.networkPartition)) return 'deploymentPolicy';
  }
  return undefined;
}
