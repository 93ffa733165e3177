/**
 * Issue 7, "a broker that knows who is talking", on a real server with its embedded broker:
 * anonymous clients and wrong credentials are refused; a member's own credentials (from its launch
 * payload) carry a real MQTT client acting as its agent through the whole life cycle, but cannot
 * speak for another member; valid control-plane or operator credentials cannot make the control
 * plane shut down a member that was never asked to clean up; no credential appears in the log.
 */
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import mqtt, { type MqttClient } from 'mqtt';
import { samplesMissing, waitFor } from '@strato/testing';
import { EventRecorder } from '@strato/testing/messaging';
import {
  TestAgent,
  bringUpAgent,
  closedBy,
  launchParamsOf,
  laterEvents,
  membersOf,
  registerAgentApp,
  registerSingleCartridgeApp,
  startLoggedServer,
  statusFields,
  type LoggedServer,
} from './broker-agent.ts';

const VIEWER = { username: 'viewer', password: 'viewer-password-1' };
const OPS = { username: 'ops-tool', password: 'ops-tool-password-1' };

async function connect(url: string, options: mqtt.IClientOptions): Promise<MqttClient> {
  return mqtt.connectAsync(url, { protocolVersion: 4, clean: true, reconnectPeriod: 0, connectTimeout: 5_000, ...options });
}

/** The CONNACK return code of a refused connection, or 0 when it was accepted. */
async function connackCode(url: string, options: mqtt.IClientOptions): Promise<number> {
  try {
    const c = await connect(url, options);
    await c.endAsync(true);
    return 0;
  } catch (e) {
    return (e as { code?: number }).code ?? -1;
  }
}

