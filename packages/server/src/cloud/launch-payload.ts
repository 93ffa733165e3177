import { randomInt } from 'node:crypto';
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
  /** The cluster's key (`CARTRIDGE_KEY`, see {@link generateCartridgeKey}). */
  cartridgeKey?: string;
  /** The alias of the group the cluster is in (`GROUP_NAME`); none at the top level. */
  groupName?: string;
  repoUrl?: string;
  /** The subscription's dependency aliases (`DEPENDENCY_ALIASES`). */
  dependencyAliases?: string[];
  /** The subscription's LVS virtual IP (`LVS_VIRTUAL_IP`, `ip|netmask`). */
  lvsVirtualIP?: string;
  /**
   * The `payload_parameter.X` sources, in order: the cartridge's properties, then the
   * subscription's; each becomes `X=value` (an existing `X` is replaced in place).
   */
  properties: { name: string; value: string }[];
  /** The member's properties (`MIN_COUNT`, ...), written after `INTERNAL` as Stratos's cloud controller does. */
  memberProperties?: Record<string, string>;
  /** The network partition's properties: its `payload_parameter.X` come last (replacing in place). */
  networkPartitionProperties?: { name: string; value: string }[];
  /** The subscription's persistence, else the cartridge's: required volumes become `PERSISTENCE_MAPPING`. */
  persistence?: { required?: boolean; volume?: { id?: string; volumeId?: string; device?: string; mappingPath?: string }[] };
}

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A cluster's `CARTRIDGE_KEY`: 16 random alphanumeric characters, as Stratos generates it. The
 * agent uses it as the AES key of the repository password; it is kept with the cluster's runtime,
 * so every member of the cluster, before and after a restart, gets the same key.
 */
export function generateCartridgeKey(): string {
  let key = '';
  for (let i = 0; i < 16; i++) key += KEY_ALPHABET[randomInt(KEY_ALPHABET.length)];
  return key;
}

const PAYLOAD_PARAMETER = 'payload_parameter.';

/**
 * The launch payload of a member as Stratos builds it: `KEY=value` pairs joined by commas, in
 * Stratos's order (orchestration.md §6.2 step 4, cartridge-agent.md §2.3): the autoscaler's base
 * keys, the cartridge's and the subscription's `payload_parameter.X` properties as `X`, `TOKEN`;
 * then the cloud controller's keys from `MEMBER_ID` to `INTERNAL`, the member's properties, and
 * the network partition's `payload_parameter.X` (each replacing an existing `X` in place, else
 * appended). A value Stratos would write as `null` (unset) is written empty; the agent reads both
 * as null. `MEMBER_ID` is empty until the cloud controller sets it ({@link withLaunchIdentity});
 * `INSTANCE_ID` and `LB_CLUSTER_ID` stay empty as in Stratos; `TOKEN` is empty (strato has no
 * metadata service); `PUPPET_*` are empty (strato runs no Puppet master); `EXPORTING_PROPERTIES`,
 * `DEPENDENCY_CLUSTER_IDS` and `IMPORT_METADATA_KEYS` are empty. `PERSISTENCE_MAPPING` comes last,
 * when persistence is required.
 */
export function buildPayload(p: PayloadInput): string {
  const ports = portsValue(p.cartridge.portMapping ?? []);
  const mappings = portMappingsValue(p.cartridge.portMapping ?? []);
  const pairs: [string, string][] = [
    ['APPLICATION_ID', p.applicationId],
    ['GROUP_NAME', p.groupName ?? ''],
    ['SERVICE_NAME', p.cartridge.type],
    ['HOST_NAME', p.hostName],
    ['MULTITENANT', String(p.cartridge.multiTenant ?? false)],
    ['TENANT_ID', String(p.tenantId)],
    ['TENANT_RANGE', '*'],
    ['CARTRIDGE_ALIAS', p.alias],
    ['CLUSTER_ID', p.clusterId],
    ['CARTRIDGE_KEY', p.cartridgeKey ?? ''],
    ['DEPLOYMENT', 'default'],
  ];
  if (p.cartridge.deployment?.baseDir) pairs.push(['APPLICATION_PATH', p.cartridge.deployment.baseDir]);
  pairs.push(
    ['REPO_URL', p.repoUrl ?? ''],
    ['PORTS', ports],
    ['PORT_MAPPINGS', mappings],
    ['PROVIDER', p.cartridge.provider ?? ''],
    ['PUPPET_IP', ''],
    ['PUPPET_HOSTNAME', ''],
    ['PUPPET_DNS_AVAILABLE', ''],
    ['PUPPET_ENV', ''],
    ['DEPENDENCY_ALIASES', (p.dependencyAliases ?? []).join('|')],
    ['EXPORTING_PROPERTIES', ''],
    ['DEPENDENCY_CLUSTER_IDS', ''],
    ['EXPORT_METADATA_KEYS', (p.cartridge.metadataKeys ?? []).join('|')],
    ['IMPORT_METADATA_KEYS', ''],
  );
  if (p.lvsVirtualIP) pairs.push(['LVS_VIRTUAL_IP', p.lvsVirtualIP]);
  const set = (key: string, value: string) => {
    const at = pairs.findIndex(([k]) => k === key);
    if (at >= 0) pairs[at] = [key, value];
    else pairs.push([key, value]);
  };
  const parameters = (props: { name: string; value: string }[]) => {
    for (const prop of props) {
      if (prop.name.startsWith(PAYLOAD_PARAMETER)) set(prop.name.slice(PAYLOAD_PARAMETER.length), prop.value);
    }
  };
  parameters(p.properties);
  if (!pairs.some(([k]) => k === 'TOKEN')) pairs.push(['TOKEN', '']);
  pairs.push(
    ['MEMBER_ID', p.memberId ?? ''],
    ['INSTANCE_ID', ''],
    ['CLUSTER_INSTANCE_ID', p.clusterInstanceId],
    ['LB_CLUSTER_ID', ''],
    ['NETWORK_PARTITION_ID', p.networkPartitionId],
    ['PARTITION_ID', p.partitionId],
    ['INTERNAL', 'false'],
  );
  for (const [key, value] of Object.entries(p.memberProperties ?? {})) set(key, value);
  parameters(p.networkPartitionProperties ?? []);
  const persistence = p.persistence ?? p.cartridge.persistence;
  if (persistence?.required && (persistence.volume ?? []).length > 0) {
    // Stratos: device|volumeId|mappingPath per volume, joined by `|` (a volume the IaaS has not created yet has no id)
    const volumes = (persistence.volume ?? []).map((v) => `${v.device ?? ''}|${v.volumeId ?? v.id ?? ''}|${v.mappingPath ?? ''}`);
    pairs.push(['PERSISTENCE_MAPPING', volumes.join('|')]);
  }
  return pairs.map(([k, v]) => `${k}=${v}`).join(',');
}

