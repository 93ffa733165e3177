import type { ArtifactMap, Tenant, User } from '@strato/model';
import { StratoApiError, StratoUnreachableError } from './errors.ts';

/** The kinds of definition the REST API manages as collections, with their path under /api. */
export const COLLECTIONS = {
  networkPartition: 'networkPartitions',
  autoscalingPolicy: 'autoscalingPolicies',
  deploymentPolicy: 'deploymentPolicies',
  applicationPolicy: 'applicationPolicies',
  kubernetesCluster: 'kubernetesClusters',
  cartridge: 'cartridges',
  cartridgeGroup: 'cartridgeGroups',
  application: 'applications',
} as const;

export type CollectionKind = keyof typeof COLLECTIONS;

/** The envelope of strato's (and Stratos's) answers to writes. */
export interface Envelope {
  status: 'success' | 'error';
  message: string;
  code?: string;
}

export interface StratoClientOptions {
  /** e.g. http://127.0.0.1:9763 (a trailing /api is accepted too) */
  baseUrl: string;
  /** HTTP Basic credentials: `admin`, or `user@tenant.domain` */
  username?: string;
  password?: string;
  /** How long one request may take before it fails with StratoUnreachableError, ms. @default 60000 */
  timeoutMs?: number;
  /** fetch to use (tests, proxies). @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** A stored application as GET /applications/{id} answers it. */
export type ApplicationRecord = ArtifactMap['application'] & { status: string; signUpsExist?: boolean };

/** Add, update, read and remove one kind of definition. */
export class Collection<T> {
  constructor(
    private readonly client: StratoClient,
    /** path segment under /api */
    readonly path: string,
  ) {}

  /** Every definition of the kind the caller may see. */
  list(): Promise<T[]> {
    return this.client.request<T[]>('GET', `/${this.path}`);
  }

  /** One definition; StratoApiError with status 404 if there is none. */
  get(id: string): Promise<T> {
    return this.client.request<T>('GET', `/${this.path}/${encodeURIComponent(id)}`);
  }

  /** One definition, or undefined if there is none. */
  async find(id: string): Promise<T | undefined> {
    try {
      return await this.get(id);
    } catch (e) {
      if (e instanceof StratoApiError && e.isNotFound) return undefined;
      throw e;
    }
  }

  /** POST: adds a definition (409 if its id exists). */
  add(definition: unknown): Promise<Envelope> {
    return this.client.request<Envelope>('POST', `/${this.path}`, definition);
  }

  /** PUT: replaces a definition (404 if its id does not exist). */
  update(definition: unknown): Promise<Envelope> {
    return this.client.request<Envelope>('PUT', `/${this.path}`, definition);
  }

  /** DELETE: removes a definition (409 while another one uses it). */
  remove(id: string): Promise<Envelope> {
    return this.client.request<Envelope>('DELETE', `/${this.path}/${encodeURIComponent(id)}`);
  }
}

/**
 * A typed client of strato's REST API (Stratos 4.1's `/api`): every definition kind, deploy and
 * undeploy, the runtime views, tenants and users. A failed call throws StratoApiError carrying the
 * HTTP status, the server's message and its error code; an unreachable server throws
 * StratoUnreachableError. The client holds no state but its options: it is safe to share.
 */
export class StratoClient {
  readonly baseUrl: string;
  private readonly authorization: string | undefined;
  private readonly timeoutMs: number;
  private readonly fetch: typeof fetch;

  readonly networkPartitions: Collection<ArtifactMap['networkPartition']>;
  readonly autoscalingPolicies: Collection<ArtifactMap['autoscalingPolicy']>;
  readonly deploymentPolicies: Collection<ArtifactMap['deploymentPolicy']>;
  readonly applicationPolicies: Collection<ArtifactMap['applicationPolicy']>;
  readonly kubernetesClusters: Collection<ArtifactMap['kubernetesCluster']>;
  readonly cartridges: Collection<ArtifactMap['cartridge']>;
  readonly cartridgeGroups: Collection<ArtifactMap['cartridgeGroup']>;
  readonly applications: Collection<ApplicationRecord>;

