import {
  canTransition,
  clusterHostName,
  clusterNodes,
  childrenToCreate,
  decideClusterInstance,
  levelStatus,
  onChildInactive,
  parsePartitionAlgorithm,
  type ApplicationStatus,
  type ChildSnapshot,
  type ClusterStatus,
  type ComponentNode,
  type GroupStatus,
  type MemberStep,
  type Clock,
  type Scheduler,
  type Timings,
} from '@strato/model';
import type { EventMap, EventName } from '@strato/messaging';
import type { Logger } from 'pino';
import type { CloudController } from '../cloud/cloud-controller.ts';
import type {
  ApplicationInstanceState,
  ApplicationRuntime,
  ClusterInstanceState,
  ClusterRuntime,
  GroupInstanceState,
  MemberRuntime,
} from '../runtime/runtime-model.ts';
import type { RuntimeState } from '../runtime/runtime-state.ts';
import { initialNetworkPartitions, type ApplicationDefinitions } from './application-definitions.ts';
import type { ControlLoop } from '../reconcile/control-loop.ts';
import { buildPayload, generateCartridgeKey, type PayloadInput } from '../cloud/launch-payload.ts';

export interface OrchestratorOptions {
  state: RuntimeState;
  loop: ControlLoop;
  cloud: CloudController;
  publish: <K extends EventName>(name: K, payload: EventMap[K]) => void;
  timings: () => Timings;
  iaasRetryInterval: number;
  /** Stratos's spinAfterTerminate: members being drained or terminated count toward the minimum. @default false */
  spinAfterTerminate: boolean;
  clock: Clock;
  scheduler: Scheduler;
  log: Logger;
  /**
   * Told, after the commit, that the runtime of an undeployed application is gone. It must not be
   * awaited by the loop: what it does (the application record) waits on the registry lock.
   */
  onUndeployed: (appId: string, tenantId: number) => void;
}

/**
 * The application, group and cluster monitors of strato, as one reconciler. `reconcile(appId)`
 * compares what an application should have (its component tree, startup orders, minimums,
 * undeployment) with what it has (instances and members in the runtime state) and takes the next
 * steps: create the instances whose startup dependencies are Active, spawn members up to the
 * minimum, drain what must go, roll statuses up, apply termination behaviour when a child turns
 * Inactive. It is idempotent, so a missed event or a restart changes nothing in the end; events
 * and the periodic monitor tick only decide when it runs.
 */
export class Orchestrator {
  readonly definitions = new Map<string, ApplicationDefinitions>();
  private readonly warned = new Set<string>();

  constructor(private readonly o: OrchestratorOptions) {}

  private get state() {
    return this.o.state;
  }

  // ---- deployment --------------------------------------------------------------------------------

  /** Creates the runtime of a newly deployed application: its clusters, then its first instances. */
  createRuntime(defs: ApplicationDefinitions, appPolicyId: string, tenant: { id: number; domain: string }): ApplicationRuntime {
    const app = defs.application;
    const clusters: Record<string, ClusterRuntime> = {};
    for (const node of clusterNodes(defs.tree)) {
      const cartridge = defs.cartridges.get(node.cartridgeType!);
      clusters[node.id] = {
        clusterId: node.id,
        alias: node.alias,
        serviceName: node.cartridgeType!,
        appId: app.applicationId,
        hostNames: [clusterHostName(app.applicationId, node.alias, cartridge?.host ?? 'stratos.org', cartridge?.multiTenant ?? false)],
        tenantRange: '*',
        deploymentPolicy: node.deploymentPolicy ?? '',
        autoscalingPolicy: node.autoscalingPolicy ?? '',
        instances: {},
      };
    }
    const rt: ApplicationRuntime = {
      applicationId: app.applicationId,
      tenantId: tenant.id,
      tenantDomain: tenant.domain,
      applicationPolicyId: appPolicyId,
      undeploy: 'none',
      instanceSequence: 0,
      groupSequences: {},
      instances: {},
      groupInstances: {},
      clusters,
      deployedAt: this.o.clock.now(),
    };
    this.definitions.set(app.applicationId, defs);
    this.state.putApp(rt);
    this.o.publish('ApplicationClustersCreatedEvent', {
      appId: app.applicationId,
      clusterList: Object.values(clusters).map((c) => ({
        serviceName: c.serviceName,
        clusterId: c.clusterId,
        autoscalePolicyName: c.autoscalingPolicy,
        deploymentPolicyName: c.deploymentPolicy,
        hostNames: c.hostNames,
        tenantRange: c.tenantRange,
        isLbCluster: false,
        isKubernetesCluster: false,
        memberMap: {},
        appId: c.appId,
        instanceIdToInstanceContextMap: {},
        kubernetesServices: [],
        loadBalancerIps: [],
      })),
    });
    this.o.loop.requestReconcile(app.applicationId);
    return rt;
  }

