/**
 * Stratos's own Python cartridge agent in tests (../shared/stratos-agent/README.md): get it (its
 * `setup.sh` ports it to Python 3 into a folder under the system's temp dir, idempotent and
 * locked, so every test file may call it) or say why not, and run one agent as a member in a
 * temporary folder of its own. No code of the agent is ever copied into the repository: the member
 * folder is a copy of the ported template made at test time, and removed afterwards.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The ported agent, ready to run. */
export interface StratosAgent {
  /** the folder given to setup.sh */
  dest: string;
  /** the template folder (`agent/`) to copy per member */
  agentDir: string;
  /** the venv's python (Debian's python3 with the agent's packages) */
  python: string;
}

/** `../shared/stratos-agent` beside the repository (a worktree's `../shared` first, then /work/shared). */
export function stratosAgentSource(): string | undefined {
  const repo = fileURLToPath(new URL('../../../', import.meta.url));
  for (const shared of [join(repo, '..', 'shared'), '/work/shared']) {
    const dir = join(shared, 'stratos-agent');
    if (existsSync(join(dir, 'setup.sh'))) return dir;
  }
  return undefined;
}

let prepared: Promise<StratosAgent | string> | undefined;

/**
 * Sets the agent up (once per process) and returns it, or the reason it is not available: the
 * source folder is missing, or setup.sh failed (its last line of output).
 */
export function stratosAgent(): Promise<StratosAgent | string> {
  prepared ??= prepare();
  return prepared;
}

async function prepare(): Promise<StratosAgent | string> {
  const source = stratosAgentSource();
  if (!source) return "skipped: Stratos's Python cartridge agent not available (../shared/stratos-agent missing)";
  // STRATO_STRATOS_AGENT_DIR: where CI set it up (.ci/run); else a folder under the temp dir
  const dest = process.env.STRATO_STRATOS_AGENT_DIR || join(tmpdir(), 'stratos-agent');
  const result = await new Promise<{ code: number; output: string }>((resolve) => {
    execFile(join(source, 'setup.sh'), [dest], { timeout: 600_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
  if (result.code !== 0) {
    const last = result.output.trim().split('\n').pop() ?? '';
    return `skipped: Stratos's Python cartridge agent could not be set up (setup.sh exit ${result.code}): ${last}`;
  }
  return { dest, agentDir: join(dest, 'agent'), python: join(dest, 'venv', 'bin', 'python') };
}

/** The agent, or undefined after skipping the test `t` with the reason. */
export async function stratosAgentOrSkip(t: { skip(message?: string): void }): Promise<StratosAgent | undefined> {
  const agent = await stratosAgent();
  if (typeof agent === 'string') {
    t.skip(agent);
    return undefined;
  }
  return agent;
}

/** What one member's agent gets. */
export interface AgentMemberOptions {
  /** `[agent]` keys of agent.conf, written in this order */
  conf: Record<string, string | number | boolean>;
  /** the launch payload, written as `payload/launch-params` as it is */
  launchParams: string;
  /** extension scripts to replace (`StartServers.sh`, `clean.sh`, ...): name → bash script text */
  extensions?: Record<string, string>;
  /** more environment for the agent process */
  env?: NodeJS.ProcessEnv;
}

/** One running agent. */
export interface AgentMember {
  /** the member folder (working directory: agent.log and error.log are here) */
  dir: string;
  child: ChildProcess;
  /** agent.log so far ('' before it exists) */
  log(): string;
  /** error.log so far */
  errorLog(): string;
  /** whether the process has exited */
  exited(): boolean;
  /** Kills the agent's process group (SIGTERM, then SIGKILL) and removes the folder (unless keep). */
  stop(opts?: { keep?: boolean }): Promise<void>;
}

/** The text of agent.conf for the given keys. */
export function agentConf(conf: AgentMemberOptions['conf']): string {
  return `[agent]\n${Object.entries(conf)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')}\n`;
}

/**
 * Starts one agent as a member: copies the template into a new temporary folder, writes its
 * agent.conf and payload/launch-params, and runs `agent.py` there in a process group of its own
 * (its extension scripts are its children).
 */
export function runAgentMember(agent: StratosAgent, o: AgentMemberOptions): AgentMember {
  const dir = mkdtempSync(join(tmpdir(), 'strato-agent-member-'));
  const copy = join(dir, 'agent');
  cpSync(agent.agentDir, copy, { recursive: true });
  writeFileSync(join(copy, 'agent.conf'), agentConf(o.conf));
  mkdirSync(join(copy, 'payload'), { recursive: true });
  writeFileSync(join(copy, 'payload', 'launch-params'), o.launchParams);
  for (const [name, text] of Object.entries(o.extensions ?? {})) {
    writeFileSync(join(copy, 'extensions', 'bash', name), text, { mode: 0o755 });
  }
  const child = spawn(agent.python, [join(copy, 'agent.py')], {
    cwd: dir,
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, PYTHONUNBUFFERED: '1', ...o.env },
  });
  let exited = false;
  const gone = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const read = (file: string) => {
    try {
      return readFileSync(join(dir, file), 'utf8');
    } catch {
      return '';
    }
  };
  const signal = (sig: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, sig);
    } catch {
      /* the group is gone */
    }
  };
  return {
    dir,
    child,
    log: () => read('agent.log'),
    errorLog: () => read('error.log'),
    exited: () => exited,
    async stop(opts = {}) {
      signal('SIGTERM');
      const killed = await Promise.race([gone.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 3000).unref())]);
      // the agent's children (extension scripts, servers they started) go with the group
      signal('SIGKILL');
      if (!killed) await gone;
      if (!opts.keep) rmSync(dir, { recursive: true, force: true });
    },
  };
}
