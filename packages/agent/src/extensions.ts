/**
 * Extension scripts (cartridge-agent.md §4): for an extension point `E` the agent runs
 * `<agent dir>/extensions/bash/E.sh` (executable, no shell wrapper) with every value as an
 * environment variable `STRATOS_<KEY>`, one at a time, in the order asked.
 *
 * Differences from Stratos (§8.11): each run gets its own environment (nothing leaks between
 * runs); values are strings; failure is a non-zero exit status or the timeout, not output on
 * stderr (stderr is logged as a warning); a script running longer than `extension.timeout` is
 * killed with its process group. The end of a script is its exit: servers it starts in the
 * background may keep its output open, that does not make it hang. stdout and stderr go to the
 * agent log; a failure is logged and never stops the agent.
 */
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Logger } from 'pino';

/** Names of the extension points (cartridge-agent.md §4.2). */
export type ExtensionName =
  | 'CreateLVSDummyInterface'
  | 'CompleteTopologyEvent'
  | 'MemberInitializedEvent'
  | 'InstanceStartedEvent'
  | 'StartServers'
  | 'InstanceActivatedEvent'
  | 'ArtifactUpdatedEvent'
  | 'VolumeMount'
  | 'clean'
  | 'MemberStartedEvent'
  | 'MemberActivatedEvent'
  | 'MemberSuspendedEvent'
  | 'MemberTerminatedEvent'
  | 'CompleteTenantEvent'
  | 'DomainMappingAddedEvent'
  | 'DomainMappingRemovedEvent'
  | 'ApplicationSignUpRemovedEvent';

/** How a run ended. */
export type ExtensionOutcome = 'missing' | 'ok' | 'failed' | 'timeout';

/** node:child_process is loaded with the first script (less memory for a cartridge without any). */
const childProcess = (): typeof import('node:child_process') => createRequire(import.meta.url)('node:child_process');

/** Keeps output of a script to at most this many characters per stream in the log. */
const MAX_OUTPUT = 64 * 1024;

/** Runs extension scripts one after the other. */
export class ExtensionRunner {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly running = new Set<number>();

  constructor(
    private readonly dir: string,
    private readonly timeoutMs: number,
    private readonly log: Logger,
  ) {}

  /** Queues the run of `name` with `values` (keys without the `STRATOS_` prefix; undefined/null dropped). */
  run(name: ExtensionName, values: Record<string, string | number | boolean | null | undefined>): Promise<ExtensionOutcome> {
    const result = this.queue.then(() => this.execute(name, values));
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Kills the process groups of running scripts (at exit). */
  killAll(): void {
    for (const pid of this.running) killGroup(pid, 'SIGKILL');
  }

  private async execute(name: ExtensionName, values: Record<string, string | number | boolean | null | undefined>): Promise<ExtensionOutcome> {
    const script = join(this.dir, `${name}.sh`);
    try {
      accessSync(script, constants.F_OK);
    } catch {
      this.log.debug({ extension: name }, `No extension script for ${name}`);
      return 'missing';
    }
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('STRATOS_')) env[k] = v;
    for (const [k, v] of Object.entries(values)) if (v !== undefined && v !== null) env[`STRATOS_${k}`] = String(v);
    env.STRATOS_EVENT = name;
    const started = Date.now();
    return new Promise<ExtensionOutcome>((resolve) => {
      let stdout = '';
      let stderr = '';
      let timedOut = false;
      const child = childProcess().spawn(script, [], { cwd: this.dir, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      child.stdout.on('data', (d: Buffer) => {
        if (stdout.length < MAX_OUTPUT) stdout += d.toString('utf8');
      });
      child.stderr.on('data', (d: Buffer) => {
        if (stderr.length < MAX_OUTPUT) stderr += d.toString('utf8');
      });
      const pid = child.pid;
      if (pid !== undefined) this.running.add(pid);
      const timer = setTimeout(() => {
        timedOut = true;
        if (pid !== undefined) killGroup(pid, 'SIGKILL');
      }, this.timeoutMs);
      const finish = (outcome: ExtensionOutcome, extra: Record<string, unknown>) => {
        clearTimeout(timer);
        if (pid !== undefined) this.running.delete(pid);
        // output still open (a background server keeps the pipes): stop reading it
        setImmediate(() => {
          child.stdout.destroy();
          child.stderr.destroy();
        });
        const fields = { extension: name, durationMs: Date.now() - started, ...extra };
        const out = stdout.trim();
        const err = stderr.trim();
        if (outcome === 'ok') {
          this.log.info({ ...fields, ...(out ? { output: out } : {}) }, `${name} extension executed`);
          if (err) this.log.warn({ ...fields, stderr: err }, `${name} extension wrote to stderr`);
        } else {
          this.log.error(
            { ...fields, ...(out ? { output: out } : {}), ...(err ? { stderr: err } : {}) },
            outcome === 'timeout'
              ? `Extension ${name} timed out after ${this.timeoutMs / 1000} s and was killed`
              : `Extension execution failed for script ${name}`,
          );
        }
        resolve(outcome);
      };
      child.once('error', (e) => finish('failed', { err: (e as NodeJS.ErrnoException).code ?? e.message }));
      child.once('exit', (code, signal) => {
        // let the pipes deliver what the script wrote before it exited
        setImmediate(() => {
          if (timedOut) finish('timeout', { signal });
          else if (code === 0) finish('ok', {});
          else finish('failed', { exitCode: code, signal });
        });
      });
    });
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    /* gone already */
  }
}
