/**
 * Reading the complete topology (`CompleteTopologyEvent`) leniently (cartridge-agent.md §5.3,
 * §8.5): only the path to the agent's own service, cluster and member is needed; every other field
 * may be absent. The view keeps only what the agent uses, never the topology itself (10,000
 * members are megabytes: an agent must not hold them between two topologies).
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
  /** Default private and public IP of the first member of the `LB_CLUSTER_ID` cluster (LB_IP), if asked for and found. */
  lb: { privateIp?: string; publicIp?: string } | undefined;
  /** `service|cluster|member` of every member Initialized in this topology (the parity rule of member events). */
  initialized: ReadonlySet<string>;
}

/** The key of a member in {@link TopologyView.initialized}. */
export const memberKey = (serviceName: string, clusterId: string, memberId: string): string => `${serviceName}|${clusterId}|${memberId}`;

function properties(v: unknown): Obj {
  const o = obj(v);
  if (o === undefined) return {};
  // Stratos serialises Properties either as a plain map or as {"properties": {...}}
  return obj(o.properties) ?? o;
}

function statusOfMember(member: Obj | undefined): MemberStatus | undefined {
  const stack = obj(member?.memberStateManager)?.stateStack;
  if (Array.isArray(stack) && stack.length > 0) return String(stack[stack.length - 1]) as MemberStatus;
  return typeof member?.status === 'string' ? (member.status as MemberStatus) : undefined;
}

/** The `topology` object of a CompleteTopologyEvent payload ({} when absent). */
export function topologyOf(payload: unknown): Obj {
  return obj(obj(payload)?.topology) ?? {};
}

/** Own cluster's member map (MEMBER_LIST_JSON of the CompleteTopologyEvent extension). */
export function memberMapOf(payload: unknown, serviceName: string, clusterId: string): Obj {
  const service = obj(obj(topologyOf(payload).serviceMap)?.[serviceName]);
  return obj(obj(obj(service?.clusterIdClusterMap)?.[clusterId])?.memberMap) ?? {};
}

/** The agent's view of a CompleteTopologyEvent payload. */
export function viewTopology(payload: unknown, serviceName: string, clusterId: string, memberId: string, lbClusterId?: string): TopologyView {
  const view: TopologyView = { status: undefined, serviceProperties: {}, clusterProperties: {}, memberProperties: {}, lb: undefined, initialized: new Set() };
  const initialized = view.initialized as Set<string>;
  for (const [sn, s] of Object.entries(obj(topologyOf(payload).serviceMap) ?? {})) {
    const service = obj(s);
    for (const [cid, c] of Object.entries(obj(service?.clusterIdClusterMap) ?? {})) {
      const cluster = obj(c);
      const members = Object.entries(obj(cluster?.memberMap) ?? {});
      if (cid === lbClusterId && view.lb === undefined && members.length > 0) {
        const m = obj(members[0][1]);
        view.lb = { privateIp: m?.defaultPrivateIP as string | undefined, publicIp: m?.defaultPublicIP as string | undefined };
      }
      for (const [mid, m] of members) {
        const member = obj(m);
        const status = statusOfMember(member);
        if (status === 'Initialized') initialized.add(memberKey(sn, cid, mid));
        if (sn === serviceName && cid === clusterId && mid === memberId) {
          view.status = status;
          view.memberProperties = properties(member?.properties);
        }
      }
      if (sn === serviceName && cid === clusterId) view.clusterProperties = properties(cluster?.properties);
    }
    if (sn === serviceName) view.serviceProperties = properties(service?.properties);
  }
  return view;
}
