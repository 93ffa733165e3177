/**
 * Topology events (`topology/<Event>`), published by the cloud controller.
 * Fields as in orchestration.md §2.3 and cartridge-agent.md §5.3; optional where Stratos leaves
 * them null (Gson omits nulls).
 */
import type { Cluster, ClusterInstance, LoadBalancingIPType, PortMap, Properties, ServiceType, Topology } from '../wire/topology.ts';
import type { ClusterDataHolder } from '../wire/applications.ts';

/** The complete topology; on request and every minute. */
export interface CompleteTopologyEvent {
  topology: Topology;
}

/** A cartridge was added (properties are not sent). */
export interface ServiceCreatedEvent {
  serviceName: string;
  serviceType: ServiceType;
  portMap: PortMap;
}

/** A cartridge was removed and its service has no clusters. */
export interface ServiceRemovedEvent {
  serviceName: string;
}

/** The clusters of an application were created. */
export interface ApplicationClustersCreatedEvent {
  clusterList: Cluster[];
  appId: string;
}

/** The clusters of an application were removed (last application instance terminated). */
export interface ApplicationClustersRemovedEvent {
  clusterData: ClusterDataHolder[];
  appId: string;
}

/** A cluster was created (defined, not emitted in Stratos 4.1 flows). */
export interface ClusterCreatedEvent {
  cluster: Cluster;
}

/** A cluster was removed (legacy `unregisterService` only). */
export interface ClusterRemovedEvent {
  serviceName: string;
  clusterId: string;
  deploymentPolicy?: string;
  isLbCluster: boolean;
}

/** The fields of the cluster-instance status events. */
export interface ClusterInstanceStatusFields {
  serviceName: string;
  clusterId: string;
  appId: string;
  instanceId: string;
}

/** A cluster instance was reset to Created. */
export type ClusterResetEvent = ClusterInstanceStatusFields;

/** A cluster instance was created (Stratos leaves `networkPartitionId` unset). */
export interface ClusterInstanceCreatedEvent {
  serviceName: string;
  clusterId: string;
  partitionId?: string;
  networkPartitionId?: string;
  clusterInstance: ClusterInstance;
}

/** A cluster instance became Active; carries its access URLs and load balancer IPs. */
export interface ClusterInstanceActivatedEvent extends ClusterInstanceStatusFields {
  accessUrls?: string[];
  loadBalancerIps?: string[];
}

/** A cluster instance became Inactive. */
export type ClusterInstanceInactivateEvent = ClusterInstanceStatusFields;
/** A cluster instance started terminating. */
export type ClusterInstanceTerminatingEvent = ClusterInstanceStatusFields;
/** A cluster instance terminated and was removed from its cluster. */
export type ClusterInstanceTerminatedEvent = ClusterInstanceStatusFields;

/** The identifiers every member event carries. */
export interface MemberIdentity {
  serviceName: string;
  clusterId: string;
  clusterInstanceId: string;
  networkPartitionId: string;
  partitionId: string;
  memberId: string;
}

/** `startInstance` was accepted. */
export interface MemberCreatedEvent extends MemberIdentity {
  loadBalancingIPType?: LoadBalancingIPType;
  /** Epoch milliseconds. */
  initTime: number;
  properties?: Properties;
}

/** The IaaS returned an instance id and IPs. */
export interface MemberInitializedEvent extends MemberIdentity {
  instanceId?: string;
  memberPublicIPs?: string[];
  defaultPublicIP?: string;
  memberPrivateIPs?: string[];
  defaultPrivateIP?: string;
  properties?: Properties;
}

/** The member reported InstanceStartedEvent. */
export interface MemberStartedEvent extends MemberIdentity {
  /** Member status name (`Starting`). */
  status?: string;
  properties?: Properties;
  groupId?: string;
}

/** The member reported InstanceActivatedEvent. */
export interface MemberActivatedEvent extends MemberIdentity {
  portMap: PortMap;
  memberPrivateIPs?: string[];
  defaultPrivateIP?: string;
  groupId?: string;
  applicationId?: string;
  memberPublicIPs?: string[];
  defaultPublicIP?: string;
}

/** The member reported InstanceMaintenanceModeEvent. */
export type MemberMaintenanceModeEvent = MemberIdentity;

/** The member reported InstanceReadyToShutdownEvent. */
export type MemberReadyToShutdownEvent = MemberIdentity;

/** The member was removed from the topology. */
export interface MemberTerminatedEvent extends MemberIdentity {
  groupId?: string;
  properties?: Properties;
}

/** Never published in Stratos 4.1 (load balancers remove the member if seen). */
export interface MemberSuspendedEvent {
  serviceName: string;
  clusterId: string;
  networkPartitionId: string;
  partitionId: string;
  memberId: string;
  groupId?: string;
}

/** Payload types of the topology events, by event name. */
export interface TopologyEvents {
  CompleteTopologyEvent: CompleteTopologyEvent;
  ServiceCreatedEvent: ServiceCreatedEvent;
  ServiceRemovedEvent: ServiceRemovedEvent;
  ApplicationClustersCreatedEvent: ApplicationClustersCreatedEvent;
  ApplicationClustersRemovedEvent: ApplicationClustersRemovedEvent;
  ClusterCreatedEvent: ClusterCreatedEvent;
  ClusterRemovedEvent: ClusterRemovedEvent;
  ClusterResetEvent: ClusterResetEvent;
  ClusterInstanceCreatedEvent: ClusterInstanceCreatedEvent;
  ClusterInstanceActivatedEvent: ClusterInstanceActivatedEvent;
  ClusterInstanceInactivateEvent: ClusterInstanceInactivateEvent;
  ClusterInstanceTerminatingEvent: ClusterInstanceTerminatingEvent;
  ClusterInstanceTerminatedEvent: ClusterInstanceTerminatedEvent;
  MemberCreatedEvent: MemberCreatedEvent;
  MemberInitializedEvent: MemberInitializedEvent;
  MemberStartedEvent: MemberStartedEvent;
  MemberActivatedEvent: MemberActivatedEvent;
  MemberMaintenanceModeEvent: MemberMaintenanceModeEvent;
  MemberReadyToShutdownEvent: MemberReadyToShutdownEvent;
  MemberTerminatedEvent: MemberTerminatedEvent;
  MemberSuspendedEvent: MemberSuspendedEvent;
}