  /** Starts undeploying: gracefully (members drained) or forcefully (terminated at once). */
  undeploy(appId: string, force: boolean): void {
    const rt = this.state.apps.get(appId);
    if (!rt) return;
    if (rt.undeploy === 'force') return;
    rt.undeploy = force ? 'force' : 'graceful';
    this.state.putApp(rt);
    this.o.loop.requestReconcile(appId);
  }

  // ---- reconciliation ------------------------------------------------------------------------------

  reconcile(appId: string): void {
    const rt = this.state.apps.get(appId);
    const defs = this.definitions.get(appId);
    if (!rt || !defs) return;
    const now = this.o.clock.now();
    if (rt.undeploy === 'none') this.ensureApplicationInstances(rt, defs, now);
    for (const inst of Object.values(rt.instances)) {
      if (inst.status === 'Terminated') continue;
      if (rt.undeploy !== 'none' && inst.status !== 'Terminating') this.setApplicationStatus(rt, inst, 'Terminating', now);
      const terminating = inst.status === 'Terminating';
      this.reconcileLevel(rt, defs, defs.tree, inst.instanceId, inst.networkPartitionId, terminating, now);
      const next = this.rollUp(rt, defs.tree, inst.instanceId, inst.status);
      if (next && next !== inst.status && canTransition('application', inst.status, next)) {
        this.setApplicationStatus(rt, inst, next as ApplicationStatus, now);
      }
    }
    if (rt.undeploy !== 'none' && Object.values(rt.instances).every((i) => i.status === 'Terminated')) {
      this.finishUndeploy(rt);
    }
  }

  private finishUndeploy(rt: ApplicationRuntime): void {
    const leftovers = Object.values(rt.clusters).flatMap((c) => Object.keys(c.instances).flatMap((i) => this.state.membersOf(c.clusterId, i)));
    if (leftovers.length > 0) return;
    this.state.removeApp(rt.applicationId);
    this.definitions.delete(rt.applicationId);
    this.o.publish('ApplicationClustersRemovedEvent', {
      appId: rt.applicationId,
      clusterData: Object.values(rt.clusters).map((c) => ({
        serviceType: c.serviceName,
        clusterId: c.clusterId,
        minInstances: 0,
        maxInstances: 0,
      })),
    });
    this.o.loop.onCommit(() => this.o.onUndeployed(rt.applicationId, rt.tenantId));
    this.o.log.info({ applicationId: rt.applicationId }, 'application undeployed');
  }

  private ensureApplicationInstances(rt: ApplicationRuntime, defs: ApplicationDefinitions, now: number): void {
    for (const np of initialNetworkPartitions(defs.applicationPolicy)) {
      if (Object.values(rt.instances).some((i) => i.networkPartitionId === np && i.status !== 'Terminated')) continue;
      const instanceId = `${rt.applicationId}-${++rt.instanceSequence}`;
      const inst: ApplicationInstanceState = { instanceId, status: 'Created', networkPartitionId: np, createdAt: now, statusAt: now };
      rt.instances[instanceId] = inst;
      this.state.putApp(rt);
      this.o.publish('ApplicationInstanceCreatedEvent', {
        applicationId: rt.applicationId,
        applicationInstance: this.wireInstance(rt.applicationId, inst),
      });
    }
  }

  private wireInstance<S extends string>(
    alias: string,
    i: { instanceId: string; status: S; previous?: S; parentInstanceId?: string; networkPartitionId: string },
  ) {
    return {
      alias,
      instanceId: i.instanceId,
      lifeCycleStateManager: { stateStack: i.previous ? [i.previous, i.status] : [i.status], identifier: `${alias}_${i.instanceId}` },
      ...(i.parentInstanceId ? { parentId: i.parentInstanceId } : {}),
      networkPartitionId: i.networkPartitionId,
    };
  }

