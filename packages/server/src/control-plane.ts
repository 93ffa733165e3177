import {
  deploymentPoliciesOf,
  error,
  systemClock,
  type Application,
  type Cancel,
  type Catalog,
  type Clock,
  type ComponentNode,
  type Scheduler,
  type Timings,
} from '@strato/model';
import type { EventBus, EventMap, EventName } from '@strato/messaging';
import type { Logger } from 'pino';
import { definitionsOf } from './monitors/application-definitions.ts';
import { ControlLoop } from './reconcile/control-loop.ts';
import { Orchestrator } from './monitors/orchestrator.ts';
import { CloudController, type CloudNotice } from './cloud/cloud-controller.ts';
import type { IaasDriver } from './cloud/iaas-driver.ts';
import { FaultDetector } from './health/fault-detector.ts';
import { TimerScheduler } from './services/timer-scheduler.ts';
import type { Registry, StoredApplication } from './registry/registry.ts';
import type { Store } from './store/store.ts';
import { SUPER_TENANT_ID } from './store/store.ts';
import { SUPER_TENANT_DOMAIN, isSuperTenant, type Principal } from './tenancy/principal.ts';
import type { ApplicationRuntime } from './runtime/runtime-model.ts';
import { RuntimeState } from './runtime/runtime-state.ts';
import { memberView, runtimeView } from './runtime/runtime-view.ts';
import { completeTopology } from './runtime/topology-view.ts';

export interface ControlPlaneOptions {
  store: Store;
  registry: Registry;
  bus: EventBus;
  /** IaaS provider name → driver */
  drivers: Map<string, IaasDriver>;
  timings: Timings;
  iaasRetryInterval: number;
  /** STRATO_SPIN_AFTER_TERMINATE. @default false */
  spinAfterTerminate?: boolean;
  /** STRATO_REQUEST_TIMEOUT: how long deploy and undeploy wait for the control loop. @default 30000 */
  requestTimeout?: number;
  /** time and timers (a fake clock in tests). @default the system clock and Node's timers */
  clock?: Clock;
  scheduler?: Scheduler;
  log: Logger;
}

/**
 * The control plane: deployment and undeployment of applications, the monitors that keep them
 * alive (the orchestrator), the cloud controller that owns members, fault detection, and the
 * periodic complete-topology broadcast. Runtime state lives in the store; on start it is loaded and
 * every deployed application is reconciled again, so a restarted server converges.
 */
export class ControlPlane {
  readonly state: RuntimeState;
  readonly loop: ControlLoop;
  readonly cloud: CloudController;
  readonly orchestrator: Orchestrator;
  readonly faults: FaultDetector;
  private readonly cancels: Cancel[] = [];
  private readonly clock: Clock;
  private readonly scheduler: Scheduler;
  private readonly unsubscribes: (() => Promise<void>)[] = [];
  private stopped = false;

  constructor(private readonly o: ControlPlaneOptions) {
    const log = o.log;
    this.clock = o.clock ?? systemClock;
    this.scheduler = o.scheduler ?? new TimerScheduler(log);
    this.state = new RuntimeState(o.store);
    this.loop = new ControlLoop(
      () => this.state.flush(),
      (appId) => this.orchestrator.reconcile(appId),
      log.child({ component: 'control-loop' }),
    );
    const driverFor = (provider: string) => {
      const d = o.drivers.get(provider);
      if (!d) throw new Error(`No IaaS driver is bound to the provider ${provider}`);
      return d;
    };
    this.cloud = new CloudController(this.state, this.loop, o.bus, driverFor, log.child({ component: 'cloud-controller' }), this.clock, (notice) =>
      this.onCloudNotice(notice),
    );
    this.orchestrator = new Orchestrator({
      state: this.state,
      loop: this.loop,
      cloud: this.cloud,
      publish: (name, payload) => this.publishAfterCommit(name, payload),
      timings: () => o.timings,
      iaasRetryInterval: o.iaasRetryInterval,
      spinAfterTerminate: o.spinAfterTerminate ?? false,
      clock: this.clock,
      scheduler: this.scheduler,
      log: log.child({ component: 'autoscaler' }),
      onUndeployed: (appId, tenantId) => void this.settleRecord(appId, tenantId),
    });
    this.faults = new FaultDetector(this.state, {
      faultTimeout: () => o.timings.memberFaultTimeout,
      checkInterval: () => Math.min(o.timings.memberFaultCheckInterval, o.timings.memberFaultTimeout),
      onFault: (memberId) => this.onFault(memberId),
      clock: this.clock,
      scheduler: this.scheduler,
      log: log.child({ component: 'health' }),
    });
  }

