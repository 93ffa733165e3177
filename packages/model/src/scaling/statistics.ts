/**
 * Health-statistics windows (orchestration.md §5.2, §5.3): per member and per cluster instance,
 * per metric, the average, gradient and second derivative of the values received in one window,
 * computed as Stratos's CEP computes them (Siddhi `timeBatch` average and the `gradient` /
 * `secondDerivative` window extensions). Pure: every method takes the time in; the caller closes
 * the windows every `windowMs` (Stratos: 1 minute, `healthStatWindow`).
 *
 * Window maths (Stratos's, reproduced exactly on points ordered by time):
 * - average: arithmetic mean of the window's values;
 * - gradient: first and last point, `tGap = max(t_last − t_first, 1000 ms)`,
 *   `(v_last − v_first) × 1000 / tGap`: units per **second**;
 * - second derivative (n points): `g1 = gradient(p[0], p[n/2 − 1])` at the midpoint of those two,
 *   `g2 = gradient(p[n/2], p[n − 1])` at theirs (integer division), then the gradient of g1 → g2
 *   with the same 1-s floor: units per second². (With exactly 3 points the first half is the first
 *   point alone, so g1 = 0 and a linear series gets a non-zero second derivative: Stratos's maths,
 *   kept.)
 *
 * Decisions where Stratos's behaviour is undefined or defective:
 * - **Too few points.** A window with no point yields nothing (as CEP). One point: average = the
 *   value, gradient 0 (Stratos's 1-s floor gives 0 for a single point, too). Fewer than 3 points:
 *   Stratos emits no second-derivative event, so the metric's "reset" flag never sets and the
 *   cluster is not scaled on it; strato reports the second derivative as 0 with
 *   `secondDerivativeKnown: false`, and the window still counts as fresh stats.
 * - **Out-of-order timestamps.** A window is the batch of points received between two closes,
 *   **ordered by their own timestamps** before the gradient maths (Stratos used arrival order, so a
 *   late point could reverse a gradient). Points timestamped after the close time stay for the next
 *   window; points older than `now − lateAfterMs` (default two windows) are dropped and counted in
 *   `late`. Equal timestamps keep arrival order.
 * - **Members that stop reporting.** A series with no point in a window produces no new summary;
 *   its last summary is kept with the time of the close that produced it, and `view(now)` marks it
 *   `stale` once it is older than `staleAfterMs` (default two windows). The scaling rules leave
 *   stale members out (their load is unknown; fault detection replaces them, §5.4).
 */

/** One received value, with the time it refers to (ms). */
export interface StatPoint {
  readonly t: number;
  readonly value: number;
}

/** The statistics of one window of one series. */
export interface WindowSummary {
  /** mean of the window's values */
  readonly average: number;
  /** units per second (Stratos's gradient extension) */
  readonly gradient: number;
  /** units per second²; 0 when fewer than 3 points (`secondDerivativeKnown` false) */
  readonly secondDerivative: number;
  readonly secondDerivativeKnown: boolean;
  /** how many points the window held */
  readonly points: number;
  /** timestamps of the first and last point */
  readonly first: number;
  readonly last: number;
}

const MIN_GAP_MS = 1000;

/** Stratos's two-point gradient (units per second), with its 1-s floor on the time gap. */
export function twoPointGradient(a: StatPoint, b: StatPoint): number {
  return ((b.value - a.value) * 1000) / Math.max(b.t - a.t, MIN_GAP_MS);
}

/** Points ordered by time (a stable sort: equal timestamps keep their order). */
export function byTime(points: readonly StatPoint[]): StatPoint[] {
  return points
    .map((p, i) => ({ p, i }))
    .sort((x, y) => x.p.t - y.p.t || x.i - y.i)
    .map((x) => x.p);
}

/** Mean of the values (undefined for no points). */
export function windowAverage(points: readonly StatPoint[]): number | undefined {
  if (points.length === 0) return undefined;
  let sum = 0;
  for (const p of points) sum += p.value;
  return sum / points.length;
}

/** Stratos's `gradient`: first and last point by time; 0 for a single point; undefined for none. */
export function windowGradient(points: readonly StatPoint[]): number | undefined {
  if (points.length === 0) return undefined;
  const s = byTime(points);
  return twoPointGradient(s[0], s[s.length - 1]);
}

