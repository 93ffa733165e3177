/**
 * The mock IaaS (orchestration.md §6.7): an IaaS driver whose "VMs" are simulated in the process.
 * Three parts:
 *
 * - this driver: the instances (instance id = member id, addresses from persisted sequences),
 *   idempotent start and terminate, persistence, failure injection, kill and destroy, `watch`;
 * - the simulated members ({@link SimulatedMembers}, mock-members.ts): each instance's agent,
 *   speaking Stratos's instance events and health statistics over the real message broker;
 * - the REST API (mock-iaas-routes.ts, `/mock-iaas/api`).
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
 * Two ways an instance fails without being asked to terminate, for fault tests:
 * - {@link MockIaas.kill}: the agent crashed, the VM still runs. The instance falls silent (no
 *   events, no health statistics) but stays listed; nothing is reported through `watch`, so the
 *   control plane finds out the way Stratos did: missing health statistics
 *   (STRATO_MEMBER_FAULT_TIMEOUT).
 * - {@link MockIaas.destroy}: the VM vanished. The instance is gone at once (not listed, its
 *   record deleted) and `watch` reports it, so the control plane treats it as a fault at once.
 *
 * Broker identity: the driver is part of the trusted server and speaks for every instance it
 * simulates over its own bus, as the broker's privileged `mock-iaas` user (it may publish the
 * topics an agent publishes, for any member). One MQTT connection per simulated member would cost
 * 10,000 connections for a 1,000 × 10 benchmark and prove nothing more. Each member's own
 * credentials are still in its launch payload (`mb.username`, `mb.password`); the driver keeps
 * them out of its records (`mb.password=(redacted)`), as no simulated agent needs them. A server
 * started with an in-process event broker (ServerServices.eventBroker) gives the driver a bus of
 * that broker instead: the same conversation, no MQTT and no identity.
 *
 * Instances started for a provider of `agentlessProviders` have no simulated agent: they get
 * addresses and keep their whole payload (credentials included), and a real cartridge agent,
 * outside the server, speaks for them. The driver publishes nothing for them.
 */
import type { Cancel, Scheduler } from '@strato/model';
import type { EventBus } from '@strato/messaging';
import type { Logger } from 'pino';
import { SUPER_TENANT_ID, type Store } from '../../../store/store.ts';
import { redactPayloadSecrets } from '../../launch-payload.ts';
import type { IaasDriver, InstanceInfo, InstanceRequest } from '../../iaas-driver.ts';
import { DEFAULT_MOCK_BOOT_DELAY_MS, DEFAULT_MOCK_HEALTH_INTERVAL_MS } from './mock-iaas-settings.ts';
import type { LiveInstance, MockInstanceRecord } from './mock-instance.ts';
import { mockIpAddress } from './mock-ip-address.ts';
import { SimulatedMembers } from './mock-members.ts';
import { TimerScheduler } from '../../../services/timer-scheduler.ts';
import { NO_MOCK_PATTERNS, type MockPatterns } from './mock-patterns.ts';

export type { MockInstancePhase, MockInstanceRecord } from './mock-instance.ts';

/** Store kind of a mock instance record (scope SUPER_TENANT_ID, id = member id). */
export const MOCK_INSTANCE_KIND = 'mockInstance';
/** Store kind of the mock IaaS's address sequences (one record, id `addresses`). */
export const MOCK_SEQUENCE_KIND = 'mockIaasSequence';
const SEQUENCE_ID = 'addresses';

/** The reason `watch` gives for a destroyed mock instance. */
export const MOCK_DESTROYED_REASON = 'the mock instance was destroyed (its VM vanished)';

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
  bus: EventBus;
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
   * Timers of the simulated members (boot delays, statistics tick).
   * @default Node's timers
   */
  scheduler?: Scheduler;
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

/** The mock IaaS driver (name `mock`). */
export class MockIaas implements IaasDriver {
  readonly name = 'mock';
  private readonly store: Store;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly stopFlushTimeoutMs: number;
  private readonly agentless: ReadonlySet<string>;
  private readonly members: SimulatedMembers;
  private readonly scheduler: Scheduler;

  private readonly instances = new Map<string, LiveInstance>();
  /** Start requests in progress, by member id (idempotency under concurrency). */
  private readonly starting = new Map<string, Promise<InstanceInfo>>();
  /** Listeners of {@link watch}. */
  private readonly watchers = new Set<(memberId: string, reason: string) => void>();
  private running = false;
  /** Incremented by stop(): writes queued in an earlier run are skipped (the store may be closed). */
  private generation = 0;

  constructor(options: MockIaasOptions) {
    this.store = options.store;
    this.log = options.logger.child({ component: 'mock-iaas' });
    this.now = options.now ?? Date.now;
    this.stopFlushTimeoutMs = options.stopFlushTimeoutMs ?? 2_000;
    this.agentless = new Set(options.agentlessProviders ?? []);
    this.scheduler = options.scheduler ?? new TimerScheduler(this.log);
    this.members = new SimulatedMembers({
      bus: options.bus,
      log: this.log,
      bootDelayMs: Math.max(0, options.bootDelayMs ?? DEFAULT_MOCK_BOOT_DELAY_MS),
      healthIntervalMs: Math.max(1, options.healthIntervalMs ?? DEFAULT_MOCK_HEALTH_INTERVAL_MS),
      patterns: options.patterns ?? NO_MOCK_PATTERNS,
      now: this.now,
      scheduler: this.scheduler,
      host: {
        instance: (memberId) => this.instances.get(memberId),
        instances: () => this.instances.values(),
        isSimulated: (inst) => !this.agentless.has(inst.record.provider),
        persist: (inst, after) => this.persist(inst, after),
      },
    });
  }

