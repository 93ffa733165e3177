import { randomUUID } from 'node:crypto';
import { memberId as makeMemberId, systemClock, type Clock, type MemberStatus } from '@strato/model';
import type { EventMap, EventName } from '@strato/messaging';
import type { Logger } from 'pino';
import type { ControlLoop } from '../reconcile/control-loop.ts';
import { withLaunchIdentity } from './launch-payload.ts';
import type { MemberPort, MemberRuntime } from '../runtime/runtime-model.ts';
import type { RuntimeState } from '../runtime/runtime-state.ts';
import { portMapOf } from '../runtime/topology-view.ts';
import type { IaasDriver, InstanceInfo } from './iaas-driver.ts';

/** Publishes an event of the catalogue on the message broker. */
export interface Publisher {
  publish<K extends EventName>(name: K, payload: EventMap[K]): Promise<boolean>;
}

/** What the cloud controller needs to know to start a member. */
export interface MemberPlan {
  applicationId: string;
  clusterId: string;
  clusterInstanceId: string;
  serviceName: string;
  networkPartitionId: string;
  partitionId: string;
  provider: string;
  ports: MemberPort[];
  payload: string;
  properties: Record<string, string>;
  /** The cartridge's IaaS entry for the provider. */
  iaas: { imageId?: string; properties: Record<string, string> };
  /** The partition's properties merged over its network partition's. */
  partitionProperties: Record<string, string>;
}

/**
 * What the cloud controller tells its owner about members, as messages: the monitors decide
 * what follows (the cloud controller owns a member's status, the monitors its disposition).
 */
export type CloudNotice =
  /** the member reported InstanceActivatedEvent and is Active now */
  | { kind: 'member-activated'; member: MemberRuntime }
  /** the IaaS could not start the member's instance; the member is gone */
  | { kind: 'spawn-failed'; member: MemberRuntime }
  /** the driver reported the member's instance gone (watch): a fault at once */
  | { kind: 'instance-gone'; member: MemberRuntime; reason: string };

/**
 * The cloud controller: it owns the members of the topology. It asks the IaaS driver bound to a
 * partition's provider for instances, follows each member through Created → Initialized →
 * Starting → Active → In_Maintenance → ReadyToShutDown as the instance reports (instance/status
 * events), publishes every change as its topology event, and terminates instances.
 */
export class CloudController {
  private readonly launching = new Set<string>();
  private readonly terminating = new Set<string>();
  /** Per member: the status it was last seen in by {@link reannounceStalled}, and since when. */
  private readonly progress = new Map<string, { status: MemberStatus; since: number }>();

  constructor(
    private readonly state: RuntimeState,
    private readonly loop: ControlLoop,
    private readonly bus: Publisher,
    private readonly driverFor: (provider: string) => IaasDriver,
    private readonly log: Logger,
    /** the time of record for failures and dispositions */
    private readonly clock: Clock = systemClock,
    /** where the notices about members go (the control plane dispatches them to the monitors) */
    private readonly notify: (notice: CloudNotice) => void = () => undefined,
  ) {}

  private publish<K extends EventName>(name: K, payload: EventMap[K]): void {
    this.loop.onCommit(() => void this.bus.publish(name, payload));
  }

  private identity(m: MemberRuntime) {
    return {
      serviceName: m.serviceName,
      clusterId: m.clusterId,
      clusterInstanceId: m.clusterInstanceId,
      networkPartitionId: m.networkPartitionId,
      partitionId: m.partitionId,
      memberId: m.memberId,
    };
  }

  private setStatus(m: MemberRuntime, status: MemberStatus): void {
    m.status = status;
    this.state.putMember(m);
  }

