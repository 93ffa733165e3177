/**
 * The event catalogue: every Stratos event strato sends or receives, its MQTT topic and the type
 * of its JSON payload.
 *
 * Topic = the event's Java class name minus `org.apache.stratos.messaging.event.`, dots turned
 * into slashes (`topology/MemberActivatedEvent`). Payload = the event's plain JSON fields, no
 * envelope; the event name is the last topic level. (orchestration.md §2.1, cartridge-agent.md
 * §3.1.)
 */
import type { ApplicationEvents } from './events/application-events.ts';
import type { ClusterStatusEvents } from './events/cluster-status-events.ts';
import type { HealthStatEvents } from './events/health-events.ts';
import type { InitializerEvents } from './events/initializer-events.ts';
import type { InstanceNotifierEvents, InstanceStatusEvents } from './events/instance-events.ts';
import type { DomainMappingEvents, SignUpEvents, TenantEvents } from './events/tenancy-events.ts';
import type { TopologyEvents } from './events/topology-events.ts';

/** Event name → payload type, for every event of the catalogue. */
export interface EventMap
  extends TopologyEvents,
    ApplicationEvents,
    SignUpEvents,
    DomainMappingEvents,
    ClusterStatusEvents,
    InstanceStatusEvents,
    InstanceNotifierEvents,
    InitializerEvents,
    TenantEvents,
    HealthStatEvents {}

/** The name of an event of the catalogue (its Java simple class name). */
export type EventName = keyof EventMap;

/** The payload type of event `K`. */
export type EventPayload<K extends EventName> = EventMap[K];

function family<P extends string, const N extends readonly string[]>(prefix: P, names: N): { readonly [K in N[number]]: `${P}/${K}` } {
  return Object.fromEntries(names.map((n) => [n, `${prefix}/${n}`])) as {
    readonly [K in N[number]]: `${P}/${K}`;
  };
}

/** Event name → MQTT topic, for every event of the catalogue. */
export const topics = Object.freeze({
  ...family('topology', [
    'CompleteTopologyEvent',
    'ServiceCreatedEvent',
    'ServiceRemovedEvent',
    'ApplicationClustersCreatedEvent',
    'ApplicationClustersRemovedEvent',
    'ClusterCreatedEvent',
    'ClusterRemovedEvent',
    'ClusterResetEvent',
    'ClusterInstanceCreatedEvent',
    'ClusterInstanceActivatedEvent',
    'ClusterInstanceInactivateEvent',
    'ClusterInstanceTerminatingEvent',
    'ClusterInstanceTerminatedEvent',
    'MemberCreatedEvent',
    'MemberInitializedEvent',
    'MemberStartedEvent',
    'MemberActivatedEvent',
    'MemberMaintenanceModeEvent',
    'MemberReadyToShutdownEvent',
    'MemberTerminatedEvent',
    'MemberSuspendedEvent',
  ]),
  ...family('application', [
    'CompleteApplicationsEvent',
    'ApplicationCreatedEvent',
    'ApplicationUpdatedEvent',
    'ApplicationDeletedEvent',
    'ApplicationInstanceCreatedEvent',
    'ApplicationInstanceActivatedEvent',
    'ApplicationInstanceInactivatedEvent',
    'ApplicationInstanceTerminatingEvent',
    'ApplicationInstanceTerminatedEvent',
    'GroupInstanceCreatedEvent',
    'GroupInstanceActivatedEvent',
    'GroupInstanceInactivatedEvent',
    'GroupInstanceTerminatingEvent',
    'GroupInstanceTerminatedEvent',
    'GroupMaintenanceModeEvent',
  ]),
  ...family('application/signup', ['ApplicationSignUpAddedEvent', 'ApplicationSignUpRemovedEvent', 'CompleteApplicationSignUpsEvent']),
  ...family('domain/mapping', ['DomainMappingAddedEvent', 'DomainMappingRemovedEvent']),
  ...family('cluster/status', [
    'ClusterStatusClusterActivatedEvent',
    'ClusterStatusClusterInactivateEvent',
    'ClusterStatusClusterTerminatingEvent',
    'ClusterStatusClusterTerminatedEvent',
    'ClusterStatusClusterResetEvent',
    'ClusterStatusClusterInstanceCreatedEvent',
  ]),
  ...family('instance/status', ['InstanceStartedEvent', 'InstanceActivatedEvent', 'InstanceMaintenanceModeEvent', 'InstanceReadyToShutdownEvent']),
  ...family('instance/notifier', ['InstanceCleanupMemberEvent', 'InstanceCleanupClusterEvent', 'ArtifactUpdatedEvent']),
  ...family('initializer', [
    'CompleteTopologyRequestEvent',
    'CompleteApplicationsRequestEvent',
    'CompleteTenantRequestEvent',
    'CompleteApplicationSignUpsRequestEvent',
  ]),
  ...family('tenant', ['CompleteTenantEvent', 'TenantCreatedEvent', 'TenantUpdatedEvent', 'TenantRemovedEvent']),
  ...family('health/stat', [
    'AverageLoadAverageEvent',
    'AverageMemoryConsumptionEvent',
    'GradientOfLoadAverageEvent',
    'GradientOfMemoryConsumptionEvent',
    'SecondDerivativeOfLoadAverageEvent',
    'SecondDerivativeOfMemoryConsumptionEvent',
    'AverageRequestsInFlightEvent',
    'GradientOfRequestsInFlightEvent',
    'SecondDerivativeOfRequestsInFlightEvent',
    'AverageRequestsServingCapabilityEvent',
    'MemberAverageLoadAverageEvent',
    'MemberAverageMemoryConsumptionEvent',
    'MemberGradientOfLoadAverageEvent',
    'MemberGradientOfMemoryConsumptionEvent',
    'MemberSecondDerivativeOfLoadAverageEvent',
    'MemberSecondDerivativeOfMemoryConsumptionEvent',
    'MemberFaultEvent',
    'MemberHealthStatEvent',
    'InFlightRequestCountEvent',
  ]),
}) satisfies { readonly [K in EventName]: `${string}/${K}` };

