/**
 * strato-agent as a real process on a real broker (the embedded one) against a control plane that
 * answers as Stratos's cloud controller does: the start-up sequence with its extension points and
 * STRATOS_* values, failing and hanging scripts, health statistics, a kill -9 and restart of an
 * Active or Starting member (no second InstanceStartedEvent), and SIGTERM's cleanup.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import type { Server } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { startEmbeddedBroker, type EmbeddedBroker } from '@strato/messaging/embedded-broker.ts';
import { freePort } from '@strato/testing';
import { MEMBER, TestControlPlane, fastConf, listenOn, memberDir, startAgent, waitFor, type AgentProcess, type MemberDir } from './support.ts';

/** A script that appends its event name and its STRATOS_* environment to `<dir>/seen/<name>.<n>`. */
const RECORD = (name: string) => `n=$(ls "$PWD/../../seen" | grep -c "^${name}\\.")\nenv | grep '^STRATOS_' | sort > "$PWD/../../seen/${name}.$n"`;

function seen(m: MemberDir): Map<string, Array<Record<string, string>>> {
  const out = new Map<string, Array<Record<string, string>>>();
  const dir = join(m.dir, 'seen');
  if (!existsSync(dir)) return out;
  for (const file of readdirSync(dir).sort()) {
    const name = file.replace(/\.\d+$/, '');
    const env = Object.fromEntries(
      readFileSync(join(dir, file), 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    out.set(name, [...(out.get(name) ?? []), env]);
  }
  return out;
}

describe('strato-agent against a control plane on the embedded broker', () => {
  let broker: EmbeddedBroker;
  let port: number;
  let server: Server | undefined;

  before(async () => {
    broker = await startEmbeddedBroker();
    port = await freePort();
  });
  after(async () => {
    server?.close();
    await broker?.close();
  });

  /** A member and its control plane, both gone at the end of test `t` (control planes of one member must not overlap). */
  async function member(t: TestContext, status: 'Initialized' | 'Created' = 'Initialized', conf: Record<string, string | number | boolean> = {}) {
    const params = { ...MEMBER, PORTS: String(port), LB_CLUSTER_ID: 'null', PERSISTENCE_MAPPING: '/dev/sdc|vol-1|/data' };
    const cp = await TestControlPlane.start([broker.url], params, status);
    const m = memberDir(fastConf(`127.0.0.1:${broker.port}`, conf), params);
    t.after(async () => {
      for (const c of local.splice(0).reverse()) await c();
      await cp.close();
      m.remove();
    });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(m.dir, 'seen'));
    return { cp, m, params };
  }

  const local: Array<() => unknown> = [];
  async function run(m: MemberDir): Promise<AgentProcess> {
    const agent = await startAgent(m.dir);
    local.push(() => agent.kill());
    return agent;
  }

  it('start-up: each extension point once, at its moment, with the STRATOS_* values; activation only once the port accepts', async (t) => {
    const { cp, m, params } = await member(t, 'Created');
    for (const name of [
      'CompleteTopologyEvent',
      'CompleteTenantEvent',
      'MemberInitializedEvent',
      'InstanceStartedEvent',
      'StartServers',
      'InstanceActivatedEvent',
      'VolumeMount',
      'clean',
    ]) {
      m.script(name, RECORD(name));
    }
    const agent = await run(m);
    await waitFor('the topology request', () => cp.named('CompleteTopologyRequestEvent').length > 0);
    await waitFor('the topology extension', () => seen(m).has('CompleteTopologyEvent'));
    assert.equal(cp.named('InstanceStartedEvent').length, 0, 'member Created: no start yet');
    assert.ok(!seen(m).has('InstanceStartedEvent'));

    await cp.initialize();
    await waitFor('Starting', () => cp.status === 'Starting');
    await waitFor('StartServers ran', () => seen(m).has('StartServers'));
    // the port is closed: rounds every 50 ms, no activation
    await waitFor('three port check rounds', () => agent.log().filter((r) => r.msg.startsWith('Waiting for ports to be active')).length >= 3);
    assert.equal(cp.named('InstanceActivatedEvent').length, 0);
    server = await listenOn(port);
    const opened = Date.now();
    await waitFor('Active', () => cp.status === 'Active');
    assert.ok(cp.named('InstanceActivatedEvent')[0].at >= opened);
    await waitFor('InstanceActivatedEvent extension', () => seen(m).has('InstanceActivatedEvent') && seen(m).has('VolumeMount'));
    await waitFor('two health statistics rounds', () => cp.named('MemberHealthStatEvent').length >= 4);

    const s = seen(m);
    for (const name of [
      'CompleteTopologyEvent',
      'CompleteTenantEvent',
      'MemberInitializedEvent',
      'InstanceStartedEvent',
      'StartServers',
      'InstanceActivatedEvent',
      'VolumeMount',
    ]) {
      assert.equal(s.get(name)?.length, 1, `${name} ran once`);
      const env = s.get(name)![0];
      assert.equal(env.STRATOS_EVENT, name);
      for (const key of ['APPLICATION_ID', 'SERVICE_NAME', 'CLUSTER_ID', 'CLUSTER_INSTANCE_ID', 'MEMBER_ID', 'PORTS', 'TENANT_ID']) {
        assert.equal(env[`STRATOS_${key}`], (params as Record<string, string>)[key], `${name}: STRATOS_${key}`);
      }
      assert.equal(env.STRATOS_MB_IP, '127.0.0.1');
      assert.equal(env.STRATOS_PARAM_FILE_PATH, join(m.dir, 'payload', 'launch-params'));
      assert.equal(env.STRATOS_PERSISTENCE_MAPPINGS, '/dev/sdc|vol-1|/data');
      assert.equal(env.STRATOS_LB_CLUSTER_ID, undefined, 'null values are not passed');
      assert.ok(!Object.keys(env).some((k) => k.includes('mb.password')), 'no broker password');
    }
    // topology-derived values (the member was found)
    assert.equal(s.get('InstanceStartedEvent')![0].STRATOS_MEMBER_PROPERTY_prop1, 'value1');
    assert.equal(s.get('InstanceStartedEvent')![0].STRATOS_SERVICE_PROPERTY_sprop, 'svalue');
    const topology = JSON.parse(s.get('CompleteTopologyEvent')![0].STRATOS_TOPOLOGY_JSON);
    assert.ok(topology.serviceMap.php);
    assert.deepEqual(Object.keys(JSON.parse(s.get('CompleteTopologyEvent')![0].STRATOS_MEMBER_LIST_JSON)), [params.MEMBER_ID]);
    assert.deepEqual(JSON.parse(s.get('CompleteTenantEvent')![0].STRATOS_TENANT_LIST_JSON), [{ tenantId: -1234, tenantDomain: 'carbon.super' }]);
    assert.equal(s.get('VolumeMount')![0].STRATOS_VALUE1, '/dev/sdc|vol-1|/data');
    assert.ok(!s.has('clean'));

    // the events as the control plane received them
    const started = cp.named('InstanceStartedEvent');
    assert.equal(started.length, 1);
    assert.deepEqual(started[0].payload, {
      applicationId: params.APPLICATION_ID,
      serviceName: params.SERVICE_NAME,
      clusterId: params.CLUSTER_ID,
      clusterInstanceId: params.CLUSTER_INSTANCE_ID,
      memberId: params.MEMBER_ID,
      instanceId: null,
      networkPartitionId: params.NETWORK_PARTITION_ID,
      partitionId: params.PARTITION_ID,
    });
    const stats = cp.named('MemberHealthStatEvent').map((e) => e.payload);
    assert.deepEqual(new Set(stats.map((p) => p.healthDescription)), new Set(['memory_consumption', 'load_average']));
    for (const p of stats) {
      assert.equal(p.memberId, params.MEMBER_ID);
      assert.equal(p.clusterInstanceId, params.CLUSTER_INSTANCE_ID);
      assert.ok(p.value >= 0 && typeof p.timestamp === 'number');
    }
    // order: the extension ran before the event, StartServers after it
    const log = agent.log();
    const at = (msg: string) => log.findIndex((r) => r.msg === msg);
    assert.ok(at('InstanceStartedEvent extension executed') < at('Publishing InstanceStartedEvent'));
    assert.ok(at('Publishing InstanceStartedEvent') < at('StartServers extension executed'));

    // a closed port while Active is reported as ports_not_open
    server.close();
    server = undefined;
    await waitFor('ports_not_open', () => cp.named('MemberHealthStatEvent').find((e) => e.payload.healthDescription === 'ports_not_open'));

    // SIGTERM: maintenance mode, clean, ready to shutdown, exit 0
    agent.signal('SIGTERM');
    assert.equal(await agent.exited, 0);
    assert.deepEqual(
      cp.received.filter((e) => e.name.startsWith('Instance')).map((e) => e.name),
      ['InstanceStartedEvent', 'InstanceActivatedEvent', 'InstanceMaintenanceModeEvent', 'InstanceReadyToShutdownEvent'],
    );
    assert.equal(seen(m).get('clean')?.length, 1);
    assert.equal(cp.status, 'ReadyToShutDown');
    assert.deepEqual(agent.errorLog(), [], 'no errors');
  });

  it('a failing and a hanging script are logged (with their output) and do not stop the agent', async (t) => {
    const { cp, m } = await member(t, 'Initialized', { 'extension.timeout': 1 });
    server ??= await listenOn(port);
    m.script('InstanceStartedEvent', 'echo going to fail; echo broken >&2; exit 3');
    m.script('StartServers', 'echo hanging; sleep 30');
    const agent = await run(m);
    await waitFor('Active', () => cp.status === 'Active');
    const errors = agent.errorLog();
    const failed = errors.find((r) => r.msg === 'Extension execution failed for script InstanceStartedEvent');
    assert.ok(failed, JSON.stringify(errors));
    assert.equal(failed.exitCode, 3);
    assert.equal(failed.output, 'going to fail');
    assert.equal(failed.stderr, 'broken');
    const hung = errors.find((r) => r.msg === 'Extension StartServers timed out after 1 s and was killed');
    assert.ok(hung);
    assert.equal(hung.output, 'hanging');
    assert.ok(hung.durationMs >= 1_000 && hung.durationMs < 5_000);
    // the activation waited for StartServers to end (its timeout)
    assert.ok(cp.named('InstanceActivatedEvent')[0].at - cp.named('InstanceStartedEvent')[0].at >= 1_000);
    await agent.kill();
  });

  it('kill -9 and a restart: an Active member stays Active without a new InstanceStartedEvent; the restart in Starting activates', async (t) => {
    const { cp, m } = await member(t, 'Initialized');
    server ??= await listenOn(port);
    m.script('StartServers', RECORD('StartServers'));
    const first = await run(m);
    await waitFor('Active', () => cp.status === 'Active');
    await first.kill();
    const statsBefore = cp.named('MemberHealthStatEvent').length;

    const second = await run(m);
    await waitFor('health statistics of the restarted agent', () => cp.named('MemberHealthStatEvent').length >= statsBefore + 2);
    await waitFor('the restarted agent is active', () => second.log().find((r) => r.msg === 'Agent phase changed' && r.to === 'active'));
    assert.equal(cp.named('InstanceStartedEvent').length, 1, 'no second InstanceStartedEvent');
    assert.equal(cp.named('InstanceActivatedEvent').length, 1, 'no second InstanceActivatedEvent');
    assert.equal(seen(m).get('StartServers')?.length, 1, 'servers of an Active member are not started again');
    assert.equal(cp.named('CompleteTopologyRequestEvent').length, 2);
    await second.kill();

    // Starting (an agent killed between InstanceStartedEvent and the activation)
    cp.status = 'Starting';
    const third = await run(m);
    await waitFor('Active again', () => cp.status === 'Active');
    assert.equal(cp.named('InstanceStartedEvent').length, 1, 'still no second InstanceStartedEvent');
    assert.equal(cp.named('InstanceActivatedEvent').length, 2);
    assert.equal(seen(m).get('StartServers')?.length, 2, 'a Starting member gets its servers started again');
    await third.kill();
  });

  it('domain mapping and sign-up extensions; cleanup requests for it (member or cluster instance): maintenance, clean, ready to shutdown; the agent goes on running', async (t) => {
    const { cp, m, params } = await member(t, 'Initialized');
    server ??= await listenOn(port);
    for (const name of ['clean', 'DomainMappingAddedEvent', 'DomainMappingRemovedEvent', 'ApplicationSignUpRemovedEvent']) m.script(name, RECORD(name));
    const agent = await run(m);
    await waitFor('Active', () => cp.status === 'Active');
    // domain mappings (Stratos's agent never received them: wrong topic) and sign-up removal
    const mapping = {
      applicationId: params.APPLICATION_ID,
      tenantId: -1234,
      serviceName: 'php',
      clusterId: params.CLUSTER_ID,
      domainName: 'shop.example.org',
      contextPath: '/shop',
    };
    await cp.publish('DomainMappingAddedEvent', mapping);
    await cp.publish('DomainMappingRemovedEvent', mapping);
    await cp.publish('ApplicationSignUpRemovedEvent', { applicationId: 'another-app', tenantId: -1234 });
    await cp.publish('ApplicationSignUpRemovedEvent', { applicationId: params.APPLICATION_ID, tenantId: -1234 });
    await waitFor('domain mapping and sign-up extensions', () => seen(m).has('DomainMappingRemovedEvent') && seen(m).has('ApplicationSignUpRemovedEvent'));
    const added = seen(m).get('DomainMappingAddedEvent')!;
    assert.equal(added.length, 1);
    assert.deepEqual(Object.fromEntries(Object.entries(added[0]).filter(([k]) => k.startsWith('STRATOS_SUBSCRIPTION_'))), {
      STRATOS_SUBSCRIPTION_APPLICATION_ID: params.APPLICATION_ID,
      STRATOS_SUBSCRIPTION_CLUSTER_ID: params.CLUSTER_ID,
      STRATOS_SUBSCRIPTION_CONTEXT_PATH: '/shop',
      STRATOS_SUBSCRIPTION_DOMAIN_NAME: 'shop.example.org',
      STRATOS_SUBSCRIPTION_SERVICE_NAME: 'php',
      STRATOS_SUBSCRIPTION_TENANT_DOMAIN: 'carbon.super',
      STRATOS_SUBSCRIPTION_TENANT_ID: '-1234',
    });
    assert.equal(seen(m).get('DomainMappingRemovedEvent')![0].STRATOS_SUBSCRIPTION_CONTEXT_PATH, undefined);
    assert.equal(seen(m).get('ApplicationSignUpRemovedEvent')!.length, 1, 'only for its own application');
    await cp.publish('InstanceCleanupMemberEvent', { memberId: `${params.CLUSTER_ID}00000000-0000-4000-8000-000000000000` });
    await cp.publish('InstanceCleanupClusterEvent', { clusterId: params.CLUSTER_ID, clusterInstanceId: 'other-instance' });
    await cp.publish('InstanceCleanupClusterEvent', { clusterId: params.CLUSTER_ID, clusterInstanceId: params.CLUSTER_INSTANCE_ID });
    await waitFor('ReadyToShutDown', () => cp.status === 'ReadyToShutDown');
    assert.deepEqual(
      cp.received.filter((e) => e.name.startsWith('Instance')).map((e) => e.name),
      ['InstanceStartedEvent', 'InstanceActivatedEvent', 'InstanceMaintenanceModeEvent', 'InstanceReadyToShutdownEvent'],
    );
    assert.equal(seen(m).get('clean')?.length, 1);
    assert.equal(seen(m).get('clean')![0].STRATOS_EVENT, 'clean');
    assert.equal(agent.proc.exitCode, null, 'still running (the IaaS terminates it)');
    // SIGTERM now: nothing left to clean, exit 0 at once
    agent.signal('SIGTERM');
    assert.equal(await agent.exited, 0);
    assert.equal(cp.named('InstanceReadyToShutdownEvent').length, 1);
  });
});
