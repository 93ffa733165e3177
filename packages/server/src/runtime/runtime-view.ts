import { applicationAggregateStatus, type ComponentNode } from '@strato/model';
import type { ApplicationRuntime, ClusterRuntime, MemberRuntime } from './runtime-model.ts';
import type { RuntimeState } from './runtime-state.ts';

type Json = Record<string, unknown>;

function strip(o: Json): Json {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0)));
}

/** A member as the runtime view and GET /cluster show it. */
export function memberView(m: MemberRuntime): Json {
  return strip({
    memberId: m.memberId,
    instanceId: m.instanceId,
    clusterId: m.clusterId,
    clusterInstanceId: m.clusterInstanceId,
    serviceName: m.serviceName,
    networkPartitionId: m.networkPartitionId,
    partitionId: m.partitionId,
    status: m.status,
    defaultPrivateIP: m.defaultPrivateIP,
    defaultPublicIP: m.defaultPublicIP,
    memberPrivateIPs: m.memberPrivateIPs,
    memberPublicIPs: m.memberPublicIPs,
    ports: (m.ports ?? []).map((p) => ({ protocol: p.protocol, port: p.port, proxyPort: p.proxyPort })),
    property: Object.entries(m.properties ?? {})
      .filter(([k]) => k !== 'PAYLOAD')
      .map(([name, value]) => ({ name, value })),
  });
}

function clusterInstanceView(state: RuntimeState, cluster: ClusterRuntime, parentInstanceId: string): Json {
  const ci = cluster.instances[parentInstanceId];
  return strip({
    alias: cluster.alias,
    serviceName: cluster.serviceName,
    clusterId: cluster.clusterId,
    instanceId: parentInstanceId,
    parentInstanceId,
    status: ci?.status,
    tenantRange: cluster.tenantRange,
    hostNames: cluster.hostNames,
    accessUrls: ci?.status === 'Active' ? ci.accessUrls : undefined,
    member: ci ? state.membersOf(cluster.clusterId, ci.instanceId).map(memberView) : [],
  });
}

function levelView(state: RuntimeState, rt: ApplicationRuntime, node: ComponentNode, instanceId: string): Json {
  const clusterInstances = node.children.filter((c) => c.kind === 'cluster').map((c) => clusterInstanceView(state, rt.clusters[c.id], instanceId));
  const groupInstances = node.children
    .filter((c) => c.kind === 'group')
    .flatMap((g) =>
      Object.values(rt.groupInstances)
        .filter((gi) => gi.alias === g.alias && gi.parentInstanceId === instanceId)
        .map((gi) =>
          strip({
            groupId: g.alias,
            instanceId: gi.instanceId,
            parentInstanceId: gi.parentInstanceId,
            status: gi.status,
            ...levelView(state, rt, g, gi.instanceId),
          }),
        ),
    );
  return strip({ clusterInstances, groupInstances });
}

/**
 * `GET /api/applications/{id}/runtime` (rest-api.md §6.8): the application's instances with their
 * group instances, cluster instances and members, in Stratos's JSON shape (real arrays, absent
 * `status` for a cluster instance that does not exist yet).
 */
export function runtimeView(
  state: RuntimeState,
  rt: ApplicationRuntime,
  tree: ComponentNode,
  app: { name?: string; description?: string },
  tenantAdminUsername: string,
): Json {
  const instances = Object.values(rt.instances).filter((i) => i.status !== 'Terminated');
  return strip({
    id: rt.applicationId,
    name: app.name,
    description: app.description,
    status: rt.undeploy !== 'none' ? 'Inactive' : applicationAggregateStatus(instances.map((i) => i.status)),
    tenantDomain: rt.tenantDomain,
    tenantAdminUsername,
    applicationInstances: instances.map((i) =>
      strip({
        instanceId: i.instanceId,
        applicationId: rt.applicationId,
        status: i.status,
        ...levelView(state, rt, tree, i.instanceId),
      }),
    ),
  });
}