  private onCloudNotice(notice: CloudNotice): void {
    switch (notice.kind) {
      case 'member-activated':
        this.faults.seen(notice.member.memberId);
        this.orchestrator.memberActivated(notice.member);
        return;
      case 'spawn-failed':
        this.orchestrator.spawnFailed(notice.member);
        return;
      case 'instance-gone':
        this.onFault(notice.member.memberId);
        return;
    }
  }

  private readonly instanceStatusListeners = new Set<(name: string, payload: { memberId?: unknown; clusterId?: unknown }) => void>();

  /**
   * Tells `listener` of every instance status event too, once the state is loaded (application
   * signups answer InstanceStartedEvent). Register before {@link listen}. Returns the removal.
   */
  onInstanceStatus(listener: (name: string, payload: { memberId?: unknown; clusterId?: unknown }) => void): () => void {
    this.instanceStatusListeners.add(listener);
    return () => this.instanceStatusListeners.delete(listener);
  }

  private publishAfterCommit<K extends EventName>(name: K, payload: EventMap[K]): void {
    this.loop.onCommit(() => void this.o.bus.publish(name, payload));
  }

  /**
   * An Active member's agent reports ports that do not accept connections: a fault at once, as
   * Stratos's CEP made it. Only an Active member: one being drained has its server stopped by its
   * clean extension, and one not yet Active is still starting it.
   */
  private portsNotOpen(memberId: string, closed: number): void {
    const m = this.state.members.get(memberId);
    if (!m || m.status !== 'Active' || m.disposition === 'obsolete') return;
    this.o.log.warn({ memberId, clusterId: m.clusterId, portsNotOpen: closed }, 'member fault: its agent reports ports not open');
    this.onFault(memberId);
  }

  private onFault(memberId: string): void {
    const m = this.state.members.get(memberId);
    if (!m) return;
    void this.o.bus.publish('MemberFaultEvent', {
      clusterId: m.clusterId,
      clusterInstanceId: m.clusterInstanceId,
      memberId: m.memberId,
      partitionId: m.partitionId,
      networkPartitionId: m.networkPartitionId,
      value: 0,
    });
    this.loop.submit(() => this.orchestrator.memberFault(memberId));
  }

  private markLoaded: () => void = () => undefined;
  /** Resolves once the runtime state is loaded: events that arrive earlier wait for it, in order. */
  private readonly loaded = new Promise<void>((resolve) => (this.markLoaded = resolve));
  private isLoaded = false;

  /**
   * Runs fn now if the state is loaded, else once it is. Safe for order: the waiting callbacks run
   * as microtasks right after loading, before any later broker message is handled.
   */
  private afterLoad(fn: () => void): void {
    if (this.isLoaded) fn();
    else void this.loaded.then(fn);
  }