/** Stratos's `secondDerivative`: needs more than 2 points (undefined otherwise). */
export function windowSecondDerivative(points: readonly StatPoint[]): number | undefined {
  const n = points.length;
  if (n <= 2) return undefined;
  const s = byTime(points);
  const h = Math.floor(n / 2);
  const a0 = s[0];
  const a1 = s[h - 1];
  const b0 = s[h];
  const b1 = s[n - 1];
  const g1: StatPoint = { t: (a0.t + a1.t) / 2, value: twoPointGradient(a0, a1) };
  const g2: StatPoint = { t: (b0.t + b1.t) / 2, value: twoPointGradient(b0, b1) };
  return twoPointGradient(g1, g2);
}

/** The summary of one window's points, or undefined when there are none. */
export function summarize(points: readonly StatPoint[]): WindowSummary | undefined {
  if (points.length === 0) return undefined;
  const s = byTime(points);
  // summed in time order, so the result does not depend on arrival order at all
  const average = windowAverage(s)!;
  const sd = windowSecondDerivative(s);
  return {
    average,
    gradient: windowGradient(s) ?? 0,
    secondDerivative: sd ?? 0,
    secondDerivativeKnown: sd !== undefined,
    points: s.length,
    first: s[0].t,
    last: s[s.length - 1].t,
  };
}

/** The metrics a member reports (cartridge agent health statistics). */
export type MemberMetric = 'memoryConsumption' | 'loadAverage';
/** Every metric the rules read: the member metrics and the cluster's requests in flight. */
export type ScalingMetric = MemberMetric | 'requestsInFlight';
export const MEMBER_METRICS: readonly MemberMetric[] = ['memoryConsumption', 'loadAverage'];
export const SCALING_METRICS: readonly ScalingMetric[] = ['requestsInFlight', 'memoryConsumption', 'loadAverage'];

/** A window summary as the rules see it: when its window closed, and whether it is too old. */
export interface SeriesStat extends WindowSummary {
  /** the close time of the window that produced it */
  readonly at: number;
  readonly stale: boolean;
}

/**
 * One series (one metric of one member or cluster instance): the points received since the last
 * close, and the summary of the last window that had points.
 */
export class StatSeries {
  private pending: StatPoint[] = [];
  private latest: (WindowSummary & { at: number }) | undefined;
  /** points dropped because they arrived too late */
  late = 0;

  add(t: number, value: number): void {
    if (!Number.isFinite(t) || !Number.isFinite(value)) return;
    this.pending.push({ t, value });
  }

  /**
   * Closes the window at `now`: the points with `now − lateAfterMs <= t <= now` are summarised (by
   * time), later ones stay, older ones are dropped. Returns the new summary, or undefined when the
   * window had no usable point (the previous summary is kept).
   */
  close(now: number, lateAfterMs: number): WindowSummary | undefined {
    const use: StatPoint[] = [];
    const keep: StatPoint[] = [];
    for (const p of this.pending) {
      if (p.t > now) keep.push(p);
      else if (p.t < now - lateAfterMs) this.late++;
      else use.push(p);
    }
    this.pending = keep;
    const s = summarize(use);
    if (s !== undefined) this.latest = { ...s, at: now };
    return s;
  }

  /** The last summary, marked stale when its window closed more than `staleAfterMs` before `now`. */
  view(now: number, staleAfterMs: number): SeriesStat | undefined {
    return this.latest === undefined ? undefined : { ...this.latest, stale: now - this.latest.at > staleAfterMs };
  }
}

/** The statistics of one member, per metric (missing: never reported). */
export type MemberStats = { readonly [M in MemberMetric]?: SeriesStat };

/** What the rules read of one cluster instance. */
export interface ClusterStats {
  /** cluster-level series: requests in flight (used by the rules) and the members' metrics pooled */
  readonly cluster: { readonly [M in ScalingMetric]?: SeriesStat };
  readonly members: ReadonlyMap<string, MemberStats>;
  /** the newest window close that produced a cluster-level or member summary (undefined: none yet) */
  readonly windowAt?: number;
}

export interface HealthStatisticsOptions {
  /** window length, ms (Stratos: 60 000, `healthStatWindow`) */
  readonly windowMs: number;
  /** a summary older than this is stale; @default 2 × windowMs */
  readonly staleAfterMs?: number;
  /** a point older than this at a close is dropped; @default 2 × windowMs */
  readonly lateAfterMs?: number;
}

interface ClusterSeries {
  readonly cluster: Map<ScalingMetric, StatSeries>;
  readonly members: Map<string, Map<MemberMetric, StatSeries>>;
  windowAt?: number;
}

