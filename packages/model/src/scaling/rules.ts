import { nextPartitionForScaleDown, nextPartitionForScaleUp, type PartitionAlgorithm, type PartitionSlot } from '../orchestration/partition-algorithms.ts';
import { SCALING_DEFAULTS } from './defaults.ts';
import type { ClusterStats, MemberStats, SeriesStat } from './statistics.ts';

/**
 * The scaling rules of a cluster instance (orchestration.md §4.1-4.3, Stratos's scaling.drl,
 * mincheck.drl, maxcheck.drl, dependent-scaling.drl) as pure functions: one evaluation takes the
 * instance's members, its statistics (statistics.ts) and its policy, and returns a decision that
 * carries its inputs, its reason and its outcome, so the server can apply and record it.
 *
 * Stratos's maths, kept:
 * - prediction `average + gradient·t + ½·secondDerivative·t²` (t = `predictionHorizonSeconds`,
 *   Stratos 1; gradients are per second), negative predictions count as 0;
 * - `reqRIF = ceil(predictedRIF / rifThreshold)` from the cluster instance's requests in flight;
 * - `reqMC`: predicted == threshold → min; < threshold → min − 1; > threshold →
 *   `ceil(min + (predicted − threshold) / ((100 − threshold) / (max − min)))` (min when max == min);
 *   predicted = mean over the counted members of each one's prediction;
 * - `required = max(reqRIF, reqMC, reqLA)`, reason RIF if required == reqRIF, else MC, else LA;
 * - scale up at once to `min(required, max)`; scale down one member per evaluation, the least
 *   loaded ((predicted LA + predicted MC) / 2) of the partition the partition algorithm picks, after
 *   `scaleDownVerdicts` scale-down verdicts (Stratos: the 4th); an instance at its minimum tells its
 *   parent (`belowMin`, Stratos's ScalingDownBeyondMin).
 *
 * Decisions (where Stratos is defective or undefined):
 * - **Load average** (`loadAverageBasis`, default `members`): `reqLA = ceil(Σ predicted LA of the
 *   counted members / threshold)`, i.e. the members needed to carry the measured load at the
 *   threshold. Stratos's `ceil(min × meanLA / threshold)` (`'min'`) ignores how many members carry
 *   the load: with min 1 and two members at 60 % of a 70 % threshold it asks for one member, which
 *   then runs at 120 % and asks for two again (oscillation). Both agree whenever the counted members
 *   equal min (every §4.6 example).
 * - **Memory's second derivative** is used like load average's (Stratos never filled the member
 *   memory second derivative, so it was always 0 there).
 * - **Missing thresholds** are not used (strato's validation; Stratos treats them as 0). With no
 *   threshold at all the rule never scales (reason NONE).
 * - **Fresh statistics gate** (§4.1): the scaling rule runs only when a window closed since the
 *   previous evaluation (`stats.windowAt` > `state.lastWindowAt`); the min and max checks always run.
 * - **Counted members** for MC/LA: every non-terminated member (pending or active) whose statistics
 *   are not stale; a member without statistics yet counts 0 (Stratos: stats contexts are created
 *   with zeros at spawn), a member with stale statistics (stopped reporting) is left out. Requests
 *   in flight that are stale or missing count 0 (Stratos: missing RIF gives 0).
 * - **Consecutive verdicts**: the counter is reset by a scale-up verdict **and** by a steady one
 *   (Stratos reset it only on scale-up, so verdicts hours apart added up); it is kept after a
 *   termination, so each further verdict terminates one more member (§4.6).
 * - **Over max**: `overflow = required − max` is reported whenever required exceeds max, also while
 *   members are still being added; a scale-up verdict whose pending members already cover the need
 *   does not notify the parent (Stratos notified over-max whenever nonTerminated ≥ max).
 * - **Max check that works** (Stratos's maxcheck.drl failed on unset globals): members beyond a
 *   partition's `partitionMax`, then beyond the cluster's max, are removed, pending ones first,
 *   then the least loaded.
 * - **Min check**: below min, the missing members are spawned and the evaluation ends (reason MIN);
 *   the scaling rule runs on the next evaluation.
 */

