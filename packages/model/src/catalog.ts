import type {
  Application,
  ApplicationPolicy,
  ArtifactKind,
  AutoscalingPolicy,
  Cartridge,
  CartridgeGroup,
  DeploymentPolicy,
  KubernetesCluster,
  NetworkPartition,
  Tenant,
  User,
} from './artifacts.ts';
import { idOf, KIND_LABEL, MAX_ID_LENGTH } from './artifacts.ts';
import { error, type StratoError } from './errors.ts';
import { show } from './rule-helpers.ts';
import { validateApplication } from './application-rules.ts';
import { validateCartridgeGroup } from './group-rules.ts';
import {
  validateApplicationPolicy,
  validateAutoscalingPolicy,
  validateCartridge,
  validateDeploymentPolicy,
  validateKubernetesCluster,
  validateKubernetesHost,
  validateNetworkPartition,
  validateTenant,
  validateUser,
} from './infrastructure-rules.ts';
import { deploymentPoliciesOf, subscriptionsOf } from './application-references.ts';

export type { Catalog, StoredApplication } from './catalog-type.ts';
import type { Catalog } from './catalog-type.ts';

/** A catalog with nothing in it (validation of artifacts that refer to nothing: tenants, users). */
export function emptyCatalog(iaasProviders: string[] = []): Catalog {
  return {
    cartridges: new Map(),
    cartridgeGroups: new Map(),
    autoscalingPolicies: new Map(),
    deploymentPolicies: new Map(),
    applicationPolicies: new Map(),
    networkPartitions: new Map(),
    kubernetesClusters: new Map(),
    applications: new Map(),
    iaasProviders,
  };
}

/** Stratos's bracketed tag of each kind's id in messages (`Cartridge already exists: [cartridge-type] php`). */
const TAG: Record<ArtifactKind, string> = {
  cartridge: 'cartridge-type',
  cartridgeGroup: 'cartridge-group',
  application: 'application-id',
  autoscalingPolicy: 'autoscale-policy',
  deploymentPolicy: 'deployment-policy-id',
  applicationPolicy: 'application-policy',
  networkPartition: 'network-partition-id',
  kubernetesCluster: 'kub-host-cluster',
  kubernetesHost: 'kub-host',
  kubernetesMaster: 'kub-host',
  tenant: 'tenant',
  user: 'user',
};

function mapOf(kind: ArtifactKind, catalog: Catalog): Map<string, unknown> | undefined {
  switch (kind) {
    case 'cartridge':
      return catalog.cartridges;
    case 'cartridgeGroup':
      return catalog.cartridgeGroups;
    case 'application':
      return catalog.applications;
    case 'autoscalingPolicy':
      return catalog.autoscalingPolicies;
    case 'deploymentPolicy':
      return catalog.deploymentPolicies;
    case 'applicationPolicy':
      return catalog.applicationPolicies;
    case 'networkPartition':
      return catalog.networkPartitions;
    case 'kubernetesCluster':
      return catalog.kubernetesClusters;
    case 'tenant':
      return catalog.tenants;
    case 'user':
      return catalog.users;
    default:
      // hosts and masters live inside a kubernetes cluster; their existence is the caller's concern
      return undefined;
  }
}

const capitalised = (kind: ArtifactKind) => KIND_LABEL[kind][0].toUpperCase() + KIND_LABEL[kind].slice(1);

/**
 * Checks an artifact (in normal form, see `normalize`) against the catalog before it is written:
 * blank id (400), duplicate id on add (409, e.g. `Cartridge already exists: [cartridge-type] php`),
 * unknown id on update (404), then every referential and semantic rule of the kind (400 naming the
 * field, the value and the rule). Nothing is written; the first failure throws.
 *
 * @param mode `add` for POST, `update` for PUT
 * @throws StratoError
 */
