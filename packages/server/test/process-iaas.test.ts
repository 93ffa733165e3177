/**
 * The process IaaS driver on its own, with real processes: the files a member gets, its ports,
 * termination of its whole process group with the grace period, adoption that is not fooled by a
 * reused pid, exit of an adopted process seen by polling, an agent that is not there, and the
 * settings.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { contractRequest, waitFor } from '@strato/testing';
import type { InstanceRequest } from '../src/cloud/iaas-driver.ts';
import { withMemberPorts } from '../src/cloud/launch-payload.ts';
import { parseAgentsByType } from '../src/cloud/drivers/process/agent-spec.ts';
import { readRecord, writeRecord, type InstanceRecord } from '../src/cloud/drivers/process/member-files.ts';
import { bootId, groupMembers, identify, procStat } from '../src/cloud/drivers/process/proc.ts';
import type { ProcessIaas } from '../src/cloud/drivers/process/process-iaas.ts';
import { loadSettings } from '../src/settings.ts';
import { processDriver, running, testPortRange } from './process-iaas-kit.ts';

const dirs: string[] = [];
const drivers: ProcessIaas[] = [];

function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'strato-process-'));
  dirs.push(dir);
  return dir;
}

async function open(dir: string, options: Parameters<typeof processDriver>[1] = {}): Promise<ProcessIaas> {
  const driver = processDriver(dir, options);
  await driver.start();
  drivers.push(driver);
  return driver;
}

after(async () => {
  for (const d of drivers) {
    for (const i of await d.listInstances()) await d.terminateInstance(i.memberId).catch(() => undefined);
    await d.stop();
  }
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A php member with the two ports of Stratos's mock php cartridge, and credentials in its payload. */
function phpRequest(memberId: string): InstanceRequest {
  const r = contractRequest(memberId);
  return {
    ...r,
    ports: [
      { name: 'http-80', protocol: 'http', port: 8080, proxyPort: 8280 },
      { name: 'http-22', protocol: 'tcp', port: 22, proxyPort: 8222 },
    ],
    payload: `${r.payload.replace('PORTS=8080', 'PORTS=8080|22,PORT_MAPPINGS=NAME:http-80|PROTOCOL:http|PORT:8080|PROXY_PORT:8280|TYPE:;NAME:http-22|PROTOCOL:tcp|PORT:22|PROXY_PORT:8222|TYPE:')},mb.username=${memberId},mb.password=secret-${memberId}`,
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

function confOf(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) out[line.slice(0, at)] = line.slice(at + 1);
  }
  return out;
}

