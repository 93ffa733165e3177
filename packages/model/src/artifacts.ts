import type { Static } from '@sinclair/typebox';
import type {
  ApplicationPolicySchema,
  ApplicationSchema,
  AutoscalingPolicySchema,
  CartridgeGroupSchema,
  CartridgeReferenceSchema,
  CartridgeSchema,
  DependenciesSchema,
  DeploymentPolicySchema,
  GroupReferenceSchema,
  KubernetesClusterSchema,
  KubernetesHostSchema,
  KubernetesMasterSchema,
  NetworkPartitionSchema,
  PortMappingSchema,
  PropertySchema,
  SubscribableInfoSchema,
  TenantSchema,
  UserSchema,
} from './schemas.ts';

export type { ArtifactKind } from './schemas.ts';
import type { ArtifactKind } from './schemas.ts';

/** All artifact kinds, in the order they are usually defined. */
export const ARTIFACT_KINDS: readonly ArtifactKind[] = [
  'networkPartition',
  'autoscalingPolicy',
  'deploymentPolicy',
  'applicationPolicy',
  'kubernetesCluster',
  'kubernetesHost',
  'kubernetesMaster',
  'cartridge',
  'cartridgeGroup',
  'application',
  'tenant',
  'user',
];

// Normal form of each artifact: declared types, real arrays, nulls omitted.
export type Property = Static<typeof PropertySchema>;
export type NetworkPartition = Static<typeof NetworkPartitionSchema>;
export type DeploymentPolicy = Static<typeof DeploymentPolicySchema>;
export type AutoscalingPolicy = Static<typeof AutoscalingPolicySchema>;
export type ApplicationPolicy = Static<typeof ApplicationPolicySchema>;
export type PortMapping = Static<typeof PortMappingSchema>;
export type Cartridge = Static<typeof CartridgeSchema>;
export type Dependencies = Static<typeof DependenciesSchema>;
export type CartridgeGroup = Static<typeof CartridgeGroupSchema>;
export type SubscribableInfo = Static<typeof SubscribableInfoSchema>;
export type CartridgeReference = Static<typeof CartridgeReferenceSchema>;
export type GroupReference = Static<typeof GroupReferenceSchema>;
export type Application = Static<typeof ApplicationSchema>;
export type KubernetesCluster = Static<typeof KubernetesClusterSchema>;
export type KubernetesHost = Static<typeof KubernetesHostSchema>;
export type KubernetesMaster = Static<typeof KubernetesMasterSchema>;
export type Tenant = Static<typeof TenantSchema>;
export type User = Static<typeof UserSchema>;

/** Maps each {@link ArtifactKind} to its TypeScript type in normal form. */
export interface ArtifactMap {
  cartridge: Cartridge;
  cartridgeGroup: CartridgeGroup;
  application: Application;
  autoscalingPolicy: AutoscalingPolicy;
  deploymentPolicy: DeploymentPolicy;
  applicationPolicy: ApplicationPolicy;
  networkPartition: NetworkPartition;
  kubernetesCluster: KubernetesCluster;
  kubernetesHost: KubernetesHost;
  kubernetesMaster: KubernetesMaster;
  tenant: Tenant;
  user: User;
}

/** The normal-form type of artifacts of kind `K`. */
export type ArtifactOf<K extends ArtifactKind> = ArtifactMap[K];

/** The field that holds each kind's id. */
export const ID_FIELD = {
  cartridge: 'type',
  cartridgeGroup: 'name',
  application: 'applicationId',
  autoscalingPolicy: 'id',
  deploymentPolicy: 'id',
  applicationPolicy: 'id',
  networkPartition: 'id',
  kubernetesCluster: 'clusterId',
  kubernetesHost: 'hostId',
  kubernetesMaster: 'hostId',
  tenant: 'tenantDomain',
  user: 'userName',
} as const satisfies Record<ArtifactKind, string>;

/** Human-readable name of each kind, as used in messages ("cartridge group", ...). */
export const KIND_LABEL: Record<ArtifactKind, string> = {
  cartridge: 'cartridge',
  cartridgeGroup: 'cartridge group',
  application: 'application',
  autoscalingPolicy: 'autoscaling policy',
  deploymentPolicy: 'deployment policy',
  applicationPolicy: 'application policy',
  networkPartition: 'network partition',
  kubernetesCluster: 'kubernetes cluster',
  kubernetesHost: 'kubernetes host',
  kubernetesMaster: 'kubernetes master',
  tenant: 'tenant',
  user: 'user',
};

/**
 * The id of an artifact: cartridge → `type`, cartridge group → `name`, application →
 * `applicationId`, kubernetes cluster → `clusterId`, kubernetes host/master → `hostId`, tenant →
 * `tenantDomain`, user → `userName`, every policy and network partition → `id`.
 *
 * @returns the id, or `''` when the artifact has none (not an object, or the field is not a string)
 */
export function idOf(kind: ArtifactKind, artifact: unknown): string {
  if (typeof artifact !== 'object' || artifact === null) return '';
  const v = (artifact as Record<string, unknown>)[ID_FIELD[kind]];
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

/**
 * The longest id any artifact may have. Ids end up in URLs, Location headers, cluster and member ids
 * and MQTT payloads; Stratos keeps them in registry paths and database keys of 255 characters.
 */
export const MAX_ID_LENGTH = 255;
