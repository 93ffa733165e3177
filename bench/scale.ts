/**
 * Issue 4: N applications x 10 members on the mock IaaS with zero boot delay. A fresh server in a
 * child process (STRATO_MOCK_BOOT_DELAY=0, STRATO_MOCK_HEALTH_INTERVAL=15000, every other timing at
 * its default); N copies of the examples' hello-web (distinct applicationId, cartridgeMin =
 * cartridgeMax = 10, see apps.ts). All N deploy POSTs are sent at once through @strato/client (at
 * most DEPLOY_CONNECTIONS in flight, the others wait in the client), then GET /api/applications is
 * polled until every one is Active. The bench uses the REST API only.
 *
 * Figures, printed only when every deploy POST was answered 202, every application became Active
 * within the time limit with exactly 10 Active members, and the mock IaaS runs exactly one instance
 * per member: `deploy-<N>-answered-ms` (from sending the N POSTs to the last answer), wall time from
 * the first deploy POST to all Active, peak RSS of the server process (max of VmHWM, sampled every
 * 500 ms and at the end).
 */
import { addBenchApplications, BENCH_APPLICATION_POLICY, benchApplication, checkMembers, pool, statuses } from './apps.ts';
import { adminClient, describe, Figures, log, memoryOf, mockInstances, sleep, spawnServer } from './lib.ts';

const MEMBERS = 10;
/**
 * The deploy POSTs are all sent at once, at most this many in flight (keep-alive connections; the
 * others wait in the client, their timeout running). With one connection per request, 1,000
 * connections at once overflowed the server's listen backlog (node's default 511, now 4096) while
 * its event loop is busy deploying: the kernel drops connections (ListenOverflows) and some
 * clients see ECONNRESET. STRATO_BENCH_DEPLOY_CONNECTIONS changes it (issue 4's figure used 8
 * requests in flight).
 */
const DEPLOY_CONNECTIONS = Number(process.env.STRATO_BENCH_DEPLOY_CONNECTIONS || 64);

export async function scale(n: number, timeLimitMs: number): Promise<void> {
  const prefix = `apps_${n}x${MEMBERS}`;
  const server = await spawnServer({
    env: { STRATO_MOCK_BOOT_DELAY: '0', STRATO_MOCK_HEALTH_INTERVAL: '15000' },
    nodeFlags: process.env.STRATO_BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.STRATO_BENCH_CPU_PROF}`] : [],
  });
  let sampler: NodeJS.Timeout | undefined;
  try {
    const tAdd = performance.now();
    const ids = Array.from({ length: n }, (_, i) => `bench-app-${i}`);
    const client = adminClient(server.url);
    await addBenchApplications(client, ids, MEMBERS);
    log(`${prefix}: ${n} applications added in ${(performance.now() - tAdd).toFixed(0)} ms`);

    let peakMb = 0;
    sampler = setInterval(() => {
      peakMb = Math.max(peakMb, memoryOf(server.pid).hwmMb);
    }, 500);

    const t0 = performance.now();
    const deadline = t0 + timeLimitMs;
    // every deploy POST at once; each may wait for the answer until the time limit
    const failures: string[] = [];
    let answered = 0;
    // each deploy may wait for its answer until the time limit; the client returns only the body, the status is checked here
    const deployStatus = new Map<string, number>();
    const deployer = adminClient(server.url, {
      timeoutMs: timeLimitMs,
      maxInFlight: DEPLOY_CONNECTIONS,
      onAnswer: (_m, url, status) => deployStatus.set(decodeURIComponent(url.split('/applications/')[1]?.split('/')[0] ?? url), status),
    });
    const deploying = Promise.all(
      ids.map(async (id) => {
        try {
          const answer = await deployer.deployApplication(id, BENCH_APPLICATION_POLICY);
          if (deployStatus.get(id) !== 202 || answer?.status !== 'success')
            failures.push(`deploy ${id}: ${deployStatus.get(id)} ${JSON.stringify(answer).slice(0, 300)}`);
        } catch (e) {
          failures.push(`deploy ${id}: ${describe(e)}`);
        }
        answered++;
      }),
    ).then(() => {
      const ms = performance.now() - t0;
      log(`${prefix}: ${n} deploy POSTs answered after ${ms.toFixed(0)} ms (${failures.length} failed)`);
      return ms;
    });

    const want = new Set(ids);
    let active = 0;
    let lastLog = t0;
    let activeMs: number | undefined;
    while (performance.now() < deadline) {
      await sleep(n > 200 ? 500 : 100);
      if (server.child.exitCode !== null || server.child.signalCode !== null) {
        throw new Error(`${prefix}: server exited (${server.child.exitCode ?? server.child.signalCode}): ${server.output().slice(-1000)}`);
      }
      if (failures.length > 0) break;
      active = [...(await statuses(client))].filter(([id, status]) => want.has(id) && status === 'Active').length;
      if (active === n) {
        activeMs = performance.now() - t0;
        break;
      }
      if (performance.now() - lastLog > 15_000) {
        lastLog = performance.now();
        log(
          `${prefix}: ${active}/${n} Active, ${answered}/${n} deploy POSTs answered after ${((lastLog - t0) / 1000).toFixed(0)} s, RSS ${memoryOf(server.pid).rssMb.toFixed(0)} MB`,
        );
      }
    }
    clearInterval(sampler);
    sampler = undefined;
    peakMb = Math.max(peakMb, memoryOf(server.pid).hwmMb);
    if (failures.length > 0) {
      const kinds = new Map<string, number>();
      for (const f of failures) {
        const kind = f.replace(/^deploy \S+: /, '').replace(/bench-app-\d+/g, 'bench-app-N');
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      }
      const alive = server.child.exitCode === null && server.child.signalCode === null;
      throw new Error(
        `${prefix}: ${failures.length} deploy POSTs failed (server ${alive ? 'still running' : 'exited'}): ` +
          [...kinds]
            .map(([k, c]) => `${c} x ${k}`)
            .join('; ')
            .slice(0, 1500),
      );
    }
    if (activeMs === undefined)
      throw new Error(`${prefix}: ${active}/${n} applications Active (${answered}/${n} deploy POSTs answered) at the time limit of ${timeLimitMs} ms`);
    const deployedMs = await deploying;
    log(`${prefix}: all Active after ${activeMs.toFixed(0)} ms; checking every application's members`);

    // the run counts only if every application has exactly its members and the mock IaaS one instance each
    const members: string[] = [];
    await pool(ids, 8, async (id) => {
      members.push(...(await checkMembers(client, id, MEMBERS)));
    });
    const listed = await mockInstances(server.url);
    const instances = new Set(listed);
    if (listed.length !== members.length || instances.size !== listed.length || !members.every((m) => instances.has(m))) {
      throw new Error(`${prefix}: ${members.length} members but ${listed.length} mock instances (${instances.size} distinct)`);
    }

    const figures = new Figures();
    const what = `${n} ${benchApplication(MEMBERS)}, all deploy POSTs at once (${DEPLOY_CONNECTIONS} in flight)`;
    figures.add(`deploy-${n}-answered-ms`, deployedMs, 'ms', what);
    figures.add(`${prefix}_wall_to_all_active_ms`, activeMs, 'ms', what);
    figures.add(`${prefix}_server_peak_rss_mb`, peakMb, 'MB', what);
    figures.print();
  } finally {
    if (sampler) clearInterval(sampler);
    await server.stop();
  }
}
