/**
 * Tenants, application signups and domain mappings as they travel on the wire (stratos manager).
 * See orchestration.md §2.3 and §7.4–7.5.
 */

/** `Tenant { tenantId, tenantDomain }`. */
export interface Tenant {
  tenantId: number;
  tenantDomain: string;
}

/** `ArtifactRepository` of a signup. `repoPassword` is AES-encrypted (base64). */
export interface ArtifactRepository {
  cartridgeType: string;
  alias: string;
  privateRepo: boolean;
  repoUrl: string;
  repoUsername?: string;
  repoPassword?: string;
}

/** `DomainMapping` of a signup. */
export interface DomainMapping {
  tenantId: number;
  applicationId: string;
  serviceName: string;
  clusterId: string;
  domainName: string;
  contextPath?: string;
}

/** `ApplicationSignUp`: a tenant's signup to a multi-tenant application. */
export interface ApplicationSignUp {
  tenantId: number;
  applicationId: string;
  artifactRepositories?: ArtifactRepository[];
  domainMappings?: DomainMapping[];
  clusterIds?: string[];
  /** Epoch milliseconds. */
  signupAddedTimestamp?: number;
}