describe('the embedded broker knows who is talking (a real server)', { skip: samplesMissing }, () => {
  let server: LoggedServer;
  let recorder: EventRecorder;
  let url: string;
  let agent: TestAgent;
  let target: { memberId: string };
  const extra: MqttClient[] = [];
  const topologies = () => recorder.named('CompleteTopologyEvent').length;

  before(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'strato-broker-'));
    // operator accounts written with plain passwords: the server keeps only their hashes
    writeFileSync(
      join(dataDir, 'mb-users.json'),
      JSON.stringify({
        users: [
          { username: VIEWER.username, role: 'read', password: VIEWER.password },
          { username: OPS.username, role: 'full', password: OPS.password },
        ],
      }),
    );
    server = await startLoggedServer({}, dataDir);
    url = server.mbUrls[0];
    recorder = await EventRecorder.connect(url, server.mbCredentials);
    await registerSingleCartridgeApp(server.call);
    await registerAgentApp(server.call);
  });
  after(async () => {
    for (const c of extra) await c.endAsync(true);
    await agent?.close();
    await recorder?.close();
    await server?.stop();
  });

  it('refuses anonymous clients and wrong credentials; keeps its secrets private and operator passwords hashed', async () => {
    assert.ok(server.mbCredentials, 'the control plane has credentials');
    assert.equal(await connackCode(url, {}), 5, 'anonymous: not authorized');
    assert.equal(await connackCode(url, { username: server.mbCredentials.username, password: 'made-up' }), 4);
    assert.equal(await connackCode(url, { username: 'admin', password: 'admin' }), 4, 'the REST admin is no broker user');
    assert.equal(await connackCode(url, { username: VIEWER.username, password: OPS.password }), 4);
    assert.equal(
      await connackCode(url, {
        username: 'single-cartridge-app.my-php.php.domain0b9a6c2e-0d7c-4f5e-9a55-6f1c2b3d4e5f',
        password: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      }),
      4,
      'a member id with a made-up password',
    );
    assert.equal(await connackCode(url, VIEWER), 0);
    assert.equal(await connackCode(url, OPS), 0);

    const secrets = join(server.dataDir, 'mb-credentials.json');
    assert.equal(statSync(secrets).mode & 0o777, 0o600);
    assert.equal(JSON.parse(readFileSync(secrets, 'utf8')).controlPlane.password, server.mbCredentials.password);
    const users = readFileSync(join(server.dataDir, 'mb-users.json'), 'utf8');
    assert.equal(statSync(join(server.dataDir, 'mb-users.json')).mode & 0o777, 0o600);
    assert.ok(!users.includes(VIEWER.password) && !users.includes(OPS.password), 'no plain operator password is kept');
    assert.deepEqual(
      JSON.parse(users).users.map((u: any) => [u.username, u.role, /^scrypt\$/.test(u.passwordHash), 'password' in u]),
      [
        [VIEWER.username, 'read', true, false],
        [OPS.username, 'full', true, false],
      ],
    );
  });

  it('a member with its own credentials comes up: InstanceStarted, InstanceActivated, health statistics', async () => {
    assert.equal((await server.call('POST', '/api/applications/single-cartridge-app/deploy/application-policy-1', '')).status, 202);
    assert.equal((await server.call('POST', '/api/applications/agent-app/deploy/ap-agent', '')).status, 202);
    const simulated = await waitFor('single-cartridge-app Active', async () => {
      const m = await membersOf(server.call, 'single-cartridge-app');
      return m.status === 'Active' && m.members.length === 1 ? m.members[0] : undefined;
    });
    target = simulated;
    // the simulated member's payload shown by the mock IaaS keeps its credentials out
    const simulatedParams = await launchParamsOf(server.call, target.memberId);
    assert.equal(simulatedParams['mb.username'], target.memberId);
    assert.equal(simulatedParams['mb.password'], '(redacted)');

    const mine = await waitFor('agent-app member Initialized', async () => {
      const m = await membersOf(server.call, 'agent-app');
      return m.members.length === 1 && m.members[0].status === 'Initialized' ? m.members[0] : undefined;
    });
    const params = await launchParamsOf(server.call, mine.memberId);
    assert.equal(params.MEMBER_ID, mine.memberId);
    assert.equal(params['mb.username'], mine.memberId, 'user name = member id');
    assert.match(params['mb.password'], /^[A-Za-z0-9_-]{43}$/, 'a derived password the agent can read from launch-params');
    assert.equal(params.APPLICATION_ID, 'agent-app');

    agent = await TestAgent.connect(url, params);
    await agent.publish('InstanceStartedEvent');
    await waitFor('Starting', async () => (await membersOf(server.call, 'agent-app')).members[0]?.status === 'Starting');
    await agent.publish('InstanceActivatedEvent');
    agent.startStats();
    await waitFor('agent-app Active', async () => (await membersOf(server.call, 'agent-app')).status === 'Active');
    assert.ok(recorder.first('MemberActivatedEvent', (p) => p.memberId === mine.memberId));
    // its statistics keep it alive past the fault timeout (3 s): no MemberFaultEvent
    await laterEvents(topologies, 4, 'four complete topologies (4 s)');
    assert.equal(recorder.named('MemberFaultEvent', (p) => p.memberId === mine.memberId).length, 0);
    assert.deepEqual(
      (await membersOf(server.call, 'agent-app')).members.map((m) => [m.memberId, m.status]),
      [[mine.memberId, 'Active']],
    );
  });

  it("a member's credentials cannot publish another member's InstanceReadyToShutdownEvent or InstanceActivatedEvent", async () => {
    const targetParams = await launchParamsOf(server.call, target.memberId);
    const forged = statusFields(targetParams);
    for (const event of ['InstanceReadyToShutdownEvent', 'InstanceActivatedEvent', 'InstanceMaintenanceModeEvent']) {
      // the agent-app member's credentials, on a second connection
      const forger = await connect(url, { username: agent.params['mb.username'], password: agent.params['mb.password'] });
      extra.push(forger);
      const gone = closedBy(forger);
      forger.publish(`instance/status/${event}`, JSON.stringify(forged), { qos: 1 });
      await gone; // the broker closes a connection whose publish it refuses
      await waitFor(`the refusal of ${event} logged`, () =>
        server.records.find((r) => r.msg === 'message broker refused a publish' && r.topic === `instance/status/${event}` && r.user === agent.params.MEMBER_ID),
      );
    }
    // nor subscribe beyond what an agent subscribes
    const peeker = await connect(url, { username: agent.params['mb.username'], password: agent.params['mb.password'] });
    extra.push(peeker);
    await assert.rejects(peeker.subscribeAsync('#', { qos: 1 }), /Subscribe error/);
    await assert.rejects(peeker.subscribeAsync('health/stat/#', { qos: 1 }), /Subscribe error/);

    // a couple of monitor intervals (200 ms) later — two complete topologies, 1 s apart — nothing changed
    await laterEvents(topologies, 2, 'two complete topologies');
    const now = await membersOf(server.call, 'single-cartridge-app');
    assert.deepEqual(
      now.members.map((m) => [m.memberId, m.status]),
      [[target.memberId, 'Active']],
    );
    for (const name of ['InstanceReadyToShutdownEvent', 'InstanceActivatedEvent', 'InstanceMaintenanceModeEvent']) {
      // only the simulated member's own (genuine) activation went through
      const seen = recorder.named(name, (p) => p.memberId === target.memberId);
      assert.equal(seen.length, name === 'InstanceActivatedEvent' ? 1 : 0, name);
    }
    for (const name of ['MemberReadyToShutdownEvent', 'MemberMaintenanceModeEvent', 'MemberTerminatedEvent']) {
      assert.equal(recorder.named(name, (p) => p.clusterId === targetParams.CLUSTER_ID).length, 0, name);
    }
  });

  it('valid control-plane or operator credentials cannot shut down a member never asked to clean up (plausibility)', async () => {
    const targetParams = await launchParamsOf(server.call, target.memberId);
    const fields = statusFields(targetParams);
    const cp = await connect(url, server.mbCredentials!);
    const ops = await connect(url, OPS);
    const viewer = await connect(url, VIEWER);
    extra.push(cp, ops, viewer);
    await cp.publishAsync('instance/status/InstanceReadyToShutdownEvent', JSON.stringify(fields), { qos: 1 });
    await ops.publishAsync('instance/status/InstanceMaintenanceModeEvent', JSON.stringify(fields), { qos: 1 });
    // ids that do not match the topology's record, and an activation of a member never known
    await ops.publishAsync('instance/status/InstanceReadyToShutdownEvent', JSON.stringify({ ...fields, clusterInstanceId: 'other-1' }), { qos: 1 });
    await ops.publishAsync(
      'instance/status/InstanceActivatedEvent',
      JSON.stringify({ ...fields, memberId: `${fields.clusterId}00000000-0000-4000-8000-000000000000` }),
      { qos: 1 },
    );
    // a read-only operator publishes nothing
    const gone = closedBy(viewer);
    viewer.publish('instance/status/InstanceReadyToShutdownEvent', JSON.stringify(fields), { qos: 1 });
    await gone;

    const ignored = (msg: string, event: string) => () => server.records.find((r) => r.msg === msg && r.event === event);
    await waitFor('ReadyToShutdown ignored', ignored('instance status event of a member never asked to clean up ignored', 'InstanceReadyToShutdownEvent'));
    await waitFor('MaintenanceMode ignored', ignored('instance status event of a member never asked to clean up ignored', 'InstanceMaintenanceModeEvent'));
    const mismatch = await waitFor(
      'mismatched ids ignored',
      ignored('instance status event whose ids do not match the member ignored', 'InstanceReadyToShutdownEvent'),
    );
    assert.deepEqual(mismatch.mismatch, ['clusterInstanceId']);
    await waitFor('unknown member ignored', ignored('instance status event for an unknown member ignored', 'InstanceActivatedEvent'));

    await laterEvents(topologies, 2, 'two complete topologies');
    const now = await membersOf(server.call, 'single-cartridge-app');
    assert.deepEqual(
      now.members.map((m) => [m.memberId, m.status]),
      [[target.memberId, 'Active']],
    );
    assert.equal(now.status, 'Active');
    for (const name of ['MemberReadyToShutdownEvent', 'MemberMaintenanceModeEvent', 'MemberTerminatedEvent']) {
      assert.equal(recorder.named(name, (p) => p.clusterId === targetParams.CLUSTER_ID).length, 0, name);
    }
  });

  it('on undeploy the member answers its cleanup request with its own credentials and is terminated', async () => {
    const memberId = agent.params.MEMBER_ID;
    assert.equal((await server.call('POST', '/api/applications/agent-app/undeploy', '')).status, 202);
    await waitFor('the cleanup request reached the agent', () => agent.cleanups.length > 0);
    await waitFor('MemberReadyToShutdownEvent', () => recorder.first('MemberReadyToShutdownEvent', (p) => p.memberId === memberId));
    await waitFor('MemberTerminatedEvent', () => recorder.first('MemberTerminatedEvent', (p) => p.memberId === memberId));
    await waitFor('agent-app Created', async () => (await server.call('GET', '/api/applications/agent-app')).body.status === 'Created');
    assert.ok(!(await server.mockIaas.listInstances()).map((i) => i.memberId).includes(memberId), 'its instance was terminated');
    // the other application was not touched
    assert.deepEqual(
      (await membersOf(server.call, 'single-cartridge-app')).members.map((m) => [m.memberId, m.status]),
      [[target.memberId, 'Active']],
    );
  });

  it('no credential appears in the log', async () => {
    const secrets = JSON.parse(readFileSync(join(server.dataDir, 'mb-credentials.json'), 'utf8'));
    const log = server.lines.join('\n');
    assert.ok(server.records.length > 20, `the log was captured (${server.records.length} records)`);
    assert.ok(server.records.some((r) => r.msg === 'message broker refused an anonymous client'));
    for (const [what, secret] of [
      ['control plane password', secrets.controlPlane.password],
      ['mock IaaS password', secrets.mockIaas.password],
      ['member secret', secrets.memberSecret],
      ['member password', agent.params['mb.password']],
      ['viewer password', VIEWER.password],
      ['operator password', OPS.password],
    ]) {
      assert.ok(!log.includes(secret), `the ${what} is not in the log`);
    }
  });
});