  /**
   * Subscribes to the broker. Call it before the IaaS drivers resume their instances, so that not
   * one of their events is missed; events wait (in order) until `start` has loaded the state.
   */
  async listen(): Promise<void> {
    const bus = this.o.bus;
    this.unsubscribes.push(
      await bus.subscribe('instance/status/#', (name, payload) => {
        this.afterLoad(() => {
          this.loop.submit(() => this.cloud.onInstanceStatus(name, payload as { memberId?: string }));
          for (const listener of this.instanceStatusListeners) listener(name, payload as { memberId?: string });
        });
      }),
      await bus.subscribe('health/stat/#', (name, payload) => {
        const stat = payload as { memberId?: string; healthDescription?: string; value?: number };
        const memberId = stat.memberId;
        if (!memberId || name === 'MemberFaultEvent') return;
        this.afterLoad(() => {
          this.faults.seen(memberId);
          if (name === 'MemberHealthStatEvent' && stat.healthDescription === 'ports_not_open' && Number(stat.value) > 0)
            this.portsNotOpen(memberId, Number(stat.value));
        });
      }),
      await bus.subscribe('CompleteTopologyRequestEvent', () => this.afterLoad(() => void this.publishCompleteTopology())),
    );
    const unwatch = this.cloud.watchDrivers(this.o.drivers.values(), (report) => this.afterLoad(report));
    this.unsubscribes.push(async () => unwatch());
    // the control plane owns the definitions of deployed applications: an update of one takes
    // effect at once (its monitors reconcile against the new minimums and maximums)
    this.o.registry.onChange((change) => {
      if (change.kind !== 'application' || change.op !== 'updated') return;
      this.afterLoad(
        () =>
          void this.definitionsChanged(change.id, change.artifact as unknown as Application).catch((err: unknown) =>
            this.o.log.error({ err, applicationId: change.id }, 'could not take in an application update'),
          ),
      );
    });
  }

  private async definitionsChanged(appId: string, app: Application): Promise<void> {
    const rt = this.state.apps.get(appId);
    if (!rt || rt.undeploy !== 'none') return;
    const defs = definitionsOf(app, rt.applicationPolicyId, await this.o.registry.catalog());
    await this.run(() => {
      this.orchestrator.definitions.set(appId, defs);
      this.loop.requestReconcile(appId);
    });
  }

  /** The runtime of a deployed application, for read-only views. */
  runtimeOf(appId: string): ApplicationRuntime | undefined {
    return this.state.apps.get(appId);
  }

  /** The component tree a deployed application's monitors work on. */
  treeOf(appId: string): ComponentNode | undefined {
    return this.orchestrator.definitions.get(appId)?.tree;
  }

  /** Loads the runtime state and resumes every deployed application (after `listen`). */
  async start(): Promise<void> {
    if (this.unsubscribes.length === 0) await this.listen();
    await this.state.load();
    const catalog = await this.o.registry.catalog();
    for (const [appId, stored] of catalog.applications as Map<string, StoredApplication>) {
      const rt = this.state.apps.get(appId);
      if (stored.status === 'Created') {
        // Undeployed, but the runtime's removal was not persisted (a crash in between): forget it.
        if (rt && Object.values(rt.clusters).every((c) => Object.keys(c.instances).every((i) => this.state.membersOf(c.clusterId, i).length === 0))) {
          await this.run(() => this.state.removeApp(appId));
        }
        continue;
      }
      if (!rt && stored.status === 'Deployed') {
        // deployed, but the runtime was never written (a crash in between): deploy it again
        const tenant = await this.tenantOfApplication(appId);
        await this.run(() => this.createRuntime(stored as unknown as Application, stored.applicationPolicyId!, catalog, tenant.id, tenant.domain));
        continue;
      }
      if (!rt) {
        await this.setApplicationStatus(appId, 'Created');
        continue;
      }
      this.orchestrator.definitions.set(appId, definitionsOf(stored as unknown as Application, rt.applicationPolicyId, catalog));
      if (stored.status === 'Undeploying' && rt.undeploy === 'none') {
        // the undeployment was recorded, but its loop task was not committed (a crash in between)
        this.o.log.warn({ applicationId: appId }, 'undeployment recorded but not under way: it is resumed (gracefully)');
        await this.run(() => this.orchestrator.undeploy(appId, false));
      }
    }
    await this.forgetLeakedInstances();

    this.isLoaded = true;
    this.markLoaded();
    for (const appId of this.state.apps.keys()) this.loop.requestReconcile(appId);
    this.faults.start();

    const t = this.o.timings;
    this.every('monitor tick', Math.min(t.clusterMonitorInterval, t.memberListWatcherInterval), () => {
      for (const appId of this.state.apps.keys()) this.loop.requestReconcile(appId);
      void this.settleRecords();
    });
    this.every('complete topology', t.completeTopologyInterval, () => void this.publishCompleteTopology());
    // A member whose status has not moved for a whole cluster monitor interval is re-announced, so
    // its instance repeats the event that may have been lost (a broker failover, a crash). While
    // our own events still wait in the publish queue nothing is lost, only late: no re-announcing.
    const stalledMs = Math.max(t.clusterMonitorInterval, 10);
    this.every('re-announce stalled members', stalledMs, () => {
      if (this.o.bus.pendingCount > 0) return;
      this.loop.submit(() => void this.cloud.reannounceStalled(this.clock.now(), stalledMs));
    });
  }

