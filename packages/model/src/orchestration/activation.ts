import {
  canTransition,
  type ApplicationStatus,
  type ClusterStatus,
  type GroupStatus,
} from './state-machines.ts';

/**
 * Status roll-up rules (orchestration.md §3.4, §3.10): small pure functions that say which status an
 * instance should move to given explicit facts. Each returns `undefined` when nothing changes — no
 * rule fires, the status is already that, or the transition is not allowed from the current status.
 */

/** Member counts of one cluster instance (sums over its partition contexts). */
export interface ClusterMemberCounts {
  readonly active: number;
  readonly pending: number;
  readonly terminationPending: number;
  readonly obsolete: number;
}

function change(current: ClusterStatus, to: ClusterStatus): ClusterStatus | undefined {
  return to !== current && canTransition('cluster', current, to) ? to : undefined;
}

/** Whether a cluster instance with `activeMembers` active members satisfies `cartridgeMin`. */
export function isClusterInstanceActive(activeMembers: number, cartridgeMin: number): boolean {
  return activeMembers >= cartridgeMin;
}

/**
 * On a member activation: the cluster instance becomes Active when its active members reach
 * `cartridgeMin` (from Created or Inactive; never from Terminating).
 */
export function clusterStatusOnMemberActivated(
  current: ClusterStatus,
  activeMembers: number,
  cartridgeMin: number,
): ClusterStatus | undefined {
  return isClusterInstanceActive(activeMembers, cartridgeMin) ? change(current, 'Active') : undefined;
}

/**
 * On a member fault: an Active cluster instance becomes Inactive when its active members drop below
 * `cartridgeMin`. Created → Inactive is not allowed, so a never-activated instance stays Created.
 */
export function clusterStatusOnMemberFault(
  current: ClusterStatus,
  activeMembers: number,
  cartridgeMin: number,
): ClusterStatus | undefined {
  return isClusterInstanceActive(activeMembers, cartridgeMin) ? undefined : change(current, 'Inactive');
}

/**
 * On a member termination: a Terminating cluster instance becomes Terminated when it has no active,
 * pending, termination-pending or obsolete member left.
 */
export function clusterStatusOnMemberTerminated(
  current: ClusterStatus,
  counts: ClusterMemberCounts,
): ClusterStatus | undefined {
  const empty = counts.active + counts.pending + counts.terminationPending + counts.obsolete === 0;
  return empty ? change(current, 'Terminated') : undefined;
}

/**
 * What a parent instance knows about one direct child for that parent instance:
 * - a cluster child: the status of the cluster instance with the parent's instance id, or
 *   `undefined` when there is none;
 * - a group child: the statuses of its instances under that parent instance (one without group
 *   scaling, any number with it); empty when there is none.
 */
export type ChildInstanceState =
  | { readonly kind: 'cluster'; readonly status: ClusterStatus | undefined }
  | { readonly kind: 'group'; readonly statuses: readonly GroupStatus[] };

/** The status a parent (group or application) instance can be driven to by its children. */
export type ParentRollUp = 'Active' | 'Terminated' | 'Inactive';

/**
 * The group status processor chain (Active, then Terminated, then Inactive; the first that fires
 * wins), without regard to the parent's current status:
 * - Active: every cluster child has an Active instance and every group child has at least one
 *   instance, all Active;
 * - Terminated: every cluster child has no instance or a Terminated one, and every group child has
 *   none or only Terminated ones;
 * - Inactive: some cluster child instance or some group child instance is Inactive.
 * A parent with no children at all rolls up to Active.
 */
export function rollUpChildren(children: readonly ChildInstanceState[]): ParentRollUp | undefined {
  const active = children.every((c) =>
    c.kind === 'cluster' ? c.status === 'Active' : c.statuses.length > 0 && c.statuses.every((s) => s === 'Active'),
  );
  if (active) return 'Active';
  const terminated = children.every((c) =>
    c.kind === 'cluster'
      ? c.status === undefined || c.status === 'Terminated'
      : c.statuses.every((s) => s === 'Terminated'),
  );
  if (terminated) return 'Terminated';
  const inactive = children.some((c) =>
    c.kind === 'cluster' ? c.status === 'Inactive' : c.statuses.some((s) => s === 'Inactive'),
  );
  return inactive ? 'Inactive' : undefined;
}

/**
 * The next status of a group instance from its children ({@link rollUpChildren}), or `undefined`
 * when it stays (same status, or a transition the group state machine forbids — e.g. a Created
 * group never goes Inactive, a Terminating one never goes Active).
 */
export function nextGroupInstanceStatus(
  current: GroupStatus,
  children: readonly ChildInstanceState[],
): GroupStatus | undefined {
  const to = rollUpChildren(children);
  return to !== undefined && to !== current && canTransition('group', current, to) ? to : undefined;
}

/** As {@link nextGroupInstanceStatus}, for an application instance. */
export function nextApplicationInstanceStatus(
  current: ApplicationStatus,
  children: readonly ChildInstanceState[],
): ApplicationStatus | undefined {
  const to = rollUpChildren(children);
  return to !== undefined && to !== current && canTransition('application', current, to) ? to : undefined;
}

/**
 * `verifyGroupStatus`: a group child counts as Active for a parent instance only when at least
 * `groupMin` of its instances under that parent instance are Active.
 */
export function enoughGroupInstancesActive(statuses: readonly GroupStatus[], groupMin: number): boolean {
  return statuses.filter((s) => s === 'Active').length >= groupMin;
}

/**
 * On a child's activation, whether the parent starts the child's dependents in the tree: on its
 * first activation (its previous state was Created) or when it has startup dependents.
 */
export function startsDependentsOnActivation(
  previousStatus: ClusterStatus | GroupStatus | undefined,
  hasStartupDependents: boolean,
): boolean {
  return previousStatus === 'Created' || hasStartupDependents;
}

/**
 * The aggregate status of an application (used e.g. by the metadata service and the REST view):
 * Active iff it has at least one instance and all are Active; otherwise Inactive.
 */
export function applicationAggregateStatus(instances: readonly ApplicationStatus[]): 'Active' | 'Inactive' {
  return instances.length > 0 && instances.every((s) => s === 'Active') ? 'Active' : 'Inactive';
}