/** Why a decision was taken (the scaling reasons Stratos logs, plus the parent-level ones). */
export type ScalingReason = 'MIN' | 'MAX' | 'RIF' | 'MC' | 'LA' | 'DEPENDENCY' | 'GROUP' | 'BURST' | 'NONE';

/** Thresholds of an autoscaling policy's `loadThresholds`; a missing one is not used. */
export interface LoadThresholds {
  readonly requestsInFlight?: number;
  readonly memoryConsumption?: number;
  readonly loadAverage?: number;
}

/** The thresholds of an autoscaling policy artifact (`loadThresholds.<metric>.threshold`). */
export function thresholdsOf(policy: { loadThresholds?: { [K in keyof LoadThresholds]?: { threshold?: number } } }): LoadThresholds {
  const t = policy.loadThresholds;
  const out: { -readonly [K in keyof LoadThresholds]?: number } = {};
  for (const k of ['requestsInFlight', 'memoryConsumption', 'loadAverage'] as const) {
    const v = t?.[k]?.threshold;
    if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  }
  return out;
}

/** The three figures a prediction is made from. */
export interface Trend {
  readonly average: number;
  readonly gradient: number;
  readonly secondDerivative: number;
}

/** `average + gradient·t + ½·secondDerivative·t²`, not below 0. */
export function predict(s: Trend, horizonSeconds: number): number {
  const t = horizonSeconds;
  const v = s.average + s.gradient * t + 0.5 * s.secondDerivative * t * t;
  return v > 0 ? v : 0;
}

/** ceil that does not turn 2.0000000000000004 into 3 (float noise in quotients). */
export function ceilCount(x: number): number {
  const c = Math.ceil(x - 1e-9);
  return c === 0 ? 0 : c; // no -0 in decision records
}

/** `ceil(predicted / threshold)`; 0 for a threshold ≤ 0 (Stratos logs an error). */
export function requiredForRequestsInFlight(predicted: number, threshold: number): number {
  if (!(threshold > 0)) return 0;
  return ceilCount(predicted / threshold);
}

/** Stratos's memory formula (see the file comment); a threshold ≥ 100 gives max when exceeded. */
export function requiredForMemory(predicted: number, threshold: number, min: number, max: number): number {
  if (predicted === threshold) return ceilCount(min);
  if (predicted < threshold) return min - 1;
  if (max <= min) return min;
  if (threshold >= 100) return max;
  return ceilCount(min + (predicted - threshold) / ((100 - threshold) / (max - min)));
}

/**
 * Load average: `'members'` → `ceil(Σ predicted / threshold)` (sum over the counted members);
 * `'min'` (Stratos) → `ceil(min × mean / threshold)`. A threshold ≤ 0 gives min (Stratos).
 */
export function requiredForLoadAverage(
  predicted: { readonly sum: number; readonly mean: number },
  threshold: number,
  min: number,
  basis: LoadAverageBasis,
): number {
  if (!(threshold > 0)) return min;
  return basis === 'min' ? ceilCount((min * predicted.mean) / threshold) : ceilCount(predicted.sum / threshold);
}

export type LoadAverageBasis = 'members' | 'min';

/** One non-terminated member of the cluster instance (termination-pending and obsolete ones are not). */
export interface ScalingMember {
  readonly memberId: string;
  readonly partitionId: string;
  /** pending: created, not yet Active (its statistics are ignored, as Stratos drops them) */
  readonly state: 'pending' | 'active';
}

