import {
  ceilCount,
  type ClusterScalingInput,
  type ClusterScalingState,
  DEFAULT_SCALING_OPTIONS,
  INITIAL_SCALING_STATE,
  pickMembersToRemove,
  placeMembers,
  type ScalingDecision,
  type ScalingOptions,
} from './rules.ts';

/**
 * Dependent scaling (orchestration.md §3.7, dependent-scaling.drl §4.3): the members of a
 * `scalingDependents` list keep the ratio of their counts. A member that needs `required` instances
 * sends its parent `factor = required / min`; the parent picks, per list, the highest factor and
 * sends it to every member of the list; each one needs `round(min × factor)` instances (a group:
 * `ceil(factor × groupMin)`), capped by its min and max.
 *
 * Decisions: the rounding is Stratos's (`instanceRoundingFactor` r: fraction > r → ceil, else
 * floor; r is always 0 in Stratos, so ceil), computed without float noise (3 × 5/3 is 5, not 6);
 * the required count is capped to [min, max] (Stratos capped only at max, and its scale-down loop
 * could go below min); the over-max notification goes to the parent only when the required count
 * exceeds max (Stratos also sent it in the within-max branch, §9 quirk 4).
 */

/** `x` rounded by the instance rounding factor r: fraction > r → up, else down (r 0: ceil). */
export function roundInstances(x: number, roundingFactor = 0): number {
  const r = Math.round(x * 1e9) / 1e9;
  const whole = Math.floor(r);
  return r - whole > roundingFactor ? whole + 1 : whole;
}

/** The factor a list member sends its parent: `required / min` (min below 1 counts as 1). */
export function scalingFactor(required: number, min: number): number {
  return Math.max(0, required) / Math.max(1, min);
}

/** A member of a scaling-dependents list: a cluster (cartridgeMin/Max) or a group (groupMin/MaxInstances). */
export interface DependentMember {
  readonly id: string;
  readonly kind: 'cluster' | 'group';
  readonly min: number;
  readonly max: number;
}

/** The instances a list member needs for a factor, capped to [min, max]. */
export function dependentRequired(member: DependentMember, factor: number, roundingFactor = 0): number {
  const raw = member.kind === 'group' ? ceilCount(factor * member.min) : roundInstances(member.min * factor, roundingFactor);
  return Math.min(Math.max(raw, member.min), Math.max(member.max, member.min));
}

/**
 * The required counts of every member of a list when one of them (`sourceId`) needs `required`:
 * the source's factor applied to all (the source's own count is capped, too).
 */
export function dependentRequiredCounts(list: readonly DependentMember[], sourceId: string, required: number, roundingFactor = 0): Map<string, number> {
  const source = list.find((m) => m.id === sourceId);
  if (!source) throw new RangeError(`${sourceId} is not in the scaling-dependents list ${list.map((m) => m.id).join(', ')}`);
  const f = scalingFactor(required, source.min);
  return new Map(list.map((m) => [m.id, dependentRequired(m, f, roundingFactor)]));
}

/** A ScalingEvent a child sent its parent in one cycle. */
export interface ChildScalingEvent {
  readonly childId: string;
  readonly factor: number;
}

/**
 * The parent's cycle (§3.7): per list, the event with the highest factor among its members' (first
 * wins ties); for each winner, the (first) list holding it and the factor to send to every member
 * of it. A winner of several lists is sent once.
 */
export function winningScalingEvents(
  lists: readonly (readonly string[])[],
  events: readonly ChildScalingEvent[],
): { winner: ChildScalingEvent; list: readonly string[] }[] {
  const out: { winner: ChildScalingEvent; list: readonly string[] }[] = [];
  const seen = new Set<string>();
  for (const list of lists) {
    let best: ChildScalingEvent | undefined;
    for (const e of events) if (list.includes(e.childId) && (best === undefined || e.factor > best.factor)) best = e;
    if (!best || seen.has(best.childId)) continue;
    seen.add(best.childId);
    const first = lists.find((l) => l.includes(best.childId))!;
    out.push({ winner: best, list: first });
  }
  return out;
}

/**
 * A cluster's evaluation for a factor from its parent (reason DEPENDENCY): up to
 * `required = round(min × factor)` capped to [min, max] at once (overflow = uncapped − max for the
 * parent), or down to it at once (pending members first, then the least loaded).
 */
export function evaluateDependentScaling(
  input: ClusterScalingInput,
  factor: number,
  state: ClusterScalingState = INITIAL_SCALING_STATE,
  options: ScalingOptions = DEFAULT_SCALING_OPTIONS,
  roundingFactor = 0,
): ScalingDecision {
  const uncapped = roundInstances(input.min * factor, roundingFactor);
  const max = Math.max(input.max, input.min);
  const required = Math.min(Math.max(uncapped, input.min), max);
  const nonTerminated = input.members.length;
  const active = input.members.filter((m) => m.state === 'active').length;
  const overflow = Math.max(0, uncapped - max);
  const inputs = {
    min: input.min,
    max: input.max,
    active,
    pending: nonTerminated - active,
    nonTerminated,
    fresh: false,
    horizonSeconds: options.predictionHorizonSeconds,
    required,
    factor,
  };
  const common = { at: input.now, reason: 'DEPENDENCY' as const, belowMin: false, inputs };
  if (nonTerminated < required) {
    const placed = placeMembers(required - nonTerminated, input.algorithm, input.slots, input.members, input.lastPartitionIndex);
    const short = required - nonTerminated - placed.partitions.length;
    return {
      ...common,
      outcome: placed.partitions.length > 0 ? 'spawn' : 'partitions-full',
      spawn: placed.partitions,
      terminate: [],
      overflow: overflow + short,
      state: { ...state, scaleDownVerdicts: 0 },
      ...(placed.partitions.length > 0 && placed.lastIndex !== undefined ? { lastPartitionIndex: placed.lastIndex } : {}),
    };
  }
  if (nonTerminated > required) {
    const victims = pickMembersToRemove(nonTerminated - required, input.algorithm, input.slots, input.members, input.stats, options.predictionHorizonSeconds);
    return { ...common, outcome: 'terminate', spawn: [], terminate: victims, overflow, state };
  }
  return { ...common, outcome: overflow > 0 ? 'at-max' : 'steady', spawn: [], terminate: [], overflow, state };
}