/** Compile-time check: `topics` names no event outside `EventMap`. */
type Exact<A, B> = [Exclude<A, B>, Exclude<B, A>] extends [never, never] ? true : false;
const topicsMatchEventMap: Exact<keyof typeof topics, EventName> = true;
void topicsMatchEventMap;

/** The MQTT topic of event `K`, e.g. `'topology/MemberActivatedEvent'`. */
export type TopicOf<K extends EventName> = (typeof topics)[K];

/** Every topic of the catalogue. */
export type Topic = TopicOf<EventName>;

/** Every event name of the catalogue, in catalogue order. */
export const eventNames: readonly EventName[] = Object.freeze(Object.keys(topics) as EventName[]);

const nameByTopic: ReadonlyMap<string, EventName> = new Map(eventNames.map((name) => [topics[name], name] as const));

/** Whether `value` names an event of the catalogue. */
export function isEventName(value: string): value is EventName {
  return Object.hasOwn(topics, value);
}

/** The MQTT topic of an event: `topicOf('MemberActivatedEvent') === 'topology/MemberActivatedEvent'`. */
export function topicOf<K extends EventName>(name: K): TopicOf<K> {
  return topics[name];
}

/**
 * The event name of a catalogue topic, or `undefined` for a topic outside the catalogue.
 * Also accepts the JMS form with dots (`topology.MemberActivatedEvent`).
 */
export function eventNameOfTopic(topic: string): EventName | undefined {
  return nameByTopic.get(topic) ?? nameByTopic.get(topic.replaceAll('.', '/'));
}

/**
 * The wildcard subscriptions Stratos components use (orchestration.md §2.1), plus
 * `health/stat/#` for strato's health statistics.
 */
export const topicFilters = Object.freeze({
  topology: 'topology/#',
  application: 'application/#',
  applicationSignUp: 'application/signup/#',
  domainMapping: 'domain/mapping/#',
  clusterStatus: 'cluster/status/#',
  instance: 'instance/#',
  instanceStatus: 'instance/status/#',
  instanceNotifier: 'instance/notifier/#',
  initializer: 'initializer/#',
  tenant: 'tenant/#',
  healthStat: 'health/stat/#',
} as const);

/**
 * The names of the events an MQTT topic filter matches (`+` and `#` wildcards), as a type:
 * `EventsMatching<'topology/#'>` is the union of the topology event names.
 */
export type EventsMatching<F extends string> = {
  [K in EventName]: TopicMatches<F, TopicOf<K>> extends true ? K : never;
}[EventName];

type TopicMatches<F extends string, T extends string> = F extends '#'
  ? true
  : F extends `${infer FH}/${infer FR}`
    ? T extends `${infer TH}/${infer TR}`
      ? FH extends '+' | TH
        ? TopicMatches<FR, TR>
        : false
      : FR extends '#'
        ? FH extends '+' | T
          ? true
          : false
        : false
    : F extends '+'
      ? T extends `${string}/${string}`
        ? false
        : true
      : F extends T
        ? true
        : false;

/**
 * Whether an MQTT topic filter matches a topic (`+` one level, `#` the rest, including the
 * parent level itself as MQTT 3.1.1 specifies).
 */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    const level = f[i];
    if (level === '#') return true;
    if (i >= t.length) return false;
    if (level !== '+' && level !== t[i]) return false;
  }
  return f.length === t.length;
}
