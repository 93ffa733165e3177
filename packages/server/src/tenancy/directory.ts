import { createHmac, randomBytes } from 'node:crypto';
import { emptyCatalog, error, normalize, systemClock, validate, type Clock } from '@strato/model';
import type { Logger } from 'pino';
import { AsyncMutex as Mutex } from '../store/async-mutex.ts';
import { SUPER_TENANT_ID, type Store } from '../store/store.ts';
import { hashPassword, verifyPassword } from './password.ts';
import { SUPER_TENANT_DOMAIN, isAdmin, isSuperTenant, type Principal } from './principal.ts';

/** A tenant as stored (TenantInfoBean without the admin password). */
export interface TenantRecord {
  tenantId: number;
  tenantDomain: string;
  admin: string;
  firstName?: string;
  lastName?: string;
  email: string;
  active: boolean;
  createdDate: number;
  usagePlan?: string;
  originatedService?: string;
}

/** A user as stored: the password only as a salted scrypt hash. */
export interface UserRecord {
  userName: string;
  passwordHash: string;
  role: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  profileName?: string;
}

/** The most verified credentials remembered at once. */
const MAX_CACHED_CREDENTIALS = 10_000;

/** Whose sessions and cached credentials end: one user, or every user of a tenant. */
export interface Revocation {
  tenantId: number;
  /** undefined: every user of the tenant */
  userName?: string;
  reason: 'password-changed' | 'role-changed' | 'user-removed' | 'tenant-deactivated';
}

/**
 * Tenants, their users and authentication. The super tenant `carbon.super` (-1234) has the user
 * `admin`, whose password comes from STRATO_ADMIN_PASSWORD; a tenant's users sign in as
 * `user@tenant.domain`.
 */
export class Directory {
  private readonly mutex = new Mutex();
  /** HMAC(header) -> principal and expiry; the key lives only in this process. */
  private readonly verified = new Map<string, { principal: Principal; expires: number }>();
  private readonly cacheKey = randomBytes(32);
  /** Bumped by every change of credentials: a verification that began before it is not cached. */
  private generation = 0;
  /** The credential stamp of each principal authenticate() handed out. */
  private readonly stamps = new WeakMap<Principal, string>();
  private readonly revocationListeners: ((r: Revocation) => void)[] = [];
  /** A hash no password matches: unknown users cost the same scrypt as known ones. */
  private dummyHash: Promise<string> | undefined;

