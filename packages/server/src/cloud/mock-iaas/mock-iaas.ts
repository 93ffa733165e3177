/**
 * The mock IaaS (orchestration.md §6.7): an IaaS driver whose "VMs" are simulated in the process.
 *
 * Each mock instance behaves as a cartridge agent would, over the real message broker — its events
 * are the only way the control plane learns anything about it:
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
 * cartridge type's patterns ({@link MockPatterns}). One driver timer walks the publishing instances
 * (each keeps its own cadence); while the bus is disconnected statistics are skipped, not queued.
 *
 * The driver subscribes once, to the five events it answers (not `topology/#`, which would make it
 * parse every CompleteTopologyEvent), and dispatches by member id. A cleanup request is answered
 * until the cloud controller acknowledges it with `MemberMaintenanceModeEvent`, as in Stratos: the
 * autoscaler repeats cleanups every cycle so that a lost event is sent again.
 *
 * Every instance is persisted (kind `mockInstance`, super-tenant scope, id = member id) with its
 * phase, so that a restarted driver resumes each instance where it was: `booting` → publish
 * `InstanceStartedEvent` after the boot delay (without waiting for `MemberInitializedEvent`
 * again); `starting` → publish `InstanceActivatedEvent`; `active` → health statistics;
 * `maintenance` → publish `InstanceReadyToShutdownEvent`; `readyToShutdown` and `killed` → nothing.
 * A phase is persisted once the event that enters it has been acknowledged by the broker (or
 * dropped), so a crash in between repeats the event rather than losing it; the control plane
 * treats repeated events idempotently.
 *
 * Broker identity: the driver is part of the trusted server and speaks for every instance it
 * simulates over its own bus, as the broker's privileged `mock-iaas` user (it may publish the
 * topics an agent publishes, for any member). One MQTT connection per simulated member would cost
 * 10,000 connections for a 1,000 × 10 benchmark and prove nothing more. Each member's own
 * credentials are still in its launch payload (`mb.username`, `mb.password`); the driver keeps
 * them out of its records (`mb.password=(redacted)`), as no simulated agent needs them.
 *
 * Instances started for a provider of `agentlessProviders` have no simulated agent: they get
 * addresses and keep their whole payload (credentials included), and a real cartridge agent,
 * outside the server, speaks for them. The driver publishes nothing for them.
 */
import type { EventMap, MessageBus, Unsubscribe } from '@strato/messaging';
import type { Logger } from 'pino';
import { SUPER_TENANT_ID, type Store } from '../../store/store.ts';
import { redactPayloadSecrets } from '../../autoscaler/payload.ts';
import type { IaasDriver, InstanceInfo, InstanceRequest } from '../iaas-driver.ts';
import { DEFAULT_MOCK_BOOT_DELAY_MS, DEFAULT_MOCK_HEALTH_INTERVAL_MS } from './mock-iaas-settings.ts';
import { mockIpAddress } from './mock-ip-address.ts';
import { factorValues, NO_MOCK_PATTERNS, PatternClock, type MockFactorValues, type MockPatterns } from './mock-patterns.ts';

/** Store kind of a mock instance record (scope SUPER_TENANT_ID, id = member id). */
export const MOCK_INSTANCE_KIND = 'mockInstance';
/** Store kind of the mock IaaS's address sequences (one record, id `addresses`). */
export const MOCK_SEQUENCE_KIND = 'mockIaasSequence';
const SEQUENCE_ID = 'addresses';

/** Where a mock instance is in its conversation with the control plane. */
export type MockInstancePhase = 'booting' | 'starting' | 'active' | 'maintenance' | 'readyToShutdown' | 'killed';

/**
 * A mock instance as stored and as the mock IaaS API shows it: Stratos's MockInstanceMetadata
 * (`instanceId, defaultPrivateIp, defaultPublicIp, payload`) plus strato's extras.
 */
export interface MockInstanceRecord {
  /** = member id, as in Stratos. */
  instanceId: string;
  defaultPrivateIp: string;
  defaultPublicIp: string;
  /** The launch payload, `KEY=value` pairs joined by commas. */
  payload: string;
  memberId: string;
  applicationId: string;
  /** The cartridge type. */
  serviceName: string;
  clusterId: string;
  clusterInstanceId: string;
  networkPartitionId: string;
  partitionId: string;
  /** The provider name the instance was started for (`mock`, `ec2-sydney`, ...). */
  provider: string;
  phase: MockInstancePhase;
  /** Epoch ms of the start request. */
  createdAt: number;
  /** Epoch ms of the last phase change. */
  phaseChangedAt: number;
}

