import { error, idOf, inUse, normalize, redactSecrets, validate, type ArtifactKind, type Catalog } from '@strato/model';
import type { Logger } from 'pino';
import { SUPER_TENANT_ID, type Store } from '../store/store.ts';
import { isAdmin, isSuperTenant, type Principal } from '../tenancy/principal.ts';
import type { KindInfo } from './artifact-kinds.ts';
import { AsyncMutex as Mutex } from '../store/async-mutex.ts';

/** Lifecycle status of an application definition (rest-api.md §4). */
export type ApplicationStatus = 'Created' | 'Deployed' | 'Undeploying';

/** What the store keeps for an application: its definition plus bookkeeping the API does not echo. */
export type StoredApplication = Record<string, unknown> & {
  applicationId: string;
  status: ApplicationStatus;
  applicationPolicyId?: string;
};

/** Which map of the catalog holds each kind. */
const CATALOG_MAP: Partial<Record<ArtifactKind, keyof Catalog>> = {
  cartridge: 'cartridges',
  cartridgeGroup: 'cartridgeGroups',
  autoscalingPolicy: 'autoscalingPolicies',
  deploymentPolicy: 'deploymentPolicies',
  applicationPolicy: 'applicationPolicies',
  networkPartition: 'networkPartitions',
  kubernetesCluster: 'kubernetesClusters',
  application: 'applications',
};

/** A change the registry committed: what other components (the control plane) react to. */
export interface ArtifactChange {
  kind: ArtifactKind;
  id: string;
  op: 'added' | 'updated' | 'removed';
  /** the artifact as stored (the removed one for 'removed') */
  artifact: Record<string, unknown>;
  scope: number;
}

/**
 * The registry of artifacts: every add, update and removal of a definition goes through here.
 * Each change is normalised and validated against a snapshot of everything stored, under one
 * mutex, before a single row is written, so a rejected request changes nothing.
 */
export class Registry {
  private readonly mutex = new Mutex();
  private readonly listeners: ((change: ArtifactChange) => void)[] = [];

  constructor(
    private readonly store: Store,
    private readonly iaasProviders: () => string[],
    private readonly log: Logger,
    /**
     * Checks an artifact against the outside world after validation (the IaaS driver of a network
     * partition validates its partitions); throws a StratoError to refuse it.
     */
    private readonly check: (kind: ArtifactKind, artifact: Record<string, unknown>) => void | Promise<void> = () => undefined,
    /** How long a change may wait for its turn before it is refused with 503 (STRATO_REQUEST_TIMEOUT). */
    private readonly lockWaitMs = 30_000,
  ) {}

  /** Registers a listener told of every committed change. */
  onChange(listener: (change: ArtifactChange) => void): void {
    this.listeners.push(listener);
  }

  private changed(change: ArtifactChange): void {
    for (const l of this.listeners) {
      try {
        l(change);
      } catch (err) {
        this.log.error({ err, kind: change.kind, id: change.id }, 'artifact change listener failed');
      }
    }
  }

  /**
   * Runs fn alone: no other change to the registry interleaves with it. A turn that does not come
   * within the lock wait bound is refused (503) and fn never runs, so nothing is half-written. fn
   * must not wait on the control loop: a loop task may be waiting for this lock.
   */
  exclusive<R>(fn: () => Promise<R>): Promise<R> {
    return this.mutex.run(fn, {
      waitMs: this.lockWaitMs,
      onTimeout: () => error('REGISTRY_BUSY', { ms: this.lockWaitMs }),
    });
  }

  /**
   * Every stored artifact, as validation needs it. Read from the store once, then kept current by
   * every change the registry commits (it is the only writer of artifacts), so that a change costs
   * the same with ten artifacts stored or ten thousand. Callers must not modify it.
   */
  catalog(): Promise<Catalog> {
    this.cache ??= this.loadCatalog().catch((e) => {
      this.cache = undefined;
      throw e;
    });
    return this.cache;
  }

  private cache: Promise<Catalog> | undefined;

  private async loadCatalog(): Promise<Catalog> {
    const map = async (kind: ArtifactKind, scope: number | 'all' = SUPER_TENANT_ID) =>
      new Map((await this.store.list<any>(kind, scope)).map((r) => [r.id, r.body]));
    return {
      cartridges: await map('cartridge'),
      cartridgeGroups: await map('cartridgeGroup'),
      autoscalingPolicies: await map('autoscalingPolicy'),
      deploymentPolicies: await map('deploymentPolicy'),
      applicationPolicies: await map('applicationPolicy'),
      networkPartitions: await map('networkPartition'),
      kubernetesClusters: await map('kubernetesCluster'),
      applications: await map('application', 'all'),
      iaasProviders: this.iaasProviders(),
    };
  }

  /** Writes one artifact and keeps the catalog in step (call under `exclusive`). */
  private async write(kind: ArtifactKind, id: string, body: Record<string, unknown> | undefined, scope: number): Promise<void> {
    if (body) await this.store.put(kind, id, body, scope);
    else await this.store.delete(kind, id, scope);
    const catalog = await this.catalog();
    const map = (catalog as unknown as Record<string, Map<string, unknown>>)[CATALOG_MAP[kind] ?? ''];
    if (!map) return;
    if (body) map.set(id, body);
    else map.delete(id);
  }

