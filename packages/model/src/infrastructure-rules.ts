import type {
  ApplicationPolicy,
  ArtifactKind,
  AutoscalingPolicy,
  Cartridge,
  DeploymentPolicy,
  KubernetesCluster,
  NetworkPartition,
  Tenant,
  User,
} from './artifacts.ts';
import type { Catalog } from './catalog-type.ts';
import { MAX_ID_LENGTH } from './artifacts.ts';
import { error } from './errors.ts';
import { broken, firstDuplicate, isBlank, show } from './rule-helpers.ts';

/*
 * Rules of the artifacts that describe infrastructure and policies (rest-api.md §6.1–6.5, 6.10,
 * 6.12, 6.13). Each function assumes the artifact is in normal form and throws a 400 on the
 * first broken rule; existence of the artifact itself (409/404) is checked by `validate`.
 */

function checkProvider(what: string, field: string, provider: string, catalog: Catalog): void {
  if (isBlank(provider)) throw broken('VALUE_BLANK', what, field, provider, 'must not be blank');
  if (!catalog.iaasProviders.includes(provider)) {
    throw broken('REFERENCE_UNRESOLVED', what, field, provider, `is not a bound IaaS provider (bound: ${catalog.iaasProviders.join(', ') || 'none'})`);
  }
}

/** Network partition: a bound provider, ≥1 partition, partition ids non-blank and unique. */
export function validateNetworkPartition(np: NetworkPartition, catalog: Catalog): void {
  const what = `network partition ${np.id}`;
  checkProvider(what, 'provider', np.provider, catalog);
  if (np.partitions.length === 0) {
    throw broken('VALUE_BLANK', what, 'partitions', np.partitions, `must hold at least one partition: Network partition: ${np.id} doesn't have any partitions`);
  }
  np.partitions.forEach((p, i) => {
    if (isBlank(p.id)) throw broken('VALUE_BLANK', what, `partitions[${i}].id`, p.id, 'must not be blank');
  });
  const dup = firstDuplicate(np.partitions.map((p) => p.id));
  if (dup !== undefined) throw broken('VALUE_DUPLICATE', what, 'partitions[].id', dup, 'is defined more than once');
}

const PARTITION_ALGORITHMS = ['round-robin', 'one-after-another'];

/**
 * Deployment policy: ≥1 network partition reference, each to an existing network partition, with
 * a valid partition algorithm and ≥1 partition of that network partition with partitionMax ≥ 0.
 */
export function validateDeploymentPolicy(dp: DeploymentPolicy, catalog: Catalog): void {
  const what = `deployment policy ${dp.id}`;
  if (dp.networkPartitions.length === 0) {
    throw broken('VALUE_BLANK', what, 'networkPartitions', dp.networkPartitions, 'must hold at least one network partition reference');
  }
  const dupNp = firstDuplicate(dp.networkPartitions.map((n) => n.id));
  if (dupNp !== undefined) throw broken('VALUE_DUPLICATE', what, 'networkPartitions[].id', dupNp, 'is referenced more than once');
  dp.networkPartitions.forEach((ref, i) => {
    const at = `networkPartitions[${i}]`;
    if (isBlank(ref.id)) throw broken('VALUE_BLANK', what, `${at}.id`, ref.id, 'must not be blank');
    const np = catalog.networkPartitions.get(ref.id);
    if (!np) throw broken('REFERENCE_UNRESOLVED', what, `${at}.id`, ref.id, 'is not an existing network partition');
    if (!PARTITION_ALGORITHMS.includes(ref.partitionAlgo)) {
      throw broken('VALUE_CHOICE', what, `${at}.partitionAlgo`, ref.partitionAlgo, `must be one of ${PARTITION_ALGORITHMS.join(', ')}`);
    }
    if (ref.partitions.length === 0) {
      throw broken('VALUE_BLANK', what, `${at}.partitions`, ref.partitions, 'must hold at least one partition reference');
    }
    const dup = firstDuplicate(ref.partitions.map((p) => p.id));
    if (dup !== undefined) throw broken('VALUE_DUPLICATE', what, `${at}.partitions[].id`, dup, 'is referenced more than once');
    ref.partitions.forEach((p, j) => {
      if (!np.partitions.some((q) => q.id === p.id)) {
        throw broken('REFERENCE_UNRESOLVED', what, `${at}.partitions[${j}].id`, p.id, `is not a partition of network partition ${np.id}`);
      }
      if (p.partitionMax !== undefined && p.partitionMax < 0) {
        throw broken('VALUE_RANGE', what, `${at}.partitions[${j}].partitionMax`, p.partitionMax, 'must be >= 0');
      }
    });
  });
}

