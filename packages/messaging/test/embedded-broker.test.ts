import { test } from 'node:test';
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { MessageBus, startEmbeddedBroker, type EventName } from '../src/index.ts';
import { waitFor } from '@strato/testing';

const member = {
  serviceName: 'php',
  clusterId: 'app1.php1.php.domain',
  clusterInstanceId: 'app1-1',
  memberId: 'app1.php1.php.domain6f1c0f8e-0000-4000-8000-000000000001',
  networkPartitionId: 'np1',
  partitionId: 'p1',
};

test('events round-trip through the embedded broker', async (t) => {
  const broker = await startEmbeddedBroker({ port: 0 });
  t.after(() => broker.close());
  assert.match(broker.url, /^mqtt:\/\/127\.0\.0\.1:\d+$/);
  assert.ok(broker.port > 0);

  const publisher = new MessageBus({ urls: [broker.url], livenessIntervalMs: 200 });
  const subscriber = new MessageBus({ urls: [broker.url], livenessIntervalMs: 200 });
  t.after(() => Promise.all([publisher.close(), subscriber.close()]));

  const received: Array<[EventName, unknown]> = [];
  const activated: string[] = [];
  await subscriber.subscribe('topology/#', (name, payload) => {
    received.push([name, payload]);
  });
  await subscriber.subscribe('instance/status/#', (name, payload) => {
    received.push([name, payload]);
  });
  await subscriber.subscribe('MemberActivatedEvent', (_name, payload) => {
    activated.push(payload.memberId);
  });
  assert.equal(subscriber.connected, true);

  assert.equal(await publisher.publish('MemberCreatedEvent', { ...member, initTime: 1_700_000_000_000 }), true);
  assert.equal(
    await publisher.publish('MemberActivatedEvent', {
      ...member,
      portMap: { '80': { protocol: 'http', value: 8080, proxy: 80 } },
      defaultPrivateIP: '10.0.0.1',
    }),
    true,
  );
  assert.equal(await publisher.publish('InstanceStartedEvent', { ...member, applicationId: 'app1', instanceId: null }), true);
  assert.equal(await publisher.publish('CompleteTopologyRequestEvent', {}), true);

  await waitFor('three events', () => received.length === 3 && activated.length === 1, { timeoutMs: 2_000, everyMs: 5 });
  assert.deepEqual(
    received.map(([name]) => name),
    ['MemberCreatedEvent', 'MemberActivatedEvent', 'InstanceStartedEvent'],
  );
  assert.deepEqual(received[1][1], {
    ...member,
    portMap: { '80': { protocol: 'http', value: 8080, proxy: 80 } },
    defaultPrivateIP: '10.0.0.1',
  });
  assert.deepEqual(activated, [member.memberId]);
});

test('wire format: topic is the class path, payload the plain JSON fields', async (t) => {
  const broker = await startEmbeddedBroker();
  t.after(() => broker.close());
  const raw = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
  t.after(() => raw.endAsync(true));
  const messages: Array<{ topic: string; body: string }> = [];
  raw.on('message', (topic, body) => messages.push({ topic, body: body.toString('utf8') }));
  await raw.subscribeAsync('#', { qos: 1 });

  const bus = new MessageBus({ urls: [broker.url] });
  t.after(() => bus.close());
  const payload = {
    serviceName: 'php',
    clusterId: 'php.php.domain',
    clusterInstanceId: 'cluster-1-instance-1',
    memberId: 'php.member-1',
    networkPartitionId: 'network-partition-1',
    partitionId: 'partition-1',
    portMap: { '8280': { protocol: 'http', value: 80, proxy: 8280 } },
    memberPrivateIPs: ['10.0.0.1'],
    defaultPrivateIP: '10.0.0.1',
    memberPublicIPs: ['20.0.0.1'],
    defaultPublicIP: '20.0.0.1',
  };
  assert.equal(await bus.publish('MemberActivatedEvent', payload), true);
  assert.equal(await bus.publish('InstanceCleanupMemberEvent', { memberId: 'php.member-1' }), true);
  assert.equal(await bus.publish('CompleteTenantRequestEvent', {}), true);
  await waitFor('three raw messages', () => messages.length === 3, { timeoutMs: 2_000, everyMs: 5 });

  assert.equal(messages[0].topic, 'topology/MemberActivatedEvent');
  assert.deepEqual(JSON.parse(messages[0].body), payload);
  assert.deepEqual(Object.keys(JSON.parse(messages[0].body)), Object.keys(payload));
  assert.equal(messages[1].topic, 'instance/notifier/InstanceCleanupMemberEvent');
  assert.equal(messages[1].body, '{"memberId":"php.member-1"}');
  assert.equal(messages[2].topic, 'initializer/CompleteTenantRequestEvent');
  assert.equal(messages[2].body, '{}');
});

