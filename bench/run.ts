/**
 * `npm run bench`: prints one JSON line per figure, `{"name","value","unit"}` (and `"what"` where it
 * helps to say what was measured), on stdout (progress on stderr). Every figure runs against the
 * real server in a child process on a fresh temp data dir and free ports, over the REST API only,
 * through @strato/client (autocannon generates the HTTP load figures). It needs only the
 * repository: its artifacts are the project's examples/. A bench prints its figures only after
 * checking that its run was clean (every answer as expected, nothing timed out, every deploy
 * Active with its members); otherwise it prints `{"name":"<bench>","error":"..."}` instead, the
 * others still run, and the exit code is 1. The `*-sample` benches (Stratos's samples, for
 * comparison with issue 4) run only when ../shared/stratos-samples is present; otherwise they are
 * skipped with a note on stderr.
 *
 *   npm run bench                    every figure (the 1,000 x 10 case has a 10 minute limit)
 *   npm run bench -- --quick         skips the 1,000 applications x 10 members case
 *   npm run bench -- --only=a,b      only the named benches: cold-start, agent, agents-side-by-side, http-load, login,
 *                                    deploy-single, deploy-nested, deploy-single-sample,
 *                                    deploy-nested-sample, churn-sqlite, churn-postgres
 *                                    (churn: both), scale-100, scale-1000, autoscaling,
 *                                    process-20
 *
 * `autoscaling` (bench/autoscaling.ts) is a pure simulation: no server, no build, nothing outside
 * the repository; `--only=autoscaling` runs it alone in a few seconds.
 */
import { execFileSync } from 'node:child_process';
import { autoscaling } from './autoscaling.ts';
import { churn } from './churn.ts';
import { agentBench } from './agent.ts';
import { agentsSideBySide } from './agents.ts';
import { coldStart } from './cold-start.ts';
import { deployNested, deployNestedSample, deploySingle, deploySingleSample } from './deploy.ts';
import { httpLoad } from './http-load.ts';
import { describe, emitError, log, Skip } from './lib.ts';
import { login } from './login.ts';
import { processMembers } from './process.ts';
import { scale } from './scale.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
/** Names that stand for several benches. */
const GROUPS: Record<string, string[]> = { churn: ['churn-sqlite', 'churn-postgres'] };
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',')
  .filter(Boolean)
  .flatMap((name) => GROUPS[name] ?? [name]);

/** `server: false`: the bench needs no server (so no build either). */
const FIGURES: { name: string; run: () => Promise<void>; full?: boolean; server?: false }[] = [
  { name: 'cold-start', run: () => coldStart(5) },
  { name: 'agent', run: () => agentBench(5) },
  { name: 'agents-side-by-side', run: agentsSideBySide },
  { name: 'http-load', run: httpLoad },
  { name: 'login', run: login },
  { name: 'deploy-single', run: deploySingle },
  { name: 'deploy-nested', run: deployNested },
  { name: 'deploy-single-sample', run: deploySingleSample },
  { name: 'deploy-nested-sample', run: deployNestedSample },
  { name: 'churn-sqlite', run: () => churn('sqlite') },
  { name: 'churn-postgres', run: () => churn('postgres') },
  { name: 'scale-100', run: () => scale(100, 5 * 60_000) },
  { name: 'scale-1000', run: () => scale(1000, 10 * 60_000), full: true },
  { name: 'autoscaling', run: autoscaling, server: false },
  { name: 'process-20', run: processMembers },
];

const unknown = only?.filter((name) => !FIGURES.some((f) => f.name === name)) ?? [];
if (unknown.length > 0) {
  log(`unknown bench name(s): ${unknown.join(', ')}; known: ${[...FIGURES.map((f) => f.name), ...Object.keys(GROUPS)].join(', ')}`);
  process.exit(2);
}

const selected = FIGURES.filter((f) => (only ? only.includes(f.name) : !(quick && f.full)));

// the server runs as `npm start` runs it: the bundle of scripts/build.mjs
if (selected.some((f) => f.server !== false)) {
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: new URL('../', import.meta.url), stdio: ['ignore', 'ignore', 'inherit'] });
}

const t0 = performance.now();
let failed = 0;
for (const f of selected) {
  const t = performance.now();
  log(`${f.name} ...`);
  try {
    await f.run();
    log(`${f.name} done in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  } catch (e) {
    if (e instanceof Skip) {
      log(`${f.name} skipped: ${e.message}`);
      continue;
    }
    failed++;
    emitError(f.name, e);
    log(`${f.name} FAILED after ${((performance.now() - t) / 1000).toFixed(1)} s: ${describe(e)}\n${(e as Error).stack ?? ''}`);
  }
}
log(`finished in ${((performance.now() - t0) / 1000).toFixed(1)} s${failed ? `, ${failed} bench(es) failed` : ''}`);
process.exitCode = failed ? 1 : 0;
