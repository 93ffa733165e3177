/**
 * Reading the complete topology (`CompleteTopologyEvent`) leniently (cartridge-agent.md §5.3,
 * §8.5): only the path to the agent's own service, cluster and member is needed; every other field
 * may be absent.
 */
import type { MemberStatus } from '@strato/messaging/agent-conversation.ts';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined);

/** What the agent takes from a topology. */
export interface TopologyView {
  /** Own member's status (last element of its state stack), undefined when it is not in the topology. */
  status: MemberStatus | undefined;
  /** Properties of own service, cluster and member (for the extensions), when found. */
  serviceProperties: Obj;
  clusterProperties: Obj;
  memberProperties: Obj;
  /** Own cluster's member map (MEMBER_LIST_JSON). */
  memberMap: Obj | undefined;
  /** Default private and public IP of the first member of a cluster (LB_IP), by cluster id. */
  firstMemberIps(clusterId: string): { privateIp?: string; publicIp?: string } | undefined;
  /** Status of any member, for the parity rule of member events. */
  statusOf(serviceName: string, clusterId: string, memberId: string): MemberStatus | undefined;
}

function properties(v: unknown): Obj {
  const o = obj(v);
  if (o === undefined) return {};
  // Stratos serialises Properties either as a plain map or as {"properties": {...}}
  return obj(o.properties) ?? o;
}

function clusterOf(topology: Obj, serviceName: string, clusterId: string): { service?: Obj; cluster?: Obj } {
  const service = obj(obj(topology.serviceMap)?.[serviceName]);
  return { service, cluster: obj(obj(service?.clusterIdClusterMap)?.[clusterId]) };
}

function statusOfMember(member: Obj | undefined): MemberStatus | undefined {
  const stack = obj(member?.memberStateManager)?.stateStack;
  if (Array.isArray(stack) && stack.length > 0) return String(stack[stack.length - 1]) as MemberStatus;
  return typeof member?.status === 'string' ? (member.status as MemberStatus) : undefined;
}

/** The agent's view of a CompleteTopologyEvent payload. */
export function viewTopology(payload: unknown, serviceName: string, clusterId: string, memberId: string): TopologyView {
  const topology = obj(obj(payload)?.topology) ?? {};
  const { service, cluster } = clusterOf(topology, serviceName, clusterId);
  const memberMap = obj(cluster?.memberMap);
  const member = obj(memberMap?.[memberId]);
  return {
    status: statusOfMember(member),
    serviceProperties: properties(service?.properties),
    clusterProperties: properties(cluster?.properties),
    memberProperties: properties(member?.properties),
    memberMap,
    firstMemberIps(lbClusterId) {
      for (const s of Object.values(obj(topology.serviceMap) ?? {})) {
        const c = obj(obj(obj(s)?.clusterIdClusterMap)?.[lbClusterId]);
        const first = Object.values(obj(c?.memberMap) ?? {})[0];
        const m = obj(first);
        if (m) return { privateIp: m.defaultPrivateIP as string | undefined, publicIp: m.defaultPublicIP as string | undefined };
      }
      return undefined;
    },
    statusOf(sn, cid, mid) {
      const { cluster: c } = clusterOf(topology, sn, cid);
      return statusOfMember(obj(obj(c?.memberMap)?.[mid]));
    },
  };
}
