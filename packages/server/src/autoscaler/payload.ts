import type { Cartridge } from '@strato/model';

/** The values a member's launch payload is built from (orchestration.md §6.2, step 4). */
export interface PayloadInput {
  applicationId: string;
  cartridge: Cartridge;
  alias: string;
  clusterId: string;
  clusterInstanceId: string;
  memberId?: string;
  hostName: string;
  networkPartitionId: string;
  partitionId: string;
  tenantId: number;
  repoUrl?: string;
  properties: { name: string; value: string }[];
}

/**
 * The launch payload of a member as Stratos builds it: `KEY=value` pairs joined by commas, in
 * Stratos's order, then the `payload_parameter.X` properties of the cartridge, the subscription
 * and the network partition as `X=value`.
 */
export function buildPayload(p: PayloadInput): string {
  const ports = (p.cartridge.portMapping ?? []).map((m) => m.port).join('|');
  const mappings = (p.cartridge.portMapping ?? [])
    .map((m) => `NAME:${m.name ?? `${m.protocol}-${m.port}`}|PROTOCOL:${m.protocol}|PORT:${m.port}|PROXY_PORT:${m.proxyPort ?? 0}|TYPE:${m.kubernetesPortType ?? ''}`)
    .join(';');
  const pairs: [string, string][] = [
    ['APPLICATION_ID', p.applicationId],
    ['SERVICE_NAME', p.cartridge.type],
    ['HOST_NAME', p.hostName],
    ['MULTITENANT', String(p.cartridge.multiTenant ?? false)],
    ['TENANT_ID', String(p.tenantId)],
    ['TENANT_RANGE', '*'],
    ['CARTRIDGE_ALIAS', p.alias],
    ['CLUSTER_ID', p.clusterId],
    ['DEPLOYMENT', 'default'],
    ['REPO_URL', p.repoUrl ?? ''],
    ['PORTS', ports],
    ['PORT_MAPPINGS', mappings],
    ['PROVIDER', p.cartridge.provider ?? ''],
    ['CLUSTER_INSTANCE_ID', p.clusterInstanceId],
    ['NETWORK_PARTITION_ID', p.networkPartitionId],
    ['PARTITION_ID', p.partitionId],
    ['INTERNAL', 'false'],
  ];
  if (p.memberId) pairs.push(['MEMBER_ID', p.memberId]);
  for (const prop of p.properties) {
    if (!prop.name.startsWith('payload_parameter.')) continue;
    const key = prop.name.slice('payload_parameter.'.length);
    const at = pairs.findIndex(([k]) => k === key);
    if (at >= 0) pairs[at] = [key, prop.value];
    else pairs.push([key, prop.value]);
  }
  return pairs.map(([k, v]) => `${k}=${v}`).join(',');
}