/** The persisted address sequences (Stratos kept the private and public ones apart). */
interface AddressSequences {
  private: number;
  public: number;
}

/** Options of {@link MockIaas}. All durations are in milliseconds. */
export interface MockIaasOptions {
  /** Where instances and address sequences are persisted. */
  store: Store;
  /** The driver's own bus connection (client id e.g. `strato-mock-iaas`); the caller owns and closes it. */
  bus: MessageBus;
  /** Structured logger; the driver logs through a child with `component: 'mock-iaas'`. */
  logger: Logger;
  /**
   * Delay between `MemberInitializedEvent` and `InstanceStartedEvent` (STRATO_MOCK_BOOT_DELAY).
   * @default 1000
   */
  bootDelayMs?: number;
  /**
   * Period of an active instance's health statistics (STRATO_MOCK_HEALTH_INTERVAL; Stratos: 15 s).
   * @default 15000
   */
  healthIntervalMs?: number;
  /**
   * Health statistic patterns per cartridge type (STRATO_MOCK_IAAS_CONFIG).
   * @default no patterns: memory consumption 20, load average 20, requests in flight 1 for every type
   */
  patterns?: MockPatterns;
  /**
   * The clock, for statistic timestamps, record times and pattern clocks.
   * @default Date.now
   */
  now?: () => number;
  /**
   * How long `stop()` waits for events still awaiting their broker acknowledgement, so that the
   * phases they enter are persisted.
   * @default 2000
   */
  stopFlushTimeoutMs?: number;
  /**
   * Provider names whose instances have no simulated agent (STRATO_MOCK_AGENTLESS_PROVIDERS).
   * @default []
   */
  agentlessProviders?: readonly string[];
}

/** One instance in memory. */
interface LiveInstance {
  record: MockInstanceRecord;
  /** Pending boot (MemberInitialized → InstanceStarted). */
  bootTimer: NodeJS.Timeout | undefined;
  /** When the next health statistics are due (epoch ms per `now`); only for publishing phases. */
  nextStatAt: number;
  /** This instance's store writes, in order. */
  writes: Promise<void>;
  /** Terminated: no more writes or events. */
  removed: boolean;
}

/** Phases in which an instance publishes health statistics. */
const PUBLISHING: ReadonlySet<MockInstancePhase> = new Set(['active', 'maintenance', 'readyToShutdown']);
/** Phases in which a cleanup request is answered with InstanceMaintenanceModeEvent. */
const CLEANABLE: ReadonlySet<MockInstancePhase> = new Set(['booting', 'starting', 'active', 'maintenance']);

type StatusEventName = 'InstanceStartedEvent' | 'InstanceActivatedEvent' | 'InstanceMaintenanceModeEvent' | 'InstanceReadyToShutdownEvent';

/** The mock IaaS driver (name `mock`). */
export class MockIaas implements IaasDriver {
  readonly name = 'mock';
  private readonly store: Store;
  private readonly bus: MessageBus;
  private readonly log: Logger;
  private readonly bootDelayMs: number;
  private readonly healthIntervalMs: number;
  private readonly patterns: MockPatterns;
  private readonly now: () => number;
  private readonly stopFlushTimeoutMs: number;
  private readonly agentless: ReadonlySet<string>;

  private readonly instances = new Map<string, LiveInstance>();
  /** Instances in a publishing phase (health statistics). */
  private readonly publishing = new Set<LiveInstance>();
  /** Start requests in progress, by member id (idempotency under concurrency). */
  private readonly starting = new Map<string, Promise<InstanceInfo>>();
  /** Per cartridge type: its live instance count and pattern clock. */
  private readonly types = new Map<string, { count: number; clock: PatternClock }>();
  private unsubscribes: Unsubscribe[] = [];
  private healthTimer: NodeJS.Timeout | undefined;
  private running = false;
  /** Incremented by stop(): writes queued in an earlier run are skipped (the store may be closed). */
  private generation = 0;

