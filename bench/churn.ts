/**
 * Churn: two applications deployed and undeployed in turn. Each iteration undeploys the one that is
 * Active, sends the deploy of the other 0-60 ms (random) after that undeploy was answered, and waits
 * until the first is back in Created and the second Active. This is the moment where a deploy
 * meets the end of another application's undeploy. Every request has a timeout, so a server that
 * hangs makes the bench fail with an error line instead of stalling it.
 *
 * A fresh server in a child process (STRATO_MOCK_BOOT_DELAY=0, every other timing at its default),
 * on SQLite or on PostgreSQL (a fresh schema of STRATO_BENCH_POSTGRES_URL, dropped afterwards);
 * two copies of the examples' hello-web with 2 members each (apps.ts), through @strato/client.
 * The response times are those of the client's calls (fetch, plus parsing the small JSON envelope:
 * microseconds next to the server's milliseconds).
 *
 * Figures, printed only when every deploy and undeploy was answered 202 in time, every iteration
 * converged in time, and the last application runs exactly its members with one mock instance
 * each: p99 and max response time of the deploy and of the undeploy POSTs, and the mean time of an
 * iteration.
 */
import { pgSchema } from '@strato/testing';
import type { Envelope, StratoClient } from '@strato/client';
import { addBenchApplications, BENCH_APPLICATION_POLICY, benchApplication, checkMembers, statuses } from './apps.ts';
import { adminClient, Figures, log, mockInstances, must, percentile, sleep, spawnServer, waitFor } from './lib.ts';

export const CHURN_ITERATIONS = Number(process.env.STRATO_BENCH_CHURN_ITERATIONS || 200);
const POSTGRES_URL = process.env.STRATO_BENCH_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test';
const MEMBERS = 2;
/** How long one iteration may take to converge. */
const CONVERGE_TIMEOUT_MS = 30_000;
/** How long a deploy or undeploy POST may go unanswered. */
const POST_TIMEOUT_MS = 10_000;

/**
 * A client whose deploy and undeploy POSTs may go unanswered POST_TIMEOUT_MS at most, and which
 * checks that they were answered 202 (the client itself accepts any 2xx).
 */
function churnClient(url: string): { client: StratoClient; timed: (what: string, post: (c: StratoClient) => Promise<Envelope>) => Promise<number> } {
  let status = 0;
  const client = adminClient(url, { timeoutMs: POST_TIMEOUT_MS, onAnswer: (_m, _u, s) => (status = s) });
  /** Sends one POST (one at a time) and returns its response time; throws unless it was answered 202 in time. */
  const timed = async (what: string, post: (c: StratoClient) => Promise<Envelope>) => {
    status = 0;
    const t = performance.now();
    await must(what, post(client));
    const ms = performance.now() - t;
    if (status !== 202) throw new Error(`${what}: answered ${status}, 202 expected`);
    return ms;
  };
  return { client, timed };
}

async function converged(client: StratoClient, created: string, active: string, what: string): Promise<void> {
  let last = new Map<string, string>();
  try {
    await waitFor(
      what,
      async () => {
        last = await statuses(client);
        return last.get(created) === 'Created' && last.get(active) === 'Active' ? true : undefined;
      },
      CONVERGE_TIMEOUT_MS,
      5,
    );
  } catch (e) {
    throw new Error(`${(e as Error).message} (${created} ${last.get(created)}, ${active} ${last.get(active)})`);
  }
}

export async function churn(store: 'sqlite' | 'postgres', iterations = CHURN_ITERATIONS): Promise<void> {
  const prefix = `churn_${store}`;
  let dropSchema: (() => Promise<void>) | undefined;
  const env: NodeJS.ProcessEnv = { STRATO_MOCK_BOOT_DELAY: '0' };
  if (store === 'postgres') {
    const schema = pgSchema('strato_bench', POSTGRES_URL);
    env.STRATO_DATABASE_URL = schema.url;
    dropSchema = schema.drop;
  }
  try {
    const server = await spawnServer({ env });
    try {
      const url = server.url;
      const client = adminClient(url);
      const { timed } = churnClient(url);
      const deploy = (id: string) => timed(`deploy ${id}`, (c) => c.deployApplication(id, BENCH_APPLICATION_POLICY));
      const undeploy = (id: string) => timed(`undeploy ${id}`, (c) => c.undeployApplication(id));
      const apps = ['churn-a', 'churn-b'];
      await addBenchApplications(client, apps, MEMBERS);
      await deploy(apps[0]);
      await converged(client, apps[1], apps[0], `${apps[0]} Active`);

      const deploys: number[] = [];
      const undeploys: number[] = [];
      const t0 = performance.now();
      for (let i = 0; i < iterations; i++) {
        const [leaving, coming] = i % 2 === 0 ? apps : [apps[1], apps[0]];
        const gap = Math.floor(Math.random() * 61);
        const at = `iteration ${i + 1}/${iterations} (deploy ${gap} ms after the undeploy)`;
        try {
          undeploys.push(await undeploy(leaving));
          await sleep(gap);
          deploys.push(await deploy(coming));
          await converged(client, leaving, coming, `${leaving} Created and ${coming} Active`);
        } catch (e) {
          throw new Error(`${prefix}, ${at}: ${(e as Error).message}`);
        }
        if ((i + 1) % 50 === 0) log(`${prefix}: ${i + 1}/${iterations} iterations in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      }
      const iterationMs = (performance.now() - t0) / iterations;

      // the last deployed application runs exactly its members, and nothing else runs
      const last = iterations % 2 === 0 ? apps[0] : apps[1];
      const members = (await checkMembers(client, last, MEMBERS)).sort();
      let instances: string[] = [];
      try {
        await waitFor(
          'one mock instance per member of the last application, none other',
          async () => {
            instances = (await mockInstances(url)).sort();
            return JSON.stringify(instances) === JSON.stringify(members) ? true : undefined;
          },
          CONVERGE_TIMEOUT_MS,
        );
      } catch (e) {
        throw new Error(`${prefix}: ${(e as Error).message}: members ${JSON.stringify(members)}, instances ${JSON.stringify(instances)}`);
      }
      log(
        `${prefix}: ${iterations} iterations, ${iterationMs.toFixed(0)} ms each; deploy p99 ${percentile(deploys, 99).toFixed(1)} ms max ${Math.max(...deploys).toFixed(1)} ms; ` +
          `undeploy p99 ${percentile(undeploys, 99).toFixed(1)} ms max ${Math.max(...undeploys).toFixed(1)} ms`,
      );
      const figures = new Figures();
      const what = `${iterations} iterations, 2 ${benchApplication(MEMBERS)}, ${store}`;
      figures.add(`${prefix}_deploy_p99_ms`, percentile(deploys, 99), 'ms', what);
      figures.add(`${prefix}_deploy_max_ms`, Math.max(...deploys), 'ms', what);
      figures.add(`${prefix}_undeploy_p99_ms`, percentile(undeploys, 99), 'ms', what);
      figures.add(`${prefix}_undeploy_max_ms`, Math.max(...undeploys), 'ms', what);
      figures.add(`${prefix}_iteration_mean_ms`, iterationMs, 'ms', what);
      figures.print();
    } finally {
      await server.stop();
    }
  } finally {
    await dropSchema?.();
  }
}
