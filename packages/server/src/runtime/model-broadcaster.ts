import { buildApplicationTree, type Application, type Cancel, type Cartridge, type ComponentNode, type Scheduler } from '@strato/model';
import type { EventBus } from '@strato/messaging';
import type { Logger } from 'pino';
import type { ArtifactChange, Registry } from '../registry/registry.ts';
import { SUPER_TENANT_ID, type Store } from '../store/store.ts';
import type { TenantRecord } from '../tenancy/directory.ts';
import { SUPER_TENANT_DOMAIN } from '../tenancy/principal.ts';
import { TimerScheduler } from '../services/timer-scheduler.ts';
import { wireApplication } from './applications-view.ts';
import type { ApplicationRuntime } from './runtime-model.ts';
import { portMapOf } from './topology-view.ts';

/** What the broadcaster reads of the deployed applications (the control plane owns them). */
export interface DeployedApplications {
  runtimeOf(applicationId: string): ApplicationRuntime | undefined;
  /** the component tree the application's monitors work on */
  treeOf(applicationId: string): ComponentNode | undefined;
}

/**
 * Publishes the applications model and the changes of the registry on the broker: services
 * (ServiceCreated/Removed) when cartridges come and go, ApplicationCreated/Updated/Deleted, and the
 * complete applications model (CompleteApplicationsEvent) and the tenants (CompleteTenantEvent)
 * every interval and on request. It only reads the deployed applications; the control plane takes
 * an application update into its monitors.
 */
export class ModelBroadcaster {
  private readonly cancels: Cancel[] = [];
  private readonly unsubscribes: (() => Promise<void>)[] = [];

  constructor(
    private readonly registry: Registry,
    private readonly bus: EventBus,
    private readonly deployed: DeployedApplications,
    private readonly intervals: { applications: number; tenants: number },
    private readonly store: Store,
    private readonly log: Logger,
    private readonly scheduler: Scheduler = new TimerScheduler(log),
  ) {}

  async start(): Promise<void> {
    this.registry.onChange((change) => void this.onChange(change).catch((err) => this.log.error({ err }, 'could not announce a change')));
    this.unsubscribes.push(
      await this.bus.subscribe('CompleteApplicationsRequestEvent', () => void this.publishCompleteApplications()),
      await this.bus.subscribe('CompleteTenantRequestEvent', () => void this.publishCompleteTenants()),
    );
    this.cancels.push(
      this.scheduler.every('complete applications', this.intervals.applications, () => void this.publishCompleteApplications()),
      this.scheduler.every('complete tenants', this.intervals.tenants, () => void this.publishCompleteTenants()),
    );
  }

  async stop(): Promise<void> {
    for (const cancel of this.cancels) cancel();
    for (const u of this.unsubscribes) await u().catch(() => undefined);
  }

  /** Publishes every tenant (the super tenant included) as CompleteTenantEvent. */
  async publishCompleteTenants(): Promise<void> {
    const tenants = (await this.store.list<TenantRecord>('tenant', SUPER_TENANT_ID)).map((r) => ({
      tenantId: r.body.tenantId,
      tenantDomain: r.body.tenantDomain,
    }));
    await this.bus.publish('CompleteTenantEvent', { tenants: [{ tenantId: SUPER_TENANT_ID, tenantDomain: SUPER_TENANT_DOMAIN }, ...tenants] });
  }

  private tenantOf(scope: number) {
    return { id: scope, domain: scope === SUPER_TENANT_ID ? SUPER_TENANT_DOMAIN : String(scope) };
  }

  private async onChange(change: ArtifactChange): Promise<void> {
    if (change.kind === 'cartridge') {
      const c = change.artifact as unknown as Cartridge;
      if (change.op === 'removed') await this.bus.publish('ServiceRemovedEvent', { serviceName: c.type });
      else if (change.op === 'added') {
        await this.bus.publish('ServiceCreatedEvent', {
          serviceName: c.type,
          serviceType: c.multiTenant ? 'MultiTenant' : 'SingleTenant',
          portMap: portMapOf(c.portMapping),
        });
      }
      return;
    }
    if (change.kind !== 'application') return;
    if (change.op === 'removed') {
      await this.bus.publish('ApplicationDeletedEvent', { applicationId: change.id, clusterData: [] });
      return;
    }
    const catalog = await this.registry.catalog();
    const app = change.artifact as unknown as Application;
    const tree = buildApplicationTree(app, catalog.cartridgeGroups);
    const application = wireApplication(tree, this.tenantOf(change.scope), this.deployed.runtimeOf(change.id));
    if (change.op === 'added') {
      await this.bus.publish('ApplicationCreatedEvent', { application });
      return;
    }
    await this.bus.publish('ApplicationUpdatedEvent', { application });
  }

  /** Publishes the complete applications model. */
  async publishCompleteApplications(): Promise<void> {
    const catalog = await this.registry.catalog();
    const applicationMap: Record<string, ReturnType<typeof wireApplication>> = {};
    for (const [id, app] of catalog.applications) {
      const rt = this.deployed.runtimeOf(id);
      try {
        const tree = this.deployed.treeOf(id) ?? buildApplicationTree(app, catalog.cartridgeGroups);
        applicationMap[id] = wireApplication(tree, this.tenantOf(rt?.tenantId ?? SUPER_TENANT_ID), rt);
      } catch (err) {
        this.log.warn({ err, applicationId: id }, 'application left out of the complete applications model');
      }
    }
    await this.bus.publish('CompleteApplicationsEvent', { applications: { applicationMap, initialized: true } });
  }
}
