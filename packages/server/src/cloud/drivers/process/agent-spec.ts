/**
 * Which agent a process member runs, and how it is started (STRATO_PROCESS_AGENT,
 * STRATO_PROCESS_AGENT_BY_TYPE):
 * - `strato`: strato's own agent, `packages/agent` of this repository (its `strato-agent` bin,
 *   through tsx when it is TypeScript), in the member's folder;
 * - `stratos:<folder>`: Stratos's Python agent as `../shared/stratos-agent/setup.sh <folder>` made
 *   it: a copy of `<folder>/agent` per member (the agent finds agent.conf and payload/ beside its
 *   agent.py), run by `<folder>/venv/bin/python`;
 * - `command:<shell command>`: anything else, run by `/bin/sh -c` in the member's folder.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type AgentSpec = { kind: 'strato' } | { kind: 'stratos'; folder: string } | { kind: 'command'; command: string };

/** Parses one agent spec; a bad one throws naming the setting. */
export function parseAgentSpec(raw: string, setting: string): AgentSpec {
  const text = raw.trim();
  if (text === 'strato') return { kind: 'strato' };
  if (text.startsWith('stratos:') && text.length > 'stratos:'.length) return { kind: 'stratos', folder: resolve(text.slice('stratos:'.length).trim()) };
  if (text.startsWith('command:') && text.slice('command:'.length).trim() !== '') return { kind: 'command', command: text.slice('command:'.length).trim() };
  throw new Error(`Setting ${setting}=${JSON.stringify(raw)} is invalid: expected strato, stratos:<folder made by setup.sh> or command:<shell command>`);
}

/** Parses STRATO_PROCESS_AGENT_BY_TYPE: `type=spec` pairs separated by `;`, or a JSON object. */
export function parseAgentsByType(raw: string): Record<string, AgentSpec> {
  const setting = 'STRATO_PROCESS_AGENT_BY_TYPE';
  const out: Record<string, AgentSpec> = {};
  const text = raw.trim();
  if (text === '') return out;
  let pairs: [string, unknown][];
  if (text.startsWith('{')) {
    try {
      pairs = Object.entries(JSON.parse(text) as Record<string, unknown>);
    } catch (e) {
      throw new Error(`Setting ${setting} is not a valid JSON object: ${(e as Error).message}`);
    }
  } else {
    pairs = text
      .split(';')
      .map((p) => p.trim())
      .filter(Boolean)
      .map((p) => {
        const at = p.indexOf('=');
        return at > 0 ? [p.slice(0, at).trim(), p.slice(at + 1)] : [p, undefined];
      });
  }
  for (const [type, spec] of pairs) {
    if (!type || typeof spec !== 'string')
      throw new Error(`Setting ${setting} has ${JSON.stringify(type)}: expected type=agent (strato, stratos:<folder> or command:<shell command>)`);
    out[type] = parseAgentSpec(spec, `${setting} (cartridge type ${type})`);
  }
  return out;
}

/** How a member's agent process is started, and where its agent.conf and payload/ go. */
export interface AgentLaunch {
  command: string;
  args: string[];
  /** The folder holding `agent.conf` and `payload/launch-params`. */
  agentDir: string;
  /** Extra environment of the process. */
  env: Record<string, string>;
}

/**
 * The repository this server runs from: the nearest folder above this module (or above the
 * bundle it was built into: dist/, node_modules/.cache/...) holding `packages/agent/package.json`;
 * undefined when there is none.
 */
export function repositoryRoot(from = dirname(fileURLToPath(import.meta.url))): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'packages', 'agent', 'package.json'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/** The command of strato's own agent: its package's `strato-agent` bin; throws when the repository has none. */
export function stratoAgentCommand(root = repositoryRoot()): { command: string; args: string[] } {
  if (root === undefined)
    throw new Error("strato's agent is not available: no packages/agent/package.json above the server's files (STRATO_PROCESS_AGENT=strato)");
  const pkgFile = join(root, 'packages', 'agent', 'package.json');
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { bin?: string | Record<string, string> };
  const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin?.['strato-agent'];
  if (!bin) throw new Error(`strato's agent has no strato-agent bin in ${pkgFile}`);
  const entry = join(root, 'packages', 'agent', bin);
  if (!existsSync(entry)) throw new Error(`strato's agent is not available: ${entry} is missing`);
  // TypeScript sources run through tsx, found from here (the member's folder has no node_modules)
  const viaTsx = /\.(c|m)?ts$/.test(entry) ? ['--import', import.meta.resolve('tsx')] : [];
  return { command: process.execPath, args: [...viaTsx, entry] };
}

/** Checks that an agent spec can start members here (the files it needs exist); throws saying what is missing. */
export function checkAgent(spec: AgentSpec): void {
  if (spec.kind === 'strato') stratoAgentCommand();
  if (spec.kind === 'stratos') {
    for (const path of [join(spec.folder, 'agent', 'agent.py'), join(spec.folder, 'venv', 'bin', 'python')]) {
      if (!existsSync(path)) throw new Error(`Stratos's agent is not available: ${path} is missing (run ../shared/stratos-agent/setup.sh ${spec.folder})`);
    }
  }
}

/**
 * Prepares a member's folder for its agent (Stratos's: a copy of the agent template) and answers
 * how to start it. Throws when the agent is not available.
 */
export function prepareAgent(spec: AgentSpec, memberDir: string): AgentLaunch {
  checkAgent(spec);
  switch (spec.kind) {
    case 'strato': {
      const { command, args } = stratoAgentCommand();
      return { command, args, agentDir: memberDir, env: {} };
    }
    case 'stratos': {
      const agentDir = join(memberDir, 'agent');
      execFileSync('cp', ['-a', join(spec.folder, 'agent'), agentDir]);
      return { command: join(spec.folder, 'venv', 'bin', 'python'), args: [join(agentDir, 'agent.py')], agentDir, env: { PYTHONUNBUFFERED: '1' } };
    }
    case 'command':
      return { command: '/bin/sh', args: ['-c', spec.command], agentDir: memberDir, env: {} };
  }
}

/** The spec shown in logs and records. */
export function describeAgent(spec: AgentSpec): string {
  return spec.kind === 'strato' ? 'strato' : spec.kind === 'stratos' ? `stratos:${spec.folder}` : `command:${spec.command}`;
}
