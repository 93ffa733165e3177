import { enoughGroupInstancesActive, rollUpChildren, type ChildInstanceState, type ParentRollUp } from './activation.ts';
import type { ComponentNode } from './application-tree.ts';
import { startable, terminationSet } from './dependency-tree.ts';
import type { ClusterStatus, GroupStatus } from './state-machines.ts';

/**
 * The application and group monitors' decisions for one level instance (an application instance
 * or a group instance, orchestration.md §3.3-3.6), as pure functions of the statuses of its
 * children. The server's monitors apply them (create instances, mark them Terminating, change the
 * level's status).
 */

/** What a level knows of one child under one of its instances. */
export type ChildSnapshot =
  /** a cluster child: its cluster instance's status, undefined while it has none */
  | { kind: 'cluster'; alias: string; status?: ClusterStatus }
  /** a group child: the statuses of its group instances (several with group scaling) */
  | { kind: 'group'; alias: string; statuses: readonly GroupStatus[] };

/** The statuses of a child's instances (none: not created yet). */
export function childStatuses(child: ChildSnapshot): readonly string[] {
  if (child.kind === 'cluster') return child.status === undefined ? [] : [child.status];
  return child.statuses;
}

/** A cluster child is Active when its instance is; a group child when at least its min instances are. */
export function isChildActive(node: ComponentNode, child: ChildSnapshot): boolean {
  if (child.kind === 'cluster') return child.status === 'Active';
  const def = node.children.find((c) => c.alias === child.alias);
  return enoughGroupInstancesActive(child.statuses, def?.min ?? 1);
}

/**
 * The children to create now under a level instance that is not terminating: those not started
 * whose startup predecessors are Active (§3.3). Nothing is created while a child is being
 * terminated: the terminated components are created again, in tree order, once all are gone (§3.6).
 */
export function childrenToCreate(node: ComponentNode, children: readonly ChildSnapshot[]): string[] {
  if (children.some((c) => childStatuses(c).includes('Terminating'))) return [];
  const active = children.filter((c) => isChildActive(node, c)).map((c) => c.alias);
  const started = children.filter((c) => childStatuses(c).length > 0).map((c) => c.alias);
  return startable(node.dependencyTree, active, started);
}

/**
 * What the children say about the status of their parent instance (the group status chain,
 * §3.4). Once the parent has been Active, a child that is missing, being terminated or terminated
 * counts as Inactive: the parent is not whole until all its children are Active again.
 */
export function levelStatus(children: readonly ChildSnapshot[], parentStatus: string): ParentRollUp | undefined {
  const degraded = parentStatus === 'Active' || parentStatus === 'Inactive';
  const states: ChildInstanceState[] = children.map((c) => {
    if (c.kind === 'cluster') {
      const s = c.status;
      return { kind: 'cluster', status: degraded && (s === undefined || s === 'Terminating' || s === 'Terminated') ? 'Inactive' : s };
    }
    if (!degraded) return { kind: 'group', statuses: c.statuses };
    if (c.statuses.length === 0) return { kind: 'group', statuses: ['Inactive'] };
    return { kind: 'group', statuses: c.statuses.map((s) => (s === 'Terminating' || s === 'Terminated' ? 'Inactive' : s)) };
  });
  return rollUpChildren(states);
}

/** What a level does when its child `inactive` turned Inactive (§3.5). */
export interface TerminationDecision {
  /** the group instance itself is terminated (a group with terminate-all) */
  self: boolean;
  /** the children to terminate (the level re-creates them in tree order once they are all gone) */
  children: string[];
}

/**
 * The termination behaviour of a level for an Inactive child: terminate-none terminates nothing;
 * terminate-dependents the child and what depends on it (nothing when nothing does);
 * terminate-all every child, and for a group the group instance itself.
 */
export function onChildInactive(node: ComponentNode, inactive: string): TerminationDecision {
  const targets = terminationSet(node.dependencyTree, inactive);
  if (targets.length === 0) return { self: false, children: [] };
  if (node.kind === 'group' && node.terminationBehaviour === 'terminate-all') return { self: true, children: [] };
  return { self: false, children: targets };
}