  /** Creates a member (persisted before the IaaS is asked) and launches its instance after commit. */
  spawn(plan: MemberPlan, now: number): MemberRuntime {
    const m: MemberRuntime = {
      memberId: makeMemberId(plan.clusterId, randomUUID()),
      applicationId: plan.applicationId,
      clusterId: plan.clusterId,
      clusterInstanceId: plan.clusterInstanceId,
      serviceName: plan.serviceName,
      networkPartitionId: plan.networkPartitionId,
      partitionId: plan.partitionId,
      provider: plan.provider,
      status: 'Created',
      initTime: now,
      ports: plan.ports,
      properties: { ...plan.properties, PAYLOAD: plan.payload },
      iaas: plan.iaas,
      partitionProperties: plan.partitionProperties,
      disposition: 'normal',
    };
    this.state.putMember(m);
    this.publish('MemberCreatedEvent', { ...this.identity(m), initTime: m.initTime, loadBalancingIPType: 'Private' });
    this.loop.onCommit(() => this.launch(m.memberId));
    return m;
  }

  /** Asks the IaaS for the instance of a Created member (idempotent by member id). */
  launch(memberId: string): void {
    const m = this.state.members.get(memberId);
    if (!m || m.status !== 'Created' || this.launching.has(memberId)) return;
    this.launching.add(memberId);
    const stored = m.properties?.PAYLOAD ?? '';
    // the member's identity and its own broker credentials are added now, never stored with the member
    const payload = withLaunchIdentity(stored, { memberId, broker: this.memberCredentials?.(memberId) });
    let driver: IaasDriver;
    try {
      driver = this.driverFor(m.provider);
    } catch (e) {
      this.launching.delete(memberId);
      this.log.error({ err: e, memberId }, 'no IaaS driver for the member');
      return;
    }
    driver
      .startInstance({
        memberId: m.memberId,
        clusterId: m.clusterId,
        cartridgeType: m.serviceName,
        applicationId: m.applicationId,
        clusterInstanceId: m.clusterInstanceId,
        networkPartitionId: m.networkPartitionId,
        provider: m.provider,
        ports: (m.ports ?? []).map((p) => ({ ...p })),
        payload,
        iaas: { ...(m.iaas?.imageId !== undefined ? { imageId: m.iaas.imageId } : {}), properties: { ...(m.iaas?.properties ?? {}) } },
        partition: { id: m.partitionId, properties: { ...(m.partitionProperties ?? {}) } },
      })
      .then(
        (info) => this.loop.submit(() => this.onLaunched(memberId, info, driver)),
        (err) => this.loop.submit(() => this.onLaunchFailed(memberId, err)),
      )
      .finally(() => this.launching.delete(memberId));
  }

  /**
   * Subscribes to the `watch` of every driver that has one: an instance a driver reports gone
   * (a VM that vanished, a process that exited) while its member is neither being terminated nor
   * obsolete is announced (`instance-gone`) at once, as a fault. `gate` runs each report
   * (e.g. once the runtime state is loaded). Returns the unsubscribe of them all.
   */
  watchDrivers(drivers: Iterable<IaasDriver>, gate: (report: () => void) => void = (report) => report()): () => void {
    const stops: (() => void)[] = [];
    for (const driver of new Set(drivers)) {
      if (!driver.watch) continue;
      stops.push(driver.watch((memberId, reason) => gate(() => this.instanceGone(driver, memberId, reason))));
    }
    return () => {
      for (const stop of stops.splice(0)) stop();
    };
  }

  private instanceGone(driver: IaasDriver, memberId: string, reason: string): void {
    const m = this.state.members.get(memberId);
    if (!m) {
      this.log.info({ memberId, driver: driver.name, reason }, 'the IaaS reports an instance gone that no member owns');
      return;
    }
    if (m.disposition === 'obsolete' || this.terminating.has(memberId)) {
      this.log.info({ memberId, driver: driver.name, reason }, 'the IaaS reports the instance of a member being terminated gone');
      return;
    }
    this.log.warn(
      { memberId, clusterId: m.clusterId, status: m.status, driver: driver.name, reason },
      'the IaaS reports the instance of a member gone: a member fault',
    );
    this.notify({ kind: 'instance-gone', member: m, reason });
  }