  constructor(options: StratoClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '').replace(/\/api$/, '');
    this.authorization =
      options.username !== undefined ? 'Basic ' + Buffer.from(`${options.username}:${options.password ?? ''}`).toString('base64') : undefined;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.fetch = options.fetch ?? globalThis.fetch;
    this.networkPartitions = new Collection(this, COLLECTIONS.networkPartition);
    this.autoscalingPolicies = new Collection(this, COLLECTIONS.autoscalingPolicy);
    this.deploymentPolicies = new Collection(this, COLLECTIONS.deploymentPolicy);
    this.applicationPolicies = new Collection(this, COLLECTIONS.applicationPolicy);
    this.kubernetesClusters = new Collection(this, COLLECTIONS.kubernetesCluster);
    this.cartridges = new Collection(this, COLLECTIONS.cartridge);
    this.cartridgeGroups = new Collection(this, COLLECTIONS.cartridgeGroup);
    this.applications = new Collection(this, COLLECTIONS.application);
  }

  /** The collection of a definition kind. */
  collection(kind: CollectionKind): Collection<unknown> {
    return new Collection(this, COLLECTIONS[kind]);
  }

  /**
   * Sends one request to `/api{path}` and parses the JSON answer.
   * @throws StratoApiError for a 4xx or 5xx answer; StratoUnreachableError when there is no answer
   */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const what = `${method} /api${path}`;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.authorization) headers.authorization = this.authorization;
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      headers['content-type'] = 'application/json';
    }
    let res: Response;
    try {
      res = await this.fetch(`${this.baseUrl}/api${path}`, { method, headers, body: payload, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (e) {
      const err = e as Error & { cause?: { code?: string; message?: string } };
      const reason = err.name === 'TimeoutError' ? `no answer within ${this.timeoutMs} ms` : (err.cause?.code ?? err.cause?.message ?? err.message);
      throw new StratoUnreachableError(this.baseUrl, what, reason);
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    if (!res.ok) {
      const envelope = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Partial<Envelope>;
      const message = typeof envelope.message === 'string' ? envelope.message : `HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`;
      const retryAfter = res.headers.get('retry-after');
      throw new StratoApiError(res.status, message, envelope.code, what, retryAfter ? Number(retryAfter) : undefined);
    }
    return parsed as T;
  }

  // ---- the server -------------------------------------------------------------------------------

  /** GET /api/health (no credentials needed). */
  health(): Promise<Envelope> {
    return this.request('GET', '/health');
  }

  /** GET /api/init: checks the credentials (401 if wrong). */
  init(): Promise<Envelope> {
    return this.request('GET', '/init');
  }

  /** GET /api/iaasProviders: the IaaS provider names bound to a driver. */
  async iaasProviders(): Promise<string[]> {
    return (await this.request<{ iaasProviders: string[] }>('GET', '/iaasProviders')).iaasProviders;
  }

  // ---- applications at run time -------------------------------------------------------------------

  /** POST /applications/{id}/deploy/{policy}: 202 once the control plane has recorded it. */
  deployApplication(applicationId: string, applicationPolicyId: string): Promise<Envelope> {
    return this.request('POST', `/applications/${encodeURIComponent(applicationId)}/deploy/${encodeURIComponent(applicationPolicyId)}`);
  }

  /** POST /applications/{id}/undeploy[?force=true]. */
  undeployApplication(applicationId: string, options: { force?: boolean } = {}): Promise<Envelope> {
    return this.request('POST', `/applications/${encodeURIComponent(applicationId)}/undeploy${options.force ? '?force=true' : ''}`);
  }

  /** GET /applications/{id}/runtime: instances, group and cluster instances, members (404 when not deployed). */
  applicationRuntime(applicationId: string): Promise<ApplicationRuntimeView> {
    return this.request('GET', `/applications/${encodeURIComponent(applicationId)}/runtime`);
  }

  /** GET /applications/{id}/networkPartitions. */
  async applicationNetworkPartitions(applicationId: string): Promise<string[]> {
    return (await this.request<{ networkPartitionIds: string[] }>('GET', `/applications/${encodeURIComponent(applicationId)}/networkPartitions`))
      .networkPartitionIds;
  }

  /** GET /cluster/{clusterId}: a cluster of a deployed application with its members. */
  cluster(clusterId: string): Promise<Record<string, unknown>> {
    return this.request('GET', `/cluster/${encodeURIComponent(clusterId)}`);
  }

  /**
   * POST /repo/notify (a git hook): every cluster of the caller's tenant whose application signup
   * uses the repository gets an ArtifactUpdatedEvent (its agent pulls the artifacts).
   */
  notifyRepository(repositoryUrl: string): Promise<Envelope> {
    return this.request('POST', '/repo/notify', { repository: { url: repositoryUrl } });
  }

  // ---- tenants and users --------------------------------------------------------------------------

  listTenants(): Promise<Tenant[]> {
    return this.request('GET', '/tenants');
  }

  getTenant(domain: string): Promise<Tenant> {
    return this.request('GET', `/tenants/${encodeURIComponent(domain)}`);
  }

  addTenant(tenant: unknown): Promise<Envelope> {
    return this.request('POST', '/tenants', tenant);
  }

  updateTenant(tenant: unknown): Promise<Envelope> {
    return this.request('PUT', '/tenants', tenant);
  }

  activateTenant(domain: string): Promise<Envelope> {
    return this.request('PUT', `/tenants/activate/${encodeURIComponent(domain)}`);
  }

  deactivateTenant(domain: string): Promise<Envelope> {
    return this.request('PUT', `/tenants/deactivate/${encodeURIComponent(domain)}`);
  }

  listUsers(): Promise<User[]> {
    return this.request('GET', '/users');
  }

  addUser(user: unknown): Promise<Envelope> {
    return this.request('POST', '/users', user);
  }

  updateUser(user: unknown): Promise<Envelope> {
    return this.request('PUT', '/users', user);
  }

  removeUser(userName: string): Promise<Envelope> {
    return this.request('DELETE', `/users/${encodeURIComponent(userName)}`);
  }
}

/** A member as the runtime view shows it. */
export interface MemberView {
  memberId: string;
  status: string;
  clusterId?: string;
  partitionId?: string;
  networkPartitionId?: string;
  defaultPrivateIP?: string;
  defaultPublicIP?: string;
  [key: string]: unknown;
}

export interface ClusterInstanceView {
  alias?: string;
  clusterId: string;
  serviceName?: string;
  status: string;
  member?: MemberView[];
  [key: string]: unknown;
}

export interface GroupInstanceView {
  groupId?: string;
  instanceId?: string;
  status: string;
  clusterInstances?: ClusterInstanceView[];
  groupInstances?: GroupInstanceView[];
  [key: string]: unknown;
}

/** GET /applications/{id}/runtime (rest-api.md): the application's live tree. */
export interface ApplicationRuntimeView {
  id: string;
  status: string;
  applicationInstances?: (GroupInstanceView & { instanceId?: string })[];
  [key: string]: unknown;
}

/** Every member of a runtime view, wherever it stands in the tree. */
export function membersOf(view: ApplicationRuntimeView): MemberView[] {
  const out: MemberView[] = [];
  const walk = (level: { clusterInstances?: ClusterInstanceView[]; groupInstances?: GroupInstanceView[] }) => {
    for (const c of level.clusterInstances ?? []) out.push(...(c.member ?? []));
    for (const g of level.groupInstances ?? []) walk(g);
  };
  for (const i of view.applicationInstances ?? []) walk(i);
  return out;
}
