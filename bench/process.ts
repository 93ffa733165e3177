/**
 * The process IaaS: 20 members that are real processes. A fresh server in a child process with a
 * provider `process` bound to the process driver and strato's own agent (packages/agent, its
 * bundle built first: `node packages/agent/build.mjs`) as every member's process. The cartridge is
 * the examples' `site` (its image examples/images/site: `StartServers.sh` starts `serve.mjs`, a
 * static file server, on the member's port), and the agent checks the port every 200 ms
 * (STRATO_PROCESS_PORT_CHECK_INTERVAL; Stratos's agent: 5 s) before it activates. The application
 * is a copy of the examples' hello-web with the `site` cartridge, no repository, cartridgeMin =
 * cartridgeMax = 20, on the examples' `local-process` network partition and policies.
 *
 * Figures, printed only when the application became Active with exactly 20 Active members, one
 * member folder and one agent per member, and the undeploy left no member process and no folder:
 * time from the deploy POST to Active; the server's resident memory while the 20 members run
 * (VmRSS 5 s after Active, and its peak VmHWM); the members' resident memory (every process of a
 * member: agent and server), in all and per member, and per agent process; the time from the
 * undeploy POST to the last member folder removed. Skipped when the repository has no
 * packages/agent.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { activeMembersOf } from './apps.ts';
import { adminClient, example, Figures, log, memoryOf, must, ROOT, sleep, Skip, spawnServer, StratoApiError, tempDir, waitFor } from './lib.ts';

const MEMBERS = 20;
const TIMEOUT_MS = 180_000;

/** pid → environment marker of every running process of a member folder under `membersDir` (zombies left out). */
function memberProcesses(membersDir: string): { pid: number; instance: string }[] {
  const out: { pid: number; instance: string }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const env = readFileSync(`/proc/${name}/environ`, 'utf8').split('\0');
      if (!env.some((e) => e.startsWith(`STRATO_MEMBER_DIR=${membersDir}/`))) continue;
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      out.push({ pid: Number(name), instance: env.find((e) => e.startsWith('STRATO_MEMBER_INSTANCE=')) ?? '' });
    } catch {
      /* gone, or not ours */
    }
  }
  return out;
}

/** Adds the examples' process IaaS network partition `local-process`, its policies and the autoscaling policy `moderate`. */
export async function addProcessPolicies(client: ReturnType<typeof adminClient>): Promise<void> {
  for (const [kind, path] of [
    ['networkPartitions', 'network-partitions/local-process.json'],
    ['autoscalingPolicies', 'autoscaling-policies/moderate.json'],
    ['deploymentPolicies', 'deployment-policies/local-process.json'],
    ['applicationPolicies', 'application-policies/local-process.json'],
  ] as const) {
    await must(`add ${path}`, client[kind].add(example(path)));
  }
}

