import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeHealthStatEnvelope,
  eventNameOfTopic,
  eventNames,
  isEventName,
  maskBrokerUrl,
  parseBrokerUrl,
  topicMatches,
  topicOf,
  topics,
  type EventsMatching,
  type MessageBus,
  type TopicOf,
} from '../src/index.ts';

test('every event has its Stratos class-path topic', () => {
  assert.equal(topics.MemberActivatedEvent, 'topology/MemberActivatedEvent');
  assert.equal(topics.InstanceStartedEvent, 'instance/status/InstanceStartedEvent');
  assert.equal(topics.InstanceCleanupMemberEvent, 'instance/notifier/InstanceCleanupMemberEvent');
  assert.equal(topics.ArtifactUpdatedEvent, 'instance/notifier/ArtifactUpdatedEvent');
  assert.equal(topics.ApplicationSignUpAddedEvent, 'application/signup/ApplicationSignUpAddedEvent');
  assert.equal(topics.DomainMappingRemovedEvent, 'domain/mapping/DomainMappingRemovedEvent');
  assert.equal(topics.ApplicationInstanceTerminatedEvent, 'application/ApplicationInstanceTerminatedEvent');
  assert.equal(topics.ClusterStatusClusterActivatedEvent, 'cluster/status/ClusterStatusClusterActivatedEvent');
  assert.equal(topics.CompleteTopologyRequestEvent, 'initializer/CompleteTopologyRequestEvent');
  assert.equal(topics.CompleteTenantEvent, 'tenant/CompleteTenantEvent');
  assert.equal(topics.MemberFaultEvent, 'health/stat/MemberFaultEvent');
  assert.equal(topicOf('ClusterInstanceCreatedEvent'), 'topology/ClusterInstanceCreatedEvent');
  assert.equal(eventNames.length, 81);
  assert.equal(new Set(Object.values(topics)).size, eventNames.length);
  for (const name of eventNames) {
    assert.ok(topics[name].endsWith(`/${name}`), name);
    assert.equal(eventNameOfTopic(topics[name]), name);
  }
});

test('eventNameOfTopic, isEventName and topicMatches', () => {
  assert.equal(eventNameOfTopic('topology/MemberActivatedEvent'), 'MemberActivatedEvent');
  assert.equal(eventNameOfTopic('topology.MemberActivatedEvent'), 'MemberActivatedEvent');
  assert.equal(eventNameOfTopic('instance/MemberActivatedEvent'), undefined);
  assert.equal(eventNameOfTopic('summarized-health-stats'), undefined);
  assert.equal(isEventName('TenantCreatedEvent'), true);
  assert.equal(isEventName('toString'), false);
  assert.equal(topicMatches('topology/#', 'topology/MemberActivatedEvent'), true);
  assert.equal(topicMatches('application/#', 'application/signup/ApplicationSignUpAddedEvent'), true);
  assert.equal(topicMatches('instance/+/InstanceStartedEvent', 'instance/status/InstanceStartedEvent'), true);
  assert.equal(topicMatches('instance/+', 'instance/status/InstanceStartedEvent'), false);
  assert.equal(topicMatches('topology/#', 'topology'), true);
  assert.equal(topicMatches('#', 'tenant/CompleteTenantEvent'), true);
  assert.equal(topicMatches('tenant/CompleteTenantEvent', 'tenant/CompleteTenantEvent'), true);
  assert.equal(topicMatches('tenant/TenantCreatedEvent', 'tenant/CompleteTenantEvent'), false);
});

test('health statistic envelope of Stratos CEP is decoded with numbers', () => {
  const decoded = decodeHealthStatEnvelope({
    'org.apache.stratos.messaging.event.health.stat.AverageLoadAverageEvent': {
      message: { clusterId: 'c1', clusterInstanceId: 'i1', networkPartitionId: 'np', value: '42.5', timestamp: '1430000000000' },
    },
  });
  assert.deepEqual(decoded, {
    name: 'AverageLoadAverageEvent',
    payload: { clusterId: 'c1', clusterInstanceId: 'i1', networkPartitionId: 'np', value: 42.5, timestamp: 1430000000000 },
  });
  assert.equal(decodeHealthStatEnvelope({ 'org.apache.stratos.messaging.event.topology.MemberActivatedEvent': { message: {} } }), undefined);
  assert.equal(decodeHealthStatEnvelope({ memberId: 'm' }), undefined);
  assert.equal(decodeHealthStatEnvelope('x'), undefined);
});

