/**
 * The command names of Apache Stratos 4.1's CLI (org.apache.stratos.cli: `stratos list-cartridges`,
 * `stratos add-cartridge -p FILE`, `stratos deploy-application -a APP -ap POLICY`, ...), so that
 * scripts written for Stratos keep working. They are hidden from `strato --help` and listed by
 * `strato stratos-commands`.
 *
 * Stratos's add/update commands take the file with `-p, --resource-path`; `-j, --json` is accepted
 * too. Stratos's credentials (`-u USER -p PASSWORD` before the command, STRATOS_URL,
 * STRATOS_USERNAME, STRATOS_PASSWORD) work as well.
 */
import { readFileSync } from 'node:fs';
import type { CollectionKind } from '@strato/client';
import { parseJson } from '@strato/model';
import type { Command } from 'commander';
import { CliError, EXIT } from './errors.ts';
import type { ExtraKind } from './kinds.ts';
import { label, recogniseKind } from './kinds.ts';
import { fetchKind, render } from './get.ts';
import { outputFormat, yaml } from './output.ts';
import { type Ctx, connectionOptions, deploy, describe, undeploy, type WaitOpts, waitOptions } from './actions.ts';

type AnyKind = CollectionKind | ExtraKind;

const LIST: Record<string, AnyKind> = {
  'list-network-partitions': 'networkPartition',
  'list-autoscaling-policies': 'autoscalingPolicy',
  'list-deployment-policies': 'deploymentPolicy',
  'list-application-policies': 'applicationPolicy',
  'list-cartridges': 'cartridge',
  'list-cartridge-groups': 'cartridgeGroup',
  'list-applications': 'application',
  'list-kubernetes-clusters': 'kubernetesCluster',
  'list-tenants': 'tenant',
  'list-users': 'user',
};

const DESCRIBE: Record<string, AnyKind> = {
  'describe-network-partition': 'networkPartition',
  'describe-autoscaling-policy': 'autoscalingPolicy',
  'describe-deployment-policy': 'deploymentPolicy',
  'describe-application-policy': 'applicationPolicy',
  'describe-cartridge': 'cartridge',
  'describe-cartridge-group': 'cartridgeGroup',
  'describe-application': 'application',
  'describe-kubernetes-cluster': 'kubernetesCluster',
  'describe-tenant': 'tenant',
};

const ADD: Record<string, CollectionKind> = {
  'add-network-partition': 'networkPartition',
  'add-autoscaling-policy': 'autoscalingPolicy',
  'add-deployment-policy': 'deploymentPolicy',
  'add-application-policy': 'applicationPolicy',
  'add-cartridge': 'cartridge',
  'add-cartridge-group': 'cartridgeGroup',
  'add-application': 'application',
  'create-application': 'application',
  'add-kubernetes-cluster': 'kubernetesCluster',
};

const UPDATE: Record<string, CollectionKind> = {
  'update-network-partition': 'networkPartition',
  'update-autoscaling-policy': 'autoscalingPolicy',
  'update-deployment-policy': 'deploymentPolicy',
  'update-application-policy': 'applicationPolicy',
  'update-cartridge': 'cartridge',
  'update-application': 'application',
};

const REMOVE: Record<string, CollectionKind> = {
  'remove-network-partition': 'networkPartition',
  'remove-autoscaling-policy': 'autoscalingPolicy',
  'remove-deployment-policy': 'deploymentPolicy',
  'remove-application-policy': 'applicationPolicy',
  'remove-cartridge': 'cartridge',
  'remove-cartridge-group': 'cartridgeGroup',
  'remove-application': 'application',
  'remove-kubernetes-cluster': 'kubernetesCluster',
};

/** Every Stratos command name strato answers to, with what it does here. */
export const STRATOS_COMMANDS: Record<string, string> = {
  ...Object.fromEntries(Object.entries(LIST).map(([n, k]) => [n, `strato get ${k}`])),
  ...Object.fromEntries(Object.entries(DESCRIBE).map(([n, k]) => [n, `strato describe ${k} ID`])),
  'describe-application-runtime': 'strato describe application ID (the runtime tree)',
  ...Object.fromEntries(Object.entries(ADD).map(([n, k]) => [n, `POST the ${label(k)} of -p FILE`])),
  ...Object.fromEntries(Object.entries(UPDATE).map(([n, k]) => [n, `PUT the ${label(k)} of -p FILE`])),
  ...Object.fromEntries(Object.entries(REMOVE).map(([n, k]) => [n, `strato delete ${k} ID`])),
  'deploy-application': 'strato deploy APP --policy POLICY (-a APP -ap POLICY)',
  'undeploy-application': 'strato undeploy APP',
  'activate-tenant': 'PUT /tenants/activate/DOMAIN',
  'deactivate-tenant': 'PUT /tenants/deactivate/DOMAIN',
};

/**
 * Stratos's options with more than one letter after a single dash (`-ap`), which commander cannot
 * declare: rewritten to their long form before parsing.
 */
const MULTI_LETTER: Record<string, string> = { '-ap': '--application-policy-id' };

export function rewriteStratosArgv(argv: string[]): string[] {
  return argv.map((a) => MULTI_LETTER[a] ?? a);
}