  /** Whether the driver is started (its instances are live). */
  get isRunning(): boolean {
    return this.running;
  }

  /** Partitions of a mock network partition are always valid. */
  async validatePartition(): Promise<void> {}

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
    if (await this.remove(memberId)) this.log.info({ memberId }, 'Mock instance terminated');
  }

  /**
   * Removes a member's instance (terminated or destroyed): its activity stops, it is deleted from
   * the store. Answers whether it was live.
   */
  private async remove(memberId: string): Promise<boolean> {
    const inst = this.instances.get(memberId);
    if (inst === undefined) {
      // Not live (driver not started, or unknown): make sure the store does not keep it.
      await this.store.delete(MOCK_INSTANCE_KIND, memberId, SUPER_TENANT_ID);
      return false;
    }
    this.members.forget(inst);
    inst.removed = true;
    this.instances.delete(memberId);
    inst.writes = inst.writes.then(async () => {
      await this.store.delete(MOCK_INSTANCE_KIND, memberId, SUPER_TENANT_ID);
    });
    await inst.writes;
    return true;
  }

  /**
   * Kills a member's instance like a crashed agent on a VM that still runs: it publishes no more
   * events nor statistics, but exists (listed, counted) until terminated, and `watch` reports
   * nothing. Answers whether the instance exists.
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
      this.members.kill(inst);
      this.log.info({ memberId }, 'Mock instance killed: it publishes nothing more');
    }
    await this.persist(inst);
    return true;
  }

  /**
   * Destroys a member's instance like a VM that vanished: it is gone at once (no longer listed,
   * its record deleted) and every {@link watch} listener is told. Answers whether it existed.
   */
  async destroy(memberId: string): Promise<boolean> {
    const existed = this.instances.has(memberId) || (await this.store.get(MOCK_INSTANCE_KIND, memberId, SUPER_TENANT_ID)) !== undefined;
    if (!existed) return false;
    await this.remove(memberId);
    this.log.warn({ memberId }, 'Mock instance destroyed: its VM vanished');
    for (const listener of this.watchers) {
      try {
        listener(memberId, MOCK_DESTROYED_REASON);
      } catch (err) {
        this.log.error({ err, memberId }, 'a watcher of the mock IaaS failed');
      }
    }
    return true;
  }

  /** Reports destroyed instances ({@link destroy}); killed and terminated ones are not reported. */
  watch(onGone: (memberId: string, reason: string) => void): () => void {
    const listener = (memberId: string, reason: string) => onGone(memberId, reason);
    this.watchers.add(listener);
    return () => void this.watchers.delete(listener);
  }

  /** Every instance (live ones once started, else the persisted ones), killed ones included. */
  async listInstances(): Promise<InstanceInfo[]> {
    if (this.running) return [...this.instances.values()].map((i) => instanceInfo(i.record));
    const records = await this.store.list<MockInstanceRecord>(MOCK_INSTANCE_KIND, SUPER_TENANT_ID);
    return records.map((r) => instanceInfo(r.body));
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
    await this.members.start();
    const records = await this.store.list<MockInstanceRecord>(MOCK_INSTANCE_KIND, SUPER_TENANT_ID);
    let resumed = 0;
    for (const { body } of records) {
      if (this.instances.has(body.memberId)) continue;
      this.members.resume(this.adopt(body));
      resumed++;
    }
    this.log.info({ resumed }, 'Mock IaaS started');
  }

  /**
   * Stops the driver's activity (subscriptions, timers); the instances stay in the store. Waits up
   * to `stopFlushTimeoutMs` for phase changes awaiting their event's acknowledgement.
   */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    const unsubscribe = this.members.halt(this.instances.values());
    let cancel: Cancel | undefined;
    const writes = Promise.all([...this.instances.values()].map((i) => i.writes));
    const flushed = await Promise.race([
      writes.then(() => true),
      new Promise<boolean>((resolve) => {
        cancel = this.scheduler.after('mock IaaS stop flush', this.stopFlushTimeoutMs, () => resolve(false));
      }),
    ]);
    cancel?.();
    if (!flushed) this.log.warn('Mock IaaS stopped before every phase change was persisted');
    this.generation++;
    await unsubscribe();
    this.instances.clear();
    this.log.info('Mock IaaS stopped');
  }

  // ---------------------------------------------------------------- creation and persistence

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
        serviceName: request.cartridgeType,
        clusterId: request.clusterId,
        clusterInstanceId: request.clusterInstanceId,
        networkPartitionId: request.networkPartitionId,
        partitionId: request.partition.id,
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
      if (this.running) this.members.resume(inst);
      return instanceInfo(record);
    }
    this.log.info({ memberId: record.memberId, privateIp: record.defaultPrivateIp, publicIp: record.defaultPublicIp }, 'Mock instance started');
    return instanceInfo(record);
  }

  /** Takes a record into memory. */
  private adopt(record: MockInstanceRecord): LiveInstance {
    const inst: LiveInstance = { record, bootTimer: undefined, nextStatAt: 0, writes: Promise.resolve(), removed: false };
    this.instances.set(record.memberId, inst);
    this.members.adopt(inst);
    return inst;
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
