/**
 * strato's agent beside Stratos's own Python agent, in one run, as members of the process IaaS of
 * one server: for each agent, a one-member application of the examples' `site` cartridge (no
 * repository; its image's StartServers.sh starts `serve.mjs` on the member's port) is deployed, and
 * we measure (a) the time from the agent process's start (its start time in /proc, as the process
 * IaaS records it in the member's instance.json) to the member Active in the runtime view (polled
 * every 20 ms), and (b) the agent process's resident memory 10 s after activation. The cartridge
 * types differ only in name; STRATO_PROCESS_AGENT_BY_TYPE gives the Python agent to one of them.
 * Both agents check their port at their own pace (strato's: every 200 ms here; Stratos's: 5 s
 * rounds, not configurable). The Python side runs only where ../shared/stratos-agent is present
 * (its setup.sh makes it), and is skipped with the reason otherwise.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { membersOf } from '@strato/client';
import { stratosAgent } from '@strato/testing';
import { addProcessPolicies } from './process.ts';
import { adminClient, example, Figures, log, memoryOf, must, ROOT, sleep, Skip, spawnServer, StratoApiError, tempDir, waitFor } from './lib.ts';

const TIMEOUT_MS = 120_000;
const CLOCK_TICKS_PER_S = 100;

/** Epoch milliseconds of a /proc start time (clock ticks since boot). */
function startedAt(startTicks: string): number {
  const btime = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
  return (btime + Number(startTicks) / CLOCK_TICKS_PER_S) * 1000;
}

export async function agentsSideBySide(): Promise<void> {
  if (!readdirSync(join(ROOT, 'packages')).includes('agent')) throw new Skip("strato's agent (packages/agent) is not in this repository");
  const python = await stratosAgent();
  execFileSync(process.execPath, [join(ROOT, 'packages', 'agent', 'build.mjs')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const work = tempDir('strato-bench-agents-');
  const processDir = join(work, 'iaas');
  const contenders: { name: string; type: string }[] = [{ name: 'strato-agent', type: 'site' }];
  if (typeof python === 'string') log(`Stratos's Python agent left out: ${python}`);
  else contenders.push({ name: 'stratos-python-agent', type: 'site-py' });
  const server = await spawnServer({
    env: {
      STRATO_IAAS_PROVIDERS: 'mock=mock,process=process',
      STRATO_PROCESS_DIR: processDir,
      STRATO_PROCESS_PORT_CHECK_INTERVAL: '200',
      STRATO_PROCESS_TERMINATE_GRACE: '5000',
      ...(typeof python === 'string' ? {} : { STRATO_PROCESS_AGENT_BY_TYPE: `site-py=stratos:${python.dest}` }),
    },
  });
  const figures = new Figures();
  try {
    const client = adminClient(server.url);
    await addProcessPolicies(client);
    for (const { name, type } of contenders) {
      const cartridge = example('cartridges/site.json');
      cartridge.type = type;
      cartridge.displayName = type;
      await must(`add cartridge ${type}`, client.cartridges.add(cartridge));
      const app = example('applications/hello-web.json');
      app.applicationId = `agent-${type}`;
      app.alias = app.applicationId;
      const c = app.components.cartridges[0];
      c.type = type;
      c.cartridgeMin = 1;
      c.cartridgeMax = 1;
      c.subscribableInfo.alias = app.applicationId;
      c.subscribableInfo.deploymentPolicy = 'local-process';
      await must(`add application ${app.applicationId}`, client.applications.add(app));

      await must(`deploy ${app.applicationId}`, client.deployApplication(app.applicationId, 'local-process'));
      const member = await waitFor(
        `${app.applicationId}: its member Active`,
        async () => {
          try {
            const m = membersOf(await client.applicationRuntime(app.applicationId))[0];
            return m?.status === 'Active' ? m : undefined;
          } catch (e) {
            if (e instanceof StratoApiError && e.isNotFound) return undefined;
            throw e;
          }
        },
        TIMEOUT_MS,
        20,
      );
      const activeAt = Date.now();
      const record = JSON.parse(readFileSync(join(processDir, 'members', member.memberId, 'instance.json'), 'utf8'));
      const pid: number = record.process.pid;
      const toActiveMs = activeAt - startedAt(record.process.startTime);
      await sleep(10_000);
      const memory = memoryOf(pid);
      log(`${name}: member Active ${(toActiveMs / 1000).toFixed(2)} s after its process started; ${memory.rssMb.toFixed(1)} MB resident 10 s later`);
      const what = `one member of the examples' site cartridge on the process IaaS, no repository, local embedded broker; ${name}`;
      figures.add(
        `${name}-start-to-active-ms`,
        toActiveMs,
        'ms',
        `${what}: from the agent process's start (/proc) to the member Active (runtime view polled every 20 ms)`,
      );
      figures.add(`${name}-rss-mb`, memory.rssMb, 'MB', `${what}: the agent process's VmRSS 10 s after activation`);
      await must(`undeploy ${app.applicationId}`, client.undeployApplication(app.applicationId));
      await waitFor(
        `${app.applicationId}: member folder removed`,
        async () => (readdirSync(join(processDir, 'members')).length === 0 ? true : undefined),
        TIMEOUT_MS,
        50,
      );
    }
    figures.print();
  } finally {
    await server.stop();
  }
}