test('a foreign publisher (e.g. a Python agent) reaches typed handlers; junk is skipped', async (t) => {
  const broker = await startEmbeddedBroker();
  t.after(() => broker.close());
  const bus = new MessageBus({ urls: [broker.url] });
  t.after(() => bus.close());
  const seen: string[] = [];
  await bus.subscribe('instance/#', (name, payload) => {
    if (name === 'InstanceStartedEvent') seen.push(`${name}:${payload.applicationId}`);
    else seen.push(name);
  });
  const raw = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
  t.after(() => raw.endAsync(true));
  const pythonJson = JSON.stringify(
    {
      applicationId: 'application-1',
      clusterId: 'php.php.domain',
      clusterInstanceId: 'c1',
      instanceId: null,
      memberId: 'm1',
      networkPartitionId: 'np',
      partitionId: 'p',
      serviceName: 'php',
    },
    null,
    4,
  );
  await raw.publishAsync('instance/unknown/NotAnEvent', '{}', { qos: 1 });
  await raw.publishAsync('instance/status/InstanceActivatedEvent', 'not json', { qos: 1 });
  await raw.publishAsync('instance/status/InstanceStartedEvent', pythonJson, { qos: 1 });
  await raw.publishAsync('instance/notifier/InstanceCleanupMemberEvent', '{"memberId":"m1"}', { qos: 1 });
  await waitFor('two events', () => seen.length === 2, { timeoutMs: 2_000, everyMs: 5 });
  assert.deepEqual(seen, ['InstanceStartedEvent:application-1', 'InstanceCleanupMemberEvent']);
});

test('unsubscribe stops delivery; close() settles everything and is idempotent', async (t) => {
  const broker = await startEmbeddedBroker();
  t.after(() => broker.close());
  const bus = new MessageBus({ urls: [broker.url] });
  t.after(() => bus.close());
  const seen: string[] = [];
  const unsubscribe = await bus.subscribe('InstanceCleanupMemberEvent', (_n, p) => {
    seen.push(p.memberId);
  });
  await bus.publish('InstanceCleanupMemberEvent', { memberId: 'a' });
  await waitFor('first event', () => seen.length === 1, { timeoutMs: 2_000, everyMs: 5 });
  await unsubscribe();
  await bus.publish('InstanceCleanupMemberEvent', { memberId: 'b' });
  // A second subscriber proves 'b' went through the broker before we check the first one.
  const other: string[] = [];
  await bus.subscribe('InstanceCleanupMemberEvent', (_n, p) => {
    other.push(p.memberId);
  });
  await bus.publish('InstanceCleanupMemberEvent', { memberId: 'c' });
  await waitFor('third event', () => other.includes('c'), { timeoutMs: 2_000, everyMs: 5 });
  assert.deepEqual(seen, ['a']);
  await bus.close();
  await bus.close();
  assert.equal(bus.connected, false);
  assert.equal(await bus.publish('InstanceCleanupMemberEvent', { memberId: 'd' }), false);
});
