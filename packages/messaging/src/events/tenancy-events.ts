/**
 * Events of the stratos manager: application signups (`application/signup/<Event>`), domain
 * mappings (`domain/mapping/<Event>`) and tenants (`tenant/<Event>`).
 * Fields as in orchestration.md §2.3 and cartridge-agent.md §5.4.
 */
import type { ApplicationSignUp, Tenant } from '../wire/tenancy.ts';

/** A tenant signed up to an application. */
export interface ApplicationSignUpAddedEvent {
  applicationId: string;
  tenantId: number;
  clusterIds: string[];
}

/** A tenant's signup was removed. */
export interface ApplicationSignUpRemovedEvent {
  applicationId: string;
  tenantId: number;
}

/** Every signup; on request and every minute while at least one exists. */
export interface CompleteApplicationSignUpsEvent {
  applicationSignUps: ApplicationSignUp[];
}

/** A domain name was mapped to a cluster for a tenant. */
export interface DomainMappingAddedEvent {
  applicationId: string;
  tenantId: number;
  serviceName: string;
  clusterId: string;
  domainName: string;
  contextPath?: string;
}

/** A domain mapping was removed. */
export interface DomainMappingRemovedEvent {
  applicationId: string;
  tenantId: number;
  serviceName: string;
  clusterId: string;
  domainName: string;
}

/** Every tenant; on request and every minute. */
export interface CompleteTenantEvent {
  tenants: Tenant[];
}

/** A tenant was created. */
export interface TenantCreatedEvent {
  tenant: Tenant;
}

/** A tenant was updated. */
export interface TenantUpdatedEvent {
  tenantId: number;
  tenantDomain: string;
}

/** A tenant was removed (never published by Stratos). */
export interface TenantRemovedEvent {
  tenantId: number;
}

/** Payload types of the signup events, by event name. */
export interface SignUpEvents {
  ApplicationSignUpAddedEvent: ApplicationSignUpAddedEvent;
  ApplicationSignUpRemovedEvent: ApplicationSignUpRemovedEvent;
  CompleteApplicationSignUpsEvent: CompleteApplicationSignUpsEvent;
}

/** Payload types of the domain-mapping events, by event name. */
export interface DomainMappingEvents {
  DomainMappingAddedEvent: DomainMappingAddedEvent;
  DomainMappingRemovedEvent: DomainMappingRemovedEvent;
}

/** Payload types of the tenant events, by event name. */
export interface TenantEvents {
  CompleteTenantEvent: CompleteTenantEvent;
  TenantCreatedEvent: TenantCreatedEvent;
  TenantUpdatedEvent: TenantUpdatedEvent;
  TenantRemovedEvent: TenantRemovedEvent;
}
