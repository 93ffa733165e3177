/**
 * Helpers of the process IaaS tests: a driver on a temporary folder whose members run the
 * member's server of the tests (fixtures/member-server.mjs) as real processes, a port range of their own, and the checks
 * the tests make on processes and folders.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino, type Logger } from 'pino';
import { ProcessIaas, type ProcessIaasOptions } from '../src/cloud/drivers/process/process-iaas.ts';
import { loadProcessIaasSettings } from '../src/cloud/drivers/process/process-iaas-settings.ts';
import { procStat } from '../src/cloud/drivers/process/proc.ts';
import { TimerScheduler } from '../src/services/timer-scheduler.ts';

/** The member's server of the tests (fixtures/member-server.mjs), run by node. */
export const MEMBER_SERVER = fileURLToPath(new URL('./fixtures/member-server.mjs', import.meta.url));

/** STRATO_PROCESS_AGENT that runs the member's server as the member's process (the driver tests need no agent). */
export function memberServerSpec(delayMs = 0): string {
  return `command:exec ${JSON.stringify(process.execPath)} ${JSON.stringify(MEMBER_SERVER)} listen ${delayMs}`;
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

/** A process IaaS driver on `dir` whose members run the member server (unless the env says otherwise). */
export function processDriver(dir: string, options: Partial<ProcessIaasOptions> & { env?: NodeJS.ProcessEnv; logger?: Logger } = {}): ProcessIaas {
  const settings = loadProcessIaasSettings({
    STRATO_PROCESS_AGENT: memberServerSpec(),
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
    scheduler: new TimerScheduler(),
    ...options,
  });
}

/** Whether a process with this pid runs (not a zombie). */
export function running(pid: number): boolean {
  const stat = procStat(pid);
  return stat !== undefined && stat.state !== 'Z';
}

/**
 * Makes a cartridge image in `dir` (the folder a cartridge's process IaaS entry names as its
 * `imageId`): `extensions/bash/StartServers.sh` starts the member's server, which opens the
 * member's ports (STRATOS_PORTS) after `delayMs`.
 */
export function makeImage(dir: string, delayMs: number): string {
  mkdirSync(join(dir, 'extensions', 'bash'), { recursive: true });
  writeFileSync(
    join(dir, 'extensions', 'bash', 'StartServers.sh'),
    // STRATOS_PORTS: the member's ports, as every agent passes them to its extensions; the log beside the image's copy
    `#!/bin/sh\n# the member's server: listens on the member's PORTS after ${delayMs} ms\n${JSON.stringify(process.execPath)} ${JSON.stringify(MEMBER_SERVER)} listen ${delayMs} >> "$(dirname "$0")/../../server.log" 2>&1 &\n`,
    { mode: 0o755 },
  );
  return dir;
}

// biome-ignore lint/suspicious/noExplicitAny: REST answers are read as JSON
type Call = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }>;

/** The cartridge of the process tests: php-like, two port mappings, its image for provider `process`. */
export function processCartridge(type: string, image: string) {
  return {
    type,
    category: 'framework',
    provider: 'strato-tests',
    host: 'strato.local',
    displayName: type,
    description: 'A cartridge of the process IaaS tests',
    version: '1',
    multiTenant: false,
    portMapping: [
      { name: 'http-80', protocol: 'http', port: 8080, proxyPort: 8280 },
      { name: 'http-22', protocol: 'tcp', port: 22, proxyPort: 8222 },
    ],
    iaasProvider: [{ type: 'process', imageId: image }],
  };
}

const EXAMPLES = fileURLToPath(new URL('../../../examples/', import.meta.url));
const example = (path: string) => JSON.parse(readFileSync(join(EXAMPLES, path), 'utf8'));

/**
 * Registers `appId`: one cartridge `type` (see {@link processCartridge}) without a repository,
 * `min` members, on a network partition of provider `process`, with the examples' autoscaling
 * policy `moderate` (definitions that exist already are kept).
 */
export async function registerProcessApp(call: Call, appId: string, min: number, o: { type: string; image: string }): Promise<void> {
  const app = example('applications/hello-web.json');
  app.applicationId = appId;
  app.alias = appId;
  const cartridge = app.components.cartridges[0];
  cartridge.type = o.type;
  cartridge.cartridgeMin = min;
  cartridge.cartridgeMax = Math.max(min, 5);
  cartridge.subscribableInfo = { alias: 'my-proc', autoscalingPolicy: 'moderate', deploymentPolicy: 'dp-process' };
  const posts: [string, unknown][] = [
    ['/api/autoscalingPolicies', example('autoscaling-policies/moderate.json')],
    ['/api/cartridges', processCartridge(o.type, o.image)],
    ['/api/networkPartitions', { id: 'np-process', provider: 'process', partitions: [{ id: 'p-process', property: [{ name: 'region', value: 'local' }] }] }],
    [
      '/api/deploymentPolicies',
      { id: 'dp-process', networkPartitions: [{ id: 'np-process', partitionAlgo: 'one-after-another', partitions: [{ id: 'p-process', partitionMax: 10 }] }] },
    ],
    ['/api/applicationPolicies', { id: 'ap-process', algorithm: 'one-after-another', networkPartitions: ['np-process'] }],
    ['/api/applications', app],
  ];
  for (const [path, body] of posts) {
    const r = await call('POST', path, body);
    if (r.status !== 201 && r.status !== 409) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body)}`);
  }
}

/** The members of an application's first cluster instance, as its runtime view shows them, and the application's status. */
export async function processMembers(
  call: Call,
  appId: string,
): Promise<{
  status: string | undefined;
  members: Array<{ memberId: string; status: string; ports: { port: number; protocol: string; proxyPort: number }[] }>;
}> {
  const r = await call('GET', `/api/applications/${appId}/runtime`);
  const rt = r.status === 200 ? r.body : {};
  return { status: rt?.status, members: rt?.applicationInstances?.[0]?.clusterInstances?.[0]?.member ?? [] };
}