test('broker URLs: mqtt://, tcp:// and the agent host:port form', () => {
  const m = (url: string, host: string, port: number) => ({ url, protocol: 'mqtt', host, port });
  assert.deepEqual(parseBrokerUrl('mqtt://127.0.0.1:1885'), m('mqtt://127.0.0.1:1885', '127.0.0.1', 1885));
  assert.deepEqual(parseBrokerUrl('tcp://mb.example:61616'), m('mqtt://mb.example:61616', 'mb.example', 61616));
  assert.deepEqual(parseBrokerUrl(' localhost:1883 '), m('mqtt://localhost:1883', 'localhost', 1883));
  assert.deepEqual(parseBrokerUrl('mqtt://broker'), m('mqtt://broker:1883', 'broker', 1883));
  assert.throws(() => parseBrokerUrl('ws://broker:80'), /Unsupported message broker protocol/);
});

test('broker URLs: credentials and TLS; the shown URL never has the password', () => {
  assert.deepEqual(parseBrokerUrl('mqtt://strato:s3cr%40t@mb:1884'), {
    url: 'mqtt://strato:***@mb:1884',
    protocol: 'mqtt',
    host: 'mb',
    port: 1884,
    username: 'strato',
    password: 's3cr@t',
  });
  assert.deepEqual(parseBrokerUrl('mqtts://mb.example'), { url: 'mqtts://mb.example:8883', protocol: 'mqtts', host: 'mb.example', port: 8883 });
  assert.equal(parseBrokerUrl('ssl://u:p@mb:8884').url, 'mqtts://u:***@mb:8884');
  assert.equal(parseBrokerUrl('mqtt://only-user@mb:1').url, 'mqtt://only-user@mb:1');
  assert.equal(maskBrokerUrl('mqtt://u:pa/ss@mb:1883'), 'mqtt://u:***@mb:1883');
  assert.equal(maskBrokerUrl('u:secret@mb:1883'), 'u:***@mb:1883');
  assert.equal(maskBrokerUrl('mqtt://mb:1883'), 'mqtt://mb:1883');
  assert.throws(
    () => parseBrokerUrl('http://u:hunter2@mb:1'),
    (e: Error) => /Unsupported message broker protocol/.test(e.message) && !e.message.includes('hunter2'),
  );
});

// ------------------------------------------------------------------ compile-time checks only
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const topicType: Equal<TopicOf<'MemberActivatedEvent'>, 'topology/MemberActivatedEvent'> = true;
const statusEvents: Equal<
  EventsMatching<'instance/status/#'>,
  'InstanceStartedEvent' | 'InstanceActivatedEvent' | 'InstanceMaintenanceModeEvent' | 'InstanceReadyToShutdownEvent'
> = true;
const plusMatch: Equal<EventsMatching<'instance/+/InstanceStartedEvent'>, 'InstanceStartedEvent'> = true;
const signups: Equal<
  EventsMatching<'application/signup/#'>,
  'ApplicationSignUpAddedEvent' | 'ApplicationSignUpRemovedEvent' | 'CompleteApplicationSignUpsEvent'
> = true;
void [topicType, statusEvents, plusMatch, signups];

function typedUsage(bus: MessageBus): void {
  void bus.publish('MemberActivatedEvent', {
    serviceName: 's',
    clusterId: 'c',
    clusterInstanceId: 'ci',
    memberId: 'm',
    networkPartitionId: 'np',
    partitionId: 'p',
    portMap: {},
  });
  // @ts-expect-error a field is missing
  void bus.publish('InstanceCleanupClusterEvent', { clusterId: 'c' });
  // @ts-expect-error not an event of the catalogue
  void bus.publish('NoSuchEvent', {});
  void bus.subscribe('MemberActivatedEvent', (_name, payload) => void payload.portMap);
  void bus.subscribe('topology/#', (name, payload) => {
    if (name === 'MemberTerminatedEvent') void payload.memberId;
    // @ts-expect-error narrowed: a ServiceCreatedEvent has no memberId
    if (name === 'ServiceCreatedEvent') void payload.memberId;
  });
  void bus.subscribe('instance/+/InstanceStartedEvent', (_name, payload) => void payload.applicationId);
}
void typedUsage;