  // ---- levels (application and groups) -------------------------------------------------------------

  private clusterInstanceOf(rt: ApplicationRuntime, node: ComponentNode, parentInstanceId: string): ClusterInstanceState | undefined {
    return rt.clusters[node.id]?.instances[parentInstanceId];
  }

  private groupInstancesOf(rt: ApplicationRuntime, node: ComponentNode, parentInstanceId: string): GroupInstanceState[] {
    return Object.values(rt.groupInstances).filter((g) => g.alias === node.alias && g.parentInstanceId === parentInstanceId);
  }

  /** What a level instance knows of its children: the input of the level decisions in model. */
  private snapshots(rt: ApplicationRuntime, node: ComponentNode, pid: string): ChildSnapshot[] {
    return node.children.map((c) =>
      c.kind === 'cluster'
        ? { kind: 'cluster', alias: c.alias, status: this.clusterInstanceOf(rt, c, pid)?.status }
        : { kind: 'group', alias: c.alias, statuses: this.groupInstancesOf(rt, c, pid).map((g) => g.status) },
    );
  }

  /** The status the children of a level instance say it has (levelStatus of model). */
  private rollUp(rt: ApplicationRuntime, node: ComponentNode, pid: string, parentStatus: string) {
    return levelStatus(this.snapshots(rt, node, pid), parentStatus);
  }

  private reconcileLevel(
    rt: ApplicationRuntime,
    defs: ApplicationDefinitions,
    node: ComponentNode,
    pid: string,
    np: string,
    terminating: boolean,
    now: number,
  ): void {
    if (terminating) {
      for (const child of node.children) this.terminateChild(rt, child, pid, now);
    } else {
      for (const alias of childrenToCreate(node, this.snapshots(rt, node, pid))) {
        const child = node.children.find((c) => c.alias === alias);
        if (child) this.createChild(rt, child, pid, np, now);
      }
    }

    const becameInactive = new Set<string>();
    for (const child of node.children) {
      if (child.kind === 'cluster') {
        const ci = this.clusterInstanceOf(rt, child, pid);
        if (ci && this.reconcileClusterInstance(rt, defs, child, ci, now) === 'inactive') becameInactive.add(child.alias);
        continue;
      }
      for (const gi of this.groupInstancesOf(rt, child, pid)) {
        this.reconcileLevel(rt, defs, child, gi.instanceId, np, gi.status === 'Terminating', now);
        const next = this.rollUp(rt, child, gi.instanceId, gi.status);
        if (next && next !== gi.status && canTransition('group', gi.status, next)) {
          this.setGroupStatus(rt, gi, next as GroupStatus, now);
          if (next === 'Inactive') becameInactive.add(child.alias);
        }
      }
    }
    if (!terminating) for (const alias of becameInactive) this.applyTerminationBehaviour(rt, node, pid, alias, now);
  }

  /** Marks the instances of a child under parent instance `pid` Terminating. */
  private terminateChild(rt: ApplicationRuntime, child: ComponentNode, pid: string, now: number): void {
    if (child.kind === 'cluster') {
      const ci = this.clusterInstanceOf(rt, child, pid);
      if (ci && ci.status !== 'Terminating') this.setClusterStatus(rt, rt.clusters[child.id], ci, 'Terminating', now);
      return;
    }
    for (const gi of this.groupInstancesOf(rt, child, pid)) {
      if (gi.status !== 'Terminating') this.setGroupStatus(rt, gi, 'Terminating', now);
    }
  }

