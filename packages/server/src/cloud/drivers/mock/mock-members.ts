/**
 * The simulated members of the mock IaaS: for each mock instance (not of an agentless provider),
 * the cartridge agent's side of the conversation with the control plane, over the message broker
 * (the driver's own bus; an in-memory one in in-process tests) — its events are the only way the
 * control plane learns anything about it:
 *
 * | the instance receives (for itself)                     | it publishes                         | phase after       |
 * |--------------------------------------------------------|--------------------------------------|-------------------|
 * | `MemberInitializedEvent`, then `bootDelayMs`            | `InstanceStartedEvent`               | `starting`        |
 * | `MemberStartedEvent`                                    | `InstanceActivatedEvent`, then stats | `active`          |
 * | `InstanceCleanupMemberEvent` / `InstanceCleanupClusterEvent` | `InstanceMaintenanceModeEvent`  | `maintenance`     |
 * | `MemberMaintenanceModeEvent`                            | `InstanceReadyToShutdownEvent`       | `readyToShutdown` |
 *
 * A repeated event (the control plane re-announces a member whose status has not moved, because
 * an event may be lost in a broker failover or a crash) is answered with the event of the phase
 * the instance is in: `MemberInitializedEvent` to a starting or active instance → its
 * `InstanceStartedEvent` / `InstanceActivatedEvent` again; `MemberStartedEvent` to an active one →
 * `InstanceActivatedEvent` again; `MemberMaintenanceModeEvent` to a readyToShutdown one →
 * `InstanceReadyToShutdownEvent` again. Nothing else changes.
 *
 * An instance that has activated publishes health statistics every `healthIntervalMs` until it is
 * terminated or killed (as in Stratos, also while in maintenance): `MemberHealthStatEvent` for
 * `memory_consumption` and `load_average`, and `InFlightRequestCountEvent`, with values from its
 * cartridge type's patterns ({@link MockPatterns}). One timer walks the publishing instances
 * (each keeps its own cadence); while the bus is disconnected statistics are skipped, not queued.
 *
 * It subscribes once, to the five events it answers (not `topology/#`, which would make it parse
 * every CompleteTopologyEvent), and dispatches by member id. A cleanup request is answered until
 * the cloud controller acknowledges it with `MemberMaintenanceModeEvent`, as in Stratos: the
 * autoscaler repeats cleanups every cycle so that a lost event is sent again.
 *
 * The conversation itself (which event, in which phase, leads to which event) is the cartridge
 * agent's pure state machine, `@strato/messaging`'s agent-conversation.ts, shared with strato's own
 * cartridge agent: here in its `memberStarted` activation mode (no port check: the control plane's
 * MemberStartedEvent activates) and `memberMaintenanceMode` cleanup mode (the control plane's
 * MemberMaintenanceModeEvent ends the cleanup); its `prepareStart` effect is the boot delay. This
 * class carries its effects out and maps its phases to the persisted instance phases.
 *
 * The instances themselves (their records, persistence, termination) are the driver's
 * ({@link MockMemberHost}); a phase change is handed to the driver to persist once the event that
 * enters it has been acknowledged by the broker (or dropped), so a crash in between repeats the
 * event rather than losing it.
 */
import type { Cancel, Scheduler } from '@strato/model';
import {
  converse,
  initialConversation,
  type AgentPhase,
  type ConversationEffect,
  type ConversationInput,
  type ConversationState,
  type EventBus,
  type EventMap,
  type MemberStatus,
  type Unsubscribe,
} from '@strato/messaging';
import type { Logger } from 'pino';
import type { LiveInstance, MockInstancePhase } from './mock-instance.ts';
import { factorValues, PatternClock, type MockFactorValues, type MockPatterns } from './mock-patterns.ts';

/** What the simulated members need of the driver that owns the instances. */
export interface MockMemberHost {
  /** The live instance of a member, if the driver runs one. */
  instance(memberId: string): LiveInstance | undefined;
  /** Every live instance. */
  instances(): Iterable<LiveInstance>;
  /** Whether an instance has a simulated agent (not one of an agentless provider). */
  isSimulated(inst: LiveInstance): boolean;
  /** Queues a write of the instance's record as it is now, after `after`. */
  persist(inst: LiveInstance, after?: Promise<void>): Promise<void>;
}

export interface SimulatedMembersOptions {
  bus: EventBus;
  log: Logger;
  bootDelayMs: number;
  healthIntervalMs: number;
  patterns: MockPatterns;
  now: () => number;
  /** boot delays and the statistics tick */
  scheduler: Scheduler;
  host: MockMemberHost;
}

