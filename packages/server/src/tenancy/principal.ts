import { SUPER_TENANT_ID } from '../store/store.ts';

export const SUPER_TENANT_DOMAIN = 'carbon.super';

/** Who is calling: a user of a tenant. The super tenant (`carbon.super`, -1234) manages global artifacts. */
export interface Principal {
  userName: string;
  tenantId: number;
  tenantDomain: string;
  role: string;
}

export function isSuperTenant(p: Principal): boolean {
  return p.tenantId === SUPER_TENANT_ID;
}

/** Admins of a tenant manage what the tenant owns; every other role may only read. */
export function isAdmin(p: Principal): boolean {
  return p.role === 'admin';
}