  private createChild(rt: ApplicationRuntime, child: ComponentNode, pid: string, np: string, now: number): void {
    if (child.kind === 'cluster') {
      const cluster = rt.clusters[child.id];
      const ci: ClusterInstanceState = { instanceId: pid, status: 'Created', parentInstanceId: pid, networkPartitionId: np, createdAt: now, statusAt: now };
      cluster.instances[pid] = ci;
      this.state.putApp(rt);
      this.o.publish('ClusterInstanceCreatedEvent', {
        serviceName: cluster.serviceName,
        clusterId: cluster.clusterId,
        networkPartitionId: np,
        clusterInstance: { ...this.wireInstance(cluster.alias, ci), clusterId: cluster.clusterId },
      });
      return;
    }
    const count = Math.max(1, child.groupScalingEnabled ? child.min : 1);
    for (let i = 0; i < count; i++) {
      const instanceId = child.groupScalingEnabled ? `${child.alias}-${(rt.groupSequences[child.alias] = (rt.groupSequences[child.alias] ?? 0) + 1)}` : pid;
      const gi: GroupInstanceState = {
        alias: child.alias,
        instanceId,
        status: 'Created',
        parentInstanceId: pid,
        networkPartitionId: np,
        createdAt: now,
        statusAt: now,
      };
      rt.groupInstances[`${child.alias}/${instanceId}`] = gi;
      this.state.putApp(rt);
      this.o.publish('GroupInstanceCreatedEvent', { groupId: child.alias, appId: rt.applicationId, groupInstance: this.wireInstance(child.alias, gi) });
    }
  }

  /**
   * A child turned Inactive: terminate what the level's termination behaviour says (orchestration.md
   * §3.5). The terminated components are created again, in tree order, once all of them are gone.
   */
  private applyTerminationBehaviour(rt: ApplicationRuntime, node: ComponentNode, pid: string, alias: string, now: number): void {
    const decision = onChildInactive(node, alias);
    if (!decision.self && decision.children.length === 0) return;
    this.o.log.info(
      {
        applicationId: rt.applicationId,
        level: node.alias,
        instanceId: pid,
        inactive: alias,
        behaviour: node.terminationBehaviour,
        terminate: decision.self ? 'itself' : decision.children,
      },
      'applying termination behaviour',
    );
    if (decision.self) {
      const self = rt.groupInstances[`${node.alias}/${pid}`];
      if (self && self.status !== 'Terminating') this.setGroupStatus(rt, self, 'Terminating', now);
      return;
    }
    for (const target of decision.children) {
      const child = node.children.find((c) => c.alias === target);
      if (child) this.terminateChild(rt, child, pid, now);
    }
    this.o.loop.requestReconcile(rt.applicationId);
  }

  // ---- clusters ----------------------------------------------------------------------------------

  /** One cluster instance: applies the cluster decision of model (housekeeping, minimum and maximum, status). */
  private reconcileClusterInstance(
    rt: ApplicationRuntime,
    defs: ApplicationDefinitions,
    node: ComponentNode,
    ci: ClusterInstanceState,
    now: number,
  ): 'inactive' | undefined {
    const cluster = rt.clusters[node.id];
    const t = this.o.timings();
    const cloud = this.o.cloud;
    const members = this.state.membersOf(cluster.clusterId, ci.instanceId);
    const { algorithm, slots } = this.partitionsOf(defs, cluster, ci.networkPartitionId);
    const decision = decideClusterInstance(
      {
        status: ci.status,
        min: node.min,
        max: node.max,
        force: rt.undeploy === 'force',
        spinAfterTerminate: this.o.spinAfterTerminate,
        spawnBackoffUntil: ci.spawnBackoffUntil,
        lastPartitionIndex: ci.lastPartitionIndex,
        pendingExpiries: ci.pendingExpiries,
        algorithm,
        slots,
        members: members.map((m) => ({
          ...m,
          hasInstance: m.instanceId !== undefined,
          terminating: cloud.isTerminating(m.memberId),
          launching: cloud.isLaunching(m.memberId),
        })),
      },
      now,
      { ...t, iaasRetryInterval: this.o.iaasRetryInterval },
    );

    if (decision.pendingExpiries) {
      ci.pendingExpiries = decision.pendingExpiries;
      this.state.putApp(rt);
    }
    const byId = new Map(members.map((m) => [m.memberId, m]));
    for (const step of decision.steps) this.applyStep(byId.get(step.memberId)!, step, now);
    if (decision.spawn.length > 0) this.spawnMembers(rt, defs, node, cluster, ci, decision.spawn, decision.lastPartitionIndex, now);
    if (decision.partitionsFull) {
      this.warnOnce(
        `${cluster.clusterId}/${ci.instanceId}:full`,
        { clusterId: cluster.clusterId, instanceId: ci.instanceId },
        'every partition is full; the minimum cannot be met',
      );
    }
    if (decision.status) this.setClusterStatus(rt, cluster, ci, decision.status, now);
    return decision.status === 'Inactive' ? 'inactive' : undefined;
  }

