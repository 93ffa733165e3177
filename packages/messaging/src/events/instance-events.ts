/**
 * Instance events: status reports from cartridge agents and mock instances to the cloud
 * controller (`instance/status/<Event>`), and notifications to instances from the autoscaler and
 * stratos manager (`instance/notifier/<Event>`). Fields as in orchestration.md §2.3 and
 * cartridge-agent.md §5.1–5.2.
 */

/**
 * The identifiers every instance status event carries. A Python agent always sends
 * `instanceId: null` and keeps nulls, so receivers must accept `null` too.
 */
export interface InstanceStatusFields {
  serviceName: string;
  clusterId: string;
  clusterInstanceId: string;
  memberId: string;
  instanceId?: string | null;
  networkPartitionId: string;
  partitionId: string;
  /** Never set by Stratos. */
  groupId?: string | null;
}

/** The instance has started (agent start-up done). */
export interface InstanceStartedEvent extends InstanceStatusFields {
  applicationId: string;
}

/** The instance's ports are open: ready to serve. */
export type InstanceActivatedEvent = InstanceStatusFields;
/** The instance entered maintenance mode (cleanup requested). */
export type InstanceMaintenanceModeEvent = InstanceStatusFields;
/** The instance finished cleanup and may be terminated. */
export type InstanceReadyToShutdownEvent = InstanceStatusFields;

/** Graceful termination of one member. */
export interface InstanceCleanupMemberEvent {
  memberId: string;
}

/** A cluster instance is terminating. */
export interface InstanceCleanupClusterEvent {
  clusterId: string;
  clusterInstanceId: string;
}

/** A cluster's artifact repository changed. */
export interface ArtifactUpdatedEvent {
  clusterId: string;
  status?: string;
  repoUserName?: string;
  /** Base64 of the AES-encrypted password. */
  repoPassword?: string;
  repoURL: string;
  /** A string, e.g. `"-1234"`. */
  tenantId: string;
  commitEnabled: boolean;
}

/** Payload types of the instance status events, by event name. */
export interface InstanceStatusEvents {
  InstanceStartedEvent: InstanceStartedEvent;
  InstanceActivatedEvent: InstanceActivatedEvent;
  InstanceMaintenanceModeEvent: InstanceMaintenanceModeEvent;
  InstanceReadyToShutdownEvent: InstanceReadyToShutdownEvent;
}

/** Payload types of the instance notifier events, by event name. */
export interface InstanceNotifierEvents {
  InstanceCleanupMemberEvent: InstanceCleanupMemberEvent;
  InstanceCleanupClusterEvent: InstanceCleanupClusterEvent;
  ArtifactUpdatedEvent: ArtifactUpdatedEvent;
}
