/**
 * Every lifecycle timeout and periodic-task interval of Stratos 4.1, with Stratos's default, in
 * milliseconds (orchestration.md §3.12, §5, cartridge-agent.md). The settings module turns these
 * into configurable settings; the orchestration code takes the resolved values as inputs.
 */

/** One documented default. */
export interface TimingDefault {
  /** The setting's name in strato (camelCase). */
  readonly name: string;
  /** Stratos's default, in milliseconds. */
  readonly default: number;
  /** What the setting governs. */
  readonly meaning: string;
  /** Where Stratos defines it, when it has a name there. */
  readonly stratos?: string;
}

function d(name: string, ms: number, meaning: string, stratos?: string): TimingDefault {
  return Object.freeze({ name, default: ms, meaning, ...(stratos !== undefined ? { stratos } : {}) });
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** The defaults, by setting name. */
export const TIMING_DEFAULTS = Object.freeze({
  /** @default 90 000 ms */
  clusterMonitorInterval: d(
    'clusterMonitorInterval',
    90 * SECOND,
    'How often a cluster monitor runs its rules (min, max, scaling, obsolete checks) per cluster instance.',
    'autoscaler.xml cluster/monitorInterval',
  ),
  /** @default 60 000 ms */
  parentMonitorInterval: d(
    'parentMonitorInterval',
    60 * SECOND,
    'How often application and group monitors process scaling inboxes and enforce instance minimums (hard-coded in Stratos).',
  ),
  /** @default 900 000 ms (15 min) */
  pendingMemberExpiryTimeout: d(
    'pendingMemberExpiryTimeout',
    15 * MINUTE,
    "A pending member older than this (from its initTime), or of a Terminating cluster instance, becomes obsolete; after more than 5 consecutive expiries in a partition, each further expiry doubles that partition's timeout (reset when a member activates).",
    'pendingMemberExpiryTimeout',
  ),
  /** @default 1 800 000 ms (30 min) */
  pendingTerminationMemberExpiryTimeout: d(
    'pendingTerminationMemberExpiryTimeout',
    30 * MINUTE,
    'A termination-pending member older than this becomes obsolete (and is then terminated non-gracefully).',
    'pendingTerminationMemberExpiryTimeout',
  ),
  /** @default 86 400 000 ms (24 h) */
  obsoletedMemberExpiryTimeout: d(
    'obsoletedMemberExpiryTimeout',
    24 * HOUR,
    'An obsolete member older than this (from obsoleteInitTime, else initTime) is terminated forcefully and forgotten.',
    'obsoletedMemberExpiryTimeout',
  ),
  /** @default 15 000 ms */
  memberListWatcherInterval: d(
    'memberListWatcherInterval',
    15 * SECOND,
    'How often each partition context checks its pending, termination-pending and obsolete lists for expiry.',
  ),
  /** @default 60 000 ms */
  memberFaultTimeout: d('memberFaultTimeout', 60 * SECOND, 'A member with no health statistics for this long is reported faulty (MemberFaultEvent).'),
  /** @default 60 000 ms */
  memberFaultCheckInterval: d('memberFaultCheckInterval', 60 * SECOND, 'How often members are checked for missing health statistics.'),
  /** @default 900 000 ms (15 min) */
  faultHandlerActivationTimeout: d(
    'faultHandlerActivationTimeout',
    15 * MINUTE,
    'After start-up, fault detection waits for the first health event or this long before checking members.',
    'cep.fault.handler.extension.activate.timeout',
  ),
  /** @default 60 000 ms */
  healthStatWindow: d(
    'healthStatWindow',
    1 * MINUTE,
    'The window over which health statistics are averaged and their gradients and second derivatives computed.',
  ),
  /** @default 60 000 ms */
  completeTopologyInterval: d('completeTopologyInterval', 1 * MINUTE, 'How often the complete topology is published (CompleteTopologyEvent).'),
  /** @default 60 000 ms */
  completeApplicationsInterval: d(
    'completeApplicationsInterval',
    1 * MINUTE,
    'How often the complete applications model is published (CompleteApplicationsEvent).',
  ),
  /** @default 60 000 ms */
  completeTenantInterval: d('completeTenantInterval', 1 * MINUTE, 'How often the complete tenant list is published (CompleteTenantEvent).'),
  /** @default 60 000 ms */
  completeApplicationSignUpsInterval: d(
    'completeApplicationSignUpsInterval',
    1 * MINUTE,
    'How often the complete application sign-up list is published (CompleteApplicationSignUpsEvent).',
  ),
  /** @default 60 000 ms */
  kubernetesPodActivationTimeout: d(
    'kubernetesPodActivationTimeout',
    60 * SECOND,
    'How long a Kubernetes pod may take to become running.',
    'stratos.pod.activation.timeout',
  ),
  /** @default 5 000 ms */
  kubernetesPodActivationPollInterval: d('kubernetesPodActivationPollInterval', 5 * SECOND, 'How often a starting pod is polled.'),
  /** @default 15 000 ms */
  mockHealthStatPublishInterval: d('mockHealthStatPublishInterval', 15 * SECOND, 'How often each mock IaaS instance publishes its health statistics.'),
  /** @default 15 000 ms */
  lbStatsPublishInterval: d('lbStatsPublishInterval', 15 * SECOND, 'How often load balancers publish in-flight request counts.', 'stats.notifier.interval'),
  /** @default 300 000 ms */
  cloudControllerClientTimeout: d(
    'cloudControllerClientTimeout',
    300 * SECOND,
    'Timeout of calls from the autoscaler and the manager to the cloud controller.',
  ),
  /** @default 900 000 ms */
  agentPublisherTimeout: d(
    'agentPublisherTimeout',
    900 * SECOND,
    'How long the cartridge agent keeps trying to publish an event before giving up.',
    'agent.conf mb.publisher.timeout (seconds)',
  ),
} satisfies Record<string, TimingDefault>);

/** The name of a timing setting. */
export type TimingName = keyof typeof TIMING_DEFAULTS;

/** Resolved timings (milliseconds), one per setting. */
export type Timings = { readonly [K in TimingName]: number };

/** The default timings, as plain numbers (milliseconds). */
export const DEFAULT_TIMINGS: Timings = Object.freeze(Object.fromEntries(Object.entries(TIMING_DEFAULTS).map(([k, v]) => [k, v.default])) as Timings);

/**
 * Whether termination-pending and obsolete members count as non-terminated (so no replacement is
 * started before they are gone). Stratos's `spinAfterTerminate`. @default false
 */
export const DEFAULT_SPIN_AFTER_TERMINATE = false;

/** Pending-member expiries in a partition after which each expiry doubles its timeout. @default 5 */
export const PENDING_EXPIRY_FAILURE_THRESHOLD = 5;
