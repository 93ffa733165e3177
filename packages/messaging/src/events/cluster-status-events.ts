/**
 * Cluster status events (`cluster/status/<Event>`): requests from the autoscaler to the cloud
 * controller to change a cluster instance's state. Fields as in orchestration.md §2.3.
 */

/** The fields of the cluster status requests. */
export interface ClusterStatusFields {
  serviceName: string;
  clusterId: string;
  appId: string;
  instanceId: string;
}

/** Set the cluster instance Active. */
export type ClusterStatusClusterActivatedEvent = ClusterStatusFields;
/** Set the cluster instance Inactive. */
export type ClusterStatusClusterInactivateEvent = ClusterStatusFields;
/** Set the cluster instance Terminating. */
export type ClusterStatusClusterTerminatingEvent = ClusterStatusFields;
/** Set the cluster instance Terminated (and remove it). */
export type ClusterStatusClusterTerminatedEvent = ClusterStatusFields;
/** Reset the cluster instance to Created (never sent by Stratos). */
export type ClusterStatusClusterResetEvent = ClusterStatusFields;

/** A cluster instance was created (the cloud controller ignores it). */
export interface ClusterStatusClusterInstanceCreatedEvent {
  clusterId: string;
  instanceId: string;
  alias: string;
  serviceName: string;
}

/** Payload types of the cluster status events, by event name. */
export interface ClusterStatusEvents {
  ClusterStatusClusterActivatedEvent: ClusterStatusClusterActivatedEvent;
  ClusterStatusClusterInactivateEvent: ClusterStatusClusterInactivateEvent;
  ClusterStatusClusterTerminatingEvent: ClusterStatusClusterTerminatingEvent;
  ClusterStatusClusterTerminatedEvent: ClusterStatusClusterTerminatedEvent;
  ClusterStatusClusterResetEvent: ClusterStatusClusterResetEvent;
  ClusterStatusClusterInstanceCreatedEvent: ClusterStatusClusterInstanceCreatedEvent;
}
