/**
 * The runtime application model as it travels on the wire (Gson JSON of Stratos's
 * `org.apache.stratos.messaging.domain.application` classes), owned by the autoscaler.
 * See orchestration.md §1.3.
 */
import type { Instance, Properties } from './topology.ts';

/** Application-instance status names (codes Created0 … Terminated4). */
export type ApplicationStatus = 'Created' | 'Active' | 'Inactive' | 'Terminating' | 'Terminated';

/** Group-instance status names (codes Created0 … Terminated4). */
export type GroupStatus = 'Created' | 'Active' | 'Inactive' | 'Terminating' | 'Terminated';

/** `ApplicationInstance`. */
export type ApplicationInstance = Instance<ApplicationStatus>;

/** `GroupInstance`. */
export type GroupInstance = Instance<GroupStatus>;

/** `ClusterDataHolder`: a cluster as seen from its parent component. */
export interface ClusterDataHolder {
  serviceType: string;
  clusterId: string;
  minInstances: number;
  maxInstances: number;
}

/** `StartupOrder`. */
export interface StartupOrder {
  startupOrderComponentList: string[];
}

/** `ScalingDependentList`. */
export interface ScalingDependentList {
  scalingDependentListComponents: string[];
}

/** `DependencyOrder`. */
export interface DependencyOrder {
  startupOrders?: StartupOrder[];
  scalingDependents?: ScalingDependentList[];
  terminationBehaviour?: string;
}

/** The fields shared by applications and groups (`ParentComponent`). */
export interface ParentComponent<I> {
  aliasToGroupMap?: Record<string, Group>;
  aliasToClusterDataMap?: Record<string, ClusterDataHolder>;
  typeToClusterDataMap?: Record<string, ClusterDataHolder>;
  aliasToDeploymentPolicyIdMap?: Record<string, string>;
  instanceIdToInstanceContextMap?: Record<string, I>;
  dependencyOrder?: DependencyOrder;
  isGroupScalingEnabled?: boolean;
  isGroupInstanceMonitoringEnabled?: boolean;
  deploymentPolicy?: string;
  instanceIdSequence?: number;
}

/** `Group`: a cartridge group inside an application. */
export interface Group extends ParentComponent<GroupInstance> {
  name: string;
  alias: string;
  groupMinInstances: number;
  groupMaxInstances: number;
  autoscalingPolicy?: string;
  applicationId: string;
}

/** `Application`. */
export interface Application extends ParentComponent<ApplicationInstance> {
  id: string;
  name?: string;
  description?: string;
  key?: string;
  tenantId: number;
  tenantDomain?: string;
  tenantAdminUserName?: string;
  applicationPolicyId?: string;
  properties?: Properties;
}

/** `Applications`: every application the autoscaler knows. */
export interface Applications {
  applicationMap: Record<string, Application>;
  initialized?: boolean;
}
