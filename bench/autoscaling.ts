/**
 * Autoscaling, in simulated time (no server, nothing outside the repository): one hour of a
 * synthetic, seeded load trace replayed against strato's scaling rules (@strato/model
 * `HealthStatistics` + `evaluateScaling`) and against the Kubernetes Horizontal Pod Autoscaler's
 * rule, side by side, on the same trace and the same member model.
 *
 * The model (both autoscalers):
 * - demand D(t), in percent of one member's capacity: a sine (20-minute period) on a base, a slow
 *   ramp over the hour, seeded spikes (sharp rise, plateau, fall) and 5 % noise;
 * - a member starts serving `START_UP_MS` after it is asked for (it costs from the request), and
 *   reports its load average every 15 s while serving: D(t) / serving members × (1 ± noise), in
 *   percent (a load average, not capped at 100);
 * - a terminated member stops at once; min 1, max 20 members; one partition with room for 20;
 * - target: 70 % (strato: the policy's loadAverage threshold 70, memoryConsumption 80 with members
 *   reporting a flat 40 % so it never decides; HPA: target utilisation 70 %).
 * strato: windows close every `healthStatWindow` (60 s), the rules run every
 * `clusterMonitorInterval` (90 s) on fresh windows, scale-down after `scaleDownVerdicts` (4)
 * consecutive verdicts, one member per evaluation, prediction horizon at its default.
 * HPA (autoscaling/v2 defaults): every 15 s, ratio = mean utilisation of the ready pods / target,
 * no change within the 0.1 tolerance, desired = ceil(current × ratio); pods not yet ready count 0 %
 * on the way up and 100 % of target on the way down; scale-up at most max(+4 pods, +100 %) per 15 s;
 * scale-down stabilised over 5 minutes (the highest recommendation of the window).
 *
 * Figures: member-minutes (every member from its request to its termination), under-provisioned
 * minutes (time during which D(t) exceeds the serving members' capacity, i.e. 100 % each), scaling
 * actions (evaluations that added or removed members), for each autoscaler, on the headline seed
 * and as the mean over eight more seeds; `npm run bench -- --only=autoscaling` runs only this one.
 * Besides the headline pair (both at their defaults) the table holds variants that show what drives
 * the result: HPA fed through the same 60-s windows at the same 90-s cadence (the rules compared
 * like for like), strato with a 60-s prediction horizon, with Stratos's load-average formula, and
 * with shorter windows and cadence. The run is deterministic (seeded); stderr shows the table.
 */
import {
  DEFAULT_SCALING_OPTIONS,
  DEFAULT_TIMINGS,
  evaluateScaling,
  HealthStatistics,
  INITIAL_SCALING_STATE,
  type ClusterScalingState,
  type ScalingMember,
  type ScalingOptions,
} from '@strato/model';
import { Figures, log } from './lib.ts';
import { seededRandom } from '@strato/testing';

const HOUR_MS = 3_600_000;
const STEP_MS = 1_000;
const REPORT_MS = 15_000;
export const START_UP_MS = 60_000;
const MIN = 1;
const MAX = 20;
const TARGET = 70;
const CI = 'bench.web.php.domain/bench-1';

const random = seededRandom;

