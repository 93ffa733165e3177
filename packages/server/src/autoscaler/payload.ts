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

/** Launch payload key of the member's broker user name (the Stratos agent's `mb.username`). */
export const MB_USERNAME_KEY = 'mb.username';
/** Launch payload key of the member's broker password (the Stratos agent's `mb.password`). */
export const MB_PASSWORD_KEY = 'mb.password';

/** What the cloud controller adds to a member's launch payload when it asks the IaaS for it. */
export interface LaunchIdentity {
  memberId: string;
  /** The member's own broker credentials; absent: none are added. */
  broker?: { username: string; password: string };
}

/**
 * The payload with the member's identity set: `MEMBER_ID`, and its broker credentials under the
 * keys Stratos's agent reads (`mb.username`, `mb.password`: its `read_property` takes them from
 * launch-params when agent.conf leaves them empty). An existing pair of those keys is replaced;
 * everything else stays as it was, in order.
 */
export function withLaunchIdentity(payload: string, id: LaunchIdentity): string {
  const set: [string, string][] = [['MEMBER_ID', id.memberId]];
  if (id.broker) set.push([MB_USERNAME_KEY, id.broker.username], [MB_PASSWORD_KEY, id.broker.password]);
  const keys = new Set(set.map(([k]) => k));
  const kept = payload === '' ? [] : payload.split(',').filter((item) => !keys.has(item.split('=')[0].trim()));
  return [...kept, ...set.map(([k, v]) => `${k}=${v}`)].join(',');
}

/** The payload with the value of `mb.password` replaced by `(redacted)`, for records shown or kept where no agent reads them. */
export function redactPayloadSecrets(payload: string): string {
  return payload
    .split(',')
    .map((item) => (item.split('=')[0].trim() === MB_PASSWORD_KEY ? `${MB_PASSWORD_KEY}=(redacted)` : item))
    .join(',');
}

/** The value of one key of a launch payload, as Stratos's agent reads it (the text between the first and second `=`). */
export function payloadValue(payload: string, key: string): string | undefined {
  for (const item of payload.split(',')) {
    const parts = item.trim().split('=');
    if (parts[0] === key && parts.length > 1) return parts[1];
  }
  return undefined;
}
