/**
 * kill -9 of a strato server whose members are processes (the process IaaS, strato-agent members):
 * the server runs as a real child process (recovery-kit's crashable server) and is killed with
 * SIGKILL while two members are Active. The members' processes live on; the next server on the
 * same data dir adopts them: the same members, the same processes, Active, none started twice and
 * none left over. An adopted member's agent killed with SIGKILL (not a child of the new server:
 * seen by polling) is replaced; the undeploy leaves no process and no folder.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { waitFor } from '@strato/testing';
import { repositoryRoot } from '../src/cloud/drivers/process/agent-spec.ts';
import { readRecord } from '../src/cloud/drivers/process/member-files.ts';
import { procStat } from '../src/cloud/drivers/process/proc.ts';
import { makeImage, processDriver, processMembers, registerProcessApp, running, testPortRange } from './process-iaas-kit.ts';
import { callerOf, withCrashableServer, type Call } from './recovery-kit.ts';

const APP = 'process-crash-app';
const agentMissing = repositoryRoot() === undefined ? "strato's agent (packages/agent) is not in this repository" : false;

/** Every running process (no zombie) of a member folder under `membersDir`, by the instance id in its environment. */
function memberProcesses(membersDir: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let env: string[];
    try {
      env = readFileSync(`/proc/${name}/environ`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (!env.some((e) => e.startsWith(`STRATO_MEMBER_DIR=${membersDir}/`))) continue;
    const stat = procStat(Number(name));
    if (!stat || stat.state === 'Z') continue;
    const instance = env.find((e) => e.startsWith('STRATO_MEMBER_INSTANCE='))?.split('=')[1] ?? '(none)';
    out.set(instance, [...(out.get(instance) ?? []), Number(name)]);
  }
  return out;
}

describe('process IaaS: kill -9 of the server', { skip: agentMissing }, () => {
  const root = mkdtempSync(join(tmpdir(), 'strato-process-crash-'));
  const processDir = join(root, 'iaas');
  const membersDir = join(processDir, 'members');
  const image = makeImage(join(root, 'image'), 300);
  const range = testPortRange();

  after(async () => {
    const cleaner = processDriver(processDir);
    for (const i of await cleaner.listInstances()) await cleaner.terminateInstance(i.memberId);
    rmSync(root, { recursive: true, force: true });
  });

  it('members outlive the server and are adopted by the next one: none doubled, none leaked; an adopted one that dies is replaced', async () => {
    await withCrashableServer(
      {
        env: {
          STRATO_IAAS_PROVIDERS: 'mock=mock,process=process',
          STRATO_MEMBER_FAULT_TIMEOUT: '60000',
          STRATO_PROCESS_DIR: processDir,
          STRATO_PROCESS_PORTS: `${range.from}-${range.to}`,
          STRATO_PROCESS_PORT_CHECK_INTERVAL: '100',
          STRATO_PROCESS_STATS_INTERVAL: '1',
          STRATO_PROCESS_TERMINATE_GRACE: '3000',
          STRATO_PROCESS_POLL_INTERVAL: '100',
        },
      },
      async (server) => {
        const call: Call = callerOf(server.url);
        const activeWith = (count: number, what: string) =>
          waitFor(
            what,
            async () => {
              const view = await processMembers(call, APP);
              return view.status === 'Active' && view.members.length === count && view.members.every((m) => m.status === 'Active') ? view : undefined;
            },
            { timeoutMs: 60_000, everyMs: 50, describe: async () => JSON.stringify(await processMembers(call, APP).catch((e) => String(e))) },
          );
        /** The members' folders and processes are exactly those of `ids`: one agent and one server each. */
        const exactly = (ids: string[], moment: string) => {
          assert.deepEqual(readdirSync(membersDir).sort(), [...ids].sort(), `${moment}: one folder per member, none other`);
          const instances = ids.map((id) => readRecord(join(membersDir, id))!.info.instanceId).sort();
          const procs = memberProcesses(membersDir);
          assert.deepEqual([...procs.keys()].sort(), instances, `${moment}: processes of the members' instances only`);
          for (const [instance, pids] of procs) assert.equal(pids.length, 2, `${moment}: ${instance} runs its agent and its server once (${pids.join(', ')})`);
        };

        await registerProcessApp(call, APP, 2, { type: 'proc-php', image });
        const r = await call('POST', `/api/applications/${APP}/deploy/ap-process`);
        assert.equal(r.status, 202, JSON.stringify(r.body));
        const first = await activeWith(2, `${APP} Active with two members`);
        const ids = first.members.map((m) => m.memberId).sort();
        const pids = ids.map((id) => readRecord(join(membersDir, id))!.process.pid);
        exactly(ids, 'before the kill');

        await server.kill();
        for (const pid of pids) assert.ok(running(pid), `member process ${pid} outlives the server`);
        exactly(ids, 'while no server runs');

        await server.start();
        const adopted = await activeWith(2, `${APP} Active again after the restart`);
        assert.deepEqual(adopted.members.map((m) => m.memberId).sort(), ids, 'the same members: adopted, not replaced');
        assert.deepEqual(
          ids.map((id) => readRecord(join(membersDir, id))!.process.pid),
          pids,
          'the same processes',
        );
        // a while later still nothing doubled (a start asked again would show now)
        await new Promise((resolve) => setTimeout(resolve, 1000));
        assert.deepEqual((await processMembers(call, APP)).members.map((m) => m.memberId).sort(), ids);
        exactly(ids, 'after the restart');

        // an adopted member's agent (not a child of this server) killed: seen by polling, replaced
        const victim = ids[0];
        const t0 = Date.now();
        process.kill(pids[0], 'SIGKILL');
        const replaced = await waitFor(
          'the replacement Active',
          async () => {
            const view = await processMembers(call, APP);
            return view.status === 'Active' &&
              view.members.length === 2 &&
              view.members.every((m) => m.status === 'Active') &&
              !view.members.some((m) => m.memberId === victim)
              ? view
              : undefined;
          },
          { timeoutMs: 30_000, everyMs: 50 },
        );
        const took = Date.now() - t0;
        assert.ok(took < 15_000, `replaced ${took} ms after the kill (the fault timeout is 60 s)`);
        await waitFor('the victim folder removed', () => !existsSync(join(membersDir, victim)), { timeoutMs: 10_000, everyMs: 20 });
        exactly(
          replaced.members.map((m) => m.memberId),
          'after the replacement',
        );

        const u = await call('POST', `/api/applications/${APP}/undeploy`);
        assert.equal(u.status, 202, JSON.stringify(u.body));
        await waitFor('no member folder left', () => readdirSync(membersDir).length === 0, { timeoutMs: 60_000, everyMs: 50 });
        assert.deepEqual([...memberProcesses(membersDir).keys()], [], 'no member process left');
      },
    );
  });
});