/**
 * Autoscaling policy thresholds (Stratos checks none; strato rejects values that cannot work):
 * - requestsInFlight is a count of requests per member: a threshold ≤ 0 would scale up forever;
 * - memoryConsumption is a percentage of the member's memory, so it lies within 0..100;
 * - loadAverage is the 1-minute load average as a percentage of the member's CPU capacity
 *   (cartridge-agent.md §health statistics); a threshold above 100 would only act once the member is
 *   already overloaded, so it is limited to 0..100 like memory.
 * A missing threshold is not used (Stratos treats it as 0).
 */
export function validateAutoscalingPolicy(policy: AutoscalingPolicy): void {
  const what = `autoscaling policy ${policy.id}`;
  const t = policy.loadThresholds;
  const rif = t?.requestsInFlight?.threshold;
  if (rif !== undefined && !(rif > 0)) {
    throw broken('VALUE_RANGE', what, 'loadThresholds.requestsInFlight.threshold', rif, 'must be > 0');
  }
  for (const key of ['memoryConsumption', 'loadAverage'] as const) {
    const v = t?.[key]?.threshold;
    if (v !== undefined && !(v >= 0 && v <= 100)) {
      throw broken('VALUE_RANGE', what, `loadThresholds.${key}.threshold`, v, 'must be within 0..100 (percent)');
    }
  }
}

const NP_ALGORITHMS = ['one-after-another', 'all-at-once'];

/** The application-policy property that groups network partitions (rest-api.md §6.4). */
export const NETWORK_PARTITION_GROUPS = 'networkPartitionGroups';

/**
 * Application policy: algorithm one-after-another | all-at-once, ≥1 network partition, each
 * existing and listed once; every id in the networkPartitionGroups property exists.
 */
export function validateApplicationPolicy(policy: ApplicationPolicy, catalog: Catalog): void {
  const what = `application policy ${policy.id}`;
  if (!NP_ALGORITHMS.includes(policy.algorithm)) {
    throw broken('VALUE_CHOICE', what, 'algorithm', policy.algorithm, `must be one of ${NP_ALGORITHMS.join(', ')}`);
  }
  if (policy.networkPartitions.length === 0) {
    throw broken('VALUE_BLANK', what, 'networkPartitions', policy.networkPartitions, 'must hold at least one network partition');
  }
  policy.networkPartitions.forEach((np, i) => {
    if (!catalog.networkPartitions.has(np)) {
      throw broken('REFERENCE_UNRESOLVED', what, `networkPartitions[${i}]`, np, 'is not an existing network partition');
    }
  });
  const dup = firstDuplicate(policy.networkPartitions);
  if (dup !== undefined) throw broken('VALUE_DUPLICATE', what, 'networkPartitions', dup, 'is listed more than once');
  (policy.properties ?? []).forEach((p, i) => {
    if (p.name !== NETWORK_PARTITION_GROUPS) return;
    for (const id of networkPartitionGroups(p.value ?? '').flat()) {
      if (!catalog.networkPartitions.has(id)) {
        throw broken('REFERENCE_UNRESOLVED', what, `properties[${i}].value`, p.value, `names ${show(id)}, which is not an existing network partition`);
      }
    }
  });
}

/** `"np1|np2, np3"` → `[['np1','np2'],['np3']]` (blank entries dropped). */
export function networkPartitionGroups(value: string): string[][] {
  return value
    .split(',')
    .map((g) =>
      g
        .split('|')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    )
    .filter((g) => g.length > 0);
}

const KUBERNETES_PORT_TYPES = ['NodePort', 'ClusterIP'];

/**
 * Cartridge: non-blank category, ≥1 IaaS provider each of a bound type, ports within 1..65535
 * (proxy ports 0..65535, 0 = none), valid kubernetesPortType.
 */
