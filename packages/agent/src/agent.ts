/**
 * strato's cartridge agent: drives the conversation of `@strato/messaging/agent-conversation.ts`
 * (the pure state machine) with real effects: one MQTT connection (MessageBus: broker list
 * failover, QoS 1, publisher timeout, subscriptions re-established on every connection),
 * extension scripts, the TCP port check, git checkouts and health statistics.
 *
 * Subscriptions: `topology/#`, `instance/notifier/#`, `tenant/#`, `application/signup/#`,
 * `domain/mapping/#` (the last one Stratos's agent forgot, §8.4). The topology is requested once
 * they are all acknowledged (§8.8), and again every `topology.request.interval` while none came.
 */
import type { Logger } from 'pino';
import { MessageBus } from '@strato/messaging/bus.ts';
import type { EventMap, EventName } from '@strato/messaging/events.ts';
import {
  converse,
  initialConversation,
  type ConversationEffect,
  type ConversationEvent,
  type ConversationInput,
  type ConversationState,
} from '@strato/messaging/agent-conversation.ts';
import type { AgentConfig } from './config.ts';
import { decryptRepoPassword } from './crypto.ts';
import { ExtensionRunner, type ExtensionName } from './extensions.ts';
import type { Repository } from './git.ts';
import { loadAverage, memoryConsumption } from './health.ts';
import { closedPorts } from './ports.ts';
import { memberKey, memberMapOf, topologyOf, viewTopology, type TopologyView } from './topology.ts';

type Values = Record<string, string | number | boolean | null | undefined>;
type InputType = ConversationInput['type'];

/** Environment values longer than this are left out (the kernel refuses larger ones). */
const MAX_ENV_VALUE = 120 * 1024;

/** The running agent. */
export class CartridgeAgent {
  private readonly bus: MessageBus;
  private readonly extensions: ExtensionRunner;
  private state: ConversationState;
  private wakeTimer: NodeJS.Timeout | undefined;
  private statsTimer: NodeJS.Timeout | undefined;
  private updateTimer: NodeJS.Timeout | undefined;
  private topology: TopologyView | undefined;
  private tenantsSeen = false;
  private tenants: Array<{ tenantId: number; tenantDomain: string }> = [];
  private repository: Repository | undefined;
  private adc: Promise<void> = Promise.resolve();
  private updateTaskRunning = false;
  private closed = false;
  private resolveExit!: (code: number) => void;
  /** Resolves with the exit status once the agent stopped (after SIGTERM's cleanup). */
  readonly exited: Promise<number>;

  constructor(
    private readonly config: AgentConfig,
    private readonly log: Logger,
  ) {
    this.exited = new Promise((resolve) => {
      this.resolveExit = resolve;
    });
    this.state = initialConversation({
      repository: config.repoUrl !== undefined,
      portCheckTimeoutMs: config.portCheckTimeoutMs,
      portCheckIntervalMs: config.portCheckIntervalMs,
      topologyRequestIntervalMs: config.topologyRequestIntervalMs,
    });
    this.extensions = new ExtensionRunner(`${config.agentDir}/extensions/bash`, config.extensionTimeoutMs, log.child({ component: 'extensions' }));
    this.bus = new MessageBus({
      urls: config.brokers.map((b) => `mqtt://${b.host.includes(':') ? `[${b.host}]` : b.host}:${b.port}`),
      username: config.mbUsername,
      password: config.mbPassword,
      publisherTimeoutMs: config.publisherTimeoutMs,
      logger: log,
      // unique per process (at most 23 characters, MQTT 3.1.1); not random bytes: no node:crypto at start
      clientId: `strato-a-${process.pid.toString(36)}-${Date.now().toString(36)}`.slice(0, 23),
    });
  }

  /** The phase of the conversation (for tests and logs). */
  get phase(): string {
    return this.state.phase;
  }

