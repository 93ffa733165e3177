/**
 * Helpers of the process IaaS tests: a driver on a temporary folder whose members run the test
 * agent (fixtures/process-agent.mjs) as real processes, a port range of their own, and the checks
 * the tests make on processes and folders.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pino, type Logger } from 'pino';
import { ProcessIaas, type ProcessIaasOptions } from '../src/cloud/drivers/process/process-iaas.ts';
import { loadProcessIaasSettings } from '../src/cloud/drivers/process/process-iaas-settings.ts';
import { procStat } from '../src/cloud/drivers/process/proc.ts';

/** The test agent, run by node. */
export const TEST_AGENT = fileURLToPath(new URL('./fixtures/process-agent.mjs', import.meta.url));

/** STRATO_PROCESS_AGENT of the test agent in a mode (`listen`: only the member's ports; `agent`: the whole conversation). */
export function testAgentSpec(mode: 'listen' | 'agent', serverDelayMs = 0): string {
  return `command:exec ${JSON.stringify(process.execPath)} ${JSON.stringify(TEST_AGENT)} ${mode} ${serverDelayMs}`;
}

/**
 * A port range of 200 ports for one test file, away from freePort's 20000-31999 and the
 * ephemeral range: 12000-19999 in windows of 200, picked by the process id (test files run in
 * processes of their own).
 */
export function testPortRange(): { from: number; to: number } {
  const from = 12_000 + (process.pid % 40) * 200;
  return { from, to: from + 199 };
}

/** A process IaaS driver on `dir` with the test agent (`listen` mode unless given). */
export function processDriver(dir: string, options: Partial<ProcessIaasOptions> & { env?: NodeJS.ProcessEnv; logger?: Logger } = {}): ProcessIaas {
  const settings = loadProcessIaasSettings({
    STRATO_PROCESS_AGENT: testAgentSpec('listen'),
    STRATO_PROCESS_TERMINATE_GRACE: '2000',
    STRATO_PROCESS_POLL_INTERVAL: '50',
    ...options.env,
  });
  return new ProcessIaas({
    ...settings,
    ports: testPortRange(),
    dir,
    mbUrls: ['mqtt://127.0.0.1:1'],
    mbPublisherTimeoutSeconds: 900,
    logger: options.logger ?? pino({ level: 'silent' }),
    ...options,
  });
}

/** Whether a process with this pid runs (not a zombie). */
export function running(pid: number): boolean {
  const stat = procStat(pid);
  return stat !== undefined && stat.state !== 'Z';
}

export { existsSync };
