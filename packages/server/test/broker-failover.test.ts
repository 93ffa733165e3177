/**
 * Broker failover (issue 4): strato with two real Mosquitto brokers in STRATO_MB_URLS. The first
 * dies (SIGKILL) in the middle of a deploy; the deployment still converges, and every event
 * published after the switch reaches the second broker: every kind the rest of the deploy, the
 * graceful undeploy and the removal publish (orchestration.md §2.3, §3.4, §3.10, §3.11), and for
 * every member, cluster instance and group instance that moved after the kill, its own events.
 * Also: the first broker is dead from the start, and every kind of a whole deploy reaches the second.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { eventNameOfTopic } from '@strato/messaging';
import { MqttClient } from 'mqtt';
import { connect as netConnect } from 'node:net';
import { type Mosquitto, startMosquitto } from '@strato/testing/messaging';
import { FAST_ENV, startTestServer, type TestServer } from '@strato/testing/server';
import {
  appIdOf,
  clusterInstancesOf,
  deploySample,
  digest,
  isConverged,
  manifestEntry,
  minimumsOf,
  registerSample,
  removeSample,
  undeploySample,
  until,
  type Call,
} from './recovery-kit.ts';
import { samplesMissing } from '@strato/testing';

interface Seen {
  name: string;
  payload: any;
}

/** Creation of members, cluster instances and group instances during a deploy (§3.2, §3.11). */
const CREATION = ['MemberCreatedEvent', 'MemberInitializedEvent', 'InstanceStartedEvent', 'ClusterInstanceCreatedEvent', 'GroupInstanceCreatedEvent'];
/** The rest of every member's start, the activations rolling up (§3.4), the mock instances' health statistics. */
const ACTIVATION = [
  'MemberStartedEvent',
  'InstanceActivatedEvent',
  'MemberActivatedEvent',
  'ClusterInstanceActivatedEvent',
  'GroupInstanceActivatedEvent',
  'ApplicationInstanceActivatedEvent',
  'MemberHealthStatEvent',
  'InFlightRequestCountEvent',
];
/** A graceful undeploy of an Active application with groups (§3.10, §3.11). */
const UNDEPLOY = [
  'ApplicationInstanceTerminatingEvent',
  'GroupInstanceTerminatingEvent',
  'ClusterInstanceTerminatingEvent',
  'InstanceCleanupClusterEvent',
  'InstanceMaintenanceModeEvent',
  'MemberMaintenanceModeEvent',
  'InstanceReadyToShutdownEvent',
  'MemberReadyToShutdownEvent',
  'MemberTerminatedEvent',
  'ClusterInstanceTerminatedEvent',
  'GroupInstanceTerminatedEvent',
  'ApplicationInstanceTerminatedEvent',
  'ApplicationClustersRemovedEvent',
];
/** The sample's removal script: the application and its cartridges deleted. */
const REMOVAL = ['ApplicationDeletedEvent', 'ServiceRemovedEvent'];
/** What a whole deploy publishes before its first member is created. */
const DEPLOY_START = ['ServiceCreatedEvent', 'ApplicationCreatedEvent', 'ApplicationClustersCreatedEvent', 'ApplicationInstanceCreatedEvent'];

/**
 * Asserts that every kind was seen, naming all the missing ones at once; the periodic
 * CompleteTopologyEvent (every second with FAST_ENV) is waited for.
 */
async function assertKinds(seen: Seen[], kinds: string[], where: string): Promise<void> {
  await until(`a CompleteTopologyEvent ${where}`, () => seen.some((e) => e.name === 'CompleteTopologyEvent'), 5_000);
  const names = new Set(seen.map((e) => e.name));
  assert.deepEqual(
    kinds.filter((k) => !names.has(k)),
    [],
    `event kinds missing ${where}`,
  );
}

/** A raw MQTT client subscribed to `#`: every message a broker routes, in arrival order. */
async function observe(t: TestContext, broker: Mosquitto, onEvent?: (e: Seen) => void): Promise<Seen[]> {
  const seen: Seen[] = [];
  const client = new MqttClient(() => netConnect({ host: '127.0.0.1', port: broker.port, noDelay: true }), {
    protocolVersion: 4,
    clean: true,
    reconnectPeriod: 0,
    clientId: `observer-${broker.port}-${process.pid}`,
  });
  t.after(() => new Promise<void>((resolve) => client.end(true, () => resolve())));
  client.on('error', () => undefined);
  client.on('message', (topic, message) => {
    const name = eventNameOfTopic(topic);
    if (name === undefined) return;
    let payload: any;
    try {
      payload = JSON.parse(message.toString('utf8'));
    } catch {
      payload = undefined;
    }
    seen.push({ name, payload });
    onEvent?.({ name, payload });
  });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => client.subscribe('#', { qos: 1 }, (err) => (err ? reject(err) : resolve())));
    client.once('error', reject);
  });
  return seen;
}