  /** Subscribes; the conversation starts once every subscription is acknowledged. */
  start(): void {
    const id = this.config.identity;
    this.log.info(
      { memberId: id.memberId, clusterId: id.clusterId, brokers: this.config.brokers.map((b) => `${b.host}:${b.port}`) },
      'Starting strato cartridge agent...',
    );
    for (const warning of this.config.warnings) this.log.warn(warning);
    this.bus.on('connect', () => this.feed('subscribed'));
    void this.bus.subscribe('topology/#', (name, payload) => this.onTopologyEvent(name, payload));
    void this.bus.subscribe('instance/notifier/#', (name, payload) => this.onInstanceNotifier(name, payload));
    void this.bus.subscribe('tenant/#', (name, payload) => this.onTenantEvent(name, payload));
    void this.bus.subscribe('application/signup/#', (name, payload) => this.onSignUpEvent(name, payload));
    void this.bus.subscribe('domain/mapping/#', (name, payload) => this.onDomainMapping(name, payload));
    if (this.config.repoUrl !== undefined) void this.adopt();
  }

  /** SIGTERM: the cleanup (maintenance mode, clean extension, ready to shutdown), then exit 0. */
  terminate(): void {
    this.log.info('Shutting down strato cartridge agent...');
    this.feed('terminate');
  }

  // ---------------------------------------------------------------- the conversation

  private feed(type: InputType, extra: Record<string, unknown> = {}): void {
    if (this.closed) return;
    const before = this.state.phase;
    const step = converse(this.state, { type, now: Date.now(), ...extra } as ConversationInput);
    this.state = step.state;
    if (before !== step.state.phase) this.log.debug({ from: before, to: step.state.phase, input: type }, 'Agent phase changed');
    clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    if (step.wakeAt !== undefined) this.wakeTimer = setTimeout(() => this.feed('tick'), Math.max(0, step.wakeAt - Date.now()));
    for (const effect of step.effects) this.perform(effect);
  }

  private perform(effect: ConversationEffect): void {
    switch (effect.type) {
      case 'publish':
        this.publish(effect.event);
        break;
      case 'prepareStart':
        void this.prepareStart();
        break;
      case 'startServers':
        void this.startServers();
        break;
      case 'checkPorts':
        void this.checkPorts();
        break;
      case 'portsTimedOut':
        this.log.error(
          { listenAddress: this.config.listenAddress, ports: this.config.ports },
          `Ports activation timed out. Aborting publishing instance activated event [IPAddress] ${this.config.listenAddress} [Ports] ${this.config.ports.join('|')}`,
        );
        break;
      case 'extension':
        void this.extensions.run(effect.name, this.values({}));
        break;
      case 'clean':
        void this.extensions.run('clean', this.values({})).then(() => this.feed('cleaned'));
        break;
      case 'startHealthStats':
        this.startHealthStats();
        break;
      case 'startArtifactUpdates':
        this.startArtifactUpdates();
        break;
      case 'exit':
        void this.exit(0);
        break;
    }
  }

  private publish(event: ConversationEvent): void {
    const id = this.config.identity;
    if (event === 'CompleteTopologyRequestEvent' || event === 'CompleteTenantRequestEvent') {
      this.log.debug(`Publishing ${event}`);
      void this.bus.publish(event, {});
      return;
    }
    const fields = {
      serviceName: id.serviceName,
      clusterId: id.clusterId,
      clusterInstanceId: id.clusterInstanceId as string,
      memberId: id.memberId,
      instanceId: id.instanceId,
      networkPartitionId: id.networkPartitionId as string,
      partitionId: id.partitionId as string,
    };
    this.log.info({ event }, `Publishing ${event}`);
    const sent = event === 'InstanceStartedEvent' ? this.bus.publish(event, { applicationId: id.applicationId, ...fields }) : this.bus.publish(event, fields);
    void sent.then((ok) => {
      if (ok) this.log.info({ event }, `${event} published`);
      else this.log.error({ event }, `${event} could not be published: dropped`);
    });
  }

  private async prepareStart(): Promise<void> {
    const c = this.config;
    if (c.lvsVirtualIp !== undefined) {
      const [ip, mask] = c.lvsVirtualIp.split('|');
      await this.extensions.run('CreateLVSDummyInterface', { ...this.values({}), LVS_DUMMY_VIRTUAL_IP: ip, LVS_SUBNET_MASK: mask });
    }
    await this.extensions.run('InstanceStartedEvent', this.values({}));
    this.feed('prepared');
  }

