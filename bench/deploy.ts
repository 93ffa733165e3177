/**
 * Issue 4: deploy-to-Active time of single-cartridge-app and of five-levels-nested-groups-app.
 * Replays the sample's manifest calls (../shared/stratos-samples/manifest.json) over HTTP against a
 * fresh server in a child process (mock IaaS, STRATO_MOCK_BOOT_DELAY=0, every other timing at its
 * default), then times from the deploy POST to the first runtime view whose status is Active
 * (polled every 10 ms).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { activeMembersOf } from './apps.ts';
import { call, Figures, log, must, SAMPLES, spawnServer, waitFor } from './lib.ts';

interface ManifestCall {
  method: string;
  path: string;
  body?: string;
}
interface ManifestEntry {
  application: string;
  deploy: ManifestCall[];
  undeploy: ManifestCall[];
}

const DEPLOY = /^\/api\/applications\/[^/]+\/deploy\//;
const TIMEOUT_MS = 120_000;

export function manifest(): ManifestEntry[] {
  return JSON.parse(readFileSync(join(SAMPLES, 'manifest.json'), 'utf8'));
}

/** Deploys one sample on a fresh server and returns the milliseconds from deploy POST to Active. */
export async function deployToActive(application: string): Promise<number> {
  const entry = manifest().find((e) => e.application === application);
  if (!entry) throw new Error(`no manifest entry ${application}`);
  const server = await spawnServer({ env: { STRATO_MOCK_BOOT_DELAY: '0' } });
  try {
    const deploy = entry.deploy.find((c) => DEPLOY.test(c.path));
    if (!deploy) throw new Error(`${application}: no deploy call in the manifest`);
    for (const c of entry.deploy) {
      if (c === deploy) continue;
      const body = c.body ? readFileSync(join(SAMPLES, c.body), 'utf8') : undefined;
      await must(server.url, c.method, c.path, body, [200, 201, 409]);
    }
    const appId = deploy.path.split('/')[3];
    const t0 = performance.now();
    await must(server.url, 'POST', deploy.path, '', [200, 202]);
    const runtime = await waitFor(
      `${appId} Active`,
      async () => {
        const r = await call(server.url, 'GET', `/api/applications/${appId}/runtime`);
        return r.status === 200 && r.body?.status === 'Active' ? r.body : undefined;
      },
      TIMEOUT_MS,
      10,
    );
    const ms = performance.now() - t0;
    // the run counts only if every cluster instance is Active with Active members, one mock instance each
    const members = activeMembersOf(runtime, appId);
    const instances = await must(server.url, 'GET', '/mock-iaas/api/instances', undefined, [200]);
    const ids = (instances.body as any[]).map((i) => i.memberId).sort();
    if (JSON.stringify(ids) !== JSON.stringify(members.sort())) {
      throw new Error(`${appId}: members ${JSON.stringify(members)} but mock instances ${JSON.stringify(ids)}`);
    }
    return ms;
  } finally {
    await server.stop();
  }
}

export async function deploySingle(): Promise<void> {
  const ms = await deployToActive('applications/simple/single-cartridge-app');
  log(`single-cartridge-app Active after ${ms.toFixed(0)} ms`);
  const figures = new Figures();
  figures.add('deploy_to_active_single_cartridge_app_ms', ms, 'ms');
  figures.print();
}

export async function deployNested(): Promise<void> {
  const ms = await deployToActive('applications/nested/five-levels-nested-groups-app');
  log(`five-levels-nested-groups-app Active after ${ms.toFixed(0)} ms`);
  const figures = new Figures();
  figures.add('deploy_to_active_five_levels_nested_groups_app_ms', ms, 'ms');
  figures.print();
}