  /**
   * @param credentialCacheMs how long verified credentials are remembered, so that scrypt runs once
   *   per client and not per request (STRATO_CREDENTIAL_CACHE_TTL); a password change, a removed
   *   user or a deactivated tenant forgets them at once
   */
  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly credentialCacheMs = 5 * 60 * 1000,
    /** the time credentials are cached by and users are created at (a fake clock in tests) */
    private readonly clock: Clock = systemClock,
  ) {}

  /** Makes sure the super-tenant admin exists with the configured password. */
  async start(adminPassword: string): Promise<void> {
    void this.dummy();
    const admin = await this.store.get<UserRecord>('user', 'admin', SUPER_TENANT_ID);
    if (admin && (await verifyPassword(adminPassword, admin.passwordHash))) return;
    await this.store.put<UserRecord>('user', 'admin', { userName: 'admin', role: 'admin', passwordHash: await hashPassword(adminPassword) }, SUPER_TENANT_ID);
  }

  private dummy(): Promise<string> {
    return (this.dummyHash ??= hashPassword(randomBytes(18).toString('base64')));
  }

  /** Calls `listener` whenever credentials change or a user or tenant goes (sessions end then). */
  onRevoked(listener: (r: Revocation) => void): void {
    this.revocationListeners.push(listener);
  }

  /** Forgets every cached credential and tells the listeners whose sessions end. */
  private revoke(r: Revocation): void {
    this.generation++;
    this.verified.clear();
    this.log.info({ tenantId: r.tenantId, user: r.userName, reason: r.reason }, 'credentials revoked');
    for (const listener of this.revocationListeners) {
      try {
        listener(r);
      } catch (err) {
        this.log.error({ err }, 'revocation listener failed');
      }
    }
  }

  private cacheKeyOf(userName: string, password: string): string {
    return createHmac('sha256', this.cacheKey).update(`${userName}\0${password}`).digest('base64');
  }

  /** The principal of credentials verified recently (no scrypt), or undefined. */
  cached(userName: string, password: string): Principal | undefined {
    const key = this.cacheKeyOf(userName, password);
    const hit = this.verified.get(key);
    if (!hit) return undefined;
    if (hit.expires > this.clock.now()) return hit.principal;
    this.verified.delete(key);
    return undefined;
  }

  /** What a session remembers of its user's credentials: any change of password or role alters it. */
  private stampOfUser(tenantId: number, user: UserRecord): string {
    return createHmac('sha256', this.cacheKey).update(`${tenantId}\0${user.userName}\0${user.role}\0${user.passwordHash}`).digest('base64');
  }

  /** The credential stamp of a principal that authenticate() returned. */
  stampOf(principal: Principal): string | undefined {
    return this.stamps.get(principal);
  }

  /**
   * Checks HTTP Basic credentials; throws 401. Every failure (unknown tenant, inactive tenant,
   * unknown user, wrong password) runs one scrypt and throws the same error, so neither the answer
   * nor its time tells whether a user exists.
   */
  async authenticate(userName: string, password: string): Promise<Principal> {
    if (!userName) throw error('USERNAME_MISSING');
    if (!password) throw error('PASSWORD_MISSING');
    const hit = this.cached(userName, password);
    if (hit) return hit;
    const generation = this.generation;

    const at = userName.lastIndexOf('@');
    let tenantId: number | undefined = SUPER_TENANT_ID;
    let tenantDomain = SUPER_TENANT_DOMAIN;
    let name = userName;
    if (at > 0) {
      tenantDomain = userName.slice(at + 1);
      name = userName.slice(0, at);
      if (tenantDomain !== SUPER_TENANT_DOMAIN) {
        const tenant = await this.store.get<TenantRecord>('tenant', tenantDomain, SUPER_TENANT_ID);
        tenantId = tenant?.active ? tenant.tenantId : undefined;
      }
    }
    const user = tenantId === undefined ? undefined : await this.store.get<UserRecord>('user', name, tenantId);
    const matches = await verifyPassword(password, user?.passwordHash ?? (await this.dummy()));
    if (!user || !matches || tenantId === undefined) throw error('LOGIN_FAILED'); // one answer for an unknown tenant, an unknown user and a wrong password
    const principal: Principal = { userName: name, tenantId, tenantDomain, role: user.role };
    this.stamps.set(principal, this.stampOfUser(tenantId, user));
    // credentials that changed while scrypt ran are not remembered
    if (generation === this.generation) {
      if (this.verified.size >= MAX_CACHED_CREDENTIALS) {
        const now = this.clock.now();
        for (const [k, v] of this.verified) if (v.expires <= now) this.verified.delete(k);
        for (const k of this.verified.keys()) {
          if (this.verified.size < MAX_CACHED_CREDENTIALS) break;
          this.verified.delete(k);
        }
      }
      this.verified.set(this.cacheKeyOf(userName, password), { principal, expires: this.clock.now() + this.credentialCacheMs });
    }
    return principal;
  }

  /**
   * Whether a principal authenticated earlier (a session) may still act: its tenant is still
   * active, its user still exists, and its password and role are those of `stamp`.
   */
  async isCurrent(principal: Principal, stamp: string): Promise<boolean> {
    if (principal.tenantId !== SUPER_TENANT_ID) {
      const tenant = await this.store.get<TenantRecord>('tenant', principal.tenantDomain, SUPER_TENANT_ID);
      if (!tenant || !tenant.active || tenant.tenantId !== principal.tenantId) return false;
    }
    const user = await this.store.get<UserRecord>('user', principal.userName, principal.tenantId);
    return user !== undefined && this.stampOfUser(principal.tenantId, user) === stamp;
  }

  // ---- tenants (super tenant only) -------------------------------------------------------------

  private requireSuperAdmin(who: Principal): void {
    if (!isSuperTenant(who) || !isAdmin(who)) throw error('PERMISSION_DENIED');
  }

  async addTenant(input: unknown, who: Principal): Promise<TenantRecord> {
    this.requireSuperAdmin(who);
    const bean = normalize('tenant', input) as any;
    validate('tenant', bean, emptyCatalog(), 'add');
    if (!bean.admin) throw error('TENANT_ADMIN_REQUIRED', { field: 'admin', what: 'user name' });
    if (!bean.adminPassword) throw error('TENANT_ADMIN_REQUIRED', { field: 'adminPassword', what: 'password' });
    const passwordHash = await hashPassword(bean.adminPassword);
    return this.mutex.run(async () => {
      const all = await this.store.list<TenantRecord>('tenant', SUPER_TENANT_ID);
      if (all.some((t) => t.id === bean.tenantDomain)) {
        throw error('TENANT_EXISTS', { domain: bean.tenantDomain });
      }
      const tenantId = all.reduce((max, t) => Math.max(max, t.body.tenantId), 0) + 1;
      const tenant: TenantRecord = {
        tenantId,
        tenantDomain: bean.tenantDomain,
        admin: bean.admin,
        firstName: bean.firstName,
        lastName: bean.lastName,
        email: bean.email,
        active: true,
        createdDate: this.clock.now(),
        usagePlan: bean.usagePlan,
        originatedService: bean.originatedService,
      };
      await this.store.transaction(async (tx) => {
        await tx.put('tenant', tenant.tenantDomain, strip(tenant), SUPER_TENANT_ID);
        await tx.put<UserRecord>(
          'user',
          bean.admin,
          strip({ userName: bean.admin, passwordHash, role: 'admin', firstName: bean.firstName, lastName: bean.lastName, email: bean.email }),
          tenantId,
        );
      });
      this.log.info({ tenant: tenant.tenantDomain, tenantId }, 'tenant added');
      return tenant;
    });
  }

  async updateTenant(input: unknown, who: Principal): Promise<void> {
    this.requireSuperAdmin(who);
    const bean = normalize('tenant', input) as any;
    validate('tenant', bean, emptyCatalog(), 'update');
    const passwordHash = bean.adminPassword ? await hashPassword(bean.adminPassword) : undefined;
    await this.mutex.run(async () => {
      const existing = await this.store.get<TenantRecord>('tenant', bean.tenantDomain, SUPER_TENANT_ID);
      if (!existing) throw error('TENANT_NOT_FOUND', { domain: bean.tenantDomain });
      const updated: TenantRecord = strip({
        ...existing,
        firstName: bean.firstName ?? existing.firstName,
        lastName: bean.lastName ?? existing.lastName,
        email: bean.email ?? existing.email,
        usagePlan: bean.usagePlan ?? existing.usagePlan,
      });
      await this.store.transaction(async (tx) => {
        await tx.put('tenant', updated.tenantDomain, updated, SUPER_TENANT_ID);
        if (passwordHash) {
          const admin = await tx.get<UserRecord>('user', existing.admin, existing.tenantId);
          if (admin) await tx.put('user', admin.userName, { ...admin, passwordHash }, existing.tenantId);
        }
      });
      if (passwordHash) this.revoke({ tenantId: existing.tenantId, userName: existing.admin, reason: 'password-changed' });
    });
  }

  async getTenant(domain: string, who: Principal): Promise<TenantRecord> {
    this.requireSuperAdmin(who);
    const tenant = await this.store.get<TenantRecord>('tenant', domain, SUPER_TENANT_ID);
    if (!tenant) throw error('TENANT_NOT_FOUND', { domain });
    return tenant;
  }

  async listTenants(who: Principal, partialDomain?: string): Promise<TenantRecord[]> {
    this.requireSuperAdmin(who);
    const all = (await this.store.list<TenantRecord>('tenant', SUPER_TENANT_ID)).map((r) => r.body);
    return partialDomain === undefined ? all : all.filter((t) => t.tenantDomain.includes(partialDomain));
  }

  async setTenantActive(domain: string, active: boolean, who: Principal): Promise<void> {
    this.requireSuperAdmin(who);
    await this.mutex.run(async () => {
      const tenant = await this.store.get<TenantRecord>('tenant', domain, SUPER_TENANT_ID);
      if (!tenant) throw error('TENANT_NOT_FOUND', { domain });
      await this.store.put('tenant', domain, { ...tenant, active }, SUPER_TENANT_ID);
      if (!active) this.revoke({ tenantId: tenant.tenantId, reason: 'tenant-deactivated' });
    });
  }

  // ---- users of the caller's tenant --------------------------------------------------------------

  async addUser(input: unknown, who: Principal): Promise<string> {
    if (!isAdmin(who)) throw error('PERMISSION_DENIED');
    const bean = normalize('user', input) as any;
    validate('user', bean, emptyCatalog(), 'add');
    const passwordHash = await hashPassword(bean.credential);
    return this.mutex.run(async () => {
      if (await this.store.get('user', bean.userName, who.tenantId)) {
        throw error('USER_EXISTS', { user: bean.userName });
      }
      await this.store.put<UserRecord>('user', bean.userName, userRecord(bean, passwordHash), who.tenantId);
      return bean.userName as string;
    });
  }

  async updateUser(input: unknown, who: Principal): Promise<string> {
    if (!isAdmin(who)) throw error('PERMISSION_DENIED');
    const bean = normalize('user', input) as any;
    validate('user', bean, emptyCatalog(), 'update');
    const passwordHash = bean.credential ? await hashPassword(bean.credential) : undefined;
    return this.mutex.run(async () => {
      const existing = await this.store.get<UserRecord>('user', bean.userName, who.tenantId);
      if (!existing) throw error('USER_NOT_FOUND', { user: bean.userName });
      const updated = userRecord(bean, passwordHash ?? existing.passwordHash);
      await this.store.put<UserRecord>('user', bean.userName, updated, who.tenantId);
      if (passwordHash || updated.role !== existing.role) {
        const reason = passwordHash ? 'password-changed' : 'role-changed';
        this.revoke({ tenantId: who.tenantId, userName: bean.userName, reason });
      }
      return bean.userName as string;
    });
  }

  async listUsers(who: Principal): Promise<{ userName: string; role: string }[]> {
    const users = await this.store.list<UserRecord>('user', who.tenantId);
    return users.map((u) => ({ userName: u.body.userName, role: u.body.role }));
  }

  async removeUser(userName: string, who: Principal): Promise<void> {
    if (!isAdmin(who)) throw error('PERMISSION_DENIED');
    await this.mutex.run(async () => {
      if (userName === who.userName) throw error('USER_REMOVES_ITSELF', { user: userName });
      if (!(await this.store.delete('user', userName, who.tenantId))) {
        throw error('USER_DOES_NOT_EXIST', { user: userName });
      }
      this.revoke({ tenantId: who.tenantId, userName, reason: 'user-removed' });
    });
  }
}

function userRecord(bean: any, passwordHash: string): UserRecord {
  return strip({
    userName: bean.userName,
    passwordHash,
    role: bean.role || 'user',
    firstName: bean.firstName,
    lastName: bean.lastName,
    email: bean.email,
    profileName: bean.profileName,
  });
}

/** Drops undefined fields so that stored JSON has no nulls. */
function strip<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