/** Everything one evaluation of a cluster instance reads. */
export interface ClusterScalingInput {
  /** the evaluation time, ms */
  readonly now: number;
  /** cartridgeMin, cartridgeMax */
  readonly min: number;
  readonly max: number;
  readonly thresholds: LoadThresholds;
  readonly members: readonly ScalingMember[];
  readonly stats: ClusterStats;
  /** the network partition's partition algorithm and partitions (policy order) */
  readonly algorithm: PartitionAlgorithm;
  readonly slots: readonly PartitionSlot[];
  readonly lastPartitionIndex?: number;
  /** the cluster is in a scalingDependents list: it asks its parent instead of scaling itself (§3.7) */
  readonly hasScalingDependents?: boolean;
}

/** What an evaluation carries to the next one. */
export interface ClusterScalingState {
  /** consecutive scale-down verdicts so far */
  readonly scaleDownVerdicts: number;
  /** the statistics window the last scaling rule used (`ClusterStats.windowAt`) */
  readonly lastWindowAt?: number;
}

export const INITIAL_SCALING_STATE: ClusterScalingState = Object.freeze({ scaleDownVerdicts: 0 });

export interface ScalingOptions {
  /** @default SCALING_DEFAULTS.scaleDownVerdicts (4) */
  readonly scaleDownVerdicts: number;
  /** @default SCALING_DEFAULTS.predictionHorizonSeconds (1) */
  readonly predictionHorizonSeconds: number;
  /** @default 'members' */
  readonly loadAverageBasis: LoadAverageBasis;
}

export const DEFAULT_SCALING_OPTIONS: ScalingOptions = Object.freeze({
  scaleDownVerdicts: SCALING_DEFAULTS.scaleDownVerdicts.default,
  predictionHorizonSeconds: SCALING_DEFAULTS.predictionHorizonSeconds.default,
  loadAverageBasis: 'members',
});

/** One metric's part of a decision. */
export interface MetricInputs extends Trend {
  readonly threshold: number;
  readonly predicted: number;
  readonly required: number;
  /** member metrics: how many members were counted (the figures above are their means) */
  readonly members?: number;
}

/** What happened, in one word. */
export type ScalingOutcome =
  /** nothing to do (or no threshold) */
  | 'steady'
  /** the scaling rule did not run: no statistics window closed since the last evaluation */
  | 'no-fresh-stats'
  /** members are spawned (`spawn`) */
  | 'spawn'
  /** a scale-up verdict that pending members already cover */
  | 'covered'
  /** a scale-up verdict at max: only the overflow goes to the parent */
  | 'at-max'
  /** members were wanted but every partition is full */
  | 'partitions-full'
  /** a scale-down verdict, counted, nothing terminated yet */
  | 'scale-down-deferred'
  /** members are terminated (`terminate`) */
  | 'terminate'
  /** at min and not needing more: the parent is told (`belowMin`) */
  | 'at-min'
  /** a cluster with scaling dependents: the parent gets `dependentFactor` instead */
  | 'to-parent';

export interface ScalingDecision {
  readonly at: number;
  readonly reason: ScalingReason;
  readonly outcome: ScalingOutcome;
  /** partitions of the members to create, in order */
  readonly spawn: readonly string[];
  /** members to terminate (gracefully), in order */
  readonly terminate: readonly string[];
  /** instances wanted beyond max, for the parent (group scaling, then bursting); 0 when none */
  readonly overflow: number;
  /** the instance is at min and needs no more (Stratos's ScalingDownBeyondMin to the parent) */
  readonly belowMin: boolean;
  /** scaling dependents: `required / min`, sent to the parent as a ScalingEvent */
  readonly dependentFactor?: number;
  /** round-robin position after the spawns */
  readonly lastPartitionIndex?: number;
  /** the state for the next evaluation */
  readonly state: ClusterScalingState;
  readonly inputs: {
    readonly min: number;
    readonly max: number;
    readonly active: number;
    readonly pending: number;
    readonly nonTerminated: number;
    readonly fresh: boolean;
    readonly windowAt?: number;
    readonly horizonSeconds: number;
    readonly requestsInFlight?: MetricInputs;
    readonly memoryConsumption?: MetricInputs;
    readonly loadAverage?: MetricInputs;
    /** max of the metrics' required counts (undefined when no metric is used) */
    readonly required?: number;
    /** for DEPENDENCY decisions: the factor received and the rounded required count */
    readonly factor?: number;
  };
}