  /** Whether an IaaS start is under way for the member. */
  isLaunching(memberId: string): boolean {
    return this.launching.has(memberId);
  }

  private onLaunched(memberId: string, info: InstanceInfo, driver: IaasDriver): void {
    const m = this.state.members.get(memberId);
    if (!m || m.disposition === 'obsolete') {
      // removed or terminated while its instance was starting (a termination asked before the
      // instance existed found nothing): the instance must not outlive its member
      this.log.warn(
        { memberId, instanceId: info.instanceId, driver: driver.name },
        'an instance came up for a member that is gone or being terminated: it is terminated',
      );
      this.loop.onCommit(
        () =>
          void driver
            .terminateInstance(memberId)
            .catch((err: unknown) => this.log.error({ err, memberId }, 'could not terminate the instance of a member that is gone')),
      );
      return;
    }
    if (m.status !== 'Created') return;
    m.instanceId = info.instanceId;
    m.defaultPrivateIP = info.defaultPrivateIP;
    m.defaultPublicIP = info.defaultPublicIP;
    m.memberPrivateIPs = info.memberPrivateIPs;
    m.memberPublicIPs = info.memberPublicIPs;
    // a driver that hands out ports (process) answers the ports the instance really got
    if (info.ports) m.ports = info.ports.map((p) => ({ ...p }));
    this.setStatus(m, 'Initialized');
    this.publishInitialized(m);
    this.loop.requestReconcile(m.applicationId);
  }

  /** MemberInitializedEvent: the IaaS has answered with the member's instance id and addresses. */
  private publishInitialized(m: MemberRuntime): void {
    this.publish('MemberInitializedEvent', {
      ...this.identity(m),
      instanceId: m.instanceId,
      memberPrivateIPs: m.memberPrivateIPs ?? [],
      defaultPrivateIP: m.defaultPrivateIP,
      memberPublicIPs: m.memberPublicIPs ?? [],
      defaultPublicIP: m.defaultPublicIP,
    });
  }

  private onLaunchFailed(memberId: string, err: unknown): void {
    const m = this.state.members.get(memberId);
    if (!m) return;
    this.log.error({ err, memberId, provider: m.provider }, 'IaaS could not start the instance; the member is removed');
    this.remove(m);
    this.notify({ kind: 'spawn-failed', member: m });
  }

  /**
   * A member's own broker credentials, put in its launch payload (`mb.username`, `mb.password`).
   * Derived, not stored (the server sets it; unset: no credentials in payloads).
   */
  memberCredentials?: (memberId: string) => { username: string; password: string };

  /** Asks the member to clean up and shut down (graceful termination). */
  requestCleanup(m: MemberRuntime, now: number): void {
    m.cleanupSentAt = now;
    this.state.putMember(m);
    this.publish('InstanceCleanupMemberEvent', { memberId: m.memberId });
  }

  /** Terminates the member's instance (after commit), then removes the member from the topology. */
  terminate(m: MemberRuntime, now: number): void {
    if (this.terminating.has(m.memberId)) return;
    m.terminateRequestedAt = now;
    this.state.putMember(m);
    const memberId = m.memberId;
    this.loop.onCommit(() => {
      if (this.terminating.has(memberId)) return;
      this.terminating.add(memberId);
      const member = this.state.members.get(memberId);
      if (!member) {
        this.terminating.delete(memberId);
        return;
      }
      const done = () =>
        this.loop.submit(() => {
          this.terminating.delete(memberId);
          const current = this.state.members.get(memberId);
          if (current) this.remove(current);
        });
      let driver: IaasDriver;
      try {
        driver = this.driverFor(member.provider);
      } catch {
        done();
        return;
      }
      driver.terminateInstance(memberId).then(done, (err) => {
        // the member stays (obsolete): the monitors ask again, until the obsolete expiry forgets it
        this.log.error({ err, memberId }, 'IaaS could not terminate the instance; it will be asked again');
        this.loop.submit(() => {
          this.terminating.delete(memberId);
          const current = this.state.members.get(memberId);
          if (current) {
            current.terminateFailedAt = this.clock.now();
            this.state.putMember(current);
          }
        });
      });
    });
  }

