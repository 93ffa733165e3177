/**
 * `describe application ID`: the definition's summary and the runtime tree (application instances,
 * group instances, cluster instances with their members), with member counts per status. The
 * server keeps no event history that a client can read yet (its event stream is a later part of
 * issue 11), so no "recent events" section is shown.
 */
import type { ApplicationRecord, ApplicationRuntimeView, ClusterInstanceView, GroupInstanceView } from '@strato/client';
import type { Colors } from './output.ts';
import { statusColor } from './output.ts';
import { minimumsOf } from './watch.ts';

/** Member counts by status, in lifecycle order: `2 Active, 1 Starting`. */
export function countsText(counts: Record<string, number>): string {
  const order = ['Created', 'Initialized', 'Starting', 'Active', 'In_Maintenance', 'ReadyToShutDown', 'Suspended', 'Terminated'];
  const rank = (s: string) => (order.includes(s) ? order.indexOf(s) : order.length);
  const keys = Object.keys(counts).sort((a, b) => rank(a) - rank(b));
  return keys.length === 0 ? 'no members' : keys.map((k) => `${counts[k]} ${k}`).join(', ');
}

export function memberCounts(c: ClusterInstanceView): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const m of c.member ?? []) counts[m.status] = (counts[m.status] ?? 0) + 1;
  return counts;
}

/** The JSON form of `describe application` (-o json|yaml). */
export function applicationDescription(app: ApplicationRecord, view: ApplicationRuntimeView | undefined) {
  const minimums = minimumsOf(app);
  const clusters: unknown[] = [];
  const walk = (level: { clusterInstances?: ClusterInstanceView[]; groupInstances?: GroupInstanceView[] }, path: string[]) => {
    for (const c of level.clusterInstances ?? []) {
      clusters.push({
        alias: c.alias,
        serviceName: c.serviceName,
        clusterId: c.clusterId,
        instanceId: c.instanceId,
        groupPath: path,
        status: c.status ?? 'no instance yet',
        minMembers: c.alias ? minimums.get(c.alias) : undefined,
        members: memberCounts(c),
      });
    }
    for (const g of level.groupInstances ?? []) walk(g, [...path, String(g.groupId ?? '')]);
  };
  for (const i of view?.applicationInstances ?? []) walk(i, []);
  return { application: app, runtime: view ?? null, clusters };
}

export function describeApplicationLines(app: ApplicationRecord, view: ApplicationRuntimeView | undefined, c: Colors): string[] {
  const minimums = minimumsOf(app);
  const out: string[] = [];
  const field = (name: string, value: string) => out.push(`${c.bold((name + ':').padEnd(13))}${value}`);
  field('Application', app.applicationId);
  if (app.alias) field('Alias', app.alias);
  if ((app as { name?: string }).name) field('Name', String((app as { name?: string }).name));
  field('Status', statusColor(c, app.status));
  if (!view) {
    field('Runtime', 'not deployed');
  } else {
    out.push(c.bold('Runtime:'));
    const cluster = (ci: ClusterInstanceView, indent: string) => {
      const min = ci.alias ? minimums.get(ci.alias) : undefined;
      out.push(
        `${indent}cluster ${c.cyan(ci.alias ?? ci.clusterId)} (${ci.serviceName ?? '?'})  ${statusColor(c, ci.status ?? 'no instance yet')}  members: ${countsText(memberCounts(ci))}${min !== undefined ? ` (min ${min})` : ''}`,
      );
      out.push(`${indent}  id ${ci.clusterId}`);
      for (const m of ci.member ?? []) {
        const where = [m.networkPartitionId, m.partitionId].filter(Boolean).join('/');
        const ip = m.defaultPrivateIP ?? '';
        const ports = (m.ports ?? []).map((p) => `${p.protocol}:${p.port}`).join(',');
        out.push(
          `${indent}  member ${m.memberId}  ${statusColor(c, m.status)}${ip ? `  ${ip}` : ''}${where ? `  ${where}` : ''}${ports ? `  ports ${ports}` : ''}`,
        );
      }
    };
    const level = (l: { clusterInstances?: ClusterInstanceView[]; groupInstances?: GroupInstanceView[] }, indent: string) => {
      for (const ci of l.clusterInstances ?? []) cluster(ci, indent);
      for (const g of l.groupInstances ?? []) {
        out.push(`${indent}group ${c.cyan(String(g.groupId ?? '?'))} instance ${g.instanceId ?? '?'}  ${statusColor(c, g.status)}`);
        level(g, indent + '  ');
      }
    };
    for (const i of view.applicationInstances ?? []) {
      out.push(`  instance ${i.instanceId ?? '?'}  ${statusColor(c, i.status)}${i.networkPartitionId ? `  network partition ${i.networkPartitionId}` : ''}`);
      level(i, '    ');
    }
    if ((view.applicationInstances ?? []).length === 0) out.push('  no instance yet');
  }
  return out;
}
