/**
 * The `strato` command line (commander): contexts (login, logout, context), apply/delete of
 * artifact files, get/describe, deploy/undeploy with live progress, shell completion, and the
 * command names of Stratos 4.1's CLI as aliases (stratos-aliases.ts).
 */
import { type CollectionKind, StratoClient } from '@strato/client';
import { Argument, Command, CommanderError } from 'commander';
import pkg from '../package.json' with { type: 'json' };
import { type ApplyResult, applyArtifacts, deleteArtifacts, resultLine } from './apply.ts';
import { completionScript } from './completion.ts';
import { configPath, type ConnectionFlags, readConfig, resolveConnection, writeConfig } from './config.ts';
import { CliError, describeError, EXIT } from './errors.ts';
import { readArtifacts } from './files.ts';
import { fetchKind, render } from './get.ts';
import { KIND_NAMES, kindNamed } from './kinds.ts';
import { type Io, outputFormat, processIo, toJson } from './output.ts';
import { ask, interactive } from './prompt.ts';
import { addStratosAliases, rewriteStratosArgv } from './stratos-aliases.ts';
import { type Ctx, connectionOptions, deploy, describe, undeploy, type WaitOpts, waitOptions } from './actions.ts';

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  io?: Io;
}

const collect = (value: string, previous: string[]) => [...previous, value];