/** A port of a member as the payload describes it (a cartridge's port mapping). */
export interface PayloadPort {
  name?: string;
  protocol: string;
  port: number;
  proxyPort?: number;
  kubernetesPortType?: string;
}

/** The value of `PORTS`: the ports joined by `|`. */
export function portsValue(ports: readonly PayloadPort[]): string {
  return ports.map((m) => m.port).join('|');
}

/** The value of `PORT_MAPPINGS`: `NAME:x|PROTOCOL:p|PORT:n|PROXY_PORT:n|TYPE:t` per port, joined by `;`. */
export function portMappingsValue(ports: readonly PayloadPort[]): string {
  return ports
    .map(
      (m) =>
        `NAME:${m.name ?? `${m.protocol}-${m.port}`}|PROTOCOL:${m.protocol}|PORT:${m.port}|PROXY_PORT:${m.proxyPort ?? 0}|TYPE:${m.kubernetesPortType ?? ''}`,
    )
    .join(';');
}

/**
 * The payload with `PORTS` and `PORT_MAPPINGS` of the ports a member really got, for a driver
 * that hands out ports itself (the process IaaS: members side by side on one host): each in its
 * place (appended when missing), everything else as it was, in order. Give each port its
 * cartridge mapping's name, so that `PORT_MAPPINGS` keeps the names of the cartridge.
 */
export function withMemberPorts(payload: string, ports: readonly PayloadPort[]): string {
  const items = payload === '' ? [] : payload.split(',');
  const keyOf = (item: string) => item.split('=')[0].trim();
  for (const [key, value] of [
    ['PORTS', portsValue(ports)],
    ['PORT_MAPPINGS', portMappingsValue(ports)],
  ] as const) {
    const at = items.findIndex((item) => keyOf(item) === key);
    if (at >= 0) items[at] = `${key}=${value}`;
    else items.push(`${key}=${value}`);
  }
  return items.join(',');
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
 * The payload with the member's identity set: `MEMBER_ID` (in its place when the payload has the
 * key, else appended), and its broker credentials appended under the keys Stratos's agent reads
 * (`mb.username`, `mb.password`: its `read_property` takes them from launch-params when agent.conf
 * leaves them empty). Existing pairs of those keys are replaced; everything else stays as it was,
 * in order. The one place a member's identity enters its payload.
 */
export function withLaunchIdentity(payload: string, id: LaunchIdentity): string {
  const items = payload === '' ? [] : payload.split(',');
  const keyOf = (item: string) => item.split('=')[0].trim();
  // MEMBER_ID where buildPayload put it (Stratos's place, before INSTANCE_ID), else at the end
  const at = items.findIndex((item) => keyOf(item) === 'MEMBER_ID');
  const member = `MEMBER_ID=${id.memberId}`;
  if (at >= 0) items[at] = member;
  const credentials = new Set([MB_USERNAME_KEY, MB_PASSWORD_KEY]);
  const kept = items.filter((item, i) => (i === at || keyOf(item) !== 'MEMBER_ID') && !(id.broker && credentials.has(keyOf(item))));
  if (at < 0) kept.push(member);
  if (id.broker) kept.push(`${MB_USERNAME_KEY}=${id.broker.username}`, `${MB_PASSWORD_KEY}=${id.broker.password}`);
  return kept.join(',');
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
