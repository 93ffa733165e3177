import { networkPartitionGroups, NETWORK_PARTITION_GROUPS } from '../infrastructure-rules.ts';
import type { GroupStatus } from '../orchestration/state-machines.ts';
import { ceilCount } from './rules.ts';

/**
 * What a parent does with its children's overflow and idleness: group scaling (orchestration.md
 * §3.8) and bursting across network partitions (§3.9, §4.5), as pure functions. A cluster at max
 * reports `overflow` (Stratos's ScalingUpBeyondMax); its group creates a group instance if it may,
 * else forwards to its own parent, up to the application, which bursts into the next network
 * partition(s). On the way down, a group instance whose children are all at min is removed (down to
 * groupMin), and a burst application instance whose children are all at min is removed, the latest
 * burst first; the default network partitions never drain.
 */

// ---------------------------------------------------------------------------------------------
// Group scaling

/** A group (per parent instance) as group scaling sees it. */
export interface GroupScalingFacts {
  /** groupScalingEnabled (groupMaxInstances > 1) */
  readonly enabled: boolean;
  /** groupMinInstances, groupMaxInstances */
  readonly min: number;
  readonly max: number;
  /** group instances of this parent instance that are not Terminating/Terminated */
  readonly nonTerminated: number;
  /** of those, still Created (not yet Active) */
  readonly pending: number;
  /** the group-level deployment policy still has room for one more instance */
  readonly partitionAvailable: boolean;
  /** the group is in its parent's scaling-dependents list */
  readonly hasScalingDependents: boolean;
}

export type GroupDecision =
  /** create one group instance (`<alias>-<n>`) and start its children */
  | { readonly reason: 'GROUP'; readonly action: 'create-instance' }
  /** terminate this group instance (mark it Terminating) */
  | { readonly reason: 'GROUP'; readonly action: 'terminate-instance'; readonly instanceId: string }
  /** scaling dependents: send the parent this factor instead */
  | { readonly reason: 'GROUP'; readonly action: 'scaling-event'; readonly factor: number }
  /** a group instance is being created: wait for it */
  | { readonly reason: 'NONE'; readonly action: 'wait' }
  /** cannot act here: forward the notification (over max / below min) to the parent */
  | { readonly reason: 'NONE'; readonly action: 'forward' };

/**
 * A child of the group (instance) is at max and wants more (ScalingUpBeyondMax, §3.8).
 * Decision: with scaling dependents the factor is `(nonTerminated + 1) / groupMin` — one more
 * instance than now (Stratos sent `(groupMin + 1) / groupMin`, which asks for nothing new once the
 * group has more than groupMin instances).
 */
export function decideGroupScaleUp(g: GroupScalingFacts): GroupDecision {
  if (!g.enabled || g.nonTerminated >= g.max) return { reason: 'NONE', action: 'forward' };
  if (g.hasScalingDependents) return { reason: 'GROUP', action: 'scaling-event', factor: (g.nonTerminated + 1) / Math.max(1, g.min) };
  if (g.pending > 0) return { reason: 'NONE', action: 'wait' };
  if (!g.partitionAvailable) return { reason: 'NONE', action: 'forward' };
  return { reason: 'GROUP', action: 'create-instance' };
}

/** One group instance of a parent instance, in creation order. */
export interface GroupInstanceFacts {
  readonly instanceId: string;
  readonly status: GroupStatus;
  /** every child monitor of this instance reported it is at min and idle (ScalingDownBeyondMin) */
  readonly childrenAtMin: boolean;
}

/**
 * The group instance to remove: a Created (pending) one first, else the last Active one (§3.7);
 * undefined when none is left.
 */
export function groupInstanceToTerminate(instances: readonly GroupInstanceFacts[]): string | undefined {
  const live = instances.filter((i) => i.status !== 'Terminating' && i.status !== 'Terminated');
  const pending = live.filter((i) => i.status === 'Created');
  return (pending[pending.length - 1] ?? live[live.length - 1])?.instanceId;
}

/**
 * Scale-down of a group (§3.8): the instance whose children are all at min is removed while more
 * than groupMin are left (with scaling dependents: factor `(nonTerminated − 1) / groupMin` to the
 * parent); otherwise the below-min notification is forwarded. One instance per cycle: the last one
 * whose children are all at min.
 */
