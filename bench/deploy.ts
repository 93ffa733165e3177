/**
 * Issue 4: deploy-to-Active time of one application on a fresh server in a child process (mock
 * IaaS, STRATO_MOCK_BOOT_DELAY=0, every other timing at its default): the definitions are added
 * over the REST API (@strato/client), then the time is taken from the deploy POST to the first
 * runtime view whose status is Active (polled every 10 ms).
 *
 * - deploy-single: examples/applications/hello-web.json (one `web` cartridge, 2 members).
 * - deploy-nested: examples/applications/shop.json (group storefront with group backend nested in
 *   it; startup orders db → api in backend, backend → web in storefront; 5 members).
 * - deploy-single-sample, deploy-nested-sample (comparison with the figures of issue 4, only when
 *   Stratos's samples are beside the repository, ../shared/stratos-samples): single-cartridge-app
 *   and five-levels-nested-groups-app, replayed from the samples' manifest.json; skipped otherwise.
 *
 * A figure counts only if every cluster instance is Active with Active members, the application
 * has the members its definition asks for (examples), and the mock IaaS runs one instance per
 * member and no other.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StratoClient } from '@strato/client';
import { activeMembersOf } from './apps.ts';
import { adminClient, example, Figures, log, mockInstances, must, samplesDir, Skip, spawnServer, StratoApiError, waitFor } from './lib.ts';

const TIMEOUT_MS = 120_000;
/** The application policy of examples/application-policies/local-mock.json. */
const POLICY = 'local-mock';

/** The examples' definitions in the order of examples/README.md (each refers only to those before it). */
const EXAMPLE_DEFINITIONS: [
  keyof Pick<StratoClient, 'networkPartitions' | 'autoscalingPolicies' | 'deploymentPolicies' | 'applicationPolicies' | 'cartridges' | 'cartridgeGroups'>,
  string,
][] = [
  ['networkPartitions', 'network-partitions/local-mock.json'],
  ['autoscalingPolicies', 'autoscaling-policies/moderate.json'],
  ['deploymentPolicies', 'deployment-policies/local-mock.json'],
  ['applicationPolicies', 'application-policies/local-mock.json'],
  ['cartridges', 'cartridges/web.json'],
  ['cartridges', 'cartridges/api.json'],
  ['cartridges', 'cartridges/db.json'],
  ['cartridgeGroups', 'cartridge-groups/backend.json'],
  ['cartridgeGroups', 'cartridge-groups/storefront.json'],
];

/** The members an application definition starts with: each cartridgeMin times its groups' groupMinInstances. */
function minimumMembers(components: any, factor = 1): number {
  let n = 0;
  for (const c of components?.cartridges ?? []) n += factor * (c.cartridgeMin ?? 1);
  for (const g of components?.groups ?? []) n += minimumMembers(g, factor * (g.groupMinInstances ?? 1));
  return n;
}

/**
 * Deploys appId (already added) and returns the ms from the deploy POST to its first Active runtime
 * view, after checking its members (exactly `members` when given) against the mock IaaS.
 */
async function timeToActive(client: StratoClient, url: string, appId: string, policy: string, members?: number): Promise<number> {
  const t0 = performance.now();
  await must(`deploy ${appId}`, client.deployApplication(appId, policy));
  const runtime = await waitFor(
    `${appId} Active`,
    async () => {
      try {
        const view = await client.applicationRuntime(appId);
        return view.status === 'Active' ? view : undefined;
      } catch (e) {
        if (e instanceof StratoApiError && e.isNotFound) return undefined; // not in the runtime yet
        throw e;
      }
    },
    TIMEOUT_MS,
    10,
  );
  const ms = performance.now() - t0;
  const ids = activeMembersOf(runtime, appId).sort();
  if (members !== undefined && ids.length !== members) throw new Error(`${appId}: ${ids.length} Active members, ${members} expected`);
  const instances = (await mockInstances(url)).sort();
  if (JSON.stringify(ids) !== JSON.stringify(instances)) {
    throw new Error(`${appId}: members ${JSON.stringify(ids)} but mock instances ${JSON.stringify(instances)}`);
  }
  return ms;
}