const usable = (s: SeriesStat | undefined): s is SeriesStat => s !== undefined && !s.stale;

/** The load of a member for picking whom to remove: (predicted LA + predicted MC) / 2; 0 without stats. */
export function memberLoad(stats: MemberStats | undefined, horizonSeconds: number): number {
  const la = usable(stats?.loadAverage) ? predict(stats.loadAverage, horizonSeconds) : 0;
  const mc = usable(stats?.memoryConsumption) ? predict(stats.memoryConsumption, horizonSeconds) : 0;
  return (la + mc) / 2;
}

function countByPartition(members: readonly ScalingMember[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of members) counts.set(m.partitionId, (counts.get(m.partitionId) ?? 0) + 1);
  return counts;
}

/** Partitions for `n` new members (fewer when partitions run out), and the round-robin position. */
export function placeMembers(
  n: number,
  algorithm: PartitionAlgorithm,
  slots: readonly PartitionSlot[],
  members: readonly ScalingMember[],
  lastIndex: number | undefined,
): { partitions: string[]; lastIndex?: number } {
  const counts = countByPartition(members);
  const partitions: string[] = [];
  let last = lastIndex;
  for (let i = 0; i < n; i++) {
    const id = nextPartitionForScaleUp(algorithm, slots, counts, last);
    if (id === undefined) break;
    counts.set(id, (counts.get(id) ?? 0) + 1);
    last = slots.findIndex((s) => s.id === id);
    partitions.push(id);
  }
  return { partitions, ...(last !== undefined ? { lastIndex: last } : {}) };
}

/**
 * The `n` members to remove: each time the partition the algorithm picks for scale-down (any
 * member's partition when it picks none), in it a pending member first, else the least loaded
 * (first wins ties).
 */
export function pickMembersToRemove(
  n: number,
  algorithm: PartitionAlgorithm,
  slots: readonly PartitionSlot[],
  members: readonly ScalingMember[],
  stats: ClusterStats,
  horizonSeconds: number,
  within?: string,
): string[] {
  const remaining = [...members];
  const out: string[] = [];
  for (let i = 0; i < n && remaining.length > 0; i++) {
    const partitionId = within ?? nextPartitionForScaleDown(algorithm, slots, countByPartition(remaining));
    const pool = remaining.filter((m) => partitionId === undefined || m.partitionId === partitionId);
    const candidates = pool.length > 0 ? pool : remaining;
    let victim = candidates.find((m) => m.state === 'pending');
    if (!victim) {
      let best = Number.POSITIVE_INFINITY;
      for (const m of candidates) {
        const load = memberLoad(stats.members.get(m.memberId), horizonSeconds);
        if (load < best) {
          best = load;
          victim = m;
        }
      }
    }
    if (!victim) break;
    remaining.splice(remaining.indexOf(victim), 1);
    out.push(victim.memberId);
  }
  return out;
}

interface MemberMetricFigures {
  average: number;
  gradient: number;
  secondDerivative: number;
  sum: number;
  mean: number;
  counted: number;
}

function memberMetric(input: ClusterScalingInput, metric: 'memoryConsumption' | 'loadAverage', h: number): MemberMetricFigures {
  let counted = 0;
  let sum = 0;
  let avg = 0;
  let grad = 0;
  let sd = 0;
  for (const m of input.members) {
    const s = m.state === 'active' ? input.stats.members.get(m.memberId)?.[metric] : undefined;
    if (s?.stale) continue;
    counted++;
    if (s) {
      sum += predict(s, h);
      avg += s.average;
      grad += s.gradient;
      sd += s.secondDerivative;
    }
  }
  const d = counted || 1;
  return { average: avg / d, gradient: grad / d, secondDerivative: sd / d, sum, mean: sum / d, counted };
}