  private async startServers(): Promise<void> {
    await this.extensions.run('StartServers', this.values({}));
    this.feed('serversStarted');
    if (this.config.persistenceMapping !== undefined) void this.extensions.run('VolumeMount', { ...this.values({}), VALUE1: this.config.persistenceMapping });
  }

  private async checkPorts(): Promise<void> {
    const c = this.config;
    const closed = await closedPorts(c.listenAddress, c.ports, Math.min(5_000, c.portCheckTimeoutMs || 5_000));
    if (closed.length === 0) this.log.info({ ports: c.ports }, `Ports activated: [ip] ${c.listenAddress} [ports] ${c.ports.join('|')}`);
    else this.log.info({ closed }, `Waiting for ports to be active: [ip] ${c.listenAddress} [ports] ${closed.join('|')}`);
    this.feed('ports', { open: closed.length === 0 });
  }

  private async exit(code: number): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.wakeTimer);
    clearInterval(this.statsTimer);
    clearTimeout(this.updateTimer);
    await this.bus.close({ drainTimeoutMs: 5_000 });
    this.log.info({ exitCode: code }, 'strato cartridge agent stopped');
    this.resolveExit(code);
  }

  /** Stops at once without the cleanup (tests, fatal errors). */
  async stop(): Promise<void> {
    this.extensions.killAll();
    await this.exit(0);
  }

  // ---------------------------------------------------------------- received events

  private onTopologyEvent(name: EventName, payload: unknown): void {
    const id = this.config.identity;
    if (name === 'CompleteTopologyEvent') {
      const first = this.topology === undefined;
      this.topology = viewTopology(payload, id.serviceName, id.clusterId, id.memberId, this.config.lbClusterId);
      if (first) {
        this.log.info({ memberStatus: this.topology.status ?? null }, 'Complete topology event received');
        const topologyJson = JSON.stringify(topologyOf(payload));
        const memberListJson = JSON.stringify(memberMapOf(payload, id.serviceName, id.clusterId));
        if (topologyJson.length > MAX_ENV_VALUE)
          this.log.warn({ length: topologyJson.length }, 'TOPOLOGY_JSON too large for an environment variable: left out');
        void this.extensions.run('CompleteTopologyEvent', {
          ...this.values({}),
          TOPOLOGY_JSON: topologyJson.length <= MAX_ENV_VALUE ? topologyJson : undefined,
          MEMBER_LIST_JSON: memberListJson.length <= MAX_ENV_VALUE ? memberListJson : undefined,
        });
      }
      this.feed('topology', { memberStatus: this.topology.status });
      return;
    }
    const event = payload as { memberId?: string; serviceName?: string; clusterId?: string };
    const mine = event.memberId === id.memberId;
    switch (name) {
      case 'MemberInitializedEvent':
        if (mine) this.feed('memberInitialized');
        if (this.topology !== undefined) void this.extensions.run('MemberInitializedEvent', this.values({}));
        break;
      case 'MemberStartedEvent':
      case 'MemberActivatedEvent':
      case 'MemberSuspendedEvent':
      case 'MemberTerminatedEvent':
        if (mine && name === 'MemberStartedEvent') this.feed('memberStarted');
        // Stratos's rule (§1.7, kept for parity): only for a member Initialized in the last complete topology
        if (this.topology?.initialized.has(memberKey(event.serviceName ?? '', event.clusterId ?? '', event.memberId ?? ''))) {
          void this.extensions.run(name, this.values({}));
        }
        break;
      case 'MemberMaintenanceModeEvent':
        if (mine) this.feed('memberMaintenanceMode');
        break;
      default:
        break;
    }
  }

  private onInstanceNotifier(name: EventName, payload: unknown): void {
    const id = this.config.identity;
    if (name === 'InstanceCleanupMemberEvent') {
      if ((payload as EventMap['InstanceCleanupMemberEvent']).memberId === id.memberId) this.cleanup(name);
    } else if (name === 'InstanceCleanupClusterEvent') {
      const e = payload as EventMap['InstanceCleanupClusterEvent'];
      if (e.clusterId === id.clusterId && e.clusterInstanceId === id.clusterInstanceId) this.cleanup(name);
    } else if (name === 'ArtifactUpdatedEvent') {
      const e = payload as EventMap['ArtifactUpdatedEvent'];
      if (e.clusterId !== id.clusterId) {
        this.log.debug({ clusterId: e.clusterId }, 'Artifact updated event of another cluster ignored');
        return;
      }
      this.adc = this.adc.then(() => this.onArtifactUpdated(e));
    }
  }

  private cleanup(event: string): void {
    this.log.info({ event }, 'Cleanup requested: publishing instance maintenance mode event...');
    this.feed('cleanup');
  }

  private onTenantEvent(name: EventName, payload: unknown): void {
    if (name !== 'CompleteTenantEvent') return;
    const tenants = (payload as { tenants?: Array<{ tenantId: number; tenantDomain: string }> }).tenants ?? [];
    this.tenants = tenants;
    this.log.debug({ tenants: tenants.length }, 'Tenant context updated');
    if (this.tenantsSeen) return;
    this.tenantsSeen = true;
    this.log.info('Tenant context initialized from complete tenant event');
    void this.extensions.run('CompleteTenantEvent', {
      ...this.values({}),
      TENANT_LIST_JSON: JSON.stringify(tenants.map((t) => ({ tenantId: t.tenantId, tenantDomain: t.tenantDomain }))),
    });
  }

  private onSignUpEvent(name: EventName, payload: unknown): void {
    if (name !== 'ApplicationSignUpRemovedEvent') return;
    const e = payload as { applicationId?: string; tenantId?: number };
    if (e.applicationId !== this.config.identity.applicationId) return;
    this.log.info({ tenantId: e.tenantId }, 'Application sign-up removed: artifact updates of the tenant stop');
    if (this.repository !== undefined && this.repository.tenantId === String(e.tenantId)) this.stopArtifactUpdates();
    void this.extensions.run('ApplicationSignUpRemovedEvent', this.values({}));
  }

  private onDomainMapping(name: EventName, payload: unknown): void {
    if (name !== 'DomainMappingAddedEvent' && name !== 'DomainMappingRemovedEvent') return;
    const e = payload as { applicationId?: string; tenantId?: number; serviceName?: string; clusterId?: string; domainName?: string; contextPath?: string };
    void this.extensions.run(name, {
      ...this.values({}),
      SUBSCRIPTION_APPLICATION_ID: e.applicationId,
      SUBSCRIPTION_SERVICE_NAME: e.serviceName,
      SUBSCRIPTION_DOMAIN_NAME: e.domainName,
      SUBSCRIPTION_CLUSTER_ID: e.clusterId,
      SUBSCRIPTION_TENANT_ID: e.tenantId,
      SUBSCRIPTION_TENANT_DOMAIN: this.tenants.find((t) => t.tenantId === e.tenantId)?.tenantDomain,
      SUBSCRIPTION_CONTEXT_PATH: name === 'DomainMappingAddedEvent' ? e.contextPath : undefined,
    });
  }

  // ---------------------------------------------------------------- extension values

  /** The values every extension gets (cartridge-agent.md §4.3), plus `extra`. */
  private values(extra: Values): Values {
    const c = this.config;
    const out: Values = {};
    const t = this.topology;
    out.MB_IP = this.bus.currentUrl
      .replace(/^mqtts?:\/\/(?:[^@]*@)?/, '')
      .replace(/:\d+$/, '')
      .replace(/^\[(.*)\]$/, '$1');
    out.APPLICATION_PATH = c.applicationPath;
    out.PARAM_FILE_PATH = c.paramsFile;
    out.PERSISTENCE_MAPPINGS = c.persistenceMapping;
    const lb = t?.lb;
    out.LB_IP = lb?.privateIp ?? c.lbPrivateIp;
    out.LB_PUBLIC_IP = lb?.publicIp ?? c.lbPublicIp;
    if (t !== undefined) {
      for (const [k, v] of Object.entries(t.serviceProperties)) out[`SERVICE_PROPERTY_${k}`] = String(v);
      for (const [k, v] of Object.entries(t.clusterProperties)) out[`CLUSTER_PROPERTY_${k}`] = String(v);
      for (const [k, v] of Object.entries(t.memberProperties)) out[`MEMBER_PROPERTY_${k}`] = String(v);
    }
    for (const [k, v] of c.params) {
      // the broker password stays with the agent
      if (k === 'mb.password' || v === '' || v.toLowerCase() === 'null') continue;
      out[k] = v;
    }
    return { ...out, ...extra };
  }

  // ---------------------------------------------------------------- health statistics

  private startHealthStats(): void {
    if (!this.config.statsEnabled) {
      this.log.info('Statistics publisher is disabled');
      return;
    }
    if (this.statsTimer !== undefined) return;
    this.log.info({ intervalMs: this.config.statsIntervalMs }, `Starting health statistics publisher with interval ${this.config.statsIntervalMs / 1000}`);
    void this.publishHealthStats();
    this.statsTimer = setInterval(() => void this.publishHealthStats(), this.config.statsIntervalMs);
  }

  private async publishHealthStats(): Promise<void> {
    const id = this.config.identity;
    const closed = await closedPorts(this.config.listenAddress, this.config.ports, Math.min(5_000, this.config.statsIntervalMs));
    if (this.closed || !this.bus.connected) return; // statistics are only worth something now: not queued
    const base = {
      clusterId: id.clusterId,
      clusterInstanceId: id.clusterInstanceId ?? '',
      networkPartitionId: id.networkPartitionId ?? '',
      memberId: id.memberId,
      partitionId: id.partitionId ?? '',
      timestamp: Date.now(),
    };
    void this.bus.publish('MemberHealthStatEvent', { ...base, healthDescription: 'memory_consumption', value: memoryConsumption() });
    void this.bus.publish('MemberHealthStatEvent', { ...base, healthDescription: 'load_average', value: loadAverage() });
    if (closed.length > 0) {
      this.log.warn({ closed }, 'Ports not open');
      void this.bus.publish('MemberHealthStatEvent', { ...base, healthDescription: 'ports_not_open', value: closed.length });
    }
    if (this.log.isLevelEnabled('debug')) this.log.debug({ agentMemory: process.memoryUsage() }, 'Health statistics published');
  }

  // ---------------------------------------------------------------- artifacts (REPO_URL)

  /** The local path of a tenant's repository (cartridge-agent.md §1.3 step 4). */
  private repoPath(tenantId: string): string {
    const c = this.config;
    const base = c.applicationPath as string;
    if (!c.multitenant) return base;
    const trim = (s: string) => s.replace(/^\/+|\/+$/g, '');
    if (tenantId === '-1234') return `${base}/${trim(c.superTenantRepositoryPath)}`;
    return `${base}/${trim(c.tenantRepositoryPath)}/${tenantId}`;
  }

  /** At start: a repository checked out by an earlier run is taken as it is (an agent restart). */
  private async adopt(): Promise<void> {
    const repo: Repository = {
      url: this.config.repoUrl as string,
      path: this.repoPath(this.config.identity.tenantId),
      tenantId: this.config.identity.tenantId,
    };
    const git = await import('./git.ts');
    if (!(await git.isRepository(repo))) return;
    if (this.repository === undefined) this.repository = repo;
    this.log.info({ path: repo.path }, 'Artifact repository of an earlier run found');
    this.feed('artifactsUpdated');
    if (this.state.phase === 'active') this.startArtifactUpdates();
  }

  private async onArtifactUpdated(e: EventMap['ArtifactUpdatedEvent']): Promise<void> {
    const c = this.config;
    if (!e.repoURL) {
      this.log.error('Repository URL is empty. Failed to process artifact updated event.');
      return;
    }
    if (c.applicationPath === undefined || !c.applicationPath.startsWith('/')) {
      this.log.error(
        { applicationPath: c.applicationPath ?? null },
        'Repository path cannot be accessed, or is invalid. Failed to process artifact updated event.',
      );
      return;
    }
    let password: string | undefined;
    if (e.repoPassword) {
      if (c.cartridgeKey === undefined) {
        this.log.error('The artifact updated event has a repository password but CARTRIDGE_KEY is missing: it cannot be decrypted');
        return;
      }
      try {
        password = decryptRepoPassword(e.repoPassword, c.cartridgeKey);
      } catch (err) {
        this.log.error({ reason: (err as Error).message }, 'The repository password of the artifact updated event cannot be decrypted');
        return;
      }
    }
    const tenantId = String(e.tenantId ?? c.identity.tenantId);
    const repo: Repository = { url: e.repoURL, username: e.repoUserName || undefined, password, path: this.repoPath(tenantId), tenantId };
    const git = await import('./git.ts');
    this.log.info({ tenantId, path: repo.path }, 'Executing checkout job on artifact updated event...');
    const first = this.repository === undefined;
    try {
      if (first && !(await git.isRepository(repo))) {
        await this.cloneWithRetries(git, repo);
      } else {
        await git.setOrigin(repo);
        await git.pull(repo, e.commitEnabled || c.autoCommit);
      }
    } catch (err) {
      this.log.error({ err: (err as Error).message }, 'Checkout of the artifact repository failed');
      return;
    }
    this.repository = repo;
    this.log.info({ tenantId, url: repo.url }, 'Git clone executed');
    await this.extensions.run('ArtifactUpdatedEvent', {
      ...this.values({}),
      ARTIFACT_UPDATED_CLUSTER_ID: e.clusterId,
      ARTIFACT_UPDATED_TENANT_ID: tenantId,
      ARTIFACT_UPDATED_REPO_URL: e.repoURL,
      ARTIFACT_UPDATED_REPO_PASSWORD: e.repoPassword,
      ARTIFACT_UPDATED_REPO_USERNAME: e.repoUserName,
      ARTIFACT_UPDATED_STATUS: e.status,
    });
    this.feed('artifactsUpdated');
    if (this.state.phase === 'active') this.startArtifactUpdates();
  }

  private async cloneWithRetries(git: typeof import('./git.ts'), repo: Repository): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await git.clone(repo);
        this.log.info({ tenantId: repo.tenantId }, `Git clone operation for tenant ${repo.tenantId} successful`);
        return;
      } catch (err) {
        if (attempt >= this.config.cloneRetries || this.closed) throw err;
        this.log.warn({ attempt, err: (err as Error).message, retryInMs: this.config.cloneIntervalMs }, 'Git clone failed: retrying');
        await new Promise((r) => setTimeout(r, this.config.cloneIntervalMs));
      }
    }
  }

  /** The periodic artifact update task (§1.4): commit (auto-commit), then pull (auto-checkout); runs never overlap. */
  private startArtifactUpdates(): void {
    const c = this.config;
    if (!c.artifactUpdateEnabled || this.updateTaskRunning || this.repository === undefined) return;
    this.updateTaskRunning = true;
    this.log.info(
      { autoCommit: c.autoCommit, autoCheckout: c.autoCheckout, intervalMs: c.artifactUpdateIntervalMs },
      `ADC configuration: [auto-commit] ${c.autoCommit}, [auto-checkout] ${c.autoCheckout}, [interval] ${c.artifactUpdateIntervalMs / 1000}`,
    );
    const run = async () => {
      const repo = this.repository;
      if (repo === undefined || !this.updateTaskRunning) return;
      const git = await import('./git.ts');
      if (c.autoCommit) {
        try {
          if (await git.commitAndPush(repo)) this.log.info({ path: repo.path }, 'Local artifact changes committed and pushed');
        } catch (err) {
          this.log.error({ err: (err as Error).message }, 'Auto commit failed');
        }
      }
      if (c.autoCheckout) {
        try {
          if (await git.pull(repo, c.autoCommit)) this.log.info({ path: repo.path }, 'Artifacts updated from the repository');
        } catch (err) {
          this.log.error({ err: (err as Error).message }, 'Auto checkout task failed');
        }
      }
      this.log.debug('ArtifactUpdateTask end of iteration.');
      schedule();
    };
    const schedule = () => {
      if (!this.updateTaskRunning || this.closed) return;
      this.updateTimer = setTimeout(() => {
        this.adc = this.adc.then(run);
      }, c.artifactUpdateIntervalMs);
    };
    schedule();
  }

  private stopArtifactUpdates(): void {
    this.updateTaskRunning = false;
    clearTimeout(this.updateTimer);
  }
}

/** The instance status event names the agent publishes, for type checks of callers. */
export type StatusEvent = Extract<
  EventName,
  'InstanceStartedEvent' | 'InstanceActivatedEvent' | 'InstanceMaintenanceModeEvent' | 'InstanceReadyToShutdownEvent'
>;
export type { ExtensionName };