/** Phases in which an instance publishes health statistics. */
const PUBLISHING: ReadonlySet<MockInstancePhase> = new Set(['active', 'maintenance', 'readyToShutdown']);

/** The conversation of a simulated member: activation on MemberStartedEvent, cleanup ended by MemberMaintenanceModeEvent. */
const SIMULATED = {
  repository: false,
  portCheckTimeoutMs: 0,
  portCheckIntervalMs: 1,
  topologyRequestIntervalMs: 1,
  activation: 'memberStarted',
  cleanup: 'memberMaintenanceMode',
} as const;

/** The persisted phase of a conversation phase. */
const PHASE_OF: Record<AgentPhase, MockInstancePhase> = {
  waitingForTopology: 'booting',
  waitingForInitialized: 'booting',
  booting: 'booting',
  starting: 'starting',
  active: 'active',
  maintenance: 'maintenance',
  readyToShutdown: 'readyToShutdown',
  stopped: 'killed',
};

/** The member status a persisted phase stands for, when the conversation resumes. */
const STATUS_OF: Record<Exclude<MockInstancePhase, 'killed'>, MemberStatus> = {
  booting: 'Initialized',
  starting: 'Starting',
  active: 'Active',
  maintenance: 'In_Maintenance',
  readyToShutdown: 'ReadyToShutDown',
};

type StatusEventName = 'InstanceStartedEvent' | 'InstanceActivatedEvent' | 'InstanceMaintenanceModeEvent' | 'InstanceReadyToShutdownEvent';

function isStatusEvent(effect: ConversationEffect): effect is { type: 'publish'; event: StatusEventName } {
  return effect.type === 'publish' && effect.event.startsWith('Instance');
}

/** The agents of the mock instances. */
export class SimulatedMembers {
  private readonly bus: EventBus;
  private readonly log: Logger;
  private readonly bootDelayMs: number;
  private readonly healthIntervalMs: number;
  private readonly patterns: MockPatterns;
  private readonly now: () => number;
  private readonly scheduler: Scheduler;
  private readonly host: MockMemberHost;

  /** Instances in a publishing phase (health statistics). */
  private readonly publishing = new Set<LiveInstance>();
  /** Each instance's conversation state. */
  private readonly conversations = new WeakMap<LiveInstance, ConversationState>();
  /** Per cartridge type: its live instance count and pattern clock. */
  private readonly types = new Map<string, { count: number; clock: PatternClock }>();
  private unsubscribes: Unsubscribe[] = [];
  private healthTimer: Cancel | undefined;
  private running = false;

  constructor(o: SimulatedMembersOptions) {
    this.bus = o.bus;
    this.log = o.log;
    this.bootDelayMs = o.bootDelayMs;
    this.healthIntervalMs = o.healthIntervalMs;
    this.patterns = o.patterns;
    this.now = o.now;
    this.scheduler = o.scheduler;
    this.host = o.host;
  }

  /** Subscribes to the events the members answer and starts the health statistics timer. */
  async start(): Promise<void> {
    this.running = true;
    this.unsubscribes = await Promise.all([
      this.bus.subscribe('MemberInitializedEvent', (_n, e) => this.onMemberInitialized(e)),
      this.bus.subscribe('MemberStartedEvent', (_n, e) => this.onMemberStarted(e)),
      this.bus.subscribe('MemberMaintenanceModeEvent', (_n, e) => this.onMemberMaintenanceMode(e)),
      this.bus.subscribe('InstanceCleanupMemberEvent', (_n, e) => this.onCleanupMember(e)),
      this.bus.subscribe('InstanceCleanupClusterEvent', (_n, e) => this.onCleanupCluster(e)),
    ]);
    const tickMs = Math.min(1_000, Math.max(10, Math.floor(this.healthIntervalMs / 10)));
    this.healthTimer = this.scheduler.every('mock health statistics', tickMs, () => this.publishHealthStats());
  }

  /**
   * Stops timers at once (boot timers of `instances`, statistics); answers the unsubscribing,
   * to be awaited once the driver has flushed its writes.
   */
  halt(instances: Iterable<LiveInstance>): () => Promise<void> {
    this.running = false;
    this.healthTimer?.();
    this.healthTimer = undefined;
    for (const inst of instances) inst.bootTimer?.();
    const unsubscribes = this.unsubscribes.splice(0);
    return async () => {
      await Promise.all(unsubscribes.map((u) => u()));
      this.publishing.clear();
      this.types.clear();
    };
  }

