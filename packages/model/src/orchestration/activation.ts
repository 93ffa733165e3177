import type { ApplicationStatus, ClusterStatus, GroupStatus } from './state-machines.ts';

/**
 * Status roll-up rules (orchestration.md §3.4, §3.10): small pure functions that say which status a
 * parent instance is driven to by its children (the monitors apply them through level-decisions.ts
 * and the runtime view).
 */

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
  const active = children.every((c) => (c.kind === 'cluster' ? c.status === 'Active' : c.statuses.length > 0 && c.statuses.every((s) => s === 'Active')));
  if (active) return 'Active';
  const terminated = children.every((c) =>
    c.kind === 'cluster' ? c.status === undefined || c.status === 'Terminated' : c.statuses.every((s) => s === 'Terminated'),
  );
  if (terminated) return 'Terminated';
  const inactive = children.some((c) => (c.kind === 'cluster' ? c.status === 'Inactive' : c.statuses.some((s) => s === 'Inactive')));
  return inactive ? 'Inactive' : undefined;
}

/**
 * `verifyGroupStatus`: a group child counts as Active for a parent instance only when at least
 * `groupMin` of its instances under that parent instance are Active.
 */
export function enoughGroupInstancesActive(statuses: readonly GroupStatus[], groupMin: number): boolean {
  return statuses.filter((s) => s === 'Active').length >= groupMin;
}

/**
 * The aggregate status of an application (used e.g. by the metadata service and the REST view):
 * Active iff it has at least one instance and all are Active; otherwise Inactive.
 */
export function applicationAggregateStatus(instances: readonly ApplicationStatus[]): 'Active' | 'Inactive' {
  return instances.length > 0 && instances.every((s) => s === 'Active') ? 'Active' : 'Inactive';
}
