import type { Cartridge } from '@strato/model';
import type { Cluster, Member, PortMap, Topology } from '@strato/messaging';
import type { MemberRuntime } from './runtime-model.ts';
import type { RuntimeState } from './runtime-state.ts';

/** Stratos's `portMap`: proxy port → {protocol, value, proxy}, for a cartridge's or a member's ports. */
export function portMapOf(ports: { protocol: string; port: number; proxyPort?: number }[] | undefined): PortMap {
  const map: PortMap = {};
  for (const p of ports ?? []) map[String(p.proxyPort ?? 0)] = { protocol: p.protocol, value: p.port, proxy: p.proxyPort ?? 0 };
  return map;
}

function wireMember(m: MemberRuntime): Member {
  const { PAYLOAD: _payload, ...properties } = m.properties ?? {};
  return {
    serviceName: m.serviceName,
    clusterId: m.clusterId,
    memberId: m.memberId,
    clusterInstanceId: m.clusterInstanceId,
    networkPartitionId: m.networkPartitionId,
    partitionId: m.partitionId,
    ...(m.instanceId ? { instanceId: m.instanceId } : {}),
    initTime: m.initTime,
    portMap: portMapOf(m.ports),
    ...(m.memberPublicIPs ? { memberPublicIPs: m.memberPublicIPs, defaultPublicIP: m.defaultPublicIP } : {}),
    ...(m.memberPrivateIPs ? { memberPrivateIPs: m.memberPrivateIPs, defaultPrivateIP: m.defaultPrivateIP } : {}),
    properties,
    memberStateManager: { stateStack: [m.status], identifier: m.memberId },
    loadBalancingIPType: 'Private',
  };
}

/**
 * The complete topology in Stratos's wire form (CompleteTopologyEvent): a service per cartridge,
 * with the clusters of every deployed application, their instances and members.
 */
export function completeTopology(state: RuntimeState, cartridges: ReadonlyMap<string, Cartridge>): Topology {
  const topology: Topology = { serviceMap: {}, clusterMap: {}, initialized: false };
  for (const c of cartridges.values()) {
    topology.serviceMap[c.type] = {
      serviceName: c.type,
      serviceType: c.multiTenant ? 'MultiTenant' : 'SingleTenant',
      clusterIdClusterMap: {},
      portMap: portMapOf(c.portMapping),
    };
  }
  for (const rt of state.apps.values()) {
    for (const cr of Object.values(rt.clusters)) {
      const cluster: Cluster = {
        serviceName: cr.serviceName,
        clusterId: cr.clusterId,
        autoscalePolicyName: cr.autoscalingPolicy,
        deploymentPolicyName: cr.deploymentPolicy,
        hostNames: cr.hostNames,
        tenantRange: cr.tenantRange,
        isLbCluster: false,
        isKubernetesCluster: false,
        memberMap: {},
        appId: cr.appId,
        instanceIdToInstanceContextMap: {},
        accessUrls: {},
        // always present, as Stratos sends them: the Python agent's parser requires kubernetesServices
        kubernetesServices: [],
        loadBalancerIps: [],
      };
      for (const ci of Object.values(cr.instances)) {
        cluster.instanceIdToInstanceContextMap[ci.instanceId] = {
          alias: cr.alias,
          clusterId: cr.clusterId,
          instanceId: ci.instanceId,
          lifeCycleStateManager: { stateStack: ci.previous ? [ci.previous, ci.status] : [ci.status], identifier: `${cr.clusterId}_${ci.instanceId}` },
          parentId: ci.parentInstanceId,
          networkPartitionId: ci.networkPartitionId,
        };
        if (ci.accessUrls) cluster.accessUrls![ci.instanceId] = ci.accessUrls;
        for (const m of state.membersOf(cr.clusterId, ci.instanceId)) cluster.memberMap[m.memberId] = wireMember(m);
      }
      const service = topology.serviceMap[cr.serviceName];
      if (service) service.clusterIdClusterMap[cr.clusterId] = cluster;
      topology.clusterMap![cr.clusterId] = cluster;
    }
  }
  return topology;
}