  /** Takes an instance (new or loaded) in: counts it for its type's pattern clock, statistics if its phase publishes. */
  adopt(inst: LiveInstance): void {
    const record = inst.record;
    let type = this.types.get(record.serviceName);
    if (type === undefined) {
      type = { count: 0, clock: new PatternClock() };
      this.types.set(record.serviceName, type);
    }
    if (type.count++ === 0) type.clock.resume(this.now());
    // a new instance waits for MemberInitializedEvent (resume() replaces this for persisted ones)
    this.conversations.set(inst, converse(initialConversation(SIMULATED), { type: 'topology', memberStatus: 'Created', now: this.now() }).state);
    if (PUBLISHING.has(record.phase) && this.host.isSimulated(inst)) {
      this.startStats(inst);
      // Resumed instances spread their first statistics over one interval instead of all at once.
      inst.nextStatAt += Math.floor(Math.random() * this.healthIntervalMs);
    }
  }

  /** An instance is gone (terminated, destroyed): its activity stops and its type counts one less. */
  forget(inst: LiveInstance): void {
    this.quiet(inst);
    const type = this.types.get(inst.record.serviceName);
    if (type !== undefined && --type.count === 0) type.clock.pause(this.now());
  }

  /** The agent crashed: nothing more is published for the instance (its phase becomes `killed`). */
  kill(inst: LiveInstance): void {
    this.quiet(inst);
    this.setPhase(inst, 'killed');
  }

  /** Picks up a persisted instance where its phase says it was (the conversation resumed from that status). */
  resume(inst: LiveInstance): void {
    if (!this.host.isSimulated(inst) || inst.record.phase === 'killed') return;
    this.conversations.set(inst, initialConversation(SIMULATED));
    this.feed(inst, { type: 'topology', memberStatus: STATUS_OF[inst.record.phase], now: this.now() });
  }

  // ---------------------------------------------------------------- the conversation

  /** The live instance of a member if it has a simulated agent. */
  private simulated(memberId: string): LiveInstance | undefined {
    const inst = this.host.instance(memberId);
    return inst === undefined || !this.host.isSimulated(inst) ? undefined : inst;
  }

  private onMemberInitialized(event: EventMap['MemberInitializedEvent']): void {
    const inst = this.simulated(event.memberId);
    if (inst !== undefined) this.feed(inst, { type: 'memberInitialized', now: this.now() });
  }

  private onMemberStarted(event: EventMap['MemberStartedEvent']): void {
    const inst = this.simulated(event.memberId);
    if (inst !== undefined) this.feed(inst, { type: 'memberStarted', now: this.now() });
  }

  private onCleanupMember(event: EventMap['InstanceCleanupMemberEvent']): void {
    const inst = this.simulated(event.memberId);
    if (inst !== undefined) this.feed(inst, { type: 'cleanup', now: this.now() });
  }

  private onCleanupCluster(event: EventMap['InstanceCleanupClusterEvent']): void {
    for (const inst of this.host.instances()) {
      const r = inst.record;
      if (r.clusterId === event.clusterId && r.clusterInstanceId === event.clusterInstanceId && this.host.isSimulated(inst)) {
        this.feed(inst, { type: 'cleanup', now: this.now() });
      }
    }
  }

  private onMemberMaintenanceMode(event: EventMap['MemberMaintenanceModeEvent']): void {
    const inst = this.simulated(event.memberId);
    if (inst !== undefined) this.feed(inst, { type: 'memberMaintenanceMode', now: this.now() });
  }

  /** Feeds one input to an instance's conversation and carries its effects out. */
  private feed(inst: LiveInstance, input: ConversationInput): void {
    if (inst.removed || inst.record.phase === 'killed') return;
    const state = this.conversations.get(inst);
    if (state === undefined) return;
    const step = converse(state, input);
    this.conversations.set(inst, step.state);
    const phase = PHASE_OF[step.state.phase];
    if (phase !== 'booting') {
      // out of booting (started, or a cleanup): the boot is over
      inst.bootTimer?.();
      inst.bootTimer = undefined;
    }
    // Effects: the boot delay and the status events. A simulated member has no ports, scripts or
    // repository, never asks for the tenants, and its statistics follow its phase (setPhase).
    const statusEvents: StatusEventName[] = [];
    for (const effect of step.effects) {
      if (effect.type === 'prepareStart') this.scheduleBoot(inst);
      else if (isStatusEvent(effect)) statusEvents.push(effect.event);
    }
    if (statusEvents.length === 0) this.setPhase(inst, phase);
    for (const event of statusEvents) this.transition(inst, phase, event);
  }

