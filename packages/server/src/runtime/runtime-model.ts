import type { ApplicationStatus, ClusterStatus, GroupStatus, MemberDisposition, MemberStatus, PendingExpiryRecord } from '@strato/model';

/**
 * The runtime state of deployed applications, as strato persists it: one `applicationRuntime`
 * record per deployed application (its instances, group instances and clusters) and one `member`
 * record per member. Everything the control plane needs after a restart is in these records.
 */

/** One instance of an application, a group or a cluster, with its status and the one before. */
export interface InstanceState<S extends string> {
  instanceId: string;
  status: S;
  /** the status before the current one (Stratos's "previous state" of the state stack) */
  previous?: S;
  /** the application or group instance this one belongs to (absent for application instances) */
  parentInstanceId?: string;
  networkPartitionId: string;
  createdAt: number;
  /** when the current status was reached */
  statusAt: number;
}

export type ApplicationInstanceState = InstanceState<ApplicationStatus>;

export interface GroupInstanceState extends InstanceState<GroupStatus> {
  /** the group alias */
  alias: string;
}

export interface ClusterInstanceState extends InstanceState<ClusterStatus> {
  /** protocol://host:port for every port mapping and host name, filled on activation */
  accessUrls?: string[];
  /** round-robin position of the last partition a member was placed in */
  lastPartitionIndex?: number;
  /** after an IaaS start failure, no new member before this time (ms) */
  spawnBackoffUntil?: number;
  /** per partition id: consecutive pending-member expiries and the doubled timeout (reset on activation) */
  pendingExpiries?: Record<string, PendingExpiryRecord>;
}

/** A cluster: the members of one cartridge subscription of one application. */
export interface ClusterRuntime {
  clusterId: string;
  alias: string;
  /** the cartridge type (Stratos's service name) */
  serviceName: string;
  appId: string;
  hostNames: string[];
  tenantRange: string;
  deploymentPolicy: string;
  autoscalingPolicy: string;
  /** cluster instances by instance id */
  instances: Record<string, ClusterInstanceState>;
  /** the cluster's CARTRIDGE_KEY (16 random characters, in every member's payload), set at its first member */
  cartridgeKey?: string;
}

/** How an undeployment proceeds: not at all, gracefully (members drained), or forcefully. */
export type UndeployMode = 'none' | 'graceful' | 'force';

export interface ApplicationRuntime {
  applicationId: string;
  tenantId: number;
  tenantDomain: string;
  applicationPolicyId: string;
  undeploy: UndeployMode;
  /** the n of the last `<appId>-<n>` application instance id */
  instanceSequence: number;
  /** per group alias, the n of the last `<alias>-<n>` group instance id (group scaling) */
  groupSequences: Record<string, number>;
  instances: Record<string, ApplicationInstanceState>;
  /** group instances by `<alias>/<instanceId>` */
  groupInstances: Record<string, GroupInstanceState>;
  clusters: Record<string, ClusterRuntime>;
  deployedAt: number;
}

/** Where a member stands from the autoscaler's point of view (orchestration.md §1.6), defined in model. */
export type { MemberDisposition };

export interface MemberPort {
  name?: string;
  protocol: string;
  port: number;
  proxyPort: number;
  kubernetesPortType?: string;
}

export interface MemberRuntime {
  memberId: string;
  applicationId: string;
  clusterId: string;
  clusterInstanceId: string;
  serviceName: string;
  networkPartitionId: string;
  partitionId: string;
  /** the IaaS provider name of the network partition */
  provider: string;
  status: MemberStatus;
  initTime: number;
  instanceId?: string;
  defaultPrivateIP?: string;
  defaultPublicIP?: string;
  memberPrivateIPs?: string[];
  memberPublicIPs?: string[];
  ports?: MemberPort[];
  properties?: Record<string, string>;
  /** the cartridge's IaaS entry for the member's provider, as its driver is asked (kept for a launch after a restart) */
  iaas?: { imageId?: string; properties: Record<string, string> };
  /** the member's partition properties merged over its network partition's, as its driver is asked */
  partitionProperties?: Record<string, string>;
  disposition: MemberDisposition;
  /** when the disposition was last changed */
  dispositionAt?: number;
  /** when a cleanup request was last sent to it */
  cleanupSentAt?: number;
  /** when its IaaS instance was last asked to terminate */
  terminateRequestedAt?: number;
  /** when the IaaS last failed to terminate its instance */
  terminateFailedAt?: number;
}