export async function processMembers(): Promise<void> {
  if (!existsSync(join(ROOT, 'packages', 'agent', 'package.json'))) throw new Skip("strato's agent (packages/agent) is not in this repository");
  execFileSync(process.execPath, [join(ROOT, 'packages', 'agent', 'build.mjs')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const work = tempDir('strato-bench-process-');
  const processDir = join(work, 'iaas');
  const membersDir = join(processDir, 'members');
  const server = await spawnServer({
    env: {
      STRATO_IAAS_PROVIDERS: 'mock=mock,process=process',
      STRATO_PROCESS_DIR: processDir,
      STRATO_PROCESS_PORT_CHECK_INTERVAL: '200',
      STRATO_PROCESS_TERMINATE_GRACE: '5000',
    },
  });
  try {
    const client = adminClient(server.url);
    await addProcessPolicies(client);
    await must('add cartridges/site.json', client.cartridges.add(example('cartridges/site.json')));
    const app = example('applications/hello-web.json');
    app.applicationId = 'process-web';
    app.alias = 'process-web';
    const c = app.components.cartridges[0];
    c.type = 'site';
    c.cartridgeMin = MEMBERS;
    c.cartridgeMax = MEMBERS;
    c.subscribableInfo.deploymentPolicy = 'local-process';
    await must('add application process-web', client.applications.add(app));

    const t0 = performance.now();
    await must('deploy process-web', client.deployApplication('process-web', 'local-process'));
    const runtime = await waitFor(
      `process-web Active with ${MEMBERS} members`,
      async () => {
        try {
          const view = await client.applicationRuntime('process-web');
          return view.status === 'Active' ? view : undefined;
        } catch (e) {
          if (e instanceof StratoApiError && e.isNotFound) return undefined;
          throw e;
        }
      },
      TIMEOUT_MS,
      20,
    );
    const activeMs = performance.now() - t0;
    const ids = activeMembersOf(runtime, 'process-web').sort();
    if (ids.length !== MEMBERS) throw new Error(`process-web: ${ids.length} Active members, ${MEMBERS} expected`);
    const folders = readdirSync(membersDir).sort();
    if (JSON.stringify(folders) !== JSON.stringify(ids))
      throw new Error(`member folders ${JSON.stringify(folders)} are not the members ${JSON.stringify(ids)}`);
    log(`process-web Active with ${MEMBERS} process members after ${(activeMs / 1000).toFixed(1)} s`);

    await sleep(5000);
    const serverMemory = memoryOf(server.pid);
    const procs = memberProcesses(membersDir);
    if (new Set(procs.map((p) => p.instance)).size !== MEMBERS)
      throw new Error(`${new Set(procs.map((p) => p.instance)).size} member instances run processes, ${MEMBERS} expected`);
    const membersRssMb = procs.reduce((sum, p) => sum + memoryOf(p.pid).rssMb, 0);
    const agents = procs.filter((p) => {
      try {
        return readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').includes('strato-agent');
      } catch {
        return false;
      }
    });
    if (agents.length !== MEMBERS) throw new Error(`${agents.length} agent processes run, ${MEMBERS} expected`);
    const agentsRssMb = agents.reduce((sum, p) => sum + memoryOf(p.pid).rssMb, 0);

    const tUndeploy = performance.now();
    await must('undeploy process-web', client.undeployApplication('process-web'));
    await waitFor('every member folder removed', async () => (readdirSync(membersDir).length === 0 ? true : undefined), TIMEOUT_MS, 20);
    const undeployMs = performance.now() - tUndeploy;
    const left = memberProcesses(membersDir);
    if (left.length > 0) throw new Error(`member processes left after the undeploy: ${left.map((p) => p.pid).join(', ')}`);

    const what = `copy of examples' hello-web with the site cartridge, ${MEMBERS} members on the process IaaS, strato-agent (bundle) + serve.mjs each, port check every 200 ms`;
    const figures = new Figures();
    figures.add('process-20-deploy-to-active-ms', activeMs, 'ms', what);
    figures.add('process-20-server-rss-mb', serverMemory.rssMb, 'MB', `${what}; the server, 5 s after Active`);
    figures.add('process-20-server-peak-rss-mb', serverMemory.hwmMb, 'MB', `${what}; the server's VmHWM`);
    figures.add('process-20-members-rss-mb', membersRssMb, 'MB', `${what}; every process of the ${MEMBERS} members`);
    figures.add('process-20-member-rss-mb', membersRssMb / MEMBERS, 'MB', `${what}; per member (agent + server)`);
    figures.add('process-20-agent-rss-mb', agentsRssMb / MEMBERS, 'MB', `${what}; per strato-agent process`);
    figures.add(
      'process-20-undeploy-ms',
      undeployMs,
      'ms',
      `${what}; from the undeploy POST to the last member folder removed (graceful: cleanup events, then SIGTERM)`,
    );
    figures.print();
  } finally {
    // whatever a failed run left: no member process may outlive the bench
    for (const p of memberProcesses(membersDir)) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    await server.stop();
  }
}