  /** Applies one member step of a cluster decision. */
  private applyStep(m: MemberRuntime, step: MemberStep, now: number): void {
    const cloud = this.o.cloud;
    switch (step.step) {
      case 'obsolete':
        this.setDisposition(m, 'obsolete', now);
        if (step.reason === 'pending-expired') {
          this.o.log.warn({ memberId: m.memberId, status: m.status, partitionId: m.partitionId }, 'pending member expired; it is made obsolete');
        } else if (step.reason === 'cleanup-expired') {
          this.o.log.warn({ memberId: m.memberId }, 'member did not answer its cleanup request in time; it is terminated');
        }
        if (step.terminate) cloud.terminate(m, now);
        return;
      case 'drain':
        this.setDisposition(m, 'terminationPending', now);
        if (step.requestCleanup) cloud.requestCleanup(m, now);
        return;
      case 'terminate':
        cloud.terminate(m, now);
        return;
      case 'forget':
        // the IaaS never confirmed the termination: forget the member (orchestration.md §3.12)
        this.o.log.error({ memberId: m.memberId }, 'obsolete member expired without its instance terminated; it is forgotten');
        cloud.remove(m);
        return;
      case 'requestCleanup':
        cloud.requestCleanup(m, now);
        return;
      case 'launch':
        this.o.loop.onCommit(() => cloud.launch(m.memberId));
        return;
    }
  }

  private setDisposition(m: MemberRuntime, d: MemberRuntime['disposition'], now: number): void {
    m.disposition = d;
    m.dispositionAt = now;
    this.state.putMember(m);
  }

  /** A member activated: its partition's consecutive pending expiries (and doubled timeout) are reset. */
  memberActivated(m: MemberRuntime): void {
    const rt = this.state.apps.get(m.applicationId);
    const ci = rt?.clusters[m.clusterId]?.instances[m.clusterInstanceId];
    if (!rt || !ci?.pendingExpiries?.[m.partitionId]) return;
    const { [m.partitionId]: _reset, ...rest } = ci.pendingExpiries;
    if (Object.keys(rest).length > 0) ci.pendingExpiries = rest;
    else delete ci.pendingExpiries;
    this.state.putApp(rt);
  }

  /**
   * A member that stopped sending health statistics: obsolete, terminated, replaced (§3.11 "Fault").
   * A member being drained goes too: it will never answer its cleanup request.
   */
  memberFault(memberId: string): void {
    const m = this.state.members.get(memberId);
    if (!m || m.disposition === 'obsolete') return;
    this.o.log.warn(
      { memberId, clusterId: m.clusterId, status: m.status },
      'member fault: no health statistics; it is terminated (and replaced unless it was being drained)',
    );
    const now = this.o.clock.now();
    this.setDisposition(m, 'obsolete', now);
    this.o.cloud.terminate(m, now);
    this.o.loop.requestReconcile(m.applicationId);
  }

  private partitionsOf(defs: ApplicationDefinitions, cluster: ClusterRuntime, np: string) {
    const policy = defs.deploymentPolicies.get(cluster.deploymentPolicy);
    const entry = policy?.networkPartitions?.find((n) => n.id === np);
    return {
      algorithm: parsePartitionAlgorithm(entry?.partitionAlgo),
      slots: (entry?.partitions ?? []).map((p) => ({ id: p.id, max: p.partitionMax ?? Number.MAX_SAFE_INTEGER })),
    };
  }