export function validateCartridge(c: Cartridge, catalog: Catalog): void {
  const what = `cartridge ${c.type}`;
  if (isBlank(c.category)) throw broken('VALUE_BLANK', what, 'category', c.category, 'must not be blank');
  if (c.iaasProvider.length === 0) {
    throw broken('VALUE_BLANK', what, 'iaasProvider', c.iaasProvider, 'must hold at least one IaaS provider');
  }
  c.iaasProvider.forEach((p, i) => checkProvider(what, `iaasProvider[${i}].type`, p.type, catalog));
  c.portMapping.forEach((pm, i) => {
    const at = `portMapping[${i}]`;
    if (isBlank(pm.protocol)) throw broken('VALUE_BLANK', what, `${at}.protocol`, pm.protocol, 'must not be blank');
    if (!(pm.port >= 1 && pm.port <= 65535)) throw broken('VALUE_RANGE', what, `${at}.port`, pm.port, 'must be within 1..65535');
    if (pm.proxyPort !== undefined && !(pm.proxyPort >= 0 && pm.proxyPort <= 65535)) {
      throw broken('VALUE_RANGE', what, `${at}.proxyPort`, pm.proxyPort, 'must be within 0..65535');
    }
    if (pm.kubernetesPortType !== undefined && !KUBERNETES_PORT_TYPES.includes(pm.kubernetesPortType)) {
      throw broken('VALUE_CHOICE', what, `${at}.kubernetesPortType`, pm.kubernetesPortType, `must be one of ${KUBERNETES_PORT_TYPES.join(', ')}`);
    }
  });
}

/** Kubernetes cluster: a master with a host id, port range lower ≤ upper within 1..65535, unique host ids. */
export function validateKubernetesCluster(k: KubernetesCluster): void {
  const what = `kubernetes cluster ${k.clusterId}`;
  if (isBlank(k.kubernetesMaster.hostId)) {
    throw broken('VALUE_BLANK', what, 'kubernetesMaster.hostId', k.kubernetesMaster.hostId, 'must not be blank');
  }
  const { lower, upper } = k.portRange;
  for (const [field, v] of [
    ['lower', lower],
    ['upper', upper],
  ] as const) {
    if (!(v >= 1 && v <= 65535)) throw broken('VALUE_RANGE', what, `portRange.${field}`, v, 'must be within 1..65535');
  }
  if (lower > upper) throw broken('VALUE_RANGE', what, 'portRange', k.portRange, 'must have lower <= upper');
  const hosts = k.kubernetesHosts ?? [];
  hosts.forEach((h, i) => {
    if (isBlank(h.hostId)) throw broken('VALUE_BLANK', what, `kubernetesHosts[${i}].hostId`, h.hostId, 'must not be blank');
  });
  const dup = firstDuplicate([k.kubernetesMaster.hostId, ...hosts.map((h) => h.hostId)]);
  if (dup !== undefined) throw broken('VALUE_DUPLICATE', what, 'kubernetesHosts[].hostId', dup, 'is used by more than one host');
}

/** Kubernetes host or master on its own: a non-blank host id (checked by normalize) and host name if given. */
export function validateKubernetesHost(kind: ArtifactKind, h: { hostId: string; hostname?: string }): void {
  if (h.hostname !== undefined && isBlank(h.hostname)) {
    throw broken(
      'VALUE_BLANK',
      `${kind === 'kubernetesMaster' ? 'kubernetes master' : 'kubernetes host'} ${h.hostId}`,
      'hostname',
      h.hostname,
      'must not be blank',
    );
  }
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** Labels of letters, digits and inner hyphens, at least two of them, separated by dots. */
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

/** Tenant: an email that looks like one and a syntactically valid domain. */
export function validateTenant(t: Tenant): void {
  if (!DOMAIN.test(t.tenantDomain)) throw error('TENANT_DOMAIN_INVALID', { domain: t.tenantDomain });
  if (!EMAIL.test(t.email)) throw error('TENANT_EMAIL_INVALID', { email: t.email });
  if (t.admin !== undefined && t.admin.length > MAX_ID_LENGTH) {
    throw error('TENANT_ADMIN_TOO_LONG', { length: t.admin.length, max: MAX_ID_LENGTH });
  }
}

/** User: a non-blank user name; on add, a non-blank credential. */
export function validateUser(u: User, mode: 'add' | 'update'): void {
  if (isBlank(u.userName)) throw broken('VALUE_BLANK', 'user', 'userName', u.userName, 'must not be blank');
  if (mode === 'add' && isBlank(u.credential)) {
    throw broken('VALUE_BLANK', `user ${u.userName}`, 'credential', u.credential ?? '', 'must not be blank');
  }
}
