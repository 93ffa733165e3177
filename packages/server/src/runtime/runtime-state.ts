import type { Store, StoreWriter } from '../store/store.ts';
import { SUPER_TENANT_ID } from '../store/store.ts';
import type { ApplicationRuntime, MemberRuntime } from './runtime-model.ts';

const APP = 'applicationRuntime';
const MEMBER = 'member';

/**
 * The runtime state in memory, written through to the store: deployed applications (instances,
 * group instances, clusters) and members, indexed by cluster instance. Changes are marked dirty and
 * written together by `flush`, in one transaction.
 */
export class RuntimeState {
  readonly apps = new Map<string, ApplicationRuntime>();
  readonly members = new Map<string, MemberRuntime>();
  private readonly byClusterInstance = new Map<string, Set<string>>();
  private readonly dirtyApps = new Set<string>();
  private readonly dirtyMembers = new Set<string>();

  constructor(private readonly store: Store) {}

  /** Loads everything persisted (on start). */
  async load(): Promise<void> {
    for (const r of await this.store.list<ApplicationRuntime>(APP, SUPER_TENANT_ID)) this.apps.set(r.id, r.body);
    for (const r of await this.store.list<MemberRuntime>(MEMBER, SUPER_TENANT_ID)) this.index(r.body);
  }

  private key(clusterId: string, instanceId: string): string {
    return `${clusterId}\u0000${instanceId}`;
  }

  private index(m: MemberRuntime): void {
    this.members.set(m.memberId, m);
    const k = this.key(m.clusterId, m.clusterInstanceId);
    let set = this.byClusterInstance.get(k);
    if (!set) this.byClusterInstance.set(k, (set = new Set()));
    set.add(m.memberId);
  }

  /** The members of one cluster instance. */
  membersOf(clusterId: string, instanceId: string): MemberRuntime[] {
    const ids = this.byClusterInstance.get(this.key(clusterId, instanceId));
    return ids ? [...ids].map((id) => this.members.get(id)!).filter(Boolean) : [];
  }

  putApp(app: ApplicationRuntime): void {
    this.apps.set(app.applicationId, app);
    this.dirtyApps.add(app.applicationId);
  }

  touchApp(appId: string): void {
    if (this.apps.has(appId)) this.dirtyApps.add(appId);
  }

  removeApp(appId: string): void {
    this.apps.delete(appId);
    this.dirtyApps.add(appId);
  }

  putMember(m: MemberRuntime): void {
    if (!this.members.has(m.memberId)) this.index(m);
    this.dirtyMembers.add(m.memberId);
  }

  removeMember(memberId: string): void {
    const m = this.members.get(memberId);
    if (!m) return;
    this.members.delete(memberId);
    this.byClusterInstance.get(this.key(m.clusterId, m.clusterInstanceId))?.delete(memberId);
    this.dirtyMembers.add(memberId);
  }

  get dirty(): boolean {
    return this.dirtyApps.size > 0 || this.dirtyMembers.size > 0;
  }

  /** Writes every change since the last flush in one transaction. */
  async flush(): Promise<void> {
    if (!this.dirty) return;
    const apps = [...this.dirtyApps];
    const members = [...this.dirtyMembers];
    this.dirtyApps.clear();
    this.dirtyMembers.clear();
    try {
      await this.store.transaction(async (tx: StoreWriter) => {
        for (const id of apps) {
          const app = this.apps.get(id);
          if (app) await tx.put(APP, id, app, SUPER_TENANT_ID);
          else await tx.delete(APP, id, SUPER_TENANT_ID);
        }
        for (const id of members) {
          const m = this.members.get(id);
          if (m) await tx.put(MEMBER, id, m, SUPER_TENANT_ID);
          else await tx.delete(MEMBER, id, SUPER_TENANT_ID);
        }
      });
    } catch (e) {
      for (const id of apps) this.dirtyApps.add(id);
      for (const id of members) this.dirtyMembers.add(id);
      throw e;
    }
  }
}
