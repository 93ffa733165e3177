/**
 * strato on a real Mosquitto started with the documented configuration (config/mosquitto:
 * `allow_anonymous false`, a password file written with `mosquitto_passwd -b`, the ACL file as
 * shipped): anonymous clients and wrong passwords are refused; a member user added to the
 * password file goes through its life cycle; what it may not write (topology events) never
 * reaches anyone; what Mosquitto cannot check (another member's ReadyToShutdown on an agent topic)
 * is delivered and then ignored by the control plane's plausibility checks. The control plane's
 * credentials travel in STRATO_MB_URLS and never appear in the log.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import mqtt, { type MqttClient } from 'mqtt';
import { randomSecret } from '@strato/messaging';
import { samplesMissing, waitFor } from '@strato/testing';
import { EventRecorder, makeTlsFiles, type Mosquitto, startMosquitto } from '@strato/testing/messaging';
import {
  TestAgent,
  launchParamsOf,
  laterEvents,
  membersOf,
  registerAgentApp,
  registerSingleCartridgeApp,
  startLoggedServer,
  statusFields,
  type LoggedServer,
} from './broker-agent.ts';

const CONFIG = fileURLToPath(new URL('../../../config/mosquitto/', import.meta.url));

/** The documented mosquitto.conf, its listener left to the test and its files pointed at `dir`. */
function documentedConfig(passwd: string): string[] {
  return readFileSync(join(CONFIG, 'mosquitto.conf'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#') && !l.startsWith('listener '))
    .map((l) => (l.startsWith('password_file ') ? `password_file ${passwd}` : l.startsWith('acl_file ') ? `acl_file ${join(CONFIG, 'strato.acl')}` : l));
}

async function connackCode(url: string, options: mqtt.IClientOptions): Promise<number> {
  try {
    const c = await mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5_000, ...options });
    await c.endAsync(true);
    return 0;
  } catch (e) {
    return (e as { code?: number }).code ?? -1;
  }
}

