/**
 * The topology model as it travels on the wire (Gson JSON of Stratos's
 * `org.apache.stratos.messaging.domain.topology` classes): field names exactly as in Java,
 * enums by name, integer-keyed maps with string keys, `Properties` as string→string objects,
 * null fields omitted (hence the many optional fields). See orchestration.md §1.4 and
 * cartridge-agent.md §5.3.
 */

/** Java `Properties`: a string→string object. */
export type Properties = Record<string, string>;

/** `Port { protocol, value, proxy }`: `value` is the member port, `proxy` the LB-facing port. */
export interface Port {
  protocol: string;
  value: number;
  proxy: number;
}

/** `Map<Integer, Port>` keyed by the proxy port, rendered with string keys (`"8280": {...}`). */
export type PortMap = Record<string, Port>;

/** Member status names (codes Created0 … Terminated7). */
export type MemberStatus = 'Created' | 'Initialized' | 'Starting' | 'Active' | 'In_Maintenance' | 'ReadyToShutDown' | 'Suspended' | 'Terminated';

/** Cluster-instance status names (`ClusterStatus`, codes Created0 … Terminated5). */
export type ClusterStatus = 'Created' | 'Active' | 'Patching' | 'Inactive' | 'Terminating' | 'Terminated';

/** `SingleTenant` or `MultiTenant`. */
export type ServiceType = 'SingleTenant' | 'MultiTenant';

/** Which member IP a load balancer uses. */
export type LoadBalancingIPType = 'Private' | 'Public';

/**
 * `LifeCycleStateManager<S>`: the state stack (current state last) and the identifier it logs
 * with. The stack is a Java `Stack`, rendered as an array.
 */
export interface LifeCycleStateManager<S extends string> {
  stateStack: S[];
  identifier: string;
}

/** `Instance<S>`: the shared shape of application, group and cluster instances. */
export interface Instance<S extends string> {
  alias: string;
  instanceId: string;
  instanceProperties?: Properties;
  lifeCycleStateManager: LifeCycleStateManager<S>;
  parentId?: string;
  networkPartitionId?: string;
  partitionId?: string;
}

/** `ClusterInstance`: one instance of a cluster, inside an application or group instance. */
export interface ClusterInstance extends Instance<ClusterStatus> {
  clusterId?: string;
}

/** `KubernetesService`: a Kubernetes service created for a cluster. */
export interface KubernetesService {
  id: string;
  publicIPs?: string[];
  portalIP?: string;
  protocol?: string;
  port?: number;
  containerPort?: number;
  serviceType?: string;
  portName?: string;
  kubernetesClusterId?: string;
}

/** `Member`: one instance (VM, container, process) of a cluster. */
export interface Member {
  serviceName: string;
  clusterId: string;
  memberId: string;
  clusterInstanceId: string;
  networkPartitionId: string;
  partitionId: string;
  /** IaaS instance id; absent until the IaaS has answered. */
  instanceId?: string;
  /** Epoch milliseconds. */
  initTime: number;
  portMap: PortMap;
  memberPublicIPs?: string[];
  defaultPublicIP?: string;
  memberPrivateIPs?: string[];
  defaultPrivateIP?: string;
  properties?: Properties;
  lbClusterId?: string;
  memberStateManager: LifeCycleStateManager<MemberStatus>;
  loadBalancingIPType?: LoadBalancingIPType;
}

/** `Cluster`: the members of one cartridge subscription of one application. */
export interface Cluster {
  serviceName: string;
  clusterId: string;
  autoscalePolicyName: string;
  deploymentPolicyName?: string;
  hostNames: string[];
  /** `"*"`, `"a-b"` or `"a-*"`. */
  tenantRange?: string;
  isLbCluster: boolean;
  isKubernetesCluster: boolean;
  memberMap: Record<string, Member>;
  appId: string;
  parentId?: string;
  loadBalanceAlgorithmName?: string;
  properties?: Properties;
  instanceIdToInstanceContextMap: Record<string, ClusterInstance>;
  /** Cluster instance id → access URLs. */
  accessUrls?: Record<string, string[]>;
  /**
   * Always sent (empty when the cluster is not on Kubernetes): Stratos's Python agent requires the
   * key and fails to parse a topology without it (cartridge-agent.md §5.3).
   */
  kubernetesServices: KubernetesService[];
  /** Always sent, as Stratos does (empty: no load balancer IPs). */
  loadBalancerIps: string[];
}

/** `Service`: one cartridge type and its clusters. */
export interface Service {
  serviceName: string;
  serviceType: ServiceType;
  clusterIdClusterMap: Record<string, Cluster>;
  portMap: PortMap;
  properties?: Properties;
}

/** `Topology`: every service and cluster the cloud controller knows. */
export interface Topology {
  serviceMap: Record<string, Service>;
  clusterMap?: Record<string, Cluster>;
  /** Present in Stratos 4.1.x only; receivers must treat it as optional. */
  initialized?: boolean;
}