  private spawnMembers(
    rt: ApplicationRuntime,
    defs: ApplicationDefinitions,
    node: ComponentNode,
    cluster: ClusterRuntime,
    ci: ClusterInstanceState,
    partitions: string[],
    lastPartitionIndex: number | undefined,
    now: number,
  ): void {
    const np = defs.networkPartitions.get(ci.networkPartitionId);
    const cartridge = defs.cartridges.get(cluster.serviceName);
    if (!np || !cartridge) {
      this.warnOnce(`${cluster.clusterId}:defs`, { clusterId: cluster.clusterId }, 'network partition or cartridge of the cluster is missing');
      return;
    }
    const subscription = findSubscription(defs, node.alias);
    const info = subscription?.subscribableInfo as
      | { dependencyAliases?: string[]; lvsVirtualIP?: string; persistence?: PayloadInput['persistence'] }
      | undefined;
    ci.lastPartitionIndex = lastPartitionIndex;
    cluster.cartridgeKey ??= generateCartridgeKey(); // kept with the runtime: the same key after a restart
    this.state.putApp(rt);
    const named = (props: { name: string; value?: unknown }[] | undefined) => (props ?? []).map((p) => ({ name: p.name, value: String(p.value ?? '') }));
    const record = (props: { name: string; value: string }[]) => Object.fromEntries(props.map((p) => [p.name, p.value]));
    const iaasEntry = cartridge.iaasProvider?.find((i) => i.type === np.provider);
    const iaas = { ...(iaasEntry?.imageId ? { imageId: iaasEntry.imageId } : {}), properties: record(named(iaasEntry?.property)) };
    const memberProperties = { MIN_COUNT: String(node.min) };
    for (const partitionId of partitions) {
      const partition = np.partitions?.find((p) => p.id === partitionId);
      const payload = buildPayload({
        applicationId: rt.applicationId,
        cartridge,
        alias: cluster.alias,
        clusterId: cluster.clusterId,
        clusterInstanceId: ci.instanceId,
        hostName: cluster.hostNames[0],
        networkPartitionId: ci.networkPartitionId,
        partitionId,
        tenantId: rt.tenantId,
        cartridgeKey: cluster.cartridgeKey,
        groupName: groupAliasOf(defs, node.alias),
        repoUrl: subscription?.subscribableInfo?.artifactRepository?.repoUrl,
        dependencyAliases: info?.dependencyAliases,
        lvsVirtualIP: info?.lvsVirtualIP,
        properties: named([...(cartridge.property ?? []), ...(subscription?.subscribableInfo?.property ?? [])]),
        memberProperties,
        networkPartitionProperties: named(np.properties),
        persistence: info?.persistence,
      });
      this.o.cloud.spawn(
        {
          applicationId: rt.applicationId,
          clusterId: cluster.clusterId,
          clusterInstanceId: ci.instanceId,
          serviceName: cluster.serviceName,
          networkPartitionId: ci.networkPartitionId,
          partitionId,
          provider: np.provider,
          ports: (cartridge.portMapping ?? []).map((p) => ({
            name: p.name,
            protocol: p.protocol,
            port: p.port,
            proxyPort: p.proxyPort ?? 0,
            ...(p.kubernetesPortType ? { kubernetesPortType: p.kubernetesPortType } : {}),
          })),
          payload,
          properties: memberProperties,
          iaas,
          partitionProperties: { ...record(named(np.properties)), ...record(named(partition?.property)) },
        },
        now,
      );
    }
  }

  /** Called when an IaaS start failed: the cluster instance waits before asking again. */
  spawnFailed(m: MemberRuntime): void {
    const rt = this.state.apps.get(m.applicationId);
    const ci = rt?.clusters[m.clusterId]?.instances[m.clusterInstanceId];
    if (!rt || !ci) return;
    ci.spawnBackoffUntil = this.o.clock.now() + this.o.iaasRetryInterval;
    this.state.putApp(rt);
    this.o.scheduler.after('retry the IaaS', this.o.iaasRetryInterval + 1, () => this.o.loop.requestReconcile(m.applicationId));
  }

  // ---- statuses and their events -----------------------------------------------------------------

  private setApplicationStatus(rt: ApplicationRuntime, inst: ApplicationInstanceState, to: ApplicationStatus, now: number): void {
    if (!canTransition('application', inst.status, to)) return;
    inst.previous = inst.status;
    inst.status = to;
    inst.statusAt = now;
    this.state.putApp(rt);
    const payload = { appId: rt.applicationId, instanceId: inst.instanceId };
    const event = (
      {
        Active: 'ApplicationInstanceActivatedEvent',
        Inactive: 'ApplicationInstanceInactivatedEvent',
        Terminating: 'ApplicationInstanceTerminatingEvent',
        Terminated: 'ApplicationInstanceTerminatedEvent',
      } as const
    )[to as 'Active'];
    if (event) this.o.publish(event, payload);
    this.o.log.info({ applicationId: rt.applicationId, instanceId: inst.instanceId, status: to }, 'application instance status');
  }