  /**
   * Records the deployment state of an application (its status, the application policy it was
   * deployed with): the control plane's one way to change an application record.
   */
  async setApplicationState(appId: string, scope: number, patch: Partial<Pick<StoredApplication, 'status' | 'applicationPolicyId'>>): Promise<void> {
    const existing = await this.store.get<StoredApplication>('application', appId, scope);
    if (!existing) return;
    await this.write('application', appId, { ...existing, ...patch }, scope);
  }

  private scopeFor(info: KindInfo, who: Principal): number {
    return info.ownership === 'global' ? SUPER_TENANT_ID : who.tenantId;
  }

  private authorizeChange(info: KindInfo, who: Principal): void {
    const allowed = info.ownership === 'global' ? isSuperTenant(who) && isAdmin(who) : isAdmin(who);
    if (!allowed) throw error('PERMISSION_DENIED');
  }

  async add(info: KindInfo, input: unknown, who: Principal): Promise<string> {
    this.authorizeChange(info, who);
    const artifact = normalize(info.kind, input) as Record<string, unknown>;
    const id = idOf(info.kind, artifact);
    return this.exclusive(async () => {
      validate(info.kind, artifact, await this.catalog(), 'add');
      await this.check(info.kind, artifact);
      const body = info.kind === 'application' ? { ...artifact, status: 'Created' } : artifact;
      await this.write(info.kind, id, body, this.scopeFor(info, who));
      this.log.info({ kind: info.kind, id, user: who.userName }, 'artifact added');
      this.changed({ kind: info.kind, id, op: 'added', artifact: body, scope: this.scopeFor(info, who) });
      return id;
    });
  }

  async update(info: KindInfo, input: unknown, who: Principal): Promise<string> {
    this.authorizeChange(info, who);
    const artifact = normalize(info.kind, input) as Record<string, unknown>;
    const id = idOf(info.kind, artifact);
    const scope = this.scopeFor(info, who);
    return this.exclusive(async () => {
      const existing = await this.store.get<Record<string, unknown>>(info.kind, id, scope);
      if (!existing) throw error('ARTIFACT_NOT_FOUND', { label: info.label, tag: info.tag, id });
      validate(info.kind, artifact, await this.catalog(), 'update');
      await this.check(info.kind, artifact);
      let body = artifact;
      if (info.kind === 'application') {
        const { status, applicationPolicyId } = existing as StoredApplication;
        body = { ...artifact, status, ...(applicationPolicyId ? { applicationPolicyId } : {}) };
      }
      await this.write(info.kind, id, body, scope);
      this.log.info({ kind: info.kind, id, user: who.userName }, 'artifact updated');
      this.changed({ kind: info.kind, id, op: 'updated', artifact: body, scope });
      return id;
    });
  }

  /** The catalog map of a global kind (served from memory), or undefined for tenant-owned kinds. */
  private async globalMap<T>(info: KindInfo): Promise<Map<string, T> | undefined> {
    if (info.ownership !== 'global') return undefined;
    const name = CATALOG_MAP[info.kind];
    return name ? ((await this.catalog())[name] as unknown as Map<string, T>) : undefined;
  }

  async get<T = Record<string, unknown>>(info: KindInfo, id: string, who: Principal): Promise<T> {
    const map = await this.globalMap<T>(info);
    const found = map ? map.get(id) : await this.store.get<T>(info.kind, id, this.scopeFor(info, who));
    if (!found) throw error('ARTIFACT_NOT_FOUND', { label: info.label, tag: info.tag, id });
    return map && !this.seesSecrets(who) ? redactSecrets(found) : found;
  }

  /**
   * Only the super tenant's administrators, who manage global artifacts, read their secrets
   * (passwords in Kubernetes cluster properties, a cartridge's IaaS credential); everyone else who
   * may read them sees those values masked.
   */
  private seesSecrets(who: Principal): boolean {
    return isSuperTenant(who) && isAdmin(who);
  }

  /** Every artifact of a kind the caller may see, in the order they were added. */
  async list<T = Record<string, unknown>>(info: KindInfo, who: Principal): Promise<T[]> {
    const map = await this.globalMap<T>(info);
    if (map) return this.seesSecrets(who) ? [...map.values()] : [...map.values()].map(redactSecrets);
    return (await this.store.list<T>(info.kind, this.scopeFor(info, who))).map((r) => r.body);
  }

  async remove(info: KindInfo, id: string, who: Principal): Promise<void> {
    this.authorizeChange(info, who);
    const scope = this.scopeFor(info, who);
    await this.exclusive(async () => {
      const existing = await this.store.get<Record<string, unknown>>(info.kind, id, scope);
      if (!existing) throw error('ARTIFACT_NOT_FOUND', { label: info.label, tag: info.tag, id });
      if (info.kind === 'application' && existing.status !== 'Created') {
        throw error('APPLICATION_NOT_DELETABLE', { id, status: String(existing.status).toUpperCase() });
      }
      const referrer = inUse(info.kind, id, await this.catalog());
      if (referrer) throw referrer;
      await this.write(info.kind, id, undefined, scope);
      this.log.info({ kind: info.kind, id, user: who.userName }, 'artifact removed');
      this.changed({ kind: info.kind, id, op: 'removed', artifact: existing, scope });
    });
  }
}