  /** Whether an IaaS termination is under way for the member. */
  isTerminating(memberId: string): boolean {
    return this.terminating.has(memberId);
  }

  /** Removes a member from the topology and announces it. */
  remove(m: MemberRuntime): void {
    this.state.removeMember(m.memberId);
    this.publish('MemberTerminatedEvent', { ...this.identity(m), properties: {} });
    this.loop.requestReconcile(m.applicationId);
  }

  /**
   * An instance reported its status. Transitions follow the member state machine; a report of the
   * state the member is already in re-announces it (an instance that restarted, or a lost event),
   * so the instance can go on.
   */
  onInstanceStatus(name: EventName, payload: object): void {
    const memberId = (payload as { memberId?: unknown }).memberId;
    const m = typeof memberId === 'string' ? this.state.members.get(memberId) : undefined;
    if (!m) {
      // a late event of a member already gone is normal; an activation of a member never known is not
      const level = name === 'InstanceActivatedEvent' || name === 'InstanceStartedEvent' ? 'warn' : 'info';
      this.log[level]({ event: name, memberId: shown(memberId) }, 'instance status event for an unknown member ignored');
      return;
    }
    const mismatch = this.mismatchedIds(name, m, payload as Record<string, unknown>);
    if (mismatch.length > 0) {
      this.log.warn({ event: name, memberId: m.memberId, mismatch }, 'instance status event whose ids do not match the member ignored');
      return;
    }
    if ((name === 'InstanceMaintenanceModeEvent' || name === 'InstanceReadyToShutdownEvent') && !this.askedToCleanUp(m)) {
      this.log.warn({ event: name, memberId: m.memberId, status: m.status }, 'instance status event of a member never asked to clean up ignored');
      return;
    }
    const id = this.identity(m);
    switch (name) {
      case 'InstanceStartedEvent':
        if (m.status === 'Initialized') this.setStatus(m, 'Starting');
        if (m.status === 'Starting') this.publish('MemberStartedEvent', { ...id, status: 'Starting' });
        break;
      case 'InstanceActivatedEvent':
        if (m.status === 'Initialized') this.setStatus(m, 'Starting');
        if (m.status === 'Starting') this.setStatus(m, 'Active');
        if (m.status === 'Active') {
          this.publish('MemberActivatedEvent', {
            ...id,
            portMap: portMapOf(m.ports),
            applicationId: m.applicationId,
            memberPrivateIPs: m.memberPrivateIPs,
            defaultPrivateIP: m.defaultPrivateIP,
            memberPublicIPs: m.memberPublicIPs,
            defaultPublicIP: m.defaultPublicIP,
          });
          this.notify({ kind: 'member-activated', member: m });
        }
        break;
      case 'InstanceMaintenanceModeEvent':
        if (m.status === 'Active') this.setStatus(m, 'In_Maintenance');
        if (m.status === 'In_Maintenance') this.publish('MemberMaintenanceModeEvent', id);
        break;
      case 'InstanceReadyToShutdownEvent':
        if (m.status === 'Active') this.setStatus(m, 'In_Maintenance');
        if (m.status === 'In_Maintenance') this.setStatus(m, 'ReadyToShutDown');
        if (m.status === 'ReadyToShutDown') {
          this.publish('MemberReadyToShutdownEvent', id);
          m.disposition = 'obsolete';
          m.dispositionAt = this.clock.now(); // the obsolete expiry counts from here, not from initTime
          this.terminate(m, m.dispositionAt);
        }
        break;
      default:
        return;
    }
    this.loop.requestReconcile(m.applicationId);
  }