  private scheduleBoot(inst: LiveInstance): void {
    if (inst.bootTimer !== undefined) return;
    inst.bootTimer = this.scheduler.after('mock instance boot', this.bootDelayMs, () => {
      inst.bootTimer = undefined;
      if (this.running && !inst.removed) this.feed(inst, { type: 'prepared', now: this.now() });
    });
  }

  /**
   * Enters `phase` by publishing `eventName`; the phase is persisted once the broker has
   * acknowledged the event (or the bus dropped it).
   */
  private transition(inst: LiveInstance, phase: MockInstancePhase, eventName: StatusEventName): void {
    this.setPhase(inst, phase);
    const r = inst.record;
    const fields = {
      serviceName: r.serviceName,
      clusterId: r.clusterId,
      clusterInstanceId: r.clusterInstanceId,
      memberId: r.memberId,
      instanceId: r.instanceId,
      networkPartitionId: r.networkPartitionId,
      partitionId: r.partitionId,
    };
    const published =
      eventName === 'InstanceStartedEvent' ? this.bus.publish(eventName, { applicationId: r.applicationId, ...fields }) : this.bus.publish(eventName, fields);
    this.log.debug({ memberId: r.memberId, event: eventName, phase }, 'Mock instance event');
    const delivered = published.then((ok) => {
      if (!ok) this.log.warn({ memberId: r.memberId, event: eventName }, 'Mock instance event was not delivered');
    });
    void this.host.persist(inst, delivered);
  }

  private setPhase(inst: LiveInstance, phase: MockInstancePhase): void {
    if (inst.record.phase !== phase) {
      inst.record = { ...inst.record, phase, phaseChangedAt: this.now() };
    }
    if (PUBLISHING.has(phase)) this.startStats(inst);
    else this.publishing.delete(inst);
  }

  /** Stops everything an instance does (boot timer, statistics). */
  private quiet(inst: LiveInstance): void {
    inst.bootTimer?.();
    inst.bootTimer = undefined;
    this.publishing.delete(inst);
  }

  // ---------------------------------------------------------------- health statistics

  private startStats(inst: LiveInstance): void {
    if (this.publishing.has(inst)) return;
    inst.nextStatAt = this.now(); // the first statistics at once, as Stratos's scheduler did
    this.publishing.add(inst);
  }

  /**
   * One pass over the publishing instances (a single timer, a tenth of the interval, 10 ms to
   * 1 s): each instance whose statistics are due publishes them, and its next ones fall due one
   * interval later, so each keeps its own cadence.
   */
  private publishHealthStats(): void {
    if (this.publishing.size === 0) return;
    const now = this.now();
    // Statistics are only worth something now: while the bus is disconnected they are not queued
    // (10,000 instances would queue 2,000 events a second), only their cadence goes on.
    const send = this.bus.connected;
    const valuesByType = new Map<string, MockFactorValues>();
    for (const inst of this.publishing) {
      if (now < inst.nextStatAt) continue;
      const next = inst.nextStatAt + this.healthIntervalMs;
      inst.nextStatAt = next <= now ? now + this.healthIntervalMs : next;
      if (!send) continue;
      const r = inst.record;
      let values = valuesByType.get(r.serviceName);
      if (values === undefined) {
        const clock = this.types.get(r.serviceName)?.clock;
        values = factorValues(this.patterns.cartridges[r.serviceName], clock?.elapsed(now) ?? 0);
        valuesByType.set(r.serviceName, values);
      }
      const member = {
        clusterId: r.clusterId,
        clusterInstanceId: r.clusterInstanceId,
        networkPartitionId: r.networkPartitionId,
        memberId: r.memberId,
        partitionId: r.partitionId,
        timestamp: now,
      };
      if (values.memoryConsumption !== undefined) {
        this.publishStat('MemberHealthStatEvent', { ...member, healthDescription: 'memory_consumption', value: values.memoryConsumption });
      }
      if (values.loadAverage !== undefined) {
        this.publishStat('MemberHealthStatEvent', { ...member, healthDescription: 'load_average', value: values.loadAverage });
      }
      if (values.requestsInFlight !== undefined) {
        this.publishStat('InFlightRequestCountEvent', {
          clusterId: r.clusterId,
          clusterInstanceId: r.clusterInstanceId,
          networkPartitionId: r.networkPartitionId,
          inFlightRequestCount: values.requestsInFlight,
          timestamp: now,
        });
      }
    }
  }

  private publishStat<K extends 'MemberHealthStatEvent' | 'InFlightRequestCountEvent'>(name: K, payload: EventMap[K]): void {
    void this.bus.publish(name, payload);
  }
}