  constructor(options: MockIaasOptions) {
    this.store = options.store;
    this.bus = options.bus;
    this.log = options.logger.child({ component: 'mock-iaas' });
    this.bootDelayMs = Math.max(0, options.bootDelayMs ?? DEFAULT_MOCK_BOOT_DELAY_MS);
    this.healthIntervalMs = Math.max(1, options.healthIntervalMs ?? DEFAULT_MOCK_HEALTH_INTERVAL_MS);
    this.patterns = options.patterns ?? NO_MOCK_PATTERNS;
    this.now = options.now ?? Date.now;
    this.stopFlushTimeoutMs = options.stopFlushTimeoutMs ?? 2_000;
    this.agentless = new Set(options.agentlessProviders ?? []);
  }

  /** The live instance of a member if the driver simulates its agent (not an agentless one). */
  private simulated(memberId: string): LiveInstance | undefined {
    const inst = this.instances.get(memberId);
    return inst === undefined || this.agentless.has(inst.record.provider) ? undefined : inst;
  }

  /** Whether the driver is started (its instances are live). */
  get isRunning(): boolean {
    return this.running;
  }

  /** Partitions of a mock network partition are always valid. */
  validatePartition(): void {}

  private startFailures = 0;
  private terminateFailures = 0;

  /**
   * Makes the next instance starts and terminations fail, as a real IaaS does when it is out of
   * capacity or unreachable (fault testing; `POST /mock-iaas/api/failures`).
   */
  failNext(counts: { startInstance?: number; terminateInstance?: number }): { startInstance: number; terminateInstance: number } {
    if (counts.startInstance !== undefined) this.startFailures = Math.max(0, Math.floor(counts.startInstance));
    if (counts.terminateInstance !== undefined) this.terminateFailures = Math.max(0, Math.floor(counts.terminateInstance));
    return { startInstance: this.startFailures, terminateInstance: this.terminateFailures };
  }

  /**
   * Starts a mock instance for a member: instance id = member id, the next private and public
   * addresses, persisted before answering. Idempotent by member id.
   */
  startInstance(request: InstanceRequest): Promise<InstanceInfo> {
    const memberId = request.memberId;
    if (typeof memberId !== 'string' || memberId === '') {
      return Promise.reject(new Error('Cannot start a mock instance without a member id'));
    }
    if (this.startFailures > 0) {
      this.startFailures--;
      this.log.warn({ memberId, pending: this.startFailures }, 'mock instance start fails, as asked');
      return Promise.reject(new Error('Could not start mock instance: the mock IaaS was asked to fail this start'));
    }
    const live = this.instances.get(memberId);
    if (live !== undefined) return Promise.resolve(instanceInfo(live.record));
    const pending = this.starting.get(memberId);
    if (pending !== undefined) return pending;
    const started = this.create(request).finally(() => this.starting.delete(memberId));
    this.starting.set(memberId, started);
    return started;
  }

  /** Terminates a member's instance: its activity stops and it is deleted. Unknown ids are fine. */
  async terminateInstance(memberId: string): Promise<void> {
    if (this.terminateFailures > 0) {
      this.terminateFailures--;
      this.log.warn({ memberId, pending: this.terminateFailures }, 'mock instance termination fails, as asked');
      throw new Error('Could not terminate mock instance: the mock IaaS was asked to fail this termination');
    }
    const inst = this.instances.get(memberId);
    if (inst === undefined) {
      // Not live (driver not started, or unknown): make sure the store does not keep it.
      await this.store.delete(MOCK_INSTANCE_KIND, memberId, SUPER_TENANT_ID);
      return;
    }
    this.quiet(inst);
    inst.removed = true;
    this.instances.delete(memberId);
    this.forgetType(inst.record.serviceName);
    inst.writes = inst.writes.then(async () => {
      await this.store.delete(MOCK_INSTANCE_KIND, memberId, SUPER_TENANT_ID);
    });
    await inst.writes;
    this.log.info({ memberId }, 'Mock instance terminated');
  }

  /**
   * Kills a member's instance like a crashed VM: it publishes no more events nor statistics, but
   * exists (listed, counted) until terminated. Answers whether the instance exists.
   */
  async kill(memberId: string): Promise<boolean> {
    const inst = this.instances.get(memberId);
    if (inst === undefined) {
      if (this.running) return false;
      // Not started: mark the persisted instance, so that it resumes killed.
      return this.store.transaction(async (tx) => {
        const stored = await tx.get<MockInstanceRecord>(MOCK_INSTANCE_KIND, memberId, SUPER_TENANT_ID);
        if (stored === undefined) return false;
        await tx.put(MOCK_INSTANCE_KIND, memberId, { ...stored, phase: 'killed', phaseChangedAt: this.now() }, SUPER_TENANT_ID);
        return true;
      });
    }
    if (inst.record.phase !== 'killed') {
      this.quiet(inst);
      this.setPhase(inst, 'killed');
      this.log.info({ memberId }, 'Mock instance killed: it publishes nothing more');
    }
    await this.persist(inst);
    return true;
  }

