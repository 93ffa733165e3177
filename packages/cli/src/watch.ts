/**
 * Live progress of deploys and undeploys.
 *
 * {@link watchRuntime} is the one place that learns how an application's runtime changes. The
 * server has no streaming endpoint yet, so it polls `GET /applications/{id}/runtime` every
 * `intervalMs` and yields the view each time it differs from the last one; when the server gains
 * its event stream (issue 11, part 2), this function switches to it and nothing else changes.
 */
import {
  type ApplicationRecord,
  type ApplicationRuntimeView,
  type ClusterInstanceView,
  type GroupInstanceView,
  StratoApiError,
  type StratoClient,
} from '@strato/client';
import { CliError, EXIT } from './errors.ts';

/**
 * The runtime views of an application as they change: the view, or `undefined` while the
 * application is not deployed (the runtime route's 404). Ends when `signal` aborts.
 */
export async function* watchRuntime(
  client: StratoClient,
  applicationId: string,
  options: { intervalMs: number; signal: AbortSignal },
): AsyncGenerator<ApplicationRuntimeView | undefined> {
  let last: string | null = null;
  while (!options.signal.aborted) {
    let view: ApplicationRuntimeView | undefined;
    try {
      view = await client.applicationRuntime(applicationId);
    } catch (e) {
      if (!(e instanceof StratoApiError && e.code === 'APPLICATION_RUNTIME_NOT_FOUND')) throw e;
      view = undefined;
    }
    const text = JSON.stringify(view ?? null);
    if (text !== last) {
      last = text;
      yield view;
    }
    await sleep(options.intervalMs, options.signal);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** `90`, `90s`, `1500ms`, `5m`, `1h` → milliseconds (a bare number is seconds). */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new CliError(`${text}: expected a duration such as 90s, 5m or 1500ms`, EXIT.usage);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(m[1]) * unit);
}

// ---- what one view says, per cluster -----------------------------------------------------------

export interface ClusterProgress {
  /** subscription alias (the cluster's name in the application) */
  alias: string;
  serviceName: string;
  clusterId: string;
  instanceId: string;
  status: string;
  /** members by status */
  counts: Record<string, number>;
  memberIds: string[];
  activeIds: string[];
}

/** Every cluster instance of a view, wherever it stands in the tree. */
export function clusterInstances(view: ApplicationRuntimeView | undefined): ClusterInstanceView[] {
  const out: ClusterInstanceView[] = [];
  const walk = (level: { clusterInstances?: ClusterInstanceView[]; groupInstances?: GroupInstanceView[] }) => {
    out.push(...(level.clusterInstances ?? []));
    for (const g of level.groupInstances ?? []) walk(g);
  };
  for (const i of view?.applicationInstances ?? []) walk(i);
  return out;
}

export function progressOf(view: ApplicationRuntimeView | undefined): ClusterProgress[] {
  return clusterInstances(view).map((c) => {
    const members = c.member ?? [];
    const counts: Record<string, number> = {};
    for (const m of members) counts[m.status] = (counts[m.status] ?? 0) + 1;
    return {
      alias: c.alias ?? c.clusterId,
      serviceName: c.serviceName ?? '',
      clusterId: c.clusterId,
      instanceId: String(c.instanceId ?? ''),
      status: c.status ?? 'no instance yet',
      counts,
      memberIds: members.map((m) => m.memberId),
      activeIds: members.filter((m) => m.status === 'Active').map((m) => m.memberId),
    };
  });
}

/** cartridgeMin of every subscription of an application definition, by alias. */
export function minimumsOf(app: ApplicationRecord | Record<string, unknown>): Map<string, number> {
  const out = new Map<string, number>();
  type Level = { cartridges?: { cartridgeMin?: number; subscribableInfo?: { alias?: string } }[]; groups?: Level[] };
  const walk = (level: Level | undefined) => {
    for (const c of level?.cartridges ?? []) if (c.subscribableInfo?.alias) out.set(c.subscribableInfo.alias, Number(c.cartridgeMin ?? 1));
    for (const g of level?.groups ?? []) walk(g);
  };
  walk((app as { components?: Level }).components);
  return out;
}

const n = (counts: Record<string, number>, ...statuses: string[]) => statuses.reduce((sum, s) => sum + (counts[s] ?? 0), 0);

/** The members of a cluster by stage: `1 created, 1 starting, 0 active of min 2`. */
export function deployLine(p: ClusterProgress, min: number | undefined): string {
  const c = p.counts;
  const stopping = n(c, 'In_Maintenance', 'ReadyToShutDown', 'Suspended', 'Terminated');
  const parts = [
    `${n(c, 'Created')} created`,
    `${n(c, 'Initialized', 'Starting')} starting`,
    `${n(c, 'Active')} active${min !== undefined ? ` of min ${min}` : ''}`,
  ];
  if (stopping > 0) parts.push(`${stopping} stopping`);
  return `${p.alias} (${p.serviceName}) ${p.instanceId}: ${parts.join(', ')} [${p.status}]`;
}

export function undeployLine(p: ClusterProgress): string {
  const total = p.memberIds.length;
  return `${p.alias} (${p.serviceName}) ${p.instanceId}: ${total} member${total === 1 ? '' : 's'} left, ${n(p.counts, 'Active')} active [${p.status}]`;
}

/**
 * What the watcher saw of each cluster during a deploy, to say why it did not finish: members that
 * were removed before they became Active (their instance failed to start, or they were found faulty).
 */
export class DeployObserver {
  private readonly seen = new Map<string, { ever: Set<string>; activeEver: Set<string>; current: Set<string> }>();

  observe(progress: ClusterProgress[]): void {
    const present = new Set<string>();
    for (const p of progress) {
      present.add(p.alias);
      let s = this.seen.get(p.alias);
      if (!s) {
        s = { ever: new Set(), activeEver: new Set(), current: new Set() };
        this.seen.set(p.alias, s);
      }
      for (const id of p.memberIds) s.ever.add(id);
      for (const id of p.activeIds) s.activeEver.add(id);
      s.current = new Set(p.memberIds);
    }
  }

  /** Members of the cluster seen once and gone before they were ever Active. */
  lostBeforeActive(alias: string): number {
    const s = this.seen.get(alias);
    if (!s) return 0;
    let lost = 0;
    for (const id of s.ever) if (!s.current.has(id) && !s.activeEver.has(id)) lost++;
    return lost;
  }

  /** Why the clusters are not all Active: one clause per cluster short of its minimum. */
  reasons(progress: ClusterProgress[], minimums: Map<string, number>): string[] {
    const out: string[] = [];
    for (const p of progress) {
      const min = minimums.get(p.alias) ?? 1;
      const active = n(p.counts, 'Active');
      if (active >= min && p.status === 'Active') continue;
      const lost = this.lostBeforeActive(p.alias);
      const waiting = [
        n(p.counts, 'Created') ? `${n(p.counts, 'Created')} waiting for an instance from the IaaS` : '',
        n(p.counts, 'Initialized', 'Starting') ? `${n(p.counts, 'Initialized', 'Starting')} starting` : '',
      ].filter(Boolean);
      let clause = `cluster ${p.alias} (${p.serviceName}) has ${active} of min ${min} members active`;
      if (waiting.length) clause += ` (${waiting.join(', ')})`;
      if (lost > 0) clause += `; ${lost} member${lost === 1 ? ' was' : 's were'} removed before becoming active (instance start failed or member faulty)`;
      else if (p.memberIds.length === 0) clause += '; no member has an instance yet (is the IaaS refusing to start instances? see the server log)';
      out.push(clause);
    }
    return out;
  }
}
