/**
 * Stratos's own Python cartridge agent (4.1.6, ported by ../shared/stratos-agent/setup.sh) as the
 * process of a member of the process IaaS, chosen for the cartridge type with one setting
 * (STRATO_PROCESS_AGENT_BY_TYPE=pca-php=stratos:<folder>): the driver copies the agent per member,
 * writes its agent.conf and payload/launch-params, and the unchanged agent takes its member through
 * a real strato server to Active (after its port check: the member's server is started by the
 * StartServers.sh of the cartridge's image, copied over the agent's own). The undeploy ends its
 * processes and removes its folder. Skipped when the agent cannot be set up here, and while the
 * server's CompleteTopologyEvent lacks the `kubernetesServices` the agent's parser requires (branch
 * `compat` adds it).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '@strato/testing';
import { readRecord } from '../src/cloud/drivers/process/member-files.ts';
import { groupMembers } from '../src/cloud/drivers/process/proc.ts';
import { SHARED } from '@strato/testing';
import { FAST_ENV, startTestServer, type TestServer } from '@strato/testing/server';
import { makeImage, processDriver, processMembers, registerProcessApp, testPortRange } from './process-iaas-kit.ts';

const APP = 'pca-app';
const SETUP = join(SHARED, 'stratos-agent', 'setup.sh');
const PCA = join(tmpdir(), 'stratos-agent');

/** Sets the agent up (idempotent, locked); the reason to skip when it cannot be. */
function setUpAgent(): string | false {
  if (!existsSync(SETUP)) return `Stratos's Python cartridge agent not available (${SETUP} missing)`;
  try {
    execFileSync(SETUP, [PCA], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
    return false;
  } catch (e) {
    const out = `${(e as { stdout?: Buffer }).stdout ?? ''}${(e as { stderr?: Buffer }).stderr ?? ''}`.trim().split('\n');
    return `Stratos's Python cartridge agent could not be set up: ${out.at(-1) ?? (e as Error).message}`;
  }
}

/** The server's complete topology has what the agent's parser requires (branch `compat`). */
const TOPOLOGY_VIEW = fileURLToPath(new URL('../src/runtime/topology-view.ts', import.meta.url));
const skip = readFileSync(TOPOLOGY_VIEW, 'utf8').includes('kubernetesServices')
  ? setUpAgent()
  : "the server's CompleteTopologyEvent has no kubernetesServices, which Stratos's agent requires (branch compat adds it)";

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

describe("process IaaS with Stratos's Python agent", { skip }, () => {
  let server: TestServer;
  const root = mkdtempSync(join(tmpdir(), 'strato-process-pca-'));
  const processDir = join(root, 'iaas');
  const membersDir = join(processDir, 'members');
  const call = (method: string, path: string, body?: unknown) => server.call(method, path, body);

  before(async () => {
    const image = makeImage(join(root, 'image'), 0);
    // a port nothing listens on: the agent logs "CEP server is not active" and carries on
    const closed = testPortRange().to;
    server = await startTestServer(
      {},
      {
        ...FAST_ENV,
        STRATO_IAAS_PROVIDERS: 'mock=mock,process=process',
        // the Python agent sends its statistics over Thrift only; this branch has no receiver
        STRATO_MEMBER_FAULT_TIMEOUT: '600000',
        // Stratos's period: the agent runs StartServers only while its topology still shows the member
        // Initialized, and a complete topology taken in during its 5 s publish wait would show Starting
        STRATO_COMPLETE_TOPOLOGY_INTERVAL: '60000',
        STRATO_PROCESS_AGENT: 'command:exit 1',
        STRATO_PROCESS_AGENT_BY_TYPE: `pca-php=stratos:${PCA}`,
        STRATO_PROCESS_DIR: processDir,
        STRATO_PROCESS_PORTS: `${testPortRange().from}-${closed - 1}`,
        STRATO_PROCESS_THRIFT_RECEIVER_URLS: `127.0.0.1:${closed}`,
        STRATO_PROCESS_PORT_CHECK_TIMEOUT: '60000',
        STRATO_PROCESS_TERMINATE_GRACE: '5000',
        STRATO_PROCESS_POLL_INTERVAL: '100',
        STRATO_MB_PUBLISHER_TIMEOUT: '30',
      },
    );
    await registerProcessApp(call, APP, 1, { type: 'pca-php', image });
  });

  after(async () => {
    await server?.stop();
    const cleaner = processDriver(processDir);
    for (const i of await cleaner.listInstances()) await cleaner.terminateInstance(i.memberId);
    rmSync(root, { recursive: true, force: true });
  });

  it('takes a member to Active with the unchanged agent, which reads what the driver wrote', async () => {
    const r = await call('POST', `/api/applications/${APP}/deploy/ap-process`);
    assert.equal(r.status, 202, JSON.stringify(r.body));
    const view = await waitFor(
      `${APP} Active`,
      async () => {
        const v = await processMembers(call, APP);
        return v.status === 'Active' && v.members.length === 1 && v.members[0].status === 'Active' ? v : undefined;
      },
      {
        timeoutMs: 60_000,
        everyMs: 100,
        describe: () => {
          const dirs = existsSync(membersDir) ? readdirSync(membersDir) : [];
          return dirs
            .map(
              (d) =>
                `${d}: ${readFileSync(join(membersDir, d, 'agent.log'), 'utf8')
                  .split('\n')
                  .filter((l) => /\] (INFO|WARNING|ERROR)/.test(l))
                  .slice(-30)
                  .join('\n')}`,
            )
            .join('\n');
        },
      },
    );
    const member = view.members[0];
    const dir = join(membersDir, member.memberId);
    assert.ok(existsSync(join(dir, 'agent', 'agent.py')), 'a copy of the agent in the member folder');
    assert.ok(
      existsSync(join(dir, 'agent', 'agent.conf')) && existsSync(join(dir, 'agent', 'payload', 'launch-params')),
      'its agent.conf and launch-params beside agent.py',
    );
    const log = readFileSync(join(dir, 'agent.log'), 'utf8');
    assert.match(log, /InstanceActivatedEvent/, "the agent's own log says it activated");
    for (const p of member.ports) assert.ok(await accepts(p.port), `port ${p.port} accepts connections`);
    const record = readRecord(dir)!;
    assert.equal(record.agent, `stratos:${PCA}`);
    assert.ok(groupMembers(record.process.pid).length >= 1);
  });

  it('undeploy: the agent and its server end, the folder is removed', async () => {
    const view = await processMembers(call, APP);
    const record = readRecord(join(membersDir, view.members[0].memberId))!;
    const r = await call('POST', `/api/applications/${APP}/undeploy`);
    assert.equal(r.status, 202, JSON.stringify(r.body));
    await waitFor('no member folder left', () => readdirSync(membersDir).length === 0, { timeoutMs: 90_000, everyMs: 100 });
    assert.deepEqual(groupMembers(record.process.pid), [], 'no process of its group is left');
  });
});