  /** The member ids of every instance (live ones once started, else the persisted ones). */
  async listInstances(): Promise<string[]> {
    if (this.running) return [...this.instances.keys()];
    const records = await this.store.list<MockInstanceRecord>(MOCK_INSTANCE_KIND, SUPER_TENANT_ID);
    return records.map((r) => r.id);
  }

  /** Every live instance, as the mock IaaS API shows it (copies). */
  describeInstances(): MockInstanceRecord[] {
    return [...this.instances.values()].map((i) => ({ ...i.record }));
  }

  /** One live instance, or `undefined`. */
  describeInstance(memberId: string): MockInstanceRecord | undefined {
    const inst = this.instances.get(memberId);
    return inst === undefined ? undefined : { ...inst.record };
  }

  /** Subscribes, loads the persisted instances and resumes each where it was. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.unsubscribes = await Promise.all([
      this.bus.subscribe('MemberInitializedEvent', (_n, e) => this.onMemberInitialized(e)),
      this.bus.subscribe('MemberStartedEvent', (_n, e) => this.onMemberStarted(e)),
      this.bus.subscribe('MemberMaintenanceModeEvent', (_n, e) => this.onMemberMaintenanceMode(e)),
      this.bus.subscribe('InstanceCleanupMemberEvent', (_n, e) => this.onCleanupMember(e)),
      this.bus.subscribe('InstanceCleanupClusterEvent', (_n, e) => this.onCleanupCluster(e)),
    ]);
    const records = await this.store.list<MockInstanceRecord>(MOCK_INSTANCE_KIND, SUPER_TENANT_ID);
    let resumed = 0;
    for (const { body } of records) {
      if (this.instances.has(body.memberId)) continue;
      this.resume(this.adopt(body));
      resumed++;
    }
    const tickMs = Math.min(1_000, Math.max(10, Math.floor(this.healthIntervalMs / 10)));
    this.healthTimer = setInterval(() => this.publishHealthStats(), tickMs);
    this.log.info({ resumed, bootDelayMs: this.bootDelayMs, healthIntervalMs: this.healthIntervalMs }, 'Mock IaaS started');
  }

  /**
   * Stops the driver's activity (subscriptions, timers); the instances stay in the store. Waits up
   * to `stopFlushTimeoutMs` for phase changes awaiting their event's acknowledgement.
   */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearInterval(this.healthTimer);
    this.healthTimer = undefined;
    const unsubscribes = this.unsubscribes.splice(0);
    for (const inst of this.instances.values()) clearTimeout(inst.bootTimer);
    let timer: NodeJS.Timeout | undefined;
    const writes = Promise.all([...this.instances.values()].map((i) => i.writes));
    const flushed = await Promise.race([
      writes.then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), this.stopFlushTimeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (!flushed) this.log.warn('Mock IaaS stopped before every phase change was persisted');
    this.generation++;
    await Promise.all(unsubscribes.map((u) => u()));
    this.instances.clear();
    this.publishing.clear();
    this.types.clear();
    this.log.info('Mock IaaS stopped');
  }

  // ---------------------------------------------------------------- creation and resumption