async function brokers(t: TestContext): Promise<[Mosquitto, Mosquitto]> {
  const a = await startMosquitto();
  t.after(() => a.kill());
  const b = await startMosquitto();
  t.after(() => b.kill());
  return [a, b];
}

async function server(t: TestContext, urls: string[]): Promise<TestServer> {
  const s = await startTestServer({}, { ...FAST_ENV, STRATO_MB_URLS: urls.join(',') });
  t.after(() => s.stop());
  return s;
}

const runtimeOf = async (call: Call, appId: string) => {
  const r = await call('GET', `/api/applications/${appId}/runtime`);
  return r.status === 200 ? r.body : undefined;
};

/**
 * Waits for exact convergence (then runs `whenConverged`), undeploys gracefully, checks that
 * nothing is left, and runs the sample's removal script.
 */
async function convergeAndUndeploy(s: TestServer, entry: ReturnType<typeof manifestEntry>, whenConverged?: () => void): Promise<any> {
  const call: Call = (m, p, b) => s.call(m, p, b);
  const appId = appIdOf(entry);
  const minOf = minimumsOf((await call('GET', `/api/applications/${appId}`)).body);
  let last: any;
  const runtime = await until(
    `${appId} Active with exact member counts`,
    async () => {
      last = await runtimeOf(call, appId);
      return isConverged(last, minOf) ? last : undefined;
    },
    30_000,
    () => digest(last),
  );
  for (const ci of clusterInstancesOf(runtime)) {
    assert.equal(ci.member.length, minOf.get(ci.alias), `${ci.clusterId}: ${ci.member.length} members`);
  }
  const instances = new Set(s.mockIaas.describeInstances().map((i) => i.memberId));
  const members = new Set([...s.controlPlane.state.members.keys()]);
  assert.deepEqual([...instances].sort(), [...members].sort(), 'one mock instance per member');
  whenConverged?.();

  await undeploySample(call, entry);
  await until(
    `${appId} back in Created`,
    async () => (await call('GET', `/api/applications/${appId}`)).body.status === 'Created',
    30_000,
    async () => digest(await runtimeOf(call, appId)),
  );
  assert.equal((await call('GET', `/api/applications/${appId}/runtime`)).status, 404);
  assert.equal(s.controlPlane.state.members.size, 0, 'no member left');
  assert.deepEqual(await s.mockIaas.listInstances(), [], 'no mock instance left');
  await removeSample(call, entry);
  return runtime;
}

