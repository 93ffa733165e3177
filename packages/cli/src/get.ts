/** `get KIND [ID]`: definitions as a table (`-o wide`: more columns), JSON or YAML. */
import { type CollectionKind, StratoApiError, type StratoClient } from '@strato/client';
import { type Cell, type Colors, type OutputFormat, statusColor, table, toJson, yaml } from './output.ts';
import type { ExtraKind } from './kinds.ts';

type Row = Record<string, any>;
type Column = { header: string; cell: (r: Row, c: Colors) => Cell; wide?: boolean };

const list = (v: unknown): string => (Array.isArray(v) ? v.map(String).join(',') : v === undefined || v === null ? '' : String(v));
const text = (v: unknown): Cell => (v === undefined || v === null || v === '' ? '-' : String(v));
const status = (v: unknown, c: Colors): Cell => ({ text: String(v ?? '-'), shown: statusColor(c, v === undefined ? undefined : String(v)) });

type Level = { cartridges?: { type?: string; subscribableInfo?: { alias?: string } }[]; groups?: (Level & { alias?: string; name?: string })[] };
const subscriptions = (l: Level | undefined): string[] => [
  ...(l?.cartridges ?? []).map((c) => `${c.subscribableInfo?.alias ?? '?'}:${c.type ?? '?'}`),
  ...(l?.groups ?? []).flatMap((g) => subscriptions(g)),
];
const groupsOf = (l: Level | undefined): string[] => (l?.groups ?? []).flatMap((g) => [`${g.alias ?? '?'}:${g.name ?? '?'}`, ...groupsOf(g)]);