/**
 * The statistics of many cluster instances (keyed by a string the caller chooses, e.g.
 * `<clusterId>/<clusterInstanceId>`): members' memory consumption and load average feed both the
 * member series and the cluster instance's pooled series (as CEP's per-cluster-instance
 * partitions), requests in flight feed the cluster series. `closeWindows(now)` every `windowMs`.
 */
export class HealthStatistics {
  readonly windowMs: number;
  readonly staleAfterMs: number;
  readonly lateAfterMs: number;
  private readonly clusters = new Map<string, ClusterSeries>();

  constructor(options: HealthStatisticsOptions) {
    if (!(options.windowMs > 0)) throw new RangeError(`windowMs must be > 0, got ${options.windowMs}`);
    this.windowMs = options.windowMs;
    this.staleAfterMs = options.staleAfterMs ?? 2 * options.windowMs;
    this.lateAfterMs = options.lateAfterMs ?? 2 * options.windowMs;
  }

  private of(clusterInstance: string): ClusterSeries {
    let c = this.clusters.get(clusterInstance);
    if (!c) {
      c = { cluster: new Map(), members: new Map() };
      this.clusters.set(clusterInstance, c);
    }
    return c;
  }

  private static series<K>(map: Map<K, StatSeries>, key: K): StatSeries {
    let s = map.get(key);
    if (!s) {
      s = new StatSeries();
      map.set(key, s);
    }
    return s;
  }

  /** A member's memory consumption or load average (percent) at time `t`. */
  recordMember(t: number, clusterInstance: string, memberId: string, metric: MemberMetric, value: number): void {
    const c = this.of(clusterInstance);
    let m = c.members.get(memberId);
    if (!m) {
      m = new Map();
      c.members.set(memberId, m);
    }
    HealthStatistics.series(m, metric).add(t, value);
    HealthStatistics.series(c.cluster, metric).add(t, value);
  }

  /** The requests in flight of the whole cluster instance at time `t`. */
  recordRequestsInFlight(t: number, clusterInstance: string, value: number): void {
    HealthStatistics.series(this.of(clusterInstance).cluster, 'requestsInFlight').add(t, value);
  }

  /** Closes every window at `now` (call every `windowMs`). */
  closeWindows(now: number): void {
    for (const c of this.clusters.values()) {
      let produced = false;
      for (const s of c.cluster.values()) if (s.close(now, this.lateAfterMs)) produced = true;
      for (const m of c.members.values()) for (const s of m.values()) if (s.close(now, this.lateAfterMs)) produced = true;
      if (produced) c.windowAt = now;
    }
  }

  /** What the rules read of one cluster instance at `now` (empty when it never reported). */
  view(clusterInstance: string, now: number): ClusterStats {
    const c = this.clusters.get(clusterInstance);
    if (!c) return { cluster: {}, members: new Map() };
    const cluster: { [M in ScalingMetric]?: SeriesStat } = {};
    for (const [metric, s] of c.cluster) {
      const v = s.view(now, this.staleAfterMs);
      if (v) cluster[metric] = v;
    }
    const members = new Map<string, MemberStats>();
    for (const [id, m] of c.members) {
      const stats: { [M in MemberMetric]?: SeriesStat } = {};
      for (const [metric, s] of m) {
        const v = s.view(now, this.staleAfterMs);
        if (v) stats[metric] = v;
      }
      members.set(id, stats);
    }
    return { cluster, members, ...(c.windowAt !== undefined ? { windowAt: c.windowAt } : {}) };
  }

  /** Drops a member's series (terminated, or moved to termination-pending / obsolete, §4.2). */
  forgetMember(clusterInstance: string, memberId: string): void {
    this.clusters.get(clusterInstance)?.members.delete(memberId);
  }

  forgetClusterInstance(clusterInstance: string): void {
    this.clusters.delete(clusterInstance);
  }
}

/**
 * Requests in flight reported by a load balancer without a cluster instance (`not-defined`, §5.3):
 * split across the cluster instances of that network partition in proportion to their active
 * members (`value × active_i / Σ active`); nothing when no instance has an active member.
 */
export function splitRequestsInFlight(value: number, activeByInstance: ReadonlyMap<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  let total = 0;
  for (const n of activeByInstance.values()) total += Math.max(0, n);
  if (total <= 0) return out;
  for (const [id, n] of activeByInstance) if (n > 0) out.set(id, (value * n) / total);
  return out;
}
