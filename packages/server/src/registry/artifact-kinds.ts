import type { ArtifactKind } from '@strato/model';

/** How each registered artifact kind is addressed and named on the REST API and in messages. */
export interface KindInfo {
  kind: ArtifactKind;
  /** path segment under /api */
  plural: string;
  /** global artifacts are managed by the super tenant; tenant artifacts belong to their tenant */
  ownership: 'global' | 'tenant';
  /** how messages name it: "Cartridge added successfully: [cartridge-type] php" */
  label: string;
  tag: string;
}

export const KINDS: Record<string, KindInfo> = {
  networkPartition: { kind: 'networkPartition', plural: 'networkPartitions', ownership: 'global', label: 'Network partition', tag: 'network-partition' },
  deploymentPolicy: { kind: 'deploymentPolicy', plural: 'deploymentPolicies', ownership: 'global', label: 'Deployment policy', tag: 'deployment-policy-id' },
  autoscalingPolicy: { kind: 'autoscalingPolicy', plural: 'autoscalingPolicies', ownership: 'global', label: 'Autoscaling policy', tag: 'autoscale-policy' },
  applicationPolicy: { kind: 'applicationPolicy', plural: 'applicationPolicies', ownership: 'global', label: 'Application policy', tag: 'application-policy' },
  cartridge: { kind: 'cartridge', plural: 'cartridges', ownership: 'global', label: 'Cartridge', tag: 'cartridge-type' },
  cartridgeGroup: { kind: 'cartridgeGroup', plural: 'cartridgeGroups', ownership: 'global', label: 'Cartridge group', tag: 'cartridge-group' },
  kubernetesCluster: { kind: 'kubernetesCluster', plural: 'kubernetesClusters', ownership: 'global', label: 'Kubernetes cluster', tag: 'kub-host-cluster' },
  application: { kind: 'application', plural: 'applications', ownership: 'tenant', label: 'Application', tag: 'application' },
};

export const REGISTERED_KINDS = Object.values(KINDS);
