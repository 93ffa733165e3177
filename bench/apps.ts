/**
 * The bench's own applications, built from the project's examples (examples/README.md): copies of
 * `hello-web` (one `web` cartridge; distinct applicationId and alias, cartridgeMin = cartridgeMax =
 * `members`) on the examples' network partition `local-mock` (zones zone-a and zone-b), autoscaling
 * policy `moderate` and application policy `local-mock`, with the examples' deployment policy
 * `local-mock` whose partitionMax is raised to `members` in each zone. Everything is added over
 * the REST API through @strato/client.
 */
import type { ApplicationRuntimeView, StratoClient } from '@strato/client';
import { example, must } from './lib.ts';

/** The application policy every bench application is deployed with (examples/application-policies/local-mock.json). */
export const BENCH_APPLICATION_POLICY = 'local-mock';
/** What one bench application is, for the figures' `what`. */
export const benchApplication = (members: number) => `copies of examples' hello-web, 1 web cartridge, ${members} members each`;

/** Runs fn over items with at most `width` in flight. */
export async function pool<T>(items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}

/** Adds the shared definitions and one application per id (8 POSTs in flight). */
export async function addBenchApplications(client: StratoClient, ids: string[], members: number): Promise<void> {
  await must('add network partition local-mock', client.networkPartitions.add(example('network-partitions/local-mock.json')));
  await must('add autoscaling policy moderate', client.autoscalingPolicies.add(example('autoscaling-policies/moderate.json')));
  const dp = example('deployment-policies/local-mock.json');
  for (const np of dp.networkPartitions) for (const p of np.partitions) p.partitionMax = Math.max(p.partitionMax, members);
  await must('add deployment policy local-mock', client.deploymentPolicies.add(dp));
  await must('add application policy local-mock', client.applicationPolicies.add(example('application-policies/local-mock.json')));
  await must('add cartridge web', client.cartridges.add(example('cartridges/web.json')));
  const template = example('applications/hello-web.json');
  await pool(ids, 8, async (id) => {
    const app = structuredClone(template);
    app.applicationId = id;
    app.alias = id;
    const c = app.components.cartridges[0];
    c.cartridgeMin = members;
    c.cartridgeMax = members;
    await must(`add application ${id}`, client.applications.add(app));
  });
}

/** The member ids of a runtime view; throws unless every cluster instance is Active with only Active members. */
export function activeMembersOf(runtime: ApplicationRuntimeView, appId: string): string[] {
  const ids: string[] = [];
  let clusters = 0;
  const level = (l: any) => {
    for (const ci of l.clusterInstances ?? []) {
      clusters++;
      const members = ci.member ?? [];
      if (ci.status !== 'Active' || members.length === 0 || members.some((m: any) => m.status !== 'Active')) {
        throw new Error(
          `${appId}: cluster instance ${ci.clusterId}/${ci.instanceId} is ${ci.status} with members ${JSON.stringify(members.map((m: any) => m.status))}`,
        );
      }
      ids.push(...members.map((m: any) => m.memberId as string));
    }
    for (const g of l.groupInstances ?? []) level(g);
  };
  for (const i of runtime?.applicationInstances ?? []) level(i);
  if (clusters === 0) throw new Error(`${appId}: Active without any cluster instance`);
  if (new Set(ids).size !== ids.length) throw new Error(`${appId}: a member listed twice`);
  return ids;
}

/** Application id → status, as GET /api/applications lists them. */
export async function statuses(client: StratoClient): Promise<Map<string, string>> {
  const apps = await client.applications.list();
  if (!Array.isArray(apps)) throw new Error(`GET /api/applications: not a list: ${JSON.stringify(apps).slice(0, 300)}`);
  return new Map(apps.map((a) => [a.applicationId, a.status]));
}

/**
 * Throws unless the application runs exactly `members` Active members (none listed twice) in
 * Active cluster instances; returns their ids.
 */
export async function checkMembers(client: StratoClient, appId: string, members: number): Promise<string[]> {
  const ids = activeMembersOf(await client.applicationRuntime(appId), appId);
  if (ids.length !== members) throw new Error(`${appId}: ${ids.length} Active members, ${members} expected`);
  return ids;
}