  private setGroupStatus(rt: ApplicationRuntime, gi: GroupInstanceState, to: GroupStatus, now: number): void {
    if (!canTransition('group', gi.status, to)) return;
    gi.previous = gi.status;
    gi.status = to;
    gi.statusAt = now;
    if (to === 'Terminated') delete rt.groupInstances[`${gi.alias}/${gi.instanceId}`];
    this.state.putApp(rt);
    const payload = { groupId: gi.alias, appId: rt.applicationId, instanceId: gi.instanceId };
    const event = (
      {
        Active: 'GroupInstanceActivatedEvent',
        Inactive: 'GroupInstanceInactivatedEvent',
        Terminating: 'GroupInstanceTerminatingEvent',
        Terminated: 'GroupInstanceTerminatedEvent',
      } as const
    )[to as 'Active'];
    if (event) this.o.publish(event, payload);
    this.o.loop.requestReconcile(rt.applicationId);
  }

  private setClusterStatus(rt: ApplicationRuntime, cluster: ClusterRuntime, ci: ClusterInstanceState, to: ClusterStatus, now: number): void {
    if (!canTransition('cluster', ci.status, to)) return;
    const wasActive = ci.status === 'Active';
    ci.previous = ci.status;
    ci.status = to;
    ci.statusAt = now;
    const fields = { serviceName: cluster.serviceName, clusterId: cluster.clusterId, appId: rt.applicationId, instanceId: ci.instanceId };
    if (to === 'Active') {
      const defs = this.definitions.get(rt.applicationId);
      const ports = defs?.cartridges.get(cluster.serviceName)?.portMapping ?? [];
      ci.accessUrls = cluster.hostNames.flatMap((h) => ports.map((p) => `${p.protocol}://${h}:${p.port}`));
      this.o.publish('ClusterInstanceActivatedEvent', { ...fields, accessUrls: ci.accessUrls, loadBalancerIps: [] });
    } else if (to === 'Inactive') {
      this.o.publish('ClusterInstanceInactivateEvent', fields);
    } else if (to === 'Terminating') {
      this.o.publish('ClusterInstanceTerminatingEvent', fields);
      if (wasActive) this.o.publish('InstanceCleanupClusterEvent', { clusterId: cluster.clusterId, clusterInstanceId: ci.instanceId });
    } else if (to === 'Terminated') {
      delete cluster.instances[ci.instanceId];
      this.o.publish('ClusterInstanceTerminatedEvent', fields);
    }
    this.state.putApp(rt);
    this.o.loop.requestReconcile(rt.applicationId);
  }

  private warnOnce(key: string, fields: Record<string, unknown>, msg: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.o.log.warn(fields, msg);
  }
}

/** The alias of the group whose cartridges hold a subscription alias (`GROUP_NAME`); undefined at the top level. */
function groupAliasOf(defs: ApplicationDefinitions, alias: string): string | undefined {
  type Level = { alias?: string; cartridges?: { subscribableInfo?: { alias?: string } }[]; groups?: Level[] };
  const search = (level: Level | undefined, group: string | undefined): string | undefined | null => {
    if (!level) return null;
    if (level.cartridges?.some((c) => c.subscribableInfo?.alias === alias)) return group;
    for (const g of level.groups ?? []) {
      const found = search(g, g.alias);
      if (found !== null) return found;
    }
    return null;
  };
  return search(defs.application.components as Level, undefined) ?? undefined;
}

/** The subscription (cartridge reference) of an alias anywhere in the application. */
function findSubscription(defs: ApplicationDefinitions, alias: string) {
  type Ref = { subscribableInfo?: { alias?: string; property?: { name: string; value?: unknown }[]; artifactRepository?: { repoUrl?: string } } };
  type Level = { cartridges?: Ref[]; groups?: Level[] };
  const search = (level: Level | undefined): Ref | undefined => {
    if (!level) return undefined;
    const hit = level.cartridges?.find((c) => c.subscribableInfo?.alias === alias);
    if (hit) return hit;
    for (const g of level.groups ?? []) {
      const found = search(g);
      if (found) return found;
    }
    return undefined;
  };
  return search(defs.application.components as Level);
}
