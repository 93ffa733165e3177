/**
 * Application signups and artifact notifications, as Stratos's stratos manager keeps them:
 *
 * - At deploy, a single-tenant application (`multiTenant` not true) whose cartridge
 *   subscriptions name an artifact repository (`subscribableInfo.artifactRepository.repoUrl`) gets
 *   an application signup for its tenant, listing those repositories and the clusters using them
 *   (stored as an `applicationSignUp` record, announced with ApplicationSignUpAddedEvent). At
 *   undeploy it is removed (ApplicationSignUpRemovedEvent).
 * - Every `InstanceStartedEvent` of a member of such a cluster is answered with an
 *   `ArtifactUpdatedEvent` for its cluster: Stratos's agent with a `REPO_URL` activates only
 *   after it (it clones the repository first).
 * - `POST /repo/notify` (a git hook) sends an `ArtifactUpdatedEvent` to every cluster of the
 *   caller's tenant whose signup uses that repository.
 *
 * The repository password is kept as the application gave it (like the application record) and
 * leaves strato only encrypted with the cluster's `CARTRIDGE_KEY` (see repo-password.ts); it is
 * never logged.
 */
import type { ArtifactRepository, ArtifactUpdatedEvent, EventBus } from '@strato/messaging';
import type { Logger } from 'pino';
import type { ControlPlane } from '../control-plane.ts';
import type { Store } from '../store/store.ts';
import { encryptRepoPassword } from './repo-password.ts';

/** The record kind of signups (scope: the tenant, id: the application). */
export const SIGNUP_KIND = 'applicationSignUp';

/** A stored signup: the wire shape plus the clear password (never published as it is). */
export interface StoredSignUp {
  applicationId: string;
  tenantId: number;
  artifactRepositories: (ArtifactRepository & { clusterId: string })[];
  clusterIds: string[];
  signupAddedTimestamp: number;
}

interface SubscriptionRef {
  type?: string;
  subscribableInfo?: {
    alias?: string;
    artifactRepository?: { repoUrl?: string; repoUsername?: string; repoPassword?: string; privateRepo?: boolean };
  };
}
interface Level {
  cartridges?: SubscriptionRef[];
  groups?: Level[];
}

function subscriptionsOf(level: Level | undefined): SubscriptionRef[] {
  if (!level) return [];
  return [...(level.cartridges ?? []), ...(level.groups ?? []).flatMap(subscriptionsOf)];
}

export class ApplicationSignUps {
  private unsubscribe: (() => Promise<void>) | undefined;

  constructor(
    private readonly o: {
      store: Store;
      bus: EventBus;
      plane: ControlPlane;
      log: Logger;
      now?: () => number;
    },
  ) {}

  async start(): Promise<void> {
    this.unsubscribe = await this.o.bus.subscribe('CompleteApplicationSignUpsRequestEvent', () => void this.publishComplete().catch(() => undefined));
  }

  async stop(): Promise<void> {
    await this.unsubscribe?.().catch(() => undefined);
  }

  /**
   * After a deployment: the signup of a single-tenant application with artifact repositories
   * (none otherwise). Idempotent: a signup that exists is kept.
   */
  async deployed(appId: string, tenantId: number): Promise<void> {
    if (await this.o.store.get(SIGNUP_KIND, appId, tenantId)) return;
    const app = await this.o.store.get<{ components?: Level; multiTenant?: boolean }>('application', appId, tenantId);
    const rt = this.o.plane.state.apps.get(appId);
    // a multi-tenant application: tenants sign up themselves (as in Stratos)
    if (!app || !rt || rt.undeploy !== 'none' || app.multiTenant === true) return;
    const subscriptions = subscriptionsOf(app.components);
    const repositories: StoredSignUp['artifactRepositories'] = [];
    for (const s of subscriptions) {
      const repo = s.subscribableInfo?.artifactRepository;
      const alias = s.subscribableInfo?.alias;
      if (!repo?.repoUrl || !alias) continue;
      const cluster = Object.values(rt.clusters).find((c) => c.alias === alias);
      if (!cluster) continue;
      repositories.push({
        cartridgeType: s.type ?? cluster.serviceName,
        alias,
        privateRepo: repo.privateRepo ?? false,
        repoUrl: repo.repoUrl,
        ...(repo.repoUsername ? { repoUsername: repo.repoUsername } : {}),
        ...(repo.repoPassword ? { repoPassword: repo.repoPassword } : {}),
        clusterId: cluster.clusterId,
      });
    }
    if (repositories.length === 0) return;
    const signup: StoredSignUp = {
      applicationId: appId,
      tenantId,
      artifactRepositories: repositories,
      clusterIds: repositories.map((r) => r.clusterId),
      signupAddedTimestamp: (this.o.now ?? Date.now)(),
    };
    await this.o.store.put(SIGNUP_KIND, appId, signup, tenantId);
    this.o.log.info({ applicationId: appId, tenantId, clusterIds: signup.clusterIds }, 'application signup added');
    await this.o.bus.publish('ApplicationSignUpAddedEvent', { applicationId: appId, tenantId, clusterIds: signup.clusterIds });
  }