function buildProgram(io: Io, env: NodeJS.ProcessEnv): { program: Command; ctx: (cmd: Command) => Ctx } {
  const program = new Command('strato');
  program
    .description("strato's command line: Apache Stratos 4.1 artifacts, applications and their runtime")
    .version(pkg.version, '-V, --version')
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => process.stdout.write(s),
      writeErr: (s) => process.stderr.write(s),
      outputError: (s, write) => write(io.ce.red(s)),
    })
    .showSuggestionAfterError(true)
    .addHelpText(
      'after',
      "\nApache Stratos 4.1's CLI command names work too (list-cartridges, add-cartridge -p FILE,\ndeploy-application -a APP -ap POLICY, ...): `strato stratos-commands` lists them.",
    );
  connectionOptions(program, true);

  const ctx = (cmd: Command): Ctx => ({
    io,
    env,
    client: async () => {
      const flags: ConnectionFlags = { ...program.opts(), ...definedOpts(cmd) };
      const path = configPath(env);
      const config = readConfig(path, io.err);
      const conn = resolveConnection(flags, env, config, path);
      if (!conn.user) throw new CliError(`no user for ${conn.server}: run \`strato login ${conn.server}\`, or give --user, or set STRATO_USER`);
      let password = conn.password;
      if (password === undefined && interactive()) password = await ask(`Password for ${conn.user} at ${conn.server}: `, true);
      if (password === undefined) throw new CliError(`no password for ${conn.user}: run \`strato login ${conn.server}\`, or set STRATO_PASSWORD`);
      return new StratoClient({ baseUrl: conn.server, username: conn.user, password });
    },
  });

  // ---- contexts ---------------------------------------------------------------------------------
  program
    .command('login')
    .description('check credentials against a server and store them as a context (file mode 0600)')
    .argument('<url>', 'server URL, e.g. http://127.0.0.1:9763')
    .option('-u, --user <name>', 'user name (admin, or user@tenant.domain)')
    .option('--password <password>', 'password (else STRATO_PASSWORD, else asked at a terminal)')
    .option('--name <context>', 'name of the context', 'default')
    .action(async (url: string, opts: { user?: string; password?: string; name: string }) => {
      let user = opts.user ?? (env.STRATO_USER || env.STRATOS_USERNAME);
      if (!user && interactive()) user = (await ask('User: ')).trim();
      if (!user) throw new CliError('no user: give --user or set STRATO_USER', EXIT.usage);
      let password = opts.password ?? (env.STRATO_PASSWORD || env.STRATOS_PASSWORD);
      if (password === undefined && interactive()) password = await ask(`Password for ${user}: `, true);
      if (password === undefined) throw new CliError('no password: give --password, set STRATO_PASSWORD, or run at a terminal', EXIT.usage);
      const server = url.replace(/\/+$/, '').replace(/\/api$/, '');
      await new StratoClient({ baseUrl: server, username: user, password }).init();
      const path = configPath(env);
      const config = readConfig(path);
      config.contexts[opts.name] = { server, user, password };
      config.current = opts.name;
      writeConfig(path, config);
      io.out(`Logged in to ${server} as ${user}; context ${opts.name} saved in ${path}`);
    });

  program
    .command('logout')
    .description('forget a stored context (its password with it)')
    .option('--name <context>', 'the context (default: the current one)')
    .action((opts: { name?: string }) => {
      const path = configPath(env);
      const config = readConfig(path);
      const name = opts.name ?? config.current;
      if (!name || !config.contexts[name]) throw new CliError(`no context ${name ?? ''} in ${path}`.replace('  ', ' '));
      delete config.contexts[name];
      if (config.current === name) config.current = Object.keys(config.contexts)[0];
      writeConfig(path, config);
      io.out(`Context ${name} removed`);
    });

  const context = program.command('context').description('list the stored contexts, or pick the current one');
  context
    .command('list', { isDefault: true })
    .description('list the stored contexts (* marks the current one)')
    .action(() => {
      const path = configPath(env);
      const config = readConfig(path);
      for (const [name, c] of Object.entries(config.contexts)) io.out(`${name === config.current ? '*' : ' '} ${name}   ${c.server}   ${c.user ?? '-'}`);
    });
  context
    .command('use')
    .description('make a stored context the current one')
    .argument('<name>')
    .action((name: string) => {
      const path = configPath(env);
      const config = readConfig(path);
      if (!config.contexts[name]) throw new CliError(`no context ${name} in ${path}`);
      config.current = name;
      writeConfig(path, config);
      io.out(`Current context: ${name}`);
    });

  // ---- definitions ------------------------------------------------------------------------------
  connectionOptions(
    program
      .command('apply')
      .description('create or update every artifact of the files and folders, in dependency order; unchanged ones are not written')
      .requiredOption('-f, --filename <path>', 'a JSON file (one artifact or an array) or a folder of them; repeatable', collect, [])
      .option('-o, --output <format>', 'text, or json: the outcomes as a JSON array', 'text'),
  ).action(async (opts: { filename: string[]; output: string }, cmd: Command) => {
    const artifacts = readArtifacts(opts.filename);
    const results = await applyArtifacts(await ctx(cmd).client(), artifacts, opts.output === 'json' ? () => {} : (r) => printResult(io, r));
    finishResults(io, results, opts.output);
  });

  connectionOptions(
    program
      .command('delete')
      .description('remove the artifacts of the files and folders in reverse dependency order, or one definition: delete KIND ID')
      .argument('[kind]', `with ID: ${KIND_NAMES.slice(0, 8).join(', ')}`)
      .argument('[id]')
      .option('-f, --filename <path>', 'a JSON file or folder of artifacts; repeatable', collect, [])
      .option('-o, --output <format>', 'text, or json: the outcomes as a JSON array', 'text'),
  ).action(async (kindName: string | undefined, id: string | undefined, opts: { filename: string[]; output: string }, cmd: Command) => {
    const client = await ctx(cmd).client();
    if (opts.filename.length > 0) {
      if (kindName) throw new CliError('delete takes either -f FILE or KIND ID, not both', EXIT.usage);
      const results = await deleteArtifacts(client, readArtifacts(opts.filename), opts.output === 'json' ? () => {} : (r) => printResult(io, r));
      return finishResults(io, results, opts.output);
    }
    if (!kindName || !id) throw new CliError('delete needs -f FILE, or KIND and ID', EXIT.usage);
    const kind = definitionKind(kindName);
    const answer = await client.collection(kind).remove(id);
    io.out(answer.message);
  });

  connectionOptions(
    program
      .command('get')
      .description('list the definitions of a kind, or show one')
      .argument('<kind>', KIND_NAMES.join(', '))
      .argument('[id]')
      .option('-o, --output <format>', 'table, wide, json or yaml', 'table'),
  ).action(async (kindName: string, id: string | undefined, opts: { output: string }, cmd: Command) => {
    const kind = kindNamed(kindName);
    const format = outputFormat(opts.output);
    const data = await fetchKind(await ctx(cmd).client(), kind, id);
    if (Array.isArray(data) && data.length === 0 && (format === 'table' || format === 'wide')) {
      io.err(`No ${kindName} found`);
      return;
    }
    for (const line of render(kind, data, format, io.c)) io.out(line);
  });

  connectionOptions(
    program
      .command('describe')
      .description('an application: its tree of group and cluster instances with members per status; another kind: its definition')
      .argument('<kind>', KIND_NAMES.join(', '))
      .argument('<id>')
      .option('-o, --output <format>', 'text, json or yaml', 'text'),
  ).action(async (kindName: string, id: string, opts: { output: string }, cmd: Command) => {
    await describe(ctx(cmd), kindNamed(kindName), id, opts.output);
  });

  // ---- applications at run time -----------------------------------------------------------------
  waitOptions(
    connectionOptions(
      program
        .command('deploy')
        .description('deploy an application with an application policy')
        .argument('<application>')
        .requiredOption('--policy <application-policy>', 'the application policy to deploy with'),
    ),
  ).action(async (app: string, opts: WaitOpts & { policy: string }, cmd: Command) => {
    await deploy(ctx(cmd), app, opts.policy, opts);
  });

  waitOptions(
    connectionOptions(
      program
        .command('undeploy')
        .description('undeploy an application (gracefully: members drained; --force: at once)')
        .argument('<application>')
        .option('--force', 'terminate the members without draining them'),
    ),
  ).action(async (app: string, opts: WaitOpts & { force?: boolean }, cmd: Command) => {
    await undeploy(ctx(cmd), app, opts);
  });

  program
    .command('completion')
    .description('print a shell completion script: eval "$(strato completion bash)" (zsh: the same after bashcompinit)')
    .addArgument(new Argument('[shell]', 'bash or zsh').choices(['bash', 'zsh']).default('bash'))
    .action((shell: 'bash' | 'zsh') => {
      io.out(completionScript(program, shell));
    });

  addStratosAliases(program, ctx);
  return { program, ctx };
}