export function decideGroupScaleDown(g: GroupScalingFacts, instances: readonly GroupInstanceFacts[]): GroupDecision {
  const idle = instances.filter((i) => i.childrenAtMin && i.status !== 'Terminating' && i.status !== 'Terminated');
  if (idle.length === 0) return { reason: 'NONE', action: 'wait' };
  if (!(g.nonTerminated > g.min)) return { reason: 'NONE', action: 'forward' };
  if (g.hasScalingDependents) return { reason: 'GROUP', action: 'scaling-event', factor: (g.nonTerminated - 1) / Math.max(1, g.min) };
  if (!g.enabled) return { reason: 'NONE', action: 'forward' };
  return { reason: 'GROUP', action: 'terminate-instance', instanceId: idle[idle.length - 1].instanceId };
}

/**
 * The group's per-cycle bounds check (§3.8): instances to create below groupMin, or to remove
 * above groupMax (a negative count).
 */
export function groupInstanceCorrection(min: number, max: number, nonTerminated: number, active: number): number {
  if (nonTerminated < min) return min - nonTerminated;
  const cap = Math.max(min, max);
  if (active > cap) return cap - active;
  return 0;
}

/** A group receiving a factor from its parent (§3.7): `ceil(factor × groupMin)` instances, within [min, max]. */
export function groupInstancesForFactor(factor: number, min: number, max: number): number {
  return Math.min(Math.max(ceilCount(factor * min), min), Math.max(min, max));
}

// ---------------------------------------------------------------------------------------------
// Bursting across network partitions

export type NetworkPartitionAlgorithm = 'one-after-another' | 'all-at-once';

/** The application policy as bursting reads it. */
export interface ApplicationPolicyFacts {
  readonly algorithm: string;
  readonly networkPartitions: readonly string[];
  readonly properties?: readonly { readonly name: string; readonly value?: string }[];
}

/**
 * The steps an application may take across its network partitions, in order (§4.5): all-at-once
 * → one step with every network partition; one-after-another → each `networkPartitionGroups`
 * group, or each network partition alone. The first step is the default set.
 */
export function networkPartitionSteps(policy: ApplicationPolicyFacts): string[][] {
  if (policy.algorithm === 'all-at-once') return policy.networkPartitions.length > 0 ? [[...policy.networkPartitions]] : [];
  const prop = policy.properties?.find((p) => p.name === NETWORK_PARTITION_GROUPS);
  const groups = prop ? networkPartitionGroups(prop.value ?? '') : [];
  return groups.length > 0 ? groups : policy.networkPartitions.map((np) => [np]);
}

export type BurstDecision =
  /** create an application instance in each of these network partitions */
  | { readonly reason: 'BURST'; readonly action: 'burst'; readonly networkPartitions: readonly string[] }
  /** an application instance is still being created: wait */
  | { readonly reason: 'NONE'; readonly action: 'wait' }
  /** every network partition is in use: "cannot be burst" */
  | { readonly reason: 'NONE'; readonly action: 'cannot-burst' };

/**
 * An application instance is over max (§3.9): the network partitions of the first step not wholly
 * in use, those of them not in use. Decision: the next step is derived from what is in use, not
 * from a counter (Stratos's in-memory index only grew, so a partition freed by a drain was never
 * burst into again and the index was lost on restart).
 */
export function decideBurst(steps: readonly (readonly string[])[], inUse: ReadonlySet<string>, pendingInstances: number): BurstDecision {
  if (pendingInstances > 0) return { reason: 'NONE', action: 'wait' };
  for (const step of steps) {
    const free = step.filter((np) => !inUse.has(np));
    if (free.length > 0) return { reason: 'BURST', action: 'burst', networkPartitions: free };
  }
  return { reason: 'NONE', action: 'cannot-burst' };
}

/** An application instance, as draining reads it. */
export interface ApplicationInstanceFacts {
  readonly instanceId: string;
  readonly networkPartition: string;
  readonly status: string;
  /** every child reported it is at min and idle (ScalingDownBeyondMin) */
  readonly childrenAtMin: boolean;
}

/**
 * The burst application instance to remove this cycle, or undefined: only instances outside the
 * default step, whose children are all at min; the latest step first, within a step the newest
 * (last listed) instance. One per cycle, so a partition drains before the one burst earlier
 * (Stratos removed every idle burst instance at once).
 */
export function burstInstanceToDrain(steps: readonly (readonly string[])[], instances: readonly ApplicationInstanceFacts[]): string | undefined {
  const defaults = new Set(steps[0] ?? []);
  const stepOf = (np: string) => steps.findIndex((s) => s.includes(np));
  let chosen: ApplicationInstanceFacts | undefined;
  let chosenStep = -1;
  for (const i of instances) {
    if (defaults.has(i.networkPartition) || !i.childrenAtMin) continue;
    if (i.status === 'Terminating' || i.status === 'Terminated') continue;
    const s = stepOf(i.networkPartition);
    if (s >= chosenStep) {
      chosen = i;
      chosenStep = s;
    }
  }
  return chosen?.instanceId;
}