  /**
   * The ids of an instance status event that differ from the topology's record of its member
   * (serviceName, clusterId, clusterInstanceId, networkPartitionId, partitionId, and applicationId
   * for InstanceStartedEvent). Every id must be there: Stratos's agent sends them all (from the
   * launch payload), as strato's mock instances do.
   */
  private mismatchedIds(name: EventName, m: MemberRuntime, payload: Record<string, unknown>): string[] {
    const expected: Record<string, string> = {
      serviceName: m.serviceName,
      clusterId: m.clusterId,
      clusterInstanceId: m.clusterInstanceId,
      networkPartitionId: m.networkPartitionId,
      partitionId: m.partitionId,
    };
    if (name === 'InstanceStartedEvent') expected.applicationId = m.applicationId;
    return Object.entries(expected)
      .filter(([k, v]) => payload[k] !== v)
      .map(([k]) => k);
  }

  /**
   * Whether strato asked the member to clean up, so that its maintenance mode and ReadyToShutdown
   * are expected: a cleanup request was sent (InstanceCleanupMemberEvent), it is being drained or
   * terminated (its disposition), it is already in maintenance, its cluster instance is
   * terminating (InstanceCleanupClusterEvent), or its application is being undeployed. Each of
   * these is persisted with the member or the application, so a restart keeps the fact.
   */
  private askedToCleanUp(m: MemberRuntime): boolean {
    if (m.cleanupSentAt !== undefined || m.disposition !== 'normal') return true;
    if (m.status === 'In_Maintenance' || m.status === 'ReadyToShutDown') return true;
    const rt = this.state.apps.get(m.applicationId);
    if (!rt) return false;
    if (rt.undeploy !== 'none') return true;
    const ci = rt.clusters[m.clusterId]?.instances[m.clusterInstanceId];
    return ci !== undefined && (ci.status === 'Terminating' || ci.status === 'Terminated');
  }

  /**
   * Re-announces the current status of every member that has not progressed for `stalledMs`
   * (Initialized → MemberInitializedEvent, Starting → MemberStartedEvent, In_Maintenance →
   * MemberMaintenanceModeEvent), so that its instance repeats the event that moves it on. An event
   * can be lost between the two ends: a broker that dies with messages it acknowledged but did not
   * deliver, a subscriber that had not resubscribed yet after a failover, or a server killed
   * between persisting a status and publishing it. Instances answer a repeated event idempotently.
   * Returns the member ids re-announced. Run it in the control loop.
   */
  reannounceStalled(now: number, stalledMs: number): string[] {
    const out: string[] = [];
    for (const id of this.progress.keys()) if (!this.state.members.has(id)) this.progress.delete(id);
    for (const m of this.state.members.values()) {
      const seen = this.progress.get(m.memberId);
      if (!seen || seen.status !== m.status) {
        this.progress.set(m.memberId, { status: m.status, since: now });
        continue;
      }
      if (now - seen.since < stalledMs) continue;
      if (m.disposition === 'obsolete' || this.terminating.has(m.memberId)) continue;
      const id = this.identity(m);
      if (m.status === 'Initialized' && m.instanceId) {
        this.publishInitialized(m);
      } else if (m.status === 'Starting') {
        this.publish('MemberStartedEvent', { ...id, status: 'Starting' });
      } else if (m.status === 'In_Maintenance') {
        this.publish('MemberMaintenanceModeEvent', id);
      } else {
        continue;
      }
      seen.since = now;
      out.push(m.memberId);
    }
    if (out.length > 0) this.log.info({ members: out.length }, 're-announced members that made no progress');
    return out;
  }
}

/** A value from an event, as it may be logged (bounded). */
function shown(value: unknown): unknown {
  return typeof value === 'string' && value.length > 300 ? `${value.slice(0, 300)}… (${value.length} characters)` : value;
}