describe('a restart keeps the member credentials and the fact that a member was asked to clean up', { skip: samplesMissing }, () => {
  it('a member drained before the restart shuts down after it, with the same credentials', async (t) => {
    const first = await startLoggedServer();
    let second: LoggedServer | undefined;
    let firstStopped = false;
    t.after(async () => {
      if (second) await second.stop();
      else if (!firstStopped) await first.stop();
    });
    await registerSingleCartridgeApp(first.call);
    await registerAgentApp(first.call);
    assert.equal((await first.call('POST', '/api/applications/agent-app/deploy/ap-agent', '')).status, 202);
    // this agent records cleanup requests but does not answer them before the restart
    const before = await bringUpAgent(first.call, first.mbUrls[0], { answerCleanup: false });
    const memberId = before.params.MEMBER_ID;
    assert.equal((await first.call('POST', '/api/applications/agent-app/undeploy', '')).status, 202);
    await waitFor('the cleanup request', () => before.cleanups.length > 0);
    await before.close();
    await first.stop({ keepData: true });
    firstStopped = true;

    second = await startLoggedServer({}, first.dataDir);
    const recorder = await EventRecorder.connect(second.mbUrls[0], second.mbCredentials);
    t.after(() => recorder.close());
    // the same launch payload's credentials are still good; the agent answers at once
    const after = await TestAgent.connect(second.mbUrls[0], before.params);
    t.after(() => after.close());
    after.startStats();
    await after.publish('InstanceMaintenanceModeEvent');
    await after.publish('InstanceReadyToShutdownEvent');
    await waitFor('MemberTerminatedEvent', () => recorder.first('MemberTerminatedEvent', (p) => p.memberId === memberId));
    await waitFor('agent-app Created', async () => (await second!.call('GET', '/api/applications/agent-app')).body.status === 'Created');
    assert.equal(second.records.filter((r) => /ignored/.test(String(r.msg)) && r.memberId === memberId).length, 0, 'nothing of the member was ignored');
  });
});