  private async create(request: InstanceRequest): Promise<InstanceInfo> {
    const now = this.now();
    const { record, existed } = await this.store.transaction(async (tx) => {
      const stored = await tx.get<MockInstanceRecord>(MOCK_INSTANCE_KIND, request.memberId, SUPER_TENANT_ID);
      if (stored !== undefined) return { record: stored, existed: true };
      const seq = (await tx.get<AddressSequences>(MOCK_SEQUENCE_KIND, SEQUENCE_ID, SUPER_TENANT_ID)) ?? { private: 0, public: 0 };
      const next: AddressSequences = { private: seq.private + 1, public: seq.public + 1 };
      const created: MockInstanceRecord = {
        instanceId: request.memberId,
        defaultPrivateIp: mockIpAddress(10, next.private),
        defaultPublicIp: mockIpAddress(20, next.public),
        payload: this.agentless.has(request.provider) ? (request.payload ?? '') : redactPayloadSecrets(request.payload ?? ''),
        memberId: request.memberId,
        applicationId: request.applicationId,
        serviceName: request.serviceName,
        clusterId: request.clusterId,
        clusterInstanceId: request.clusterInstanceId,
        networkPartitionId: request.networkPartitionId,
        partitionId: request.partitionId,
        provider: request.provider,
        phase: 'booting',
        createdAt: now,
        phaseChangedAt: now,
      };
      await tx.put(MOCK_SEQUENCE_KIND, SEQUENCE_ID, next, SUPER_TENANT_ID);
      await tx.put(MOCK_INSTANCE_KIND, created.memberId, created, SUPER_TENANT_ID);
      return { record: created, existed: false };
    });
    const live = this.instances.get(record.memberId);
    if (live !== undefined) return instanceInfo(live.record);
    const inst = this.adopt(record);
    if (existed) {
      // Persisted by an earlier run and not loaded yet: it resumes like the others.
      if (this.running) this.resume(inst);
      return instanceInfo(record);
    }
    this.log.info(
      { memberId: record.memberId, privateIp: record.defaultPrivateIp, publicIp: record.defaultPublicIp },
      'Mock instance started',
    );
    return instanceInfo(record);
  }

  /** Takes a record into memory. */
  private adopt(record: MockInstanceRecord): LiveInstance {
    const inst: LiveInstance = { record, bootTimer: undefined, nextStatAt: 0, writes: Promise.resolve(), removed: false };
    this.instances.set(record.memberId, inst);
    let type = this.types.get(record.serviceName);
    if (type === undefined) {
      type = { count: 0, clock: new PatternClock() };
      this.types.set(record.serviceName, type);
    }
    if (type.count++ === 0) type.clock.resume(this.now());
    if (PUBLISHING.has(record.phase) && !this.agentless.has(record.provider)) {
      this.startStats(inst);
      // Resumed instances spread their first statistics over one interval instead of all at once.
      inst.nextStatAt += Math.floor(Math.random() * this.healthIntervalMs);
    }
    return inst;
  }

  private forgetType(serviceName: string): void {
    const type = this.types.get(serviceName);
    if (type !== undefined && --type.count === 0) type.clock.pause(this.now());
  }

  /** Picks up a persisted instance where its phase says it was. */
  private resume(inst: LiveInstance): void {
    if (this.agentless.has(inst.record.provider)) return;
    switch (inst.record.phase) {
      case 'booting':
        this.scheduleBoot(inst);
        break;
      case 'starting':
        this.transition(inst, 'active', 'InstanceActivatedEvent');
        break;
      case 'maintenance':
        this.transition(inst, 'readyToShutdown', 'InstanceReadyToShutdownEvent');
        break;
      default:
        // active, readyToShutdown: statistics only (started by adopt); killed: silent.
        break;
    }
  }

  // ---------------------------------------------------------------- the conversation

  private onMemberInitialized(event: EventMap['MemberInitializedEvent']): void {
    const inst = this.simulated(event.memberId);
    if (inst === undefined) return;
    if (inst.record.phase === 'booting') this.scheduleBoot(inst);
    // Starting already (e.g. resumed before the cloud controller initialised the member): say it again.
    else if (inst.record.phase === 'starting') this.transition(inst, 'starting', 'InstanceStartedEvent');
    // Active already: the cloud controller lost InstanceStartedEvent/InstanceActivatedEvent (a
    // broker failover, a restart) and re-announces the member: say where the instance is.
    else if (inst.record.phase === 'active') this.transition(inst, 'active', 'InstanceActivatedEvent');
  }

  private onMemberStarted(event: EventMap['MemberStartedEvent']): void {
    const inst = this.simulated(event.memberId);
    if (inst === undefined) return;
    // A repeated MemberStartedEvent (re-announced after a lost InstanceActivatedEvent): say it again.
    if (inst.record.phase === 'active') {
      this.transition(inst, 'active', 'InstanceActivatedEvent');
      return;
    }
    if (inst.record.phase !== 'booting' && inst.record.phase !== 'starting') return;
    clearTimeout(inst.bootTimer);
    inst.bootTimer = undefined;
    this.transition(inst, 'active', 'InstanceActivatedEvent');
  }

