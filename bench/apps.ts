/**
 * The bench's own applications: copies of Stratos's single-cartridge-app (distinct applicationId,
 * cartridgeMin = cartridgeMax = `members`) on the bench's network partition, deployment policy
 * (partitionMax = `members`), autoscaling policy, application policy and php cartridge, all added
 * over the REST API.
 */
import { call, must, sample } from './lib.ts';

/** The application policy every bench application is deployed with. */
export const BENCH_APPLICATION_POLICY = 'bench-ap';

/** Runs fn over items with at most `width` in flight. */
export async function pool<T>(items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}

/** Adds the shared definitions and one application per id (8 POSTs in flight). */
export async function addBenchApplications(url: string, ids: string[], members: number): Promise<void> {
  await must(url, 'POST', '/api/autoscalingPolicies', { ...sample('autoscaling-policies/autoscaling-policy-1.json'), id: 'bench-asp' }, [201]);
  const np = sample('network-partitions/mock/network-partition-1.json');
  await must(url, 'POST', '/api/networkPartitions', { ...np, id: 'bench-np' }, [201]);
  await must(
    url,
    'POST',
    '/api/deploymentPolicies',
    {
      id: 'bench-dp',
      networkPartitions: [{ id: 'bench-np', partitionAlgo: 'one-after-another', partitions: [{ id: np.partitions[0].id, partitionMax: members }] }],
    },
    [201],
  );
  await must(url, 'POST', '/api/cartridges', sample('cartridges/mock/php.json'), [201]);
  await must(
    url,
    'POST',
    '/api/applicationPolicies',
    { ...sample('application-policies/application-policy-1.json'), id: BENCH_APPLICATION_POLICY, networkPartitions: ['bench-np'] },
    [201],
  );
  const template = sample('applications/simple/single-cartridge-app/artifacts/application.json');
  await pool(ids, 8, async (id) => {
    const app = structuredClone(template);
    app.applicationId = id;
    app.alias = id;
    const c = app.components.cartridges[0];
    c.cartridgeMin = members;
    c.cartridgeMax = members;
    c.subscribableInfo.autoscalingPolicy = 'bench-asp';
    c.subscribableInfo.deploymentPolicy = 'bench-dp';
    await must(url, 'POST', '/api/applications', app, [201]);
  });
}

/** The member ids of a runtime view; throws unless every cluster instance is Active with only Active members. */
export function activeMembersOf(runtime: any, appId: string): string[] {
  const ids: string[] = [];
  let clusters = 0;
  const level = (l: any) => {
    for (const ci of l.clusterInstances ?? []) {
      clusters++;
      const members = ci.member ?? [];
      if (ci.status !== 'Active' || members.length === 0 || members.some((m: any) => m.status !== 'Active')) {
        throw new Error(`${appId}: cluster instance ${ci.clusterId}/${ci.instanceId} is ${ci.status} with members ${JSON.stringify(members.map((m: any) => m.status))}`);
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
export async function statuses(url: string): Promise<Map<string, string>> {
  const r = await call(url, 'GET', '/api/applications');
  if (r.status !== 200 || !Array.isArray(r.body)) throw new Error(`GET /api/applications: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  return new Map(r.body.map((a: any) => [a.applicationId as string, a.status as string]));
}

/**
 * Throws unless the application runs exactly `members` Active members (none listed twice) in
 * Active cluster instances; returns their ids.
 */
export async function checkMembers(url: string, appId: string, members: number): Promise<string[]> {
  const rt = await must(url, 'GET', `/api/applications/${appId}/runtime`, undefined, [200]);
  const ids = activeMembersOf(rt.body, appId);
  if (ids.length !== members) throw new Error(`${appId}: ${ids.length} Active members, ${members} expected`);
  return ids;
}

/** The member ids of the mock IaaS's instances. */
export async function mockInstances(url: string): Promise<string[]> {
  const r = await must(url, 'GET', '/mock-iaas/api/instances', undefined, [200]);
  return (r.body as any[]).map((i) => i.memberId as string);
}