  /** After an undeployment was requested: the application's signup goes. */
  async undeployed(appId: string, tenantId: number): Promise<void> {
    if (!(await this.o.store.delete(SIGNUP_KIND, appId, tenantId))) return;
    this.o.log.info({ applicationId: appId, tenantId }, 'application signup removed');
    await this.o.bus.publish('ApplicationSignUpRemovedEvent', { applicationId: appId, tenantId });
  }

  /** An instance status event arrived (the control plane has it, and the state is loaded). */
  onInstanceStatus(name: string, payload: { memberId?: unknown; clusterId?: unknown }): void {
    if (name !== 'InstanceStartedEvent' || typeof payload.memberId !== 'string') return;
    const m = this.o.plane.state.members.get(payload.memberId);
    if (!m || m.clusterId !== payload.clusterId) return; // the control plane logs those
    if (!this.hasRepository(m.applicationId, m.clusterId)) return; // most clusters: no store read at all
    void this.notifyCluster(m.applicationId, m.clusterId).catch((err) =>
      this.o.log.error({ err, memberId: m.memberId }, 'could not answer an InstanceStartedEvent with an ArtifactUpdatedEvent'),
    );
  }

  /** Whether the deployed definition of the cluster's subscription names an artifact repository (in memory). */
  private hasRepository(appId: string, clusterId: string): boolean {
    const alias = this.o.plane.state.apps.get(appId)?.clusters[clusterId]?.alias;
    const app = this.o.plane.orchestrator.definitions.get(appId)?.application as { components?: Level } | undefined;
    if (!alias || !app) return false;
    return subscriptionsOf(app.components).some((s) => s.subscribableInfo?.alias === alias && !!s.subscribableInfo.artifactRepository?.repoUrl);
  }

  /**
   * `POST /repo/notify`: an ArtifactUpdatedEvent to every cluster of the tenant's signups that uses
   * the repository. Returns the cluster ids notified.
   */
  async repositoryChanged(repoUrl: string, tenantId: number): Promise<string[]> {
    const notified: string[] = [];
    for (const { body } of await this.o.store.list<StoredSignUp>(SIGNUP_KIND, tenantId)) {
      for (const repo of body.artifactRepositories) {
        if (repo.repoUrl !== repoUrl) continue;
        if (await this.publishArtifactUpdated(body, repo)) notified.push(repo.clusterId);
      }
    }
    this.o.log.info({ tenantId, clusterIds: notified }, 'repository notification: artifact updated events sent');
    return notified;
  }

  private async notifyCluster(appId: string, clusterId: string): Promise<void> {
    const rt = this.o.plane.state.apps.get(appId);
    if (!rt) return;
    let signup = await this.o.store.get<StoredSignUp>(SIGNUP_KIND, appId, rt.tenantId);
    if (!signup) {
      // deployed while the signup could not be made (a deploy answered 503, a strato before signups): made now
      await this.deployed(appId, rt.tenantId);
      signup = await this.o.store.get<StoredSignUp>(SIGNUP_KIND, appId, rt.tenantId);
    }
    const repo = signup?.artifactRepositories.find((r) => r.clusterId === clusterId);
    if (signup && repo) await this.publishArtifactUpdated(signup, repo);
  }

  /** Publishes the event for one cluster; false when the cluster has no key yet (no member was ever started). */
  private async publishArtifactUpdated(signup: StoredSignUp, repo: StoredSignUp['artifactRepositories'][number]): Promise<boolean> {
    const cluster = this.o.plane.state.apps.get(signup.applicationId)?.clusters[repo.clusterId];
    const key = cluster?.cartridgeKey;
    if (!key) {
      this.o.log.debug({ clusterId: repo.clusterId }, 'artifact updated event not sent: the cluster has no member yet');
      return false;
    }
    const event: ArtifactUpdatedEvent = {
      clusterId: repo.clusterId,
      ...(repo.repoUsername ? { repoUserName: repo.repoUsername } : {}),
      ...(repo.repoPassword ? { repoPassword: encryptRepoPassword(repo.repoPassword, key) } : {}),
      repoURL: repo.repoUrl,
      tenantId: String(signup.tenantId),
      commitEnabled: false,
    };
    await this.o.bus.publish('ArtifactUpdatedEvent', event);
    this.o.log.info({ clusterId: repo.clusterId, tenantId: signup.tenantId }, 'artifact updated event sent');
    return true;
  }

  /** CompleteApplicationSignUpsEvent, on request: every signup, passwords left out. */
  async publishComplete(): Promise<void> {
    const signups = (await this.o.store.list<StoredSignUp>(SIGNUP_KIND, 'all')).map(({ body }) => ({
      applicationId: body.applicationId,
      tenantId: body.tenantId,
      artifactRepositories: body.artifactRepositories.map(({ clusterId: _c, repoPassword: _p, ...r }) => r),
      clusterIds: body.clusterIds,
      signupAddedTimestamp: body.signupAddedTimestamp,
    }));
    await this.o.bus.publish('CompleteApplicationSignUpsEvent', { applicationSignUps: signups });
  }
}