const COLUMNS: Record<CollectionKind | ExtraKind, Column[]> = {
  networkPartition: [
    { header: 'id', cell: (r) => text(r.id) },
    { header: 'provider', cell: (r) => text(r.provider) },
    { header: 'partitions', cell: (r) => text(list((r.partitions ?? []).map((p: Row) => p.id))) },
    { header: 'properties', wide: true, cell: (r) => text(list((r.properties ?? []).map((p: Row) => `${p.name}=${p.value}`))) },
  ],
  kubernetesCluster: [
    { header: 'id', cell: (r) => text(r.clusterId) },
    { header: 'master', cell: (r) => text(r.kubernetesMaster?.privateIPAddress ?? r.kubernetesMaster?.hostname) },
    { header: 'hosts', cell: (r) => text((r.kubernetesHosts ?? []).length) },
    { header: 'ports', wide: true, cell: (r) => text(r.portRange ? `${r.portRange.lower}-${r.portRange.upper}` : '') },
  ],
  autoscalingPolicy: [
    { header: 'id', cell: (r) => text(r.id) },
    { header: 'requests-in-flight', cell: (r) => text(r.loadThresholds?.requestsInFlight?.threshold) },
    { header: 'memory', cell: (r) => text(r.loadThresholds?.memoryConsumption?.threshold) },
    { header: 'load', cell: (r) => text(r.loadThresholds?.loadAverage?.threshold) },
    { header: 'description', wide: true, cell: (r) => text(r.description) },
  ],
  deploymentPolicy: [
    { header: 'id', cell: (r) => text(r.id) },
    { header: 'network-partitions', cell: (r) => text(list((r.networkPartitions ?? []).map((np: Row) => `${np.id}:${np.partitionAlgo}`))) },
    {
      header: 'partitions',
      wide: true,
      cell: (r) => text(list((r.networkPartitions ?? []).flatMap((np: Row) => (np.partitions ?? []).map((p: Row) => `${p.id}(max ${p.partitionMax})`)))),
    },
  ],
  applicationPolicy: [
    { header: 'id', cell: (r) => text(r.id) },
    { header: 'algorithm', cell: (r) => text(r.algorithm) },
    { header: 'network-partitions', cell: (r) => text(list(r.networkPartitions)) },
    { header: 'properties', wide: true, cell: (r) => text(list((r.properties ?? []).map((p: Row) => `${p.name}=${p.value}`))) },
  ],
  cartridge: [
    { header: 'type', cell: (r) => text(r.type) },
    { header: 'category', cell: (r) => text(r.category) },
    { header: 'provider', cell: (r) => text(r.provider) },
    { header: 'version', cell: (r) => text(r.version) },
    { header: 'multi-tenant', cell: (r) => text(r.multiTenant ?? false) },
    { header: 'iaas', wide: true, cell: (r) => text(list((r.iaasProvider ?? []).map((i: Row) => i.type))) },
    { header: 'ports', wide: true, cell: (r) => text(list((r.portMapping ?? []).map((p: Row) => `${p.protocol}/${p.port}`))) },
    { header: 'description', wide: true, cell: (r) => text(r.description) },
  ],
  cartridgeGroup: [
    { header: 'name', cell: (r) => text(r.name) },
    { header: 'cartridges', cell: (r) => text(list(r.cartridges)) },
    { header: 'groups', cell: (r) => text(list((r.groups ?? []).map((g: Row) => g.name))) },
    { header: 'startup-orders', wide: true, cell: (r) => text((r.dependencies?.startupOrders ?? []).map((o: Row) => list(o.aliases)).join(' ; ')) },
    { header: 'termination', wide: true, cell: (r) => text(r.dependencies?.terminationBehaviour) },
  ],
  application: [
    { header: 'id', cell: (r) => text(r.applicationId) },
    { header: 'alias', cell: (r) => text(r.alias) },
    { header: 'status', cell: (r, c) => status(r.status, c) },
    { header: 'subscriptions', wide: true, cell: (r) => text(list(subscriptions(r.components))) },
    { header: 'groups', wide: true, cell: (r) => text(list(groupsOf(r.components))) },
  ],
  tenant: [
    { header: 'domain', cell: (r) => text(r.tenantDomain) },
    { header: 'id', cell: (r) => text(r.tenantId) },
    { header: 'active', cell: (r, c) => status(r.active, c) },
    { header: 'admin', cell: (r) => text(r.admin) },
    { header: 'email', wide: true, cell: (r) => text(r.email) },
  ],
  user: [
    { header: 'user', cell: (r) => text(r.userName) },
    { header: 'role', cell: (r) => text(r.role) },
  ],
};

/** The definitions of a kind (all, or the one named); a list route's 404 ("none found") is an empty list. */
export async function fetchKind(client: StratoClient, kind: CollectionKind | ExtraKind, id?: string): Promise<Row[] | Row> {
  if (kind === 'tenant') return id ? client.getTenant(id) : orEmpty(() => client.listTenants());
  if (kind === 'user') {
    const users = await client.listUsers();
    if (!id) return users;
    const user = users.find((u) => u.userName === id);
    if (!user) throw new StratoApiError(404, `User not found: ${id}`, undefined, 'GET /api/users');
    return user;
  }
  const collection = client.collection(kind);
  return id ? ((await collection.get(id)) as Row) : ((await orEmpty(() => collection.list())) as Row[]);
}

async function orEmpty<T>(call: () => Promise<T[]>): Promise<T[]> {
  try {
    return await call();
  } catch (e) {
    if (e instanceof StratoApiError && e.isNotFound) return [];
    throw e;
  }
}

/** The lines `get` prints. */
export function render(kind: CollectionKind | ExtraKind, data: Row[] | Row, format: OutputFormat, c: Colors): string[] {
  if (format === 'json') return [toJson(data)];
  if (format === 'yaml') return [yaml(data)];
  const rows = Array.isArray(data) ? data : [data];
  const columns = COLUMNS[kind].filter((col) => format === 'wide' || !col.wide);
  return table(
    columns.map((col) => col.header),
    rows.map((r) => columns.map((col) => col.cell(r, c))),
    c,
  );
}