describe('strato on Mosquitto with the documented password and ACL files', { skip: samplesMissing }, () => {
  const cp = { username: 'strato', password: randomSecret() };
  const viewer = { username: 'viewer', password: randomSecret() };
  let dir: string;
  let passwd: string;
  let mosquitto: Mosquitto;
  let server: LoggedServer;
  let recorder: EventRecorder;
  let agent: TestAgent;
  let target: string;
  const clients: MqttClient[] = [];
  const topologies = () => recorder.named('CompleteTopologyEvent').length;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strato-mosquitto-acl-'));
    passwd = join(dir, 'strato.passwd');
    execFileSync('mosquitto_passwd', ['-c', '-b', passwd, cp.username, cp.password]);
    execFileSync('mosquitto_passwd', ['-b', passwd, viewer.username, viewer.password]);
    // Mosquitto started as root reads its files as the user `mosquitto`
    chmodSync(dir, 0o755);
    chmodSync(passwd, 0o644);
    mosquitto = await startMosquitto(undefined, { config: documentedConfig(passwd) });
    server = await startLoggedServer({ STRATO_MB_URLS: `mqtt://${cp.username}:${cp.password}@127.0.0.1:${mosquitto.port}` });
    recorder = await EventRecorder.connect(mosquitto.url, cp);
    await registerSingleCartridgeApp(server.call);
    await registerAgentApp(server.call);
  });
  after(async () => {
    for (const c of clients) await c.endAsync(true);
    await agent?.close();
    await recorder?.close();
    await server?.stop();
    await mosquitto?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses anonymous clients and wrong passwords', async () => {
    assert.equal(await connackCode(mosquitto.url, {}), 5);
    assert.equal(await connackCode(mosquitto.url, { username: cp.username, password: 'made-up' }), 5);
    assert.equal(await connackCode(mosquitto.url, { username: 'someone', password: 'made-up' }), 5);
    assert.equal(await connackCode(mosquitto.url, viewer), 0);
    assert.deepEqual(server.mbUrls, [`mqtt://strato:***@127.0.0.1:${mosquitto.port}`]);
  });

  it('a member user added with mosquitto_passwd goes through its life cycle; the simulated members work through the control plane user', async () => {
    assert.equal((await server.call('POST', '/api/applications/single-cartridge-app/deploy/application-policy-1', '')).status, 202);
    assert.equal((await server.call('POST', '/api/applications/agent-app/deploy/ap-agent', '')).status, 202);
    target = (
      await waitFor('single-cartridge-app Active', async () => {
        const m = await membersOf(server.call, 'single-cartridge-app');
        return m.status === 'Active' && m.members.length === 1 ? m.members[0] : undefined;
      })
    ).memberId;
    const mine = await waitFor('agent-app member Initialized', async () => {
      const m = await membersOf(server.call, 'agent-app');
      return m.members[0]?.status === 'Initialized' ? m.members[0] : undefined;
    });
    const params = await launchParamsOf(server.call, mine.memberId);
    // provisioning the member on Mosquitto: its user and the password of its launch payload
    assert.equal(await connackCode(mosquitto.url, { username: params['mb.username'], password: params['mb.password'] }), 5);
    execFileSync('mosquitto_passwd', ['-b', passwd, params['mb.username'], params['mb.password']]);
    mosquitto.reload();
    await waitFor(
      'the member user known to Mosquitto',
      async () => (await connackCode(mosquitto.url, { username: params['mb.username'], password: params['mb.password'] })) === 0,
    );

    agent = await TestAgent.connect(mosquitto.url, params);
    await agent.publish('InstanceStartedEvent');
    await waitFor('Starting', async () => (await membersOf(server.call, 'agent-app')).members[0]?.status === 'Starting');
    await agent.publish('InstanceActivatedEvent');
    agent.startStats();
    await waitFor('agent-app Active', async () => (await membersOf(server.call, 'agent-app')).status === 'Active');
  });

  it('a member may not write topology events nor read beyond the agent topics; its forged ReadyToShutdown for another member is ignored by the control plane', async () => {
    const params = agent.params;
    const forger = await mqtt.connectAsync(mosquitto.url, {
      protocolVersion: 4,
      reconnectPeriod: 0,
      username: params['mb.username'],
      password: params['mb.password'],
    });
    clients.push(forger);
    // Mosquitto 2.0 grants a subscription to '#' but delivers only what the ACL lets the user read:
    // a control-plane client publishes a statistic (not readable), then a marker on tenant/ (readable)
    const received: string[] = [];
    forger.on('message', (topic) => received.push(topic));
    await forger.subscribeAsync('#', { qos: 1 });
    const cpClient = await mqtt.connectAsync(mosquitto.url, { protocolVersion: 4, reconnectPeriod: 0, ...cp });
    clients.push(cpClient);
    await cpClient.publishAsync('health/stat/MemberHealthStatEvent', JSON.stringify({ memberId: 'not-a-member', value: 1 }), { qos: 1 });
    await cpClient.publishAsync('tenant/StratoTestMarker', '{}', { qos: 1 });
    await waitFor('the marker', () => received.includes('tenant/StratoTestMarker'));
    assert.deepEqual(
      received.filter((t) => !/^(topology|instance|tenant|application\/signup|domain\/mapping)\//.test(t)),
      [],
      'only what an agent reads',
    );

    const targetFields = statusFields(await launchParamsOf(server.call, target));
    // not an agent topic: Mosquitto drops it. The member's own statistic, sent after it on the same
    // connection, shows that it would have arrived by then.
    await forger.publishAsync('topology/MemberTerminatedEvent', JSON.stringify({ ...targetFields, properties: {} }), { qos: 1 });
    const marker = { ...statusFields(params), healthDescription: 'load_average', value: 42, timestamp: Date.now() };
    await forger.publishAsync('health/stat/MemberHealthStatEvent', JSON.stringify(marker), { qos: 1 });
    await waitFor('the marker statistic', () => recorder.first('MemberHealthStatEvent', (p) => p.value === 42 && p.memberId === params.MEMBER_ID));
    assert.equal(recorder.named('MemberTerminatedEvent', (p) => p.memberId === target).length, 0);

    // an agent topic: Mosquitto cannot see whose event it is and delivers it; the control plane
    // knows the target was never asked to clean up
    await forger.publishAsync('instance/status/InstanceReadyToShutdownEvent', JSON.stringify(targetFields), { qos: 1 });
    await waitFor('the forged ReadyToShutdown reached the control plane and was ignored', () =>
      server.records.find((r) => r.msg === 'instance status event of a member never asked to clean up ignored' && r.memberId === target),
    );
    await laterEvents(topologies, 2, 'two complete topologies');
    assert.deepEqual(
      (await membersOf(server.call, 'single-cartridge-app')).members.map((m) => [m.memberId, m.status]),
      [[target, 'Active']],
    );
    for (const name of ['MemberReadyToShutdownEvent', 'MemberMaintenanceModeEvent', 'MemberTerminatedEvent']) {
      assert.equal(recorder.named(name, (p) => p.memberId === target).length, 0, name);
    }
  });

  it('on undeploy the member is asked to clean up, answers, and is terminated', async () => {
    const memberId = agent.params.MEMBER_ID;
    assert.equal((await server.call('POST', '/api/applications/agent-app/undeploy', '')).status, 202);
    await waitFor('the cleanup request reached the agent', () => agent.cleanups.length > 0);
    await waitFor('MemberTerminatedEvent', () => recorder.first('MemberTerminatedEvent', (p) => p.memberId === memberId));
    await waitFor('agent-app Created', async () => (await server.call('GET', '/api/applications/agent-app')).body.status === 'Created');
  });

  it('the passwords are not in the log', () => {
    const log = server.lines.join('\n');
    assert.ok(server.records.some((r) => r.msg === 'strato is ready'));
    for (const secret of [cp.password, agent.params['mb.password']]) assert.ok(!log.includes(secret));
    assert.ok(log.includes(`mqtt://strato:***@127.0.0.1:${mosquitto.port}`), 'the broker URL is logged masked');
  });
});

