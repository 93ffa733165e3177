import {
  buildApplicationTree,
  type Application,
  type ApplicationPolicy,
  type Cartridge,
  type Catalog,
  type ComponentNode,
  type DeploymentPolicy,
  type NetworkPartition,
} from '@strato/model';

/**
 * Everything the monitors of one deployed application need from the registry, read once when it
 * is deployed (or when strato starts): the component tree and the definitions it refers to. While
 * the application is deployed none of them can be removed (409), so the snapshot stays true.
 */
export interface ApplicationDefinitions {
  application: Application;
  tree: ComponentNode;
  cartridges: Map<string, Cartridge>;
  deploymentPolicies: Map<string, DeploymentPolicy>;
  networkPartitions: Map<string, NetworkPartition>;
  applicationPolicy: ApplicationPolicy;
}

export function definitionsOf(application: Application, applicationPolicyId: string, catalog: Catalog): ApplicationDefinitions {
  const applicationPolicy = catalog.applicationPolicies.get(applicationPolicyId);
  if (!applicationPolicy) throw new Error(`Application policy not found: [application-policy] ${applicationPolicyId}`);
  return {
    application,
    tree: buildApplicationTree(application, catalog.cartridgeGroups),
    cartridges: catalog.cartridges,
    deploymentPolicies: catalog.deploymentPolicies,
    networkPartitions: catalog.networkPartitions,
    applicationPolicy,
  };
}

/**
 * The network partitions that get an application instance at deployment (orchestration.md §4.5):
 * `all-at-once` → every listed one; `one-after-another` → the first group of the
 * `networkPartitionGroups` property (`np1|np2,np3` = groups [np1, np2] and [np3]) or else the first
 * listed network partition.
 */
export function initialNetworkPartitions(policy: ApplicationPolicy): string[] {
  const nps = policy.networkPartitions ?? [];
  if (policy.algorithm === 'all-at-once') return [...nps];
  const groups = (policy.properties ?? []).find((p) => p.name === 'networkPartitionGroups')?.value;
  if (groups) {
    const first = String(groups)
      .split(',')[0]
      .split('|')
      .map((s) => s.trim())
      .filter(Boolean);
    if (first.length > 0) return first;
  }
  return nps.slice(0, 1);
}