function readResource(path: string, kind: CollectionKind): unknown {
  let body: unknown;
  try {
    body = parseJson(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new CliError(`${path}: ${(e as Error).message}`);
  }
  const found = recogniseKind(body);
  if (found && found !== kind) throw new CliError(`${path} holds a ${label(found)}, not a ${label(kind)}`);
  return body;
}

export function addStratosAliases(program: Command, ctx: (cmd: Command) => Ctx): void {
  const hidden = (name: string) => connectionOptions(program.command(name, { hidden: true }));

  for (const [name, kind] of Object.entries(LIST)) {
    hidden(name)
      .description(STRATOS_COMMANDS[name])
      .option('-o, --output <format>', 'table, wide, json or yaml', 'table')
      .action(async (opts: { output: string }, cmd: Command) => {
        const c = ctx(cmd);
        const data = await fetchKind(await c.client(), kind);
        if (Array.isArray(data) && data.length === 0) return c.io.err(`No ${label(kind as CollectionKind) ?? kind}s found`);
        for (const line of render(kind, data, outputFormat(opts.output), c.io.c)) c.io.out(line);
      });
  }
  for (const [name, kind] of Object.entries(DESCRIBE)) {
    hidden(name)
      .description(STRATOS_COMMANDS[name])
      .argument('<id>')
      .option('-o, --output <format>', 'json or yaml', 'json')
      .action(async (id: string, opts: { output: string }, cmd: Command) => {
        // Stratos's describe-application prints the definition; describe-application-runtime the tree
        const c = ctx(cmd);
        if (kind === 'application') {
          const data = await fetchKind(await c.client(), kind, id);
          c.io.out(opts.output === 'yaml' ? yaml(data) : JSON.stringify(data, null, 2));
        } else await describe(c, kind, id, opts.output);
      });
  }
  hidden('describe-application-runtime')
    .description(STRATOS_COMMANDS['describe-application-runtime'])
    .argument('[application-id]')
    .option('-a, --application-id <id>', 'the application')
    .option('-o, --output <format>', 'text, json or yaml', 'text')
    .action(async (positional: string | undefined, opts: { applicationId?: string; output: string }, cmd: Command) => {
      const id = opts.applicationId ?? positional;
      if (!id) throw new CliError('describe-application-runtime needs an application id', EXIT.usage);
      await describe(ctx(cmd), 'application', id, opts.output);
    });

  const withFile = (name: string, kind: CollectionKind, write: 'add' | 'update') =>
    hidden(name)
      .description(STRATOS_COMMANDS[name])
      .option('-p, --resource-path <file>', `JSON file of the ${label(kind)}`)
      .option('-j, --json <file>', 'the same as --resource-path')
      .action(async (opts: { resourcePath?: string; json?: string }, cmd: Command) => {
        const path = opts.resourcePath ?? opts.json;
        if (!path) throw new CliError(`${name} needs -p FILE (the ${label(kind)} in JSON)`, EXIT.usage);
        const body = readResource(path, kind);
        const c = ctx(cmd);
        const collection = (await c.client()).collection(kind);
        const answer = write === 'add' ? await collection.add(body) : await collection.update(body);
        c.io.out(answer.message);
      });
  for (const [name, kind] of Object.entries(ADD)) withFile(name, kind, 'add');
  for (const [name, kind] of Object.entries(UPDATE)) withFile(name, kind, 'update');

  for (const [name, kind] of Object.entries(REMOVE)) {
    hidden(name)
      .description(STRATOS_COMMANDS[name])
      .argument('<id>')
      .action(async (id: string, _opts: unknown, cmd: Command) => {
        const c = ctx(cmd);
        c.io.out((await (await c.client()).collection(kind).remove(id)).message);
      });
  }

  waitOptions(
    hidden('deploy-application')
      .description(STRATOS_COMMANDS['deploy-application'])
      .option('-a, --application-id <id>', 'the application')
      .option('--application-policy-id <id>', 'the application policy (Stratos: -ap)'),
  ).action(async (opts: WaitOpts & { applicationId?: string; applicationPolicyId?: string }, cmd: Command) => {
    if (!opts.applicationId || !opts.applicationPolicyId) {
      throw new CliError('usage: deploy-application -a APPLICATION_ID -ap APPLICATION_POLICY_ID', EXIT.usage);
    }
    await deploy(ctx(cmd), opts.applicationId, opts.applicationPolicyId, opts);
  });
  waitOptions(
    hidden('undeploy-application')
      .description(STRATOS_COMMANDS['undeploy-application'])
      .argument('<application-id>')
      .option('--force', 'terminate the members without draining them'),
  ).action(async (id: string, opts: WaitOpts & { force?: boolean }, cmd: Command) => {
    await undeploy(ctx(cmd), id, opts);
  });

  for (const [name, verb] of [
    ['activate-tenant', 'activateTenant'],
    ['deactivate-tenant', 'deactivateTenant'],
  ] as const) {
    hidden(name)
      .description(STRATOS_COMMANDS[name])
      .argument('<tenant-domain>')
      .action(async (domain: string, _opts: unknown, cmd: Command) => {
        const c = ctx(cmd);
        c.io.out((await (await c.client())[verb](domain)).message);
      });
  }

  program
    .command('stratos-commands')
    .description("list the command names of Stratos 4.1's CLI that strato answers to")
    .action(() => {
      const width = Math.max(...Object.keys(STRATOS_COMMANDS).map((n) => n.length));
      for (const [name, what] of Object.entries(STRATOS_COMMANDS).sort(([a], [b]) => a.localeCompare(b))) {
        process.stdout.write(`${name.padEnd(width)}   ${what}\n`);
      }
    });
}