  private onCleanupMember(event: EventMap['InstanceCleanupMemberEvent']): void {
    const inst = this.simulated(event.memberId);
    if (inst !== undefined) this.cleanup(inst);
  }

  private onCleanupCluster(event: EventMap['InstanceCleanupClusterEvent']): void {
    for (const inst of this.instances.values()) {
      const r = inst.record;
      if (r.clusterId === event.clusterId && r.clusterInstanceId === event.clusterInstanceId && !this.agentless.has(r.provider)) this.cleanup(inst);
    }
  }

  /**
   * A cleanup request: maintenance mode, as long as the cloud controller has not acknowledged it
   * (Stratos's "gracefully shut down" flag is only set on MemberMaintenanceModeEvent; the autoscaler
   * repeats the cleanup every cycle precisely so that a lost event is sent again).
   */
  private cleanup(inst: LiveInstance): void {
    if (!CLEANABLE.has(inst.record.phase)) return;
    clearTimeout(inst.bootTimer);
    inst.bootTimer = undefined;
    this.transition(inst, 'maintenance', 'InstanceMaintenanceModeEvent');
  }

  private onMemberMaintenanceMode(event: EventMap['MemberMaintenanceModeEvent']): void {
    const inst = this.simulated(event.memberId);
    if (inst === undefined) return;
    // readyToShutdown already: a repeated MemberMaintenanceModeEvent (the answer was lost) is answered again.
    if (!CLEANABLE.has(inst.record.phase) && inst.record.phase !== 'readyToShutdown') return;
    this.transition(inst, 'readyToShutdown', 'InstanceReadyToShutdownEvent');
  }

  private scheduleBoot(inst: LiveInstance): void {
    if (inst.bootTimer !== undefined) return;
    inst.bootTimer = setTimeout(() => {
      inst.bootTimer = undefined;
      if (this.running && !inst.removed && inst.record.phase === 'booting') {
        this.transition(inst, 'starting', 'InstanceStartedEvent');
      }
    }, this.bootDelayMs);
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
      eventName === 'InstanceStartedEvent'
        ? this.bus.publish(eventName, { applicationId: r.applicationId, ...fields })
        : this.bus.publish(eventName, fields);
    this.log.debug({ memberId: r.memberId, event: eventName, phase }, 'Mock instance event');
    const delivered = published.then((ok) => {
      if (!ok) this.log.warn({ memberId: r.memberId, event: eventName }, 'Mock instance event was not delivered');
    });
    void this.persist(inst, delivered);
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
    clearTimeout(inst.bootTimer);
    inst.bootTimer = undefined;
    this.publishing.delete(inst);
  }

  /**
   * Queues a write of the instance's record as it is now, after `after` (the acknowledgement of
   * the event that entered this state) and after the instance's earlier writes.
   */
  private persist(inst: LiveInstance, after?: Promise<void>): Promise<void> {
    const snapshot = inst.record;
    const generation = this.generation;
    inst.writes = inst.writes
      .then(() => after)
      .then(async () => {
        if (inst.removed || generation !== this.generation) return;
        await this.store.put(MOCK_INSTANCE_KIND, snapshot.memberId, snapshot, SUPER_TENANT_ID);
      })
      .catch((error: unknown) => {
        this.log.error({ memberId: snapshot.memberId, err: error }, 'Could not persist a mock instance');
      });
    return inst.writes;
  }

  // ---------------------------------------------------------------- health statistics

  private startStats(inst: LiveInstance): void {
    if (this.publishing.has(inst)) return;
    inst.nextStatAt = this.now(); // the first statistics at once, as Stratos's scheduler did
    this.publishing.add(inst);
  }

  /**
   * One pass over the publishing instances (the driver's single timer, a tenth of the interval,
   * 10 ms to 1 s): each instance whose statistics are due publishes them, and its next ones fall
   * due one interval later, so each keeps its own cadence.
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

function instanceInfo(record: MockInstanceRecord): InstanceInfo {
  return {
    instanceId: record.instanceId,
    memberId: record.memberId,
    defaultPrivateIP: record.defaultPrivateIp,
    defaultPublicIP: record.defaultPublicIp,
    memberPrivateIPs: [record.defaultPrivateIp],
    memberPublicIPs: [record.defaultPublicIp],
  };
}