describe('process IaaS: a member', () => {
  it('gets its own folder with agent.conf and launch-params, and ports of the range that it really listens on, side by side with another member', async () => {
    const dir = freshDir();
    const driver = await open(dir, { mbUrls: ['mqtt://strato:pw@127.0.0.1:1885', 'mqtt://10.0.0.2:1884'], thriftReceiverUrls: ['127.0.0.1:7711'] });
    const a = await driver.startInstance(phpRequest('m-a'));
    const b = await driver.startInstance(phpRequest('m-b'));
    const range = testPortRange();
    const portsOf = (info: typeof a) => info.ports!.map((p) => p.port);
    for (const info of [a, b]) {
      assert.equal(info.ports!.length, 2, 'as many ports as the cartridge has port mappings');
      for (const port of portsOf(info)) assert.ok(port >= range.from && port <= range.to, `${port} in ${range.from}-${range.to}`);
      assert.deepEqual(
        info.ports!.map((p) => [p.name, p.protocol, p.proxyPort]),
        [
          ['http-80', 'http', 8280],
          ['http-22', 'tcp', 8222],
        ],
        'names, protocols and proxy ports of the cartridge',
      );
      assert.equal(info.defaultPrivateIP, '127.0.0.1');
    }
    assert.equal(new Set([...portsOf(a), ...portsOf(b)]).size, 4, 'no port shared');
    for (const port of [...portsOf(a), ...portsOf(b)]) await waitFor(`member listens on ${port}`, () => accepts(port), { timeoutMs: 10_000, everyMs: 20 });

    const member = driver.memberDir('m-a');
    assert.ok(member.startsWith(join(dir, 'members')), 'under the driver folder');
    const params = readFileSync(join(member, 'payload', 'launch-params'), 'utf8');
    assert.ok(params.includes(`PORTS=${portsOf(a).join('|')},`), `PORTS are the ports it got: ${params}`);
    assert.ok(
      params.includes(
        `PORT_MAPPINGS=NAME:http-80|PROTOCOL:http|PORT:${portsOf(a)[0]}|PROXY_PORT:8280|TYPE:;NAME:http-22|PROTOCOL:tcp|PORT:${portsOf(a)[1]}|PROXY_PORT:8222|TYPE:,`,
      ),
    );
    assert.ok(params.startsWith('APPLICATION_ID=contract,SERVICE_NAME=php,'), 'the rest of the payload as it was, in order');
    assert.ok(params.endsWith(',mb.username=m-a,mb.password=secret-m-a'));
    const conf = confOf(join(member, 'agent.conf'));
    assert.equal(readFileSync(join(member, 'agent.conf'), 'utf8').split('\n')[0], '[agent]');
    assert.equal(conf['mb.urls'], '127.0.0.1:1885,10.0.0.2:1884', "the server's brokers as host:port, without the server's password");
    assert.equal(conf['mb.username'], undefined, "the member's own credentials come from the payload");
    assert.equal(conf['listen.address'], '127.0.0.1');
    assert.equal(conf['thrift.receiver.urls'], '127.0.0.1:7711');
    assert.equal(conf['thrift.server.admin.username'], 'm-a');
    assert.equal(conf.APPLICATION_PATH, join(member, 'app'));
    assert.equal(conf['enable.artifact.update'], 'true', 'the periodic artifact update runs (STRATO_PROCESS_ARTIFACT_UPDATE)');
    assert.equal(conf['auto.checkout'], 'true', 'and pulls what was pushed');
    assert.ok(existsSync(join(member, 'app')));
    for (const key of [
      'mb.publisher.timeout',
      'port.check.timeout',
      'cep.stats.publisher.enabled',
      'stats.notifier.interval',
      'enable.artifact.update',
      'artifact.update.interval',
    ]) {
      assert.ok(conf[key] !== undefined && conf[key] !== '', `agent.conf has ${key}`);
    }
    assert.equal(statSync(join(member, 'payload', 'launch-params')).mode & 0o077, 0, 'launch-params is readable by its owner only (it holds a password)');
    assert.equal(statSync(member).mode & 0o077, 0, 'so is the folder');
    const record = readRecord(member)!;
    assert.equal(record.process.startTime, identify(record.process.pid)!.startTime, 'the record has the start time of the process');
    assert.deepEqual(record.info, a);
    // the member's environment has none of the server's settings
    const environ = readFileSync(`/proc/${record.process.pid}/environ`, 'utf8').split('\0');
    assert.ok(environ.includes('STRATO_MEMBER_ID=m-a'));
    assert.deepEqual(
      environ.filter((e) => e.startsWith('STRATO_') && !/^STRATO_(MEMBER_ID|MEMBER_INSTANCE|MEMBER_DIR|AGENT_CONF|LAUNCH_PARAMS|PORTS)=/.test(e)),
      [],
    );
  });

  it("gets its cartridge's image (the imageId folder of its process entry) copied in before its agent starts; a missing image is refused", async () => {
    const dir = freshDir();
    const image = join(dir, 'image');
    mkdirSync(join(image, 'extensions', 'bash'), { recursive: true });
    writeFileSync(join(image, 'extensions', 'bash', 'StartServers.sh'), '#!/bin/sh\n', { mode: 0o755 });
    writeFileSync(join(image, 'serve.txt'), 'served');
    // the agent looks for the image's file as it starts
    const driver = await open(dir, { env: { STRATO_PROCESS_AGENT: 'command:cat serve.txt; exec sleep 300' } });
    await driver.startInstance({ ...phpRequest('imaged'), iaas: { imageId: image, properties: {} } });
    const member = driver.memberDir('imaged');
    assert.equal(statSync(join(member, 'extensions', 'bash', 'StartServers.sh')).mode & 0o111, 0o111, 'executable as in the image');
    await waitFor('the agent read the image file', () => readFileSync(join(member, 'stdout.log'), 'utf8') === 'served', { timeoutMs: 5000, everyMs: 10 });
    await assert.rejects(
      driver.startInstance({ ...phpRequest('no-image'), iaas: { imageId: 'no/such/image', properties: {} } }),
      /cartridge image "no\/such\/image" .* is not a folder/,
    );
    assert.equal(existsSync(driver.memberDir('no-image')), false);
  });

  it('is terminated with its whole process group: SIGTERM, the grace period, SIGKILL; its folder removed', async () => {
    const dir = freshDir();
    // an agent that ignores SIGTERM and has a child of its own (an extension script, a server)
    const driver = await open(dir, {
      env: {
        STRATO_PROCESS_AGENT: `command:trap '' TERM; sleep 300 & setsid sleep 301 & echo $! > server.pid; echo started > started; wait`,
        STRATO_PROCESS_TERMINATE_GRACE: '700',
      },
    });
    await driver.startInstance(phpRequest('stubborn'));
    const member = driver.memberDir('stubborn');
    await waitFor('the agent started its child', () => existsSync(join(member, 'started')), { timeoutMs: 5000, everyMs: 20 });
    const { pid } = readRecord(member)!.process;
    assert.equal(groupMembers(pid).length, 2, 'the agent and its child, in a group of their own');
    // a server in a session of its own (as strato's agent runs extension scripts): found by its environment
    const server = Number(readFileSync(join(member, 'server.pid'), 'utf8'));
    await waitFor('the server in its own session', () => procStat(server)?.pgrp === server, { timeoutMs: 5000, everyMs: 10 });
    const t0 = Date.now();
    await driver.terminateInstance('stubborn');
    const took = Date.now() - t0;
    assert.ok(took >= 650, `SIGKILL only after the grace period (${took} ms)`);
    assert.ok(took < 5000, `but then at once (${took} ms)`);
    assert.deepEqual(groupMembers(pid), [], 'no process of the group is left');
    assert.equal(running(server), false, 'nor the server in its own session');
    assert.equal(existsSync(member), false, 'the folder is removed');
    assert.deepEqual(await driver.listInstances(), []);
  });

  it('ends at SIGTERM without waiting for the grace period when it stops by itself', async () => {
    const driver = await open(freshDir(), { env: { STRATO_PROCESS_TERMINATE_GRACE: '10000' } });
    await driver.startInstance(phpRequest('quick'));
    const t0 = Date.now();
    await driver.terminateInstance('quick');
    assert.ok(Date.now() - t0 < 2000, `${Date.now() - t0} ms`);
  });
});