function base(input: ClusterScalingInput, options: ScalingOptions, fresh: boolean) {
  const active = input.members.filter((m) => m.state === 'active').length;
  return {
    min: input.min,
    max: input.max,
    active,
    pending: input.members.length - active,
    nonTerminated: input.members.length,
    fresh,
    ...(input.stats.windowAt !== undefined ? { windowAt: input.stats.windowAt } : {}),
    horizonSeconds: options.predictionHorizonSeconds,
  };
}

/**
 * Members beyond a partition's max, then beyond the cluster's max (pending first, then the least
 * loaded): the working max check. Empty when within bounds.
 */
export function membersBeyondMax(input: ClusterScalingInput, horizonSeconds: number): string[] {
  const out: string[] = [];
  let remaining = [...input.members];
  for (const slot of input.slots) {
    if (slot.obsolete) continue;
    const inSlot = remaining.filter((m) => m.partitionId === slot.id);
    const excess = inSlot.length - Math.max(0, slot.max);
    if (excess <= 0) continue;
    const victims = pickMembersToRemove(excess, input.algorithm, input.slots, inSlot, input.stats, horizonSeconds, slot.id);
    out.push(...victims);
    remaining = remaining.filter((m) => !victims.includes(m.memberId));
  }
  const max = Math.max(input.max, input.min);
  if (remaining.length > max) {
    out.push(...pickMembersToRemove(remaining.length - max, input.algorithm, input.slots, remaining, input.stats, horizonSeconds));
  }
  return out;
}

/**
 * One evaluation of a cluster instance: max check, min check, then (on fresh statistics) the
 * scaling rule. See the file comment for the maths and the decisions.
 */
