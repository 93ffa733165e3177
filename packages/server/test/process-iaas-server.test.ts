/**
 * The process IaaS through a real strato server, with strato's own agent (packages/agent, the
 * default STRATO_PROCESS_AGENT) as each member's real process: a cartridge without a repository
 * (two port mappings) with two members side by side. Each member's
 * server is started by the `StartServers.sh` extension of the cartridge's image (its process IaaS
 * entry's `imageId`: fixtures/member-server.mjs, opening the member's ports 1.5 s later), and
 * its agent checks the ports (`port.check.interval` 100 ms) before it activates.
 *
 * - Active only after the ports accept connections: every time the test sees a member Active, its
 *   ports accept a connection at once; the member's ports are those of the range it got, different
 *   for the two members, and the launch-params it was given say so.
 * - kill -9 of a member's agent: the driver reports it at once (the fault timeout is 60 s here, so
 *   statistics could not be what noticed it), a replacement comes up, the application is Active
 *   again with two members; the killed member's processes (its server too) and folder are gone.
 * - undeploy: every member process gone, every member folder removed.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '@strato/testing';
import { readRecord } from '../src/cloud/drivers/process/member-files.ts';
import { repositoryRoot } from '../src/cloud/drivers/process/agent-spec.ts';
import { markedProcesses } from '../src/cloud/drivers/process/proc.ts';
import { INSTANCE_ENV } from '../src/cloud/drivers/process/process-iaas.ts';
import { FAST_ENV, startTestServer, type TestServer } from '@strato/testing/server';
import { makeImage, processMembers, registerProcessApp, running, testPortRange } from './process-iaas-kit.ts';

const APP = 'process-app';
const agentMissing = repositoryRoot() === undefined ? "strato's agent (packages/agent) is not in this repository" : false;

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

describe('process IaaS through a strato server, with strato-agent members', { skip: agentMissing }, () => {
  let server: TestServer;
  let processDir: string;
  const range = testPortRange();
  /** violations of "Active only after the ports accept connections", as seen by the polls */
  const activeWithoutPorts: string[] = [];

  const call = (method: string, path: string, body?: unknown) => server.call(method, path, body);
  const memberDirs = () => (existsSync(join(processDir, 'members')) ? readdirSync(join(processDir, 'members')) : []);
  const recordOf = (memberId: string) => readRecord(join(processDir, 'members', memberId));

  /** Polls until the application is Active with `count` Active members, checking every Active member's ports on the way. */
  async function activeWith(count: number, what: string) {
    const checked = new Set<string>();
    return waitFor(
      what,
      async () => {
        const view = await processMembers(call, APP);
        for (const m of view.members) {
          if (m.status !== 'Active' || checked.has(m.memberId)) continue;
          checked.add(m.memberId);
          for (const p of m.ports) if (!(await accepts(p.port))) activeWithoutPorts.push(`${m.memberId} Active while ${p.port} refuses connections`);
        }
        return view.status === 'Active' && view.members.length === count && view.members.every((m) => m.status === 'Active') ? view : undefined;
      },
      { timeoutMs: 60_000, everyMs: 50, describe: async () => JSON.stringify(await processMembers(call, APP)) },
    );
  }

  before(async () => {
    processDir = mkdtempSync(join(tmpdir(), 'strato-process-server-'));
    const image = makeImage(join(processDir, 'image'), 1500);
    server = await startTestServer(
      {},
      {
        ...FAST_ENV,
        STRATO_IAAS_PROVIDERS: 'mock=mock,process=process',
        STRATO_MEMBER_FAULT_TIMEOUT: '60000',
        STRATO_PROCESS_DIR: join(processDir, 'iaas'),
        STRATO_PROCESS_PORTS: `${range.from}-${range.to}`,
        STRATO_PROCESS_PORT_CHECK_INTERVAL: '100',
        STRATO_PROCESS_STATS_INTERVAL: '1',
        STRATO_PROCESS_TERMINATE_GRACE: '3000',
        STRATO_PROCESS_POLL_INTERVAL: '100',
      },
    );
    processDir = join(processDir, 'iaas');
    await registerProcessApp(call, APP, 2, { type: 'proc-php', image });
  });

  after(async () => {
    await server?.stop();
    // nothing may outlive the test: terminate what is left (a failed test), then remove the folders
    const { processDriver } = await import('./process-iaas-kit.ts');
    const cleaner = processDriver(processDir);
    for (const i of await cleaner.listInstances()) await cleaner.terminateInstance(i.memberId);
    rmSync(join(processDir, '..'), { recursive: true, force: true });
  });

  it('brings two members of one cartridge up side by side, each Active only once its ports accept connections', async () => {
    const r = await call('POST', `/api/applications/${APP}/deploy/ap-process`);
    assert.equal(r.status, 202, JSON.stringify(r.body));
    const view = await activeWith(2, `${APP} Active with two Active members`);
    assert.deepEqual(activeWithoutPorts, []);
    const ports = view.members.flatMap((m) => m.ports.map((p) => p.port));
    assert.equal(ports.length, 4, 'two ports per member (the cartridge has two port mappings)');
    assert.equal(new Set(ports).size, 4, 'no port shared');
    for (const port of ports) assert.ok(port >= range.from && port <= range.to, `${port} of the range`);
    for (const m of view.members) {
      assert.deepEqual(
        m.ports.map((p) => p.proxyPort),
        [8280, 8222],
        "the cartridge's proxy ports",
      );
      const record = recordOf(m.memberId)!;
      assert.ok(running(record.process.pid), 'its agent runs');
      assert.deepEqual(
        record.ports.map((p) => p.port),
        m.ports.map((p) => p.port),
        "the topology's ports are the ones the member got",
      );
      const params = readFileSync(join(processDir, 'members', m.memberId, 'payload', 'launch-params'), 'utf8');
      assert.ok(params.includes(`,PORTS=${m.ports.map((p) => p.port).join('|')},`), 'and its launch-params say so');
      assert.ok(params.includes(`MEMBER_ID=${m.memberId},`));
      const log = readFileSync(join(processDir, 'members', m.memberId, 'server.log'), 'utf8');
      assert.match(log, /listening on 127\.0\.0\.1:/, "its server was started by the image's StartServers.sh");
      assert.ok(existsSync(join(processDir, 'members', m.memberId, 'extensions', 'bash', 'StartServers.sh')), 'the image is copied into the member folder');
    }
    assert.deepEqual(memberDirs().sort(), view.members.map((m) => m.memberId).sort(), 'one folder per member, none other');
  });

  it('replaces a member whose agent is killed with SIGKILL at once, not after the fault timeout', async () => {
    const before = await processMembers(call, APP);
    const victim = before.members[0].memberId;
    const record = recordOf(victim)!;
    const marker = `${INSTANCE_ENV}=${record.info.instanceId}`;
    assert.ok(markedProcesses(marker).length >= 2, 'the agent and its server run');
    const t0 = Date.now();
    process.kill(record.process.pid, 'SIGKILL');
    await waitFor(
      'a replacement member',
      async () => (await processMembers(call, APP)).members.some((m) => !before.members.some((b) => b.memberId === m.memberId)),
      { timeoutMs: 20_000, everyMs: 20 },
    );
    const took = Date.now() - t0;
    assert.ok(took < 10_000, `the replacement was asked for ${took} ms after the kill (the fault timeout is 60 s)`);
    // the killed member is shown (as it was: Active) until its termination is recorded; its ports
    // are closed by then, so the "Active only with open ports" check starts once it has left
    await waitFor('the killed member out of the runtime view', async () => !(await processMembers(call, APP)).members.some((m) => m.memberId === victim), {
      timeoutMs: 20_000,
      everyMs: 20,
    });
    const view = await activeWith(2, `${APP} Active again with two members`);
    assert.ok(!view.members.some((m) => m.memberId === victim), 'the killed member is gone');
    assert.deepEqual(activeWithoutPorts, []);
    await waitFor('the killed member folder removed', () => !existsSync(join(processDir, 'members', victim)), { timeoutMs: 10_000, everyMs: 20 });
    assert.deepEqual(markedProcesses(marker), [], "none of the killed member's processes is left (its server neither)");
    assert.deepEqual(memberDirs().sort(), view.members.map((m) => m.memberId).sort());
  });

  it('undeploy: every member process ends, every member folder is removed', async () => {
    const view = await processMembers(call, APP);
    const markers = view.members.map((m) => `${INSTANCE_ENV}=${recordOf(m.memberId)!.info.instanceId}`);
    const r = await call('POST', `/api/applications/${APP}/undeploy`);
    assert.equal(r.status, 202, JSON.stringify(r.body));
    await waitFor(
      `${APP} undeployed`,
      async () => {
        const a = await call('GET', `/api/applications/${APP}`);
        return a.body?.status === 'Created' || a.body?.status === 'created';
      },
      { timeoutMs: 60_000, everyMs: 50, describe: async () => JSON.stringify((await call('GET', `/api/applications/${APP}`)).body) },
    );
    await waitFor('no member folder left', () => memberDirs().length === 0, { timeoutMs: 20_000, everyMs: 20, describe: () => memberDirs().join(', ') });
    for (const marker of markers) assert.deepEqual(markedProcesses(marker), [], `no process of ${marker}`);
  });
});