export function validate(kind: ArtifactKind, artifact: unknown, catalog: Catalog, mode: 'add' | 'update'): void {
  if (typeof artifact !== 'object' || artifact === null) {
    throw error('ARTIFACT_NOT_OBJECT', { label: KIND_LABEL[kind] });
  }
  const id = idOf(kind, artifact);
  if (id.trim() === '') throw error('ID_BLANK', { Kind: capitalised(kind) });
  if (id.length > MAX_ID_LENGTH) {
    throw error('ID_TOO_LONG', { Kind: capitalised(kind), id: show(id), length: id.length, max: MAX_ID_LENGTH });
  }
  const existing = mapOf(kind, catalog);
  if (existing) {
    if (mode === 'add' && existing.has(id)) {
      throw error('ARTIFACT_EXISTS', { Kind: capitalised(kind), tag: TAG[kind], id });
    }
    if (mode === 'update' && !existing.has(id)) {
      throw error('ARTIFACT_NOT_FOUND', { label: capitalised(kind), tag: TAG[kind], id });
    }
  }
  switch (kind) {
    case 'networkPartition':
      return validateNetworkPartition(artifact as NetworkPartition, catalog);
    case 'deploymentPolicy':
      return validateDeploymentPolicy(artifact as DeploymentPolicy, catalog);
    case 'autoscalingPolicy':
      return validateAutoscalingPolicy(artifact as AutoscalingPolicy);
    case 'applicationPolicy':
      return validateApplicationPolicy(artifact as ApplicationPolicy, catalog);
    case 'cartridge':
      return validateCartridge(artifact as Cartridge, catalog);
    case 'cartridgeGroup':
      return validateCartridgeGroup(artifact as CartridgeGroup, catalog, mode);
    case 'application':
      return validateApplication(artifact as Application, catalog, mode);
    case 'kubernetesCluster':
      return validateKubernetesCluster(artifact as KubernetesCluster);
    case 'kubernetesHost':
    case 'kubernetesMaster':
      return validateKubernetesHost(kind, artifact as { hostId: string; hostname?: string });
    case 'tenant':
      return validateTenant(artifact as Tenant);
    case 'user':
      return validateUser(artifact as User, mode);
  }
}

/** Every cartridge type of a group definition, at any depth. */
export function cartridgeTypesOf(group: CartridgeGroup): string[] {
  return [...(group.cartridges ?? []), ...(group.groups ?? []).flatMap(cartridgeTypesOf)];
}

/**
 * Answers "is this artifact still in use?" (rest-api.md §7) before a removal.
 *
 * - cartridge: used by a cartridge group definition (any depth) or an application subscription (any depth)
 * - cartridge group: used by an application as a top-level group
 * - autoscaling policy: used by a subscription of an application, at any depth
 * - deployment policy: used by an application, directly or through a group
 * - network partition: used by an application through its deployment policies, by a deployment
 *   policy, or by an application policy
 * - application policy: recorded on an application (`applicationPolicyId`, kept after undeploy)
 * - kubernetes cluster: named by a partition of a network partition (property `cluster`)
 *
 * @returns a message naming the referrer (`Cannot remove cartridge php: it is used by cartridge
 *   group app-group`), or undefined when the artifact is free
 */
export function referrerOf(kind: ArtifactKind, id: string, catalog: Catalog): string | undefined {
  return inUse(kind, id, catalog)?.message;
}

/** The 409 ARTIFACT_IN_USE naming the referrer of an artifact (see referrerOf), or undefined when it is free. */
export function inUse(kind: ArtifactKind, id: string, catalog: Catalog): StratoError<'ARTIFACT_IN_USE'> | undefined {
  const usedBy = (what: string, name: string) => error('ARTIFACT_IN_USE', { label: KIND_LABEL[kind], id, what, name });
  const apps = [...catalog.applications.values()];
  switch (kind) {
    case 'cartridge': {
      for (const g of catalog.cartridgeGroups.values()) {
        if (cartridgeTypesOf(g).includes(id)) return usedBy('cartridge group', g.name);
      }
      const app = apps.find((a) => subscriptionsOf(a).some((s) => s.ref.type === id));
      return app && usedBy('application', app.applicationId);
    }
    case 'cartridgeGroup': {
      const app = apps.find((a) => (a.components.groups ?? []).some((g) => g.name === id));
      return app && usedBy('application', app.applicationId);
    }
    case 'autoscalingPolicy': {
      const app = apps.find((a) => subscriptionsOf(a).some((s) => s.ref.subscribableInfo.autoscalingPolicy === id));
      return app && usedBy('application', app.applicationId);
    }
    case 'deploymentPolicy': {
      const app = apps.find((a) => deploymentPoliciesOf(a).has(id));
      return app && usedBy('application', app.applicationId);
    }
    case 'networkPartition': {
      for (const a of apps) {
        for (const dpId of deploymentPoliciesOf(a)) {
          const dp = catalog.deploymentPolicies.get(dpId);
          if (dp?.networkPartitions.some((np) => np.id === id)) return usedBy('application', a.applicationId);
        }
      }
      for (const dp of catalog.deploymentPolicies.values()) {
        if (dp.networkPartitions.some((np) => np.id === id)) return usedBy('deployment policy', dp.id);
      }
      for (const ap of catalog.applicationPolicies.values()) {
        if (ap.networkPartitions.includes(id)) return usedBy('application policy', ap.id);
      }
      return undefined;
    }
    case 'applicationPolicy': {
      const app = apps.find((a) => a.applicationPolicyId === id);
      return app && usedBy('application', app.applicationId);
    }
    case 'kubernetesCluster': {
      for (const np of catalog.networkPartitions.values()) {
        for (const p of np.partitions) {
          if ((p.property ?? []).some((prop) => prop.name === 'cluster' && prop.value === id)) {
            return usedBy('network partition', np.id);
          }
        }
      }
      return undefined;
    }
    default:
      return undefined;
  }
}