describe('process IaaS: adoption after a restart', () => {
  it('takes a recorded pid whose start time differs (a reused pid) for a process that is gone, and never signals it', async () => {
    const dir = freshDir();
    const member = join(dir, 'members', 'reused');
    mkdirSync(member, { recursive: true });
    const me = identify(process.pid)!;
    const record: InstanceRecord = {
      memberId: 'reused',
      cartridgeType: 'php',
      agent: 'strato',
      info: { instanceId: 'process-1', memberId: 'reused', memberPrivateIPs: [], memberPublicIPs: [] },
      ports: [],
      // this test's own pid, with another start time: the pid was reused by this process
      process: { pid: process.pid, startTime: String(Number(me.startTime) - 1), bootId: bootId() },
      startedAt: new Date().toISOString(),
    };
    writeRecord(member, record);
    const driver = processDriver(dir);
    assert.deepEqual(await driver.listInstances(), [], 'not listed before start');
    await driver.start();
    drivers.push(driver);
    assert.deepEqual(await driver.listInstances(), []);
    assert.equal(existsSync(member), false, 'its folder is removed');
    // (had the driver signalled the group, this test process would be dead)
    writeFileSync(join(dir, 'alive'), 'yes');
  });

  it('kills the processes of a member folder that has no record (a server killed between starting the process and recording it) and removes it', async () => {
    const dir = freshDir();
    const member = join(dir, 'members', 'unrecorded');
    mkdirSync(member, { recursive: true });
    writeFileSync(join(member, 'instance-id'), 'process-0123456789abcdef');
    const orphan = spawn('sleep', ['300'], { detached: true, stdio: 'ignore', env: { ...process.env, STRATO_MEMBER_INSTANCE: 'process-0123456789abcdef' } });
    orphan.unref();
    await waitFor('the orphan runs', () => running(orphan.pid!), { timeoutMs: 5000, everyMs: 10 });
    await open(dir);
    await waitFor('the orphan is killed', () => !running(orphan.pid!), { timeoutMs: 5000, everyMs: 10 });
    assert.equal(existsSync(member), false);
  });

  it('reports an adopted process that exits, by polling', async () => {
    const dir = freshDir();
    const first = await open(dir);
    await first.startInstance(phpRequest('adopted'));
    const { pid } = readRecord(first.memberDir('adopted'))!.process;
    await first.stop();
    const second = await open(dir, { env: { STRATO_PROCESS_POLL_INTERVAL: '100' } });
    assert.deepEqual(
      (await second.listInstances()).map((i) => i.memberId),
      ['adopted'],
    );
    const reports: string[] = [];
    second.watch((memberId, reason) => reports.push(`${memberId}: ${reason}`));
    const t0 = Date.now();
    process.kill(pid, 'SIGKILL');
    await waitFor('the report', () => reports.length > 0, { timeoutMs: 5000, everyMs: 10 });
    assert.ok(Date.now() - t0 < 1000, `within a few poll intervals (${Date.now() - t0} ms)`);
    assert.match(reports[0], /^adopted: the process ended/);
    assert.equal(running(pid), false);
    await second.terminateInstance('adopted');
    assert.equal(existsSync(second.memberDir('adopted')), false);
  });
});

