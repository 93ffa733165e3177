/**
 * What commands do, shared by strato's own commands and Stratos's aliases: the connection and
 * waiting options, describe, deploy and undeploy with live progress.
 */
import type { CollectionKind, StratoClient } from '@strato/client';
import type { Command } from 'commander';
import { applicationDescription, describeApplicationLines } from './describe.ts';
import { CliError } from './errors.ts';
import { fetchKind } from './get.ts';
import type { ExtraKind } from './kinds.ts';
import { type Io, toJson, yaml } from './output.ts';
import { DeployObserver, deployLine, minimumsOf, parseDuration, progressOf, undeployLine, watchRuntime } from './watch.ts';

/** Defaults of the waiting options (documented in README's CLI section). */
export const WAIT_DEFAULTS = { timeout: '10m', interval: '1000ms' } as const;

/** What every command needs: the streams, the environment and, on demand, a signed-in client. */
export interface Ctx {
  io: Io;
  env: NodeJS.ProcessEnv;
  client(): Promise<StratoClient>;
}

/** The connection options every command that talks to a server accepts (flags override contexts). */
export function connectionOptions(cmd: Command, top = false): Command {
  return (
    cmd
      .option('-s, --server <url>', 'strato server URL (overrides the context and STRATO_SERVER)')
      .option('-u, --user <name>', 'user name: admin, or user@tenant.domain (overrides the context and STRATO_USER)')
      // -p before the command, as Stratos's CLI had it; after a command -p is Stratos's --resource-path
      .option(top ? '-p, --password <password>' : '--password <password>', 'password (prefer STRATO_PASSWORD or `strato login`: flags show in ps)')
      .option('--context <name>', 'stored context to use instead of the current one')
  );
}

export function waitOptions(cmd: Command): Command {
  return cmd
    .option('-w, --wait', 'wait until it is done, showing the progress of every cluster')
    .option('--timeout <duration>', 'give up waiting after this long (90s, 5m, ...)', WAIT_DEFAULTS.timeout)
    .option('--interval <duration>', 'how often to look at the runtime while waiting', WAIT_DEFAULTS.interval);
}

export async function describe(ctx: Ctx, kind: CollectionKind | ExtraKind, id: string, output: string): Promise<void> {
  const { io } = ctx;
  const client = await ctx.client();
  if (kind !== 'application') {
    const data = await fetchKind(client, kind, id);
    io.out(output === 'json' ? toJson(data) : yaml(data));
    return;
  }
  const app = await client.applications.get(id);
  const view = await runtimeOnce(client, id);
  if (output === 'json') io.out(toJson(applicationDescription(app, view)));
  else if (output === 'yaml') io.out(yaml(applicationDescription(app, view)));
  else for (const line of describeApplicationLines(app, view, io.c)) io.out(line);
}

/** The runtime view now, or undefined when the application is not deployed. */
async function runtimeOnce(client: StratoClient, id: string) {
  const controller = new AbortController();
  for await (const v of watchRuntime(client, id, { intervalMs: 0, signal: controller.signal })) {
    controller.abort();
    return v;
  }
  return undefined;
}

export interface WaitOpts {
  wait?: boolean;
  timeout: string;
  interval: string;
}
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

export async function deploy(ctx: Ctx, app: string, policy: string, opts: WaitOpts): Promise<void> {
  const { io } = ctx;
  const timeoutMs = parseDuration(opts.timeout);
  const intervalMs = parseDuration(opts.interval);
  const client = await ctx.client();
  const definition = await client.applications.get(app);
  const answer = await client.deployApplication(app, policy);
  io.out(answer.message);
  if (!opts.wait) return;
  const started = Date.now();
  const minimums = minimumsOf(definition);
  const observer = new DeployObserver();
  const printed = new Map<string, string>();
  let progress: ReturnType<typeof progressOf> = [];
  let status = 'not deployed yet';
  const signal = AbortSignal.timeout(timeoutMs);
  for await (const view of watchRuntime(client, app, { intervalMs, signal })) {
    if (!view) continue;
    status = view.status;
    progress = progressOf(view);
    observer.observe(progress);
    for (const p of progress) {
      const line = deployLine(p, minimums.get(p.alias));
      const key = `${p.clusterId} ${p.instanceId}`;
      if (printed.get(key) !== line) {
        printed.set(key, line);
        io.out(`  ${io.c.dim(seconds(Date.now() - started).padStart(6))}  ${line}`);
      }
    }
    if (view.status === 'Active') {
      io.out(io.c.green(`Application ${app} is Active (${seconds(Date.now() - started)})`));
      return;
    }
  }
  const reasons = observer.reasons(progress, minimums);
  throw new CliError(`application ${app} is not Active after ${seconds(timeoutMs)} (status ${status})${reasons.length ? ': ' + reasons.join('; ') : ''}`);
}

export async function undeploy(ctx: Ctx, app: string, opts: WaitOpts & { force?: boolean }): Promise<void> {
  const { io } = ctx;
  const timeoutMs = parseDuration(opts.timeout);
  const intervalMs = parseDuration(opts.interval);
  const client = await ctx.client();
  const answer = await client.undeployApplication(app, { force: opts.force });
  io.out(answer.message);
  if (!opts.wait) return;
  const started = Date.now();
  const printed = new Map<string, string>();
  let left: ReturnType<typeof progressOf> = [];
  const signal = AbortSignal.timeout(timeoutMs);
  for await (const view of watchRuntime(client, app, { intervalMs, signal })) {
    if (view === undefined) {
      // the runtime is gone; the definition is back to Created once every instance is
      const status = (await client.applications.get(app)).status;
      if (status === 'Created') {
        io.out(io.c.green(`Application ${app} is undeployed (${seconds(Date.now() - started)})`));
        return;
      }
      continue;
    }
    left = progressOf(view);
    for (const p of left) {
      const line = undeployLine(p);
      const key = `${p.clusterId} ${p.instanceId}`;
      if (printed.get(key) !== line) {
        printed.set(key, line);
        io.out(`  ${io.c.dim(seconds(Date.now() - started).padStart(6))}  ${line}`);
      }
    }
  }
  const members = left.reduce((sum, p) => sum + p.memberIds.length, 0);
  throw new CliError(
    `application ${app} is not undeployed after ${seconds(timeoutMs)}: ${members} member${members === 1 ? '' : 's'} left in ${left.length} cluster instances`,
  );
}