/** Adds the examples' definitions and one example application on a fresh server, deploys it, times it to Active. */
async function deployExample(file: string): Promise<{ ms: number; members: number; appId: string }> {
  const app = example(file);
  const members = minimumMembers(app.components);
  const server = await spawnServer({ env: { STRATO_MOCK_BOOT_DELAY: '0' } });
  try {
    const client = adminClient(server.url);
    for (const [collection, path] of EXAMPLE_DEFINITIONS) await must(`add ${path}`, client[collection].add(example(path)));
    await must(`add ${file}`, client.applications.add(app));
    const ms = await timeToActive(client, server.url, app.applicationId, POLICY, members);
    return { ms, members, appId: app.applicationId };
  } finally {
    await server.stop();
  }
}

export async function deploySingle(): Promise<void> {
  const { ms, members, appId } = await deployExample('applications/hello-web.json');
  log(`${appId} (${members} members) Active after ${ms.toFixed(0)} ms`);
  const figures = new Figures();
  figures.add(
    'deploy_to_active_hello_web_ms',
    ms,
    'ms',
    `examples/applications/hello-web.json: 1 cartridge (web), ${members} members, mock IaaS with boot delay 0`,
  );
  figures.print();
}

export async function deployNested(): Promise<void> {
  const { ms, members, appId } = await deployExample('applications/shop.json');
  log(`${appId} (${members} members) Active after ${ms.toFixed(0)} ms`);
  const figures = new Figures();
  figures.add(
    'deploy_to_active_shop_ms',
    ms,
    'ms',
    `examples/applications/shop.json: group storefront with group backend nested in it, startup orders db → api → web, ${members} members, mock IaaS with boot delay 0`,
  );
  figures.print();
}

// ---- the figures of issue 4, on Stratos's samples, when they are present ------------------------------

interface ManifestCall {
  method: string;
  path: string;
  body?: string;
}
interface ManifestEntry {
  application: string;
  deploy: ManifestCall[];
}

const DEPLOY = /^\/api\/applications\/([^/]+)\/deploy\/([^/]+)$/;

/** Replays a sample's manifest calls on a fresh server, then times its deploy to Active. */
async function deploySample(application: string): Promise<number> {
  const samples = samplesDir();
  if (!samples) throw new Skip(`no Stratos samples beside the repository (../shared/stratos-samples, or STRATO_SAMPLES_DIR)`);
  const entry = (JSON.parse(readFileSync(join(samples, 'manifest.json'), 'utf8')) as ManifestEntry[]).find((e) => e.application === application);
  if (!entry) throw new Error(`no manifest entry ${application}`);
  const deploy = entry.deploy.find((c) => DEPLOY.test(c.path));
  if (!deploy) throw new Error(`${application}: no deploy call in the manifest`);
  const [, appId, policy] = DEPLOY.exec(deploy.path)!;
  const server = await spawnServer({ env: { STRATO_MOCK_BOOT_DELAY: '0' } });
  try {
    const client = adminClient(server.url);
    for (const c of entry.deploy) {
      if (c === deploy) continue;
      const body = c.body ? readFileSync(join(samples, c.body), 'utf8') : undefined;
      try {
        await client.request(c.method, c.path.replace(/^\/api(?=\/)/, ''), body);
      } catch (e) {
        if (!(e instanceof StratoApiError && e.isConflict)) throw e; // a definition the manifest adds twice
      }
    }
    return await timeToActive(client, server.url, decodeURIComponent(appId), decodeURIComponent(policy));
  } finally {
    await server.stop();
  }
}

export async function deploySingleSample(): Promise<void> {
  const ms = await deploySample('applications/simple/single-cartridge-app');
  log(`single-cartridge-app Active after ${ms.toFixed(0)} ms`);
  const figures = new Figures();
  figures.add('deploy_to_active_single_cartridge_app_ms', ms, 'ms', "Stratos's sample single-cartridge-app (../shared/stratos-samples)");
  figures.print();
}

export async function deployNestedSample(): Promise<void> {
  const ms = await deploySample('applications/nested/five-levels-nested-groups-app');
  log(`five-levels-nested-groups-app Active after ${ms.toFixed(0)} ms`);
  const figures = new Figures();
  figures.add('deploy_to_active_five_levels_nested_groups_app_ms', ms, 'ms', "Stratos's sample five-levels-nested-groups-app (../shared/stratos-samples)");
  figures.print();
}
