/**
 * Application events (`application/<Event>`), published by the autoscaler.
 * Fields as in orchestration.md §2.3.
 */
import type { Application, ApplicationInstance, Applications, ClusterDataHolder, GroupInstance } from '../wire/applications.ts';

/** Every application; on request and every minute. */
export interface CompleteApplicationsEvent {
  applications: Applications;
}

/** An application was added (not deployed). */
export interface ApplicationCreatedEvent {
  application: Application;
}

/** An application was updated. */
export interface ApplicationUpdatedEvent {
  application: Application;
}

/** An application was removed. */
export interface ApplicationDeletedEvent {
  applicationId: string;
  clusterData?: ClusterDataHolder[];
}

/** A new application instance (deploy, bursting, min check). */
export interface ApplicationInstanceCreatedEvent {
  applicationId: string;
  applicationInstance: ApplicationInstance;
}

/** The fields of the application-instance status events. */
export interface ApplicationInstanceStatusFields {
  appId: string;
  instanceId: string;
}

/** An application instance became Active. */
export type ApplicationInstanceActivatedEvent = ApplicationInstanceStatusFields;
/** An application instance became Inactive. */
export type ApplicationInstanceInactivatedEvent = ApplicationInstanceStatusFields;
/** An application instance started terminating. */
export type ApplicationInstanceTerminatingEvent = ApplicationInstanceStatusFields;
/** An application instance terminated. */
export type ApplicationInstanceTerminatedEvent = ApplicationInstanceStatusFields;

/** A new group instance. */
export interface GroupInstanceCreatedEvent {
  groupId: string;
  appId: string;
  groupInstance: GroupInstance;
}

/** The fields of the group-instance status events. */
export interface GroupInstanceStatusFields {
  groupId: string;
  appId: string;
  instanceId: string;
}

/** A group instance became Active. */
export type GroupInstanceActivatedEvent = GroupInstanceStatusFields;
/** A group instance became Inactive. */
export type GroupInstanceInactivatedEvent = GroupInstanceStatusFields;
/** A group instance started terminating. */
export type GroupInstanceTerminatingEvent = GroupInstanceStatusFields;
/** A group instance terminated. */
export type GroupInstanceTerminatedEvent = GroupInstanceStatusFields;
/** Defined by Stratos, never emitted. */
export type GroupMaintenanceModeEvent = GroupInstanceStatusFields;

/** Payload types of the application events, by event name. */
export interface ApplicationEvents {
  CompleteApplicationsEvent: CompleteApplicationsEvent;
  ApplicationCreatedEvent: ApplicationCreatedEvent;
  ApplicationUpdatedEvent: ApplicationUpdatedEvent;
  ApplicationDeletedEvent: ApplicationDeletedEvent;
  ApplicationInstanceCreatedEvent: ApplicationInstanceCreatedEvent;
  ApplicationInstanceActivatedEvent: ApplicationInstanceActivatedEvent;
  ApplicationInstanceInactivatedEvent: ApplicationInstanceInactivatedEvent;
  ApplicationInstanceTerminatingEvent: ApplicationInstanceTerminatingEvent;
  ApplicationInstanceTerminatedEvent: ApplicationInstanceTerminatedEvent;
  GroupInstanceCreatedEvent: GroupInstanceCreatedEvent;
  GroupInstanceActivatedEvent: GroupInstanceActivatedEvent;
  GroupInstanceInactivatedEvent: GroupInstanceInactivatedEvent;
  GroupInstanceTerminatingEvent: GroupInstanceTerminatingEvent;
  GroupInstanceTerminatedEvent: GroupInstanceTerminatedEvent;
  GroupMaintenanceModeEvent: GroupMaintenanceModeEvent;
}