function gaussian(rnd: () => number): number {
  const u = Math.max(rnd(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
}

/** A load trace: the demand per second, and whether a second is in a spike (rise to fall, plus 2 min). */
export interface LoadTrace {
  /** D(t), percent of one member's capacity */
  readonly demand: Float64Array;
  readonly inSpike: Uint8Array;
}

/** The demand D(t) per second over the hour, percent of one member's capacity. */
export function loadTrace(seed: number): LoadTrace {
  const rnd = random(seed);
  const n = HOUR_MS / STEP_MS;
  const d = new Float64Array(n);
  const inSpike = new Uint8Array(n);
  const spikes = Array.from({ length: 6 }, () => ({
    start: Math.floor(rnd() * (n - 400)),
    rise: 10 + Math.floor(rnd() * 30),
    hold: 60 + Math.floor(rnd() * 180),
    fall: 30 + Math.floor(rnd() * 90),
    height: 150 + rnd() * 300,
  }));
  for (let s = 0; s < n; s++) {
    let v = 180 + 120 * Math.sin((2 * Math.PI * s) / 1200) + (250 * s) / n;
    for (const k of spikes) {
      const x = s - k.start;
      if (x < 0) continue;
      if (x < k.rise + k.hold + k.fall + 120) inSpike[s] = 1;
      if (x < k.rise) v += (k.height * x) / k.rise;
      else if (x < k.rise + k.hold) v += k.height;
      else if (x < k.rise + k.hold + k.fall) v += k.height * (1 - (x - k.rise - k.hold) / k.fall);
    }
    d[s] = Math.max(0, v * (1 + 0.05 * gaussian(rnd)));
  }
  return { demand: d, inSpike };
}

interface SimMember {
  id: string;
  requestedAt: number;
  servingAt: number;
  /** last reported utilisation (HPA reads it) */
  lastReport?: number;
}

/** One autoscaler under test: told every report; called every second, returns how many members to add, and which to remove. */
interface Autoscaler {
  readonly name: string;
  record?(now: number, m: SimMember, value: number): void;
  step(now: number, members: readonly SimMember[]): { add: number; remove: string[] };
}

export interface SimResult {
  memberMinutes: number;
  underProvisionedMinutes: number;
  /** of which during a spike (from its rise to 2 minutes after its fall) */
  underInSpikesMinutes: number;
  actions: number;
  peakMembers: number;
  /** the member count never left [MIN, MAX] */
  withinBounds: boolean;
}

function simulate(load: LoadTrace, autoscaler: Autoscaler, seed: number): SimResult {
  const trace = load.demand;
  const rnd = random(seed ^ 0x5eed);
  let next = 0;
  const initial = Math.min(MAX, Math.max(MIN, Math.ceil(trace[0] / TARGET)));
  let members: SimMember[] = Array.from({ length: initial }, () => ({ id: `m${next++}`, requestedAt: -START_UP_MS, servingAt: 0 }));
  let memberMs = 0;
  let underMs = 0;
  let underSpikeMs = 0;
  let actions = 0;
  let peak = members.length;
  let withinBounds = true;
  for (let s = 0; s < trace.length; s++) {
    const now = s * STEP_MS;
    const demand = trace[s];
    const serving = members.filter((m) => m.servingAt <= now);
    // members report every 15 s from when they start serving
    for (const m of serving) {
      if ((now - m.servingAt) % REPORT_MS === 0) {
        const value = Math.max(0, (demand / serving.length) * (1 + 0.05 * gaussian(rnd)));
        m.lastReport = value;
        autoscaler.record?.(now, m, value);
      }
    }
    const { add, remove } = autoscaler.step(now, members);
    if (add > 0 || remove.length > 0) actions++;
    if (remove.length > 0) members = members.filter((m) => !remove.includes(m.id));
    for (let i = 0; i < add; i++) members.push({ id: `m${next++}`, requestedAt: now, servingAt: now + START_UP_MS });
    if (members.length < MIN || members.length > MAX) withinBounds = false;
    peak = Math.max(peak, members.length);
    memberMs += members.length * STEP_MS;
    const servingAfter = members.filter((m) => m.servingAt <= now).length;
    if (demand > servingAfter * 100) {
      underMs += STEP_MS;
      if (load.inSpike[s]) underSpikeMs += STEP_MS;
    }
  }
  return {
    memberMinutes: memberMs / 60_000,
    underProvisionedMinutes: underMs / 60_000,
    underInSpikesMinutes: underSpikeMs / 60_000,
    actions,
    peakMembers: peak,
    withinBounds,
  };
}

/** strato's timings: the statistics window and the cluster monitor interval. */
export interface StratoCadence {
  readonly windowMs: number;
  readonly intervalMs: number;
}
export const DEFAULT_CADENCE: StratoCadence = {
  windowMs: DEFAULT_TIMINGS.healthStatWindow,
  intervalMs: DEFAULT_TIMINGS.clusterMonitorInterval,
};

class StratoAutoscaler implements Autoscaler {
  readonly name: string;
  private readonly stats: HealthStatistics;
  private state: ClusterScalingState = INITIAL_SCALING_STATE;

  constructor(
    name: string,
    private readonly options: ScalingOptions = DEFAULT_SCALING_OPTIONS,
    private readonly cadence: StratoCadence = DEFAULT_CADENCE,
  ) {
    this.name = name;
    this.stats = new HealthStatistics({ windowMs: cadence.windowMs });
  }

  record(now: number, m: SimMember, value: number): void {
    this.stats.recordMember(now, CI, m.id, 'loadAverage', value);
    this.stats.recordMember(now, CI, m.id, 'memoryConsumption', 40);
  }

  step(now: number, members: readonly SimMember[]): { add: number; remove: string[] } {
    if (now > 0 && now % this.cadence.windowMs === 0) this.stats.closeWindows(now);
    if (now % this.cadence.intervalMs !== 0) return { add: 0, remove: [] };
    const scaling: ScalingMember[] = members.map((m) => ({ memberId: m.id, partitionId: 'p1', state: m.servingAt <= now ? 'active' : 'pending' }));
    const d = evaluateScaling(
      {
        now,
        min: MIN,
        max: MAX,
        thresholds: { loadAverage: TARGET, memoryConsumption: 80 },
        members: scaling,
        stats: this.stats.view(CI, now),
        algorithm: 'one-after-another',
        slots: [{ id: 'p1', max: MAX }],
      },
      this.state,
      this.options,
    );
    this.state = d.state;
    for (const id of d.terminate) this.stats.forgetMember(CI, id);
    return { add: d.spawn.length, remove: [...d.terminate] };
  }
}

/**
 * HPA's timings: its sync period, and (for the like-for-like variant) a statistics window through
 * which it sees the pods' utilisation instead of their latest report.
 */
export interface HpaCadence {
  readonly syncMs: number;
  readonly windowMs?: number;
}
export const HPA_CADENCE: HpaCadence = { syncMs: 15_000 };

class HpaAutoscaler implements Autoscaler {
  readonly name = 'hpa';
  private readonly recommendations: { at: number; n: number }[] = [];
  private readonly stats?: HealthStatistics;
  static readonly TOLERANCE = 0.1;
  static readonly STABILISATION_MS = 300_000;

  constructor(private readonly cadence: HpaCadence = HPA_CADENCE) {
    if (cadence.windowMs !== undefined) this.stats = new HealthStatistics({ windowMs: cadence.windowMs });
  }

  record(now: number, m: SimMember, value: number): void {
    this.stats?.recordMember(now, CI, m.id, 'loadAverage', value);
  }

  /** a pod's utilisation: its latest report, or its latest window's average */
  private utilisation(now: number, members: readonly SimMember[]): Map<string, number> {
    const out = new Map<string, number>();
    const view = this.stats?.view(CI, now);
    for (const m of members) {
      if (m.servingAt > now) continue;
      const v = view ? view.members.get(m.id)?.loadAverage?.average : m.lastReport;
      if (v !== undefined) out.set(m.id, v);
    }
    return out;
  }

  step(now: number, members: readonly SimMember[]): { add: number; remove: string[] } {
    if (this.cadence.windowMs !== undefined && now > 0 && now % this.cadence.windowMs === 0) this.stats?.closeWindows(now);
    if (now % this.cadence.syncMs !== 0) return { add: 0, remove: [] };
    const current = members.length;
    const util = this.utilisation(now, members);
    const unready = current - util.size;
    if (util.size === 0) return { add: 0, remove: [] };
    let sum = 0;
    for (const v of util.values()) sum += v;
    let ratio = sum / util.size / TARGET;
    if (unready > 0) {
      // pods without metrics: 0 % on the way up, the target on the way down; no change if the
      // direction reverses or the new ratio is within tolerance
      const adjusted = ratio > 1 ? sum / (current * TARGET) : (sum + unready * TARGET) / (current * TARGET);
      if ((ratio > 1 && adjusted < 1) || (ratio < 1 && adjusted > 1)) ratio = 1;
      else ratio = adjusted;
    }
    let recommendation = Math.abs(ratio - 1) <= HpaAutoscaler.TOLERANCE ? current : Math.ceil(current * ratio);
    recommendation = Math.min(MAX, Math.max(MIN, recommendation));
    this.recommendations.push({ at: now, n: recommendation });
    while (this.recommendations.length > 0 && this.recommendations[0].at <= now - HpaAutoscaler.STABILISATION_MS) this.recommendations.shift();
    let desired = recommendation;
    if (desired < current) desired = Math.min(current, Math.max(...this.recommendations.map((r) => r.n)));
    if (desired > current) desired = Math.min(desired, Math.max(current * 2, current + 4));
    desired = Math.min(MAX, Math.max(MIN, desired));
    if (desired > current) return { add: desired - current, remove: [] };
    if (desired < current) {
      // not-yet-ready pods go first, then the newest
      const order = [...members].sort((a, b) => Number(a.servingAt <= now) - Number(b.servingAt <= now) || b.requestedAt - a.requestedAt);
      const remove = order.slice(0, current - desired).map((m) => m.id);
      for (const id of remove) this.stats?.forgetMember(CI, id);
      return { add: 0, remove };
    }
    return { add: 0, remove: [] };
  }
}

export const BENCH_SEED = 20_261_202;
const MEAN_SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];

/** An autoscaler of the comparison: figure-name key, label, and how to make a fresh one. */
interface Contender {
  readonly key: string;
  readonly label: string;
  readonly make: () => Autoscaler;
}

const strato =
  (options: Partial<ScalingOptions> = {}, cadence: StratoCadence = DEFAULT_CADENCE) =>
  () =>
    new StratoAutoscaler('strato', { ...DEFAULT_SCALING_OPTIONS, ...options }, cadence);

/**
 * The headline pair first (HPA at its defaults, strato at its defaults with Stratos's cadence),
 * then variants that show what drives the result.
 */
export const CONTENDERS: readonly Contender[] = [
  { key: 'hpa', label: 'hpa (15 s sync, latest reports)', make: () => new HpaAutoscaler() },
  { key: 'strato', label: 'strato (defaults: 60 s windows, 90 s)', make: strato() },
  {
    key: 'hpa-60s-90s',
    label: "hpa at strato's cadence (60 s win, 90 s)",
    make: () => new HpaAutoscaler({ syncMs: DEFAULT_CADENCE.intervalMs, windowMs: DEFAULT_CADENCE.windowMs }),
  },
  { key: 'strato-horizon-60s', label: 'strato, horizon 60 s', make: strato({ predictionHorizonSeconds: 60 }) },
  { key: 'strato-la-basis-min', label: "strato, Stratos's LA formula (min)", make: strato({ loadAverageBasis: 'min' }) },
  {
    key: 'strato-30s',
    label: 'strato, 30 s windows+cadence, h 30 s',
    make: strato({ predictionHorizonSeconds: 30 }, { windowMs: 30_000, intervalMs: 30_000 }),
  },
  {
    key: 'strato-15s-5min',
    label: 'strato, 15 s windows+cadence, 20 verdicts',
    make: strato({ scaleDownVerdicts: 20 }, { windowMs: 15_000, intervalMs: 15_000 }),
  },
];

/** Member-minutes of a perfect autoscaler: ceil(D / target) members every second, no start-up. */
export function perfectMemberMinutes(trace: LoadTrace): number {
  let ms = 0;
  for (const d of trace.demand) ms += Math.min(MAX, Math.max(MIN, Math.ceil(d / TARGET))) * STEP_MS;
  return ms / 60_000;
}

/** One contender on one seed. */
export function run(c: Contender, seed: number): SimResult {
  return simulate(loadTrace(seed), c.make(), seed);
}

function meanOf(rs: SimResult[]): SimResult {
  const m = (f: (r: SimResult) => number) => rs.reduce((s, r) => s + f(r), 0) / rs.length;
  return {
    memberMinutes: m((r) => r.memberMinutes),
    underProvisionedMinutes: m((r) => r.underProvisionedMinutes),
    underInSpikesMinutes: m((r) => r.underInSpikesMinutes),
    actions: m((r) => r.actions),
    peakMembers: Math.max(...rs.map((r) => r.peakMembers)),
    withinBounds: rs.every((r) => r.withinBounds),
  };
}

function row(name: string, r: SimResult): string {
  const f = (x: number, d: number, w: number) => x.toFixed(d).padStart(w);
  return `${name.padEnd(42)} ${f(r.memberMinutes, 1, 10)} ${f(r.underProvisionedMinutes, 2, 9)} ${f(r.underInSpikesMinutes, 2, 9)} ${f(r.actions, 1, 8)} ${String(r.peakMembers).padStart(5)}`;
}

export async function autoscaling(): Promise<void> {
  const figures = new Figures();
  const header = `${''.padEnd(42)} member-min under-min in-spikes  actions  peak`;
  const results = CONTENDERS.map((c) => ({ c, seed: run(c, BENCH_SEED), mean: meanOf(MEAN_SEEDS.map((s) => run(c, s))) }));
  const perfect = perfectMemberMinutes(loadTrace(BENCH_SEED));
  const lines = [`seed ${BENCH_SEED}:`, header, ...results.map((r) => row(r.c.label, r.seed))];
  lines.push(`${'perfect: ceil(D/70) each second, no start-up'.padEnd(42)} ${perfect.toFixed(1).padStart(10)}`);
  lines.push(`mean over seeds ${MEAN_SEEDS.join(',')}:`, header, ...results.map((r) => row(r.c.label, r.mean)));
  for (const line of lines) log(`autoscaling: ${line}`);

  for (const r of results) {
    if (!r.seed.withinBounds || !r.mean.withinBounds) throw new Error(`${r.c.key}: the member count left [${MIN}, ${MAX}]`);
  }
  const what = `1 h seeded trace (seed ${BENCH_SEED}), start-up ${START_UP_MS / 1000} s, target 70 %`;
  const meanWhat = `mean over seeds ${MEAN_SEEDS.join(',')}`;
  for (const { c, seed, mean } of results) {
    figures.add(`autoscaling-${c.key}-member-minutes`, seed.memberMinutes, 'member-min', what);
    figures.add(`autoscaling-${c.key}-under-provisioned-minutes`, seed.underProvisionedMinutes, 'min', what);
    figures.add(`autoscaling-${c.key}-actions`, seed.actions, 'count', what);
    figures.add(`autoscaling-${c.key}-mean-member-minutes`, mean.memberMinutes, 'member-min', meanWhat);
    figures.add(`autoscaling-${c.key}-mean-under-provisioned-minutes`, mean.underProvisionedMinutes, 'min', meanWhat);
  }
  figures.add('autoscaling-perfect-member-minutes', perfect, 'member-min', `ceil(D/70) every second, no start-up delay, seed ${BENCH_SEED}`);
  figures.print();
}

if (import.meta.url === `file://${process.argv[1]}`) await autoscaling();
