import type {
  Application,
  ApplicationPolicy,
  AutoscalingPolicy,
  Cartridge,
  CartridgeGroup,
  DeploymentPolicy,
  KubernetesCluster,
  NetworkPartition,
  Tenant,
  User,
} from './artifacts.ts';

/** A stored application with the bookkeeping the API does not take as input. */
export type StoredApplication = Application & { status?: string; applicationPolicyId?: string };

/**
 * A snapshot of every stored artifact, against which a change is validated. Keys are ids.
 */
export interface Catalog {
  cartridges: Map<string, Cartridge>;
  cartridgeGroups: Map<string, CartridgeGroup>;
  autoscalingPolicies: Map<string, AutoscalingPolicy>;
  deploymentPolicies: Map<string, DeploymentPolicy>;
  applicationPolicies: Map<string, ApplicationPolicy>;
  networkPartitions: Map<string, NetworkPartition>;
  kubernetesClusters: Map<string, KubernetesCluster>;
  /** Applications of ALL tenants. */
  applications: Map<string, StoredApplication>;
  /** IaaS provider names bound to a driver. @default ['mock', 'kubernetes'] */
  iaasProviders: string[];
  /** Tenants, when the caller wants duplicate/unknown checks for them (optional). */
  tenants?: Map<string, Tenant>;
  /** Users, when the caller wants duplicate/unknown checks for them (optional). */
  users?: Map<string, User>;
}