export function evaluateScaling(
  input: ClusterScalingInput,
  state: ClusterScalingState = INITIAL_SCALING_STATE,
  options: ScalingOptions = DEFAULT_SCALING_OPTIONS,
): ScalingDecision {
  const h = options.predictionHorizonSeconds;
  const fresh = input.stats.windowAt !== undefined && (state.lastWindowAt === undefined || input.stats.windowAt > state.lastWindowAt);
  const inputs0 = base(input, options, fresh);
  const none = { spawn: [] as string[], terminate: [] as string[], overflow: 0, belowMin: false };
  const decide = (
    d: Omit<ScalingDecision, 'at' | 'inputs' | 'spawn' | 'terminate' | 'overflow' | 'belowMin'> & Partial<ScalingDecision>,
    extra?: object,
  ): ScalingDecision => ({
    at: input.now,
    ...none,
    ...d,
    inputs: { ...inputs0, ...(extra ?? {}) },
  });

  // max check
  const beyondMax = membersBeyondMax(input, h);
  if (beyondMax.length > 0) return decide({ reason: 'MAX', outcome: 'terminate', terminate: beyondMax, state });

  // min check
  if (input.members.length < input.min) {
    const placed = placeMembers(input.min - input.members.length, input.algorithm, input.slots, input.members, input.lastPartitionIndex);
    return decide({
      reason: 'MIN',
      outcome: placed.partitions.length > 0 ? 'spawn' : 'partitions-full',
      spawn: placed.partitions,
      state,
      ...(placed.partitions.length > 0 && placed.lastIndex !== undefined ? { lastPartitionIndex: placed.lastIndex } : {}),
    });
  }

  if (!fresh) return decide({ reason: 'NONE', outcome: 'no-fresh-stats', state });
  const used: ClusterScalingState = { ...state, ...(input.stats.windowAt !== undefined ? { lastWindowAt: input.stats.windowAt } : {}) };

  // the metrics
  const { min, max, thresholds: t } = input;
  const metrics: { requestsInFlight?: MetricInputs; memoryConsumption?: MetricInputs; loadAverage?: MetricInputs } = {};
  if (t.requestsInFlight !== undefined) {
    const s = input.stats.cluster.requestsInFlight;
    const trend: Trend = usable(s) ? s : { average: 0, gradient: 0, secondDerivative: 0 };
    const predicted = predict(trend, h);
    metrics.requestsInFlight = {
      average: trend.average,
      gradient: trend.gradient,
      secondDerivative: trend.secondDerivative,
      threshold: t.requestsInFlight,
      predicted,
      required: requiredForRequestsInFlight(predicted, t.requestsInFlight),
    };
  }
  if (t.memoryConsumption !== undefined) {
    const f = memberMetric(input, 'memoryConsumption', h);
    metrics.memoryConsumption = {
      average: f.average,
      gradient: f.gradient,
      secondDerivative: f.secondDerivative,
      threshold: t.memoryConsumption,
      predicted: f.mean,
      required: requiredForMemory(f.mean, t.memoryConsumption, min, max),
      members: f.counted,
    };
  }
  if (t.loadAverage !== undefined) {
    const f = memberMetric(input, 'loadAverage', h);
    metrics.loadAverage = {
      average: f.average,
      gradient: f.gradient,
      secondDerivative: f.secondDerivative,
      threshold: t.loadAverage,
      predicted: f.mean,
      required: requiredForLoadAverage(f, t.loadAverage, min, options.loadAverageBasis),
      members: f.counted,
    };
  }
  const reqs = [metrics.requestsInFlight, metrics.memoryConsumption, metrics.loadAverage].filter((m) => m !== undefined);
  if (reqs.length === 0) return decide({ reason: 'NONE', outcome: 'steady', state: { ...used, scaleDownVerdicts: 0 } }, metrics);
  const required = Math.max(...reqs.map((m) => m.required));
  const reason: ScalingReason = metrics.requestsInFlight?.required === required ? 'RIF' : metrics.memoryConsumption?.required === required ? 'MC' : 'LA';
  const extra = { ...metrics, required };
  const { active, nonTerminated } = inputs0;
  const dependents = input.hasScalingDependents === true;
  const factor = (n: number) => Math.max(0, n) / Math.max(1, min);

  if (active < required) {
    const overflow = Math.max(0, required - max);
    const next = { ...used, scaleDownVerdicts: 0 };
    const additional = Math.min(required, max) - nonTerminated;
    if (dependents) {
      return decide({ reason, outcome: 'to-parent', overflow, dependentFactor: factor(required), state: next }, extra);
    }
    if (additional <= 0) return decide({ reason, outcome: overflow > 0 ? 'at-max' : 'covered', overflow, state: next }, extra);
    const placed = placeMembers(additional, input.algorithm, input.slots, input.members, input.lastPartitionIndex);
    // partitions that ran out are over max for the parent too
    const short = additional - placed.partitions.length;
    return decide(
      {
        reason,
        outcome: placed.partitions.length > 0 ? 'spawn' : 'partitions-full',
        spawn: placed.partitions,
        overflow: overflow + short,
        state: next,
        ...(placed.partitions.length > 0 && placed.lastIndex !== undefined ? { lastPartitionIndex: placed.lastIndex } : {}),
      },
      extra,
    );
  }
  if (active > required && nonTerminated > min) {
    const verdicts = state.scaleDownVerdicts + 1;
    const next = { ...used, scaleDownVerdicts: verdicts };
    if (verdicts < options.scaleDownVerdicts) return decide({ reason, outcome: 'scale-down-deferred', state: next }, extra);
    if (dependents) return decide({ reason, outcome: 'to-parent', dependentFactor: factor(required), state: next }, extra);
    const victims = pickMembersToRemove(1, input.algorithm, input.slots, input.members, input.stats, h);
    return decide({ reason, outcome: victims.length > 0 ? 'terminate' : 'steady', terminate: victims, state: next }, extra);
  }
  if (required <= min && nonTerminated <= min) {
    return decide({ reason, outcome: 'at-min', belowMin: true, state: { ...used, scaleDownVerdicts: 0 } }, extra);
  }
  return decide({ reason: 'NONE', outcome: 'steady', state: { ...used, scaleDownVerdicts: 0 } }, extra);
}