function definedOpts(cmd: Command): Record<string, unknown> {
  return Object.fromEntries(Object.entries(cmd.opts()).filter(([, v]) => v !== undefined));
}

export function definitionKind(name: string): CollectionKind {
  const kind = kindNamed(name);
  if (kind === 'tenant' || kind === 'user') throw new CliError(`${name}: not a definition kind`, EXIT.usage);
  return kind;
}

function printResult(io: Io, r: ApplyResult): void {
  const line = resultLine(r);
  const color = { created: io.c.green, updated: io.c.yellow, deleted: io.c.yellow, unchanged: io.c.dim, absent: io.c.dim, failed: io.c.red }[r.outcome];
  if (r.outcome === 'failed') io.err(io.ce.red(line));
  else io.out(color(line));
}

function finishResults(io: Io, results: ApplyResult[], output: string): void {
  if (output === 'json') io.out(toJson(results));
  const failed = results.filter((r) => r.outcome === 'failed').length;
  if (failed > 0) throw new CliError(`${failed} of ${results.length} artifacts failed`);
}

/**
 * Runs `strato` with `argv` (without node and the script) and returns its exit code. Every error
 * becomes one line on stderr (`error: ...`), with the server's message and code when it answered.
 */
export async function run(argv: string[], options: RunOptions = {}): Promise<number> {
  const io = options.io ?? processIo();
  const env = options.env ?? process.env;
  const { program } = buildProgram(io, env);
  try {
    await program.parseAsync(rewriteStratosArgv(argv), { from: 'user' });
    return EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander has printed its message (or the help, or the version)
      if (e.exitCode === 0) return EXIT.ok;
      return EXIT.usage;
    }
    io.err(io.ce.red(`error: ${describeError(e)}`));
    if (env.STRATO_DEBUG && e instanceof Error && e.stack) io.err(e.stack);
    return e instanceof CliError ? e.exitCode : EXIT.failed;
  }
}