describe('broker failover: two Mosquitto brokers in STRATO_MB_URLS', { skip: samplesMissing }, () => {
  const cases = [
    {
      // startup orders (group8, then tomcat, then group6, each with nested groups): a deploy in steps
      sample: 'single-level-nested-groups-app',
      trigger: 'ClusterInstanceActivatedEvent',
      why: 'the first cluster instance is Active, the next ones are not even created',
      creationAfterKill: true,
    },
    {
      // ten clusters started together: at the first MemberStartedEvent every member is mid-conversation
      // (InstanceStarted/MemberStarted/InstanceActivated events in flight on A)
      sample: 'five-levels-nested-groups-app',
      trigger: 'MemberStartedEvent',
      why: 'the first member is Starting, the others booting or starting',
      creationAfterKill: false,
    },
  ];
  for (const c of cases)
    it(`${c.sample}: the first broker dies when ${c.why}; Active, and no event after the switch is lost`, async (t) => {
      const entry = manifestEntry(c.sample);
      const appId = appIdOf(entry);
      const [a, b] = await brokers(t);
      const s = await server(t, [a.url, b.url]);
      const state = s.controlPlane.state;
      // The trigger event is seen on A: the deploy is under way, far from done. Right then, in the
      // same turn, the runtime state is noted and broker A is killed.
      let membersBefore = new Set<string>();
      let activeBefore = new Set<string>();
      let activeCisBefore = new Set<string>();
      let cisBefore = new Set<string>();
      let groupsBefore = new Set<string>();
      let killed: Promise<void> | undefined;
      await observe(t, a, (e) => {
        if (killed || e.name !== c.trigger) return;
        membersBefore = new Set(state.members.keys());
        activeBefore = new Set([...state.members.values()].filter((m) => m.status === 'Active').map((m) => m.memberId));
        const rt = state.apps.get(appId)!;
        activeCisBefore = new Set(
          Object.values(rt.clusters).flatMap((c) =>
            Object.values(c.instances)
              .filter((i) => i.status === 'Active')
              .map((i) => `${c.clusterId}/${i.instanceId}`),
          ),
        );
        cisBefore = new Set(Object.values(rt.clusters).flatMap((c) => Object.keys(c.instances).map((i) => `${c.clusterId}/${i}`)));
        groupsBefore = new Set(Object.keys(rt.groupInstances));
        killed = a.kill();
      });
      const onB = await observe(t, b);
      const call: Call = (m, p, body) => s.call(m, p, body);
      await registerSample(call, entry);
      await deploySample(call, entry);
      await until(`broker A killed at the first ${c.trigger}`, () => killed !== undefined, 20_000);
      await killed;

      let groupsAfter: string[] = [];
      const runtime = await convergeAndUndeploy(s, entry, () => {
        groupsAfter = Object.keys(state.apps.get(appId)!.groupInstances);
      });

      // Every kind of event the rest of the deploy, the undeploy and the removal publish reached B.
      await assertKinds(onB, [...(c.creationAfterKill ? CREATION : []), ...ACTIVATION, ...UNDEPLOY, ...REMOVAL], 'on broker B after the switch');

      // Every member that became Active after the kill was announced on B, and so was every step of
      // every member created after the kill; likewise each cluster instance activated after it.
      const namesOn = (name: string, memberId: string) => onB.some((e) => e.name === name && e.payload?.memberId === memberId);
      const finalMembers = clusterInstancesOf(runtime).flatMap((ci) => ci.member.map((m: any) => m.memberId as string));
      let checkedMembers = 0;
      for (const memberId of finalMembers) {
        if (activeBefore.has(memberId)) continue;
        checkedMembers++;
        assert.ok(namesOn('MemberActivatedEvent', memberId), `MemberActivatedEvent of ${memberId} reached broker B`);
        if (membersBefore.has(memberId)) continue;
        for (const name of ['MemberCreatedEvent', 'MemberInitializedEvent', 'InstanceStartedEvent', 'MemberStartedEvent', 'InstanceActivatedEvent']) {
          assert.ok(namesOn(name, memberId), `${name} of ${memberId} reached broker B`);
        }
      }
      assert.ok(checkedMembers > 0, 'some members became Active after the kill');
      let checkedClusters = 0;
      for (const ci of clusterInstancesOf(runtime)) {
        if (activeCisBefore.has(`${ci.clusterId}/${ci.instanceId}`)) continue;
        checkedClusters++;
        assert.ok(
          onB.some((e) => e.name === 'ClusterInstanceActivatedEvent' && e.payload?.clusterId === ci.clusterId && e.payload?.instanceId === ci.instanceId),
          `ClusterInstanceActivatedEvent of ${ci.clusterId} reached broker B`,
        );
      }
      assert.ok(checkedClusters > 0, 'some cluster instances became Active after the kill');
      // every cluster instance and group instance created after the kill was announced on B
      let created = 0;
      for (const ci of clusterInstancesOf(runtime)) {
        if (cisBefore.has(`${ci.clusterId}/${ci.instanceId}`)) continue;
        created++;
        assert.ok(
          onB.some(
            (e) =>
              e.name === 'ClusterInstanceCreatedEvent' && e.payload?.clusterId === ci.clusterId && e.payload?.clusterInstance?.instanceId === ci.instanceId,
          ),
          `ClusterInstanceCreatedEvent of ${ci.clusterId}/${ci.instanceId} reached broker B`,
        );
      }
      for (const key of groupsAfter) {
        if (groupsBefore.has(key)) continue;
        created++;
        const groupId = key.slice(0, key.indexOf('/'));
        const instanceId = key.slice(key.indexOf('/') + 1);
        assert.ok(
          onB.some((e) => e.name === 'GroupInstanceCreatedEvent' && e.payload?.groupId === groupId && e.payload?.groupInstance?.instanceId === instanceId),
          `GroupInstanceCreatedEvent of ${key} reached broker B`,
        );
      }
      if (c.creationAfterKill) assert.ok(created > 0, 'some cluster or group instances were created after the kill');
      assert.ok(
        onB.some((e) => e.name === 'ApplicationInstanceActivatedEvent' && e.payload?.appId === appId),
        'ApplicationInstanceActivatedEvent on B',
      );
      // the undeployment went through B as well
      assert.ok(
        onB.some((e) => e.name === 'ApplicationClustersRemovedEvent' && e.payload?.appId === appId),
        'ApplicationClustersRemovedEvent on B',
      );
    });

  it('the first broker is dead from the start: strato uses the second one', async (t) => {
    const entry = manifestEntry('esb-php-nested-with-esb-php-nested-with-mysql-php-app');
    const [a, b] = await brokers(t);
    const deadUrl = a.url;
    await a.kill();
    const onB = await observe(t, b);
    const s = await server(t, [deadUrl, b.url]);
    const call: Call = (m, p, body) => s.call(m, p, body);
    await registerSample(call, entry);
    await deploySample(call, entry);
    const runtime = await convergeAndUndeploy(s, entry);
    for (const m of clusterInstancesOf(runtime).flatMap((ci) => ci.member)) {
      assert.ok(
        onB.some((e) => e.name === 'MemberActivatedEvent' && e.payload?.memberId === m.memberId),
        `MemberActivatedEvent of ${m.memberId} on B`,
      );
    }
    // every kind of the whole life of the application went through B
    await assertKinds(onB, [...DEPLOY_START, ...CREATION, ...ACTIVATION, ...UNDEPLOY, ...REMOVAL], 'on broker B');
  });
});