describe('process IaaS: an agent that is not there', () => {
  it('refuses the start, naming what is missing, and leaves no folder', async () => {
    const dir = freshDir();
    const driver = await open(dir, { env: { STRATO_PROCESS_AGENT: `stratos:${join(dir, 'no-such-setup')}` } });
    await assert.rejects(driver.startInstance(phpRequest('m1')), /Stratos's agent is not available: .*no-such-setup\/agent\/agent.py is missing/);
    assert.equal(existsSync(driver.memberDir('m1')), false);
    assert.deepEqual(await driver.listInstances(), []);
  });

  it('a command that cannot run: refused, or reported gone at once', async () => {
    const driver = await open(freshDir(), { env: { STRATO_PROCESS_AGENT: 'command:exec /no/such/agent' } });
    const reports: string[] = [];
    driver.watch((memberId, reason) => reports.push(`${memberId}: ${reason}`));
    // the shell may still run when the driver looks (then its exit is reported), or be gone already (then the start fails)
    const refused = await driver.startInstance(phpRequest('m1')).then(
      () => false,
      () => true,
    );
    if (!refused) await waitFor('the exit is reported', () => reports.length === 1, { timeoutMs: 5000, everyMs: 10 });
    if (!refused) assert.deepEqual(reports, ['m1: the process exited with status 127']);
    assert.deepEqual(await driver.listInstances(), []);
  });
});

describe('the launch payload of a member with ports of its own', () => {
  it('has PORTS and PORT_MAPPINGS of the ports it got, in place, or appended when missing', () => {
    const ports = [
      { name: 'http-80', protocol: 'http', port: 15001, proxyPort: 8280 },
      { name: 'ssh', protocol: 'tcp', port: 15002, proxyPort: 0 },
    ];
    assert.equal(
      withMemberPorts('A=1,PORTS=8080|22,PORT_MAPPINGS=x,B=2', ports),
      'A=1,PORTS=15001|15002,PORT_MAPPINGS=NAME:http-80|PROTOCOL:http|PORT:15001|PROXY_PORT:8280|TYPE:;NAME:ssh|PROTOCOL:tcp|PORT:15002|PROXY_PORT:0|TYPE:,B=2',
    );
    assert.equal(withMemberPorts('A=1', ports.slice(0, 1)), 'A=1,PORTS=15001,PORT_MAPPINGS=NAME:http-80|PROTOCOL:http|PORT:15001|PROXY_PORT:8280|TYPE:');
  });
});

describe('process IaaS settings', () => {
  it('reads the agent, the agent per cartridge type, the port range and the timings', () => {
    const s = loadSettings({
      STRATO_IAAS_PROVIDERS: 'mock=mock,local=process',
      STRATO_PROCESS_AGENT: 'stratos:/opt/pca',
      STRATO_PROCESS_AGENT_BY_TYPE: 'php=strato;tomcat=command:run-tomcat --port 1,2',
      STRATO_PROCESS_PORTS: '20000-20099',
      STRATO_PROCESS_TERMINATE_GRACE: '3000',
    });
    assert.deepEqual(s.iaasProviders, { mock: 'mock', local: 'process' });
    assert.deepEqual(s.process.agent, { kind: 'stratos', folder: '/opt/pca' });
    assert.deepEqual(s.process.agentByType, { php: { kind: 'strato' }, tomcat: { kind: 'command', command: 'run-tomcat --port 1,2' } });
    assert.deepEqual(s.process.ports, { from: 20000, to: 20099 });
    assert.equal(s.process.terminateGraceMs, 3000);
    assert.deepEqual(loadSettings({}).process.agent, { kind: 'strato' });
    assert.equal(loadSettings({}).process.portCheckTimeoutMs, 600_000, "Stratos's port.check.timeout");
    assert.deepEqual(parseAgentsByType('{"php":"command:x"}'), { php: { kind: 'command', command: 'x' } });
  });

  it('refuses bad values, naming the variable', () => {
    assert.throws(() => loadSettings({ STRATO_PROCESS_AGENT: 'python' }), /STRATO_PROCESS_AGENT=.*strato, stratos:<folder/);
    assert.throws(() => loadSettings({ STRATO_PROCESS_AGENT_BY_TYPE: 'php' }), /STRATO_PROCESS_AGENT_BY_TYPE/);
    assert.throws(() => loadSettings({ STRATO_PROCESS_PORTS: '2000-1000' }), /STRATO_PROCESS_PORTS/);
    assert.throws(() => loadSettings({ STRATO_PROCESS_TERMINATE_GRACE: 'soon' }), /STRATO_PROCESS_TERMINATE_GRACE/);
    assert.throws(() => loadSettings({ STRATO_PROCESS_AGENT_LOG_LEVEL: 'LOUD' }), /STRATO_PROCESS_AGENT_LOG_LEVEL/);
  });
});