  private every(name: string, ms: number, fn: () => void): void {
    this.cancels.push(this.scheduler.every(name, ms, fn));
  }

  /**
   * Reconciles members with the instances the IaaS drivers run, after a restart: an instance no
   * member owns (a crash between its start and the member's removal) is terminated; a member that
   * had an instance which the IaaS no longer runs (terminated or lost while strato was down) is
   * gone, and removed so that the monitors replace it. Created members without an instance are
   * launched again by the monitors (idempotent by member id).
   */
  private async forgetLeakedInstances(): Promise<void> {
    const drivers = new Set(this.o.drivers.values());
    const running = new Map<IaasDriver, Set<string>>();
    for (const driver of drivers) {
      const ids = new Set((await driver.listInstances()).map((i) => i.memberId));
      running.set(driver, ids);
      for (const memberId of ids) {
        if (!this.state.members.has(memberId)) {
          this.o.log.warn({ memberId, driver: driver.name }, 'terminating an instance no member owns');
          await driver.terminateInstance(memberId);
        }
      }
    }
    const gone = [...this.state.members.values()].filter((m) => {
      const driver = this.o.drivers.get(m.provider);
      return m.instanceId !== undefined && driver !== undefined && !running.get(driver)!.has(m.memberId);
    });
    if (gone.length === 0) return;
    await this.run(() => {
      for (const m of gone) {
        this.o.log.warn({ memberId: m.memberId, status: m.status }, 'the IaaS no longer runs the instance of this member: it is removed');
        this.cloud.remove(m);
      }
    });
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const cancel of this.cancels) cancel();
    this.faults.stop();
    for (const u of this.unsubscribes) await u().catch(() => undefined);
    await this.loop.idle();
    this.loop.stop();
    await this.state.flush().catch((err) => this.o.log.error({ err }, 'could not persist the runtime state on stop'));
  }

  /** Runs fn in the control loop and resolves with its result once it is committed. */
  run<R>(fn: () => R): Promise<R> {
    return new Promise((resolve, reject) => {
      this.loop.submit(() => {
        try {
          const r = fn();
          this.loop.onCommit(() => resolve(r), reject);
        } catch (e) {
          reject(e);
        }
      });
    });
  }

  async publishCompleteTopology(): Promise<void> {
    if (this.stopped) return;
    const cartridges = (await this.o.registry.catalog()).cartridges;
    await this.o.bus.publish('CompleteTopologyEvent', { topology: completeTopology(this.state, cartridges) });
  }

  private async setApplicationStatus(appId: string, status: StoredApplication['status'], tenantId?: number): Promise<void> {
    const scope = tenantId ?? (await this.o.store.list('application', 'all')).find((r) => r.id === appId)?.scope;
    if (scope === undefined) return;
    await this.o.registry.exclusive(() => this.o.registry.setApplicationState(appId, scope, { status }));
  }

  /** The tenant that owns an application (the scope of its record). */
  private async tenantOfApplication(appId: string): Promise<{ id: number; domain: string }> {
    const scope = (await this.o.store.list('application', 'all')).find((r) => r.id === appId)?.scope ?? SUPER_TENANT_ID;
    if (scope === SUPER_TENANT_ID) return { id: scope, domain: SUPER_TENANT_DOMAIN };
    const tenant = (await this.o.store.list<{ tenantId: number; tenantDomain: string }>('tenant', SUPER_TENANT_ID)).find((t) => t.body.tenantId === scope);
    return { id: scope, domain: tenant?.body.tenantDomain ?? String(scope) };
  }

  private createRuntime(app: Application, policyId: string, catalog: Catalog, tenantId: number, tenantDomain = 'carbon.super'): ApplicationRuntime {
    const defs = definitionsOf(app, policyId, catalog);
    return this.orchestrator.createRuntime(defs, policyId, { id: tenantId, domain: tenantDomain });
  }

  // ---- REST operations -------------------------------------------------------------------------

  private async ownApplication(appId: string, who: Principal): Promise<StoredApplication> {
    const app = await this.o.store.get<StoredApplication>('application', appId, who.tenantId);
    if (!app) throw error('APPLICATION_NOT_FOUND', { id: appId });
    return app;
  }

  /**
   * POST /applications/{id}/deploy/{policy}: checks everything first (the application, its state,
   * the application policy and its network partitions against every deployment policy the
   * application uses, the IaaS drivers), then records the deployment and creates the runtime.
   */
  async deploy(appId: string, policyId: string, who: Principal): Promise<void> {
    const { committed } = await this.o.registry.exclusive(async () => {
      const app = await this.ownApplication(appId, who);
      if (app.status === 'Deployed') throw error('APPLICATION_ALREADY_DEPLOYED', { id: appId });
      if (app.status !== 'Created') throw error('APPLICATION_NOT_CREATED', { id: appId, status: app.status });
      const catalog = await this.o.registry.catalog();
      const policy = catalog.applicationPolicies.get(policyId);
      if (!policy) throw error('APPLICATION_POLICY_NOT_FOUND', { id: policyId });
      const defs = definitionsOf(app as unknown as Application, policyId, catalog);
      for (const dpId of deploymentPoliciesOf(app as unknown as Application)) {
        const dp = catalog.deploymentPolicies.get(dpId);
        if (!dp) throw error('DEPLOYMENT_POLICY_UNRESOLVED', { id: dpId, application: appId });
        for (const np of policy.networkPartitions ?? []) {
          if (!dp.networkPartitions.some((n) => n.id === np)) {
            throw error('NETWORK_PARTITION_NOT_IN_POLICY', { networkPartition: np, application: appId, deploymentPolicy: dpId });
          }
        }
        for (const npRef of dp.networkPartitions) {
          const np = catalog.networkPartitions.get(npRef.id);
          if (np && !this.o.drivers.has(np.provider)) {
            throw error('IAAS_PROVIDER_UNBOUND', { id: np.id, provider: np.provider });
          }
        }
      }
      await this.o.registry.setApplicationState(appId, who.tenantId, { status: 'Deployed', applicationPolicyId: policyId });
      // submitted under the lock (so a later undeploy's task runs after it), awaited outside it
      return {
        committed: this.createRuntimeInLoop(appId, () => this.orchestrator.createRuntime(defs, policyId, { id: who.tenantId, domain: who.tenantDomain })),
      };
    });
    await this.bounded(committed, `The deployment of application ${appId}`);
  }

  /**
   * Applications whose record says Deployed and whose runtime creation is queued in the loop: until
   * it runs, a record without a runtime is not a leftover to settle.
   */
  private readonly runtimePending = new Set<string>();

  private createRuntimeInLoop(appId: string, create: () => void): Promise<void> {
    this.runtimePending.add(appId);
    return this.run(() => {
      try {
        create();
      } finally {
        this.runtimePending.delete(appId);
      }
    });
  }

  /**
   * Waits for the control loop to commit an operation, at most STRATO_REQUEST_TIMEOUT: a request
   * always answers. The operation itself is not cancelled (it was recorded): 503 says so.
   */
  private bounded(committed: Promise<unknown>, what: string): Promise<void> {
    const ms = this.o.requestTimeout ?? 30_000;
    let cancel: Cancel = () => undefined;
    const timeout = new Promise<never>((_, reject) => {
      cancel = this.scheduler.after('request bound', ms, () => reject(error('CONTROL_PLANE_TIMEOUT', { operation: what, ms })));
    });
    return Promise.race([committed.then(() => undefined), timeout]).finally(() => cancel());
  }

  /**
   * An application's record status follows its runtime (never pushed from inside a loop task,
   * which must not wait on the registry lock): a record that says Undeploying while no runtime
   * exists or is being created becomes Created; one that says Deployed with no runtime (its creation
   * failed) gets its runtime again; one that says Undeploying beside a runtime with no undeployment
   * under way (a crash between the record and the loop task) has its undeployment resumed. Runs
   * after an undeployment's commit and at every monitor tick.
   */
  private async settleRecord(appId: string, tenantId?: number): Promise<void> {
    try {
      const scope = tenantId ?? (await this.tenantOfApplication(appId)).id;
      await this.o.registry.exclusive(async () => {
        const stored = await this.o.store.get<StoredApplication>('application', appId, scope);
        if (!stored || this.runtimePending.has(appId)) return;
        const rt = this.state.apps.get(appId);
        if (rt) {
          // Recorded as undeploying, but the runtime has no undeployment under way: resume it
          // (an undeploy's own loop task, submitted under this lock, has run by now or runs first)
          if (stored.status === 'Undeploying' && rt.undeploy === 'none' && !this.undeployPending.has(appId)) {
            this.o.log.warn({ applicationId: appId }, 'undeployment recorded but not under way: it is resumed (gracefully)');
            this.loop.submit(() => this.orchestrator.undeploy(appId, false));
          }
          return;
        }
        if (stored.status === 'Undeploying') {
          await this.o.registry.setApplicationState(appId, scope, { status: 'Created' });
          this.o.log.info({ applicationId: appId }, 'application record settled: Created');
        } else if (stored.status === 'Deployed' && stored.applicationPolicyId) {
          this.o.log.warn({ applicationId: appId }, 'deployed application has no runtime: it is created again');
          const catalog = await this.o.registry.catalog();
          const tenant = await this.tenantOfApplication(appId);
          const policyId = stored.applicationPolicyId;
          void this.createRuntimeInLoop(appId, () => this.createRuntime(stored as unknown as Application, policyId, catalog, tenant.id, tenant.domain)).catch(
            (err) => this.o.log.error({ err, applicationId: appId }, 'could not create the runtime again'),
          );
        }
      });
    } catch (err) {
      this.o.log.warn({ err, applicationId: appId }, 'could not settle the application record; the next monitor tick tries again');
    }
  }

  private settling = false;
  /** Applications whose undeploy task is queued in the loop and has not run yet. */
  private readonly undeployPending = new Set<string>();

  /** settleRecord for every record whose status disagrees with the runtime. */
  private async settleRecords(): Promise<void> {
    if (this.settling || this.stopped) return;
    this.settling = true;
    try {
      const catalog = await this.o.registry.catalog();
      for (const [appId, stored] of catalog.applications as Map<string, StoredApplication>) {
        if (stored.status === 'Created' || this.runtimePending.has(appId)) continue;
        const rt = this.state.apps.get(appId);
        if (rt && !(stored.status === 'Undeploying' && rt.undeploy === 'none')) continue;
        await this.settleRecord(appId);
      }
    } catch (err) {
      // the store was unreachable (or closed under a stopping server): the next monitor tick tries again
      this.o.log.warn({ err }, 'could not read the application records to settle them');
    } finally {
      this.settling = false;
    }
  }

  /** POST /applications/{id}/undeploy[?force=true]. */
  async undeploy(appId: string, force: boolean, who: Principal): Promise<void> {
    const { committed } = await this.o.registry.exclusive(async () => {
      const app = await this.ownApplication(appId, who);
      if (app.status === 'Created') {
        throw error('APPLICATION_NOT_DEPLOYED', { id: appId });
      }
      await this.o.registry.setApplicationState(appId, who.tenantId, { status: 'Undeploying' });
      // submitted under the lock, so it runs after a deploy's runtime creation; awaited outside it
      this.undeployPending.add(appId);
      const committed = this.run(() => {
        this.undeployPending.delete(appId);
        this.orchestrator.undeploy(appId, force);
      });
      return { committed };
    });
    await this.bounded(committed, `The undeployment of application ${appId}`);
  }

  /** GET /applications/{id}/runtime. */
  async runtime(appId: string, who: Principal): Promise<Record<string, unknown>> {
    const app = await this.ownApplication(appId, who);
    const rt = this.state.apps.get(appId);
    const defs = this.orchestrator.definitions.get(appId);
    if (!rt || !defs) throw error('APPLICATION_RUNTIME_NOT_FOUND', { id: appId });
    return runtimeView(this.state, rt, defs.tree, app as { name?: string }, isSuperTenant(who) ? 'admin' : who.userName);
  }

  /**
   * GET /cluster/{clusterId} (rest-api.md #52): a cluster of a deployed application of the caller's
   * tenant, with its instances and members. strato puts the subscription alias in `alias` (Stratos
   * put the cluster id there) and leaves unknown IPs out rather than writing "NULL".
   */
  cluster(clusterId: string, who: Principal): Record<string, unknown> {
    for (const rt of this.state.apps.values()) {
      const c = rt.clusters[clusterId];
      if (!c || rt.tenantId !== who.tenantId) continue;
      const instances = Object.values(c.instances);
      return {
        alias: c.alias,
        serviceName: c.serviceName,
        clusterId: c.clusterId,
        tenantRange: c.tenantRange,
        lbCluster: false,
        hostNames: c.hostNames,
        property: [],
        instances: instances.map((i) => ({ instanceId: i.instanceId, status: i.status })),
        member: instances.flatMap((i) => this.state.membersOf(c.clusterId, i.instanceId)).map(memberView),
      };
    }
    throw error('CLUSTER_NOT_FOUND', { id: clusterId });
  }

  /**
   * GET /applications/{id}/networkPartitions (rest-api.md #43): the network partitions of every
   * deployment policy the application uses, in policy order.
   */
  async networkPartitions(appId: string, who: Principal): Promise<{ networkPartitionIds: string[] }> {
    const app = await this.ownApplication(appId, who);
    const catalog = await this.o.registry.catalog();
    const ids = new Set<string>();
    for (const dpId of deploymentPoliciesOf(app as unknown as Application)) {
      for (const np of catalog.deploymentPolicies.get(dpId)?.networkPartitions ?? []) ids.add(np.id);
    }
    if (ids.size === 0) throw error('NETWORK_PARTITIONS_NOT_FOUND', { id: appId });
    return { networkPartitionIds: [...ids] };
  }

  /** The status GET /applications shows: Active when every instance is Active. */
  liveStatus(appId: string): string | undefined {
    const rt = this.state.apps.get(appId);
    if (!rt || rt.undeploy !== 'none') return undefined;
    const instances = Object.values(rt.instances);
    return instances.length > 0 && instances.every((i) => i.status === 'Active') ? 'Active' : undefined;
  }
}