describe('strato on Mosquitto over TLS: mqtts:// in STRATO_MB_URLS with STRATO_MB_CA_FILE', { skip: samplesMissing }, () => {
  it('deploys an application over TLS with the documented access control; the password is not logged', async (t) => {
    const tls = makeTlsFiles();
    t.after(() => rmSync(tls.dir, { recursive: true, force: true }));
    const cp = { username: 'strato', password: randomSecret() };
    const passwd = join(tls.dir, 'strato.passwd');
    execFileSync('mosquitto_passwd', ['-c', '-b', passwd, cp.username, cp.password]);
    chmodSync(passwd, 0o644);
    const mosquitto = await startMosquitto(undefined, {
      config: [...documentedConfig(passwd), `cafile ${tls.ca}`, `certfile ${tls.cert}`, `keyfile ${tls.key}`],
    });
    t.after(() => mosquitto.kill());
    const server = await startLoggedServer({
      STRATO_MB_URLS: `mqtts://${cp.username}:${cp.password}@localhost:${mosquitto.port}`,
      STRATO_MB_CA_FILE: tls.ca,
    });
    t.after(() => server.stop());
    assert.deepEqual(server.mbUrls, [`mqtts://strato:***@localhost:${mosquitto.port}`]);
    await registerSingleCartridgeApp(server.call);
    assert.equal((await server.call('POST', '/api/applications/single-cartridge-app/deploy/application-policy-1', '')).status, 202);
    await waitFor('Active over TLS', async () => (await membersOf(server.call, 'single-cartridge-app')).status === 'Active');
    assert.ok(!server.lines.join('\n').includes(cp.password));
  });
});
