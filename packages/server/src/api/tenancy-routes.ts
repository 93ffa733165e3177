import { error, schemas } from '@strato/model';
import type { FastifyInstance } from 'fastify';
import type { Directory, TenantRecord } from '../tenancy/directory.ts';
import { documentOnly, locationOf } from './artifact-routes.ts';
import { success } from './envelope.ts';

type Domain = { Params: { domain: string } };

/** Tenants (super tenant only) and the users of the caller's tenant. */
export function tenancyRoutes(app: FastifyInstance, directory: Directory): void {
  const tenant = { tags: ['tenants'], body: schemas.tenant };
  const user = { tags: ['users'], body: schemas.user };

  app.post('/tenants', { schema: tenant, validatorCompiler: documentOnly }, async (request, reply) => {
    const t = await directory.addTenant(request.body, request.principal);
    reply.header('Location', locationOf(request, t.tenantDomain));
    return reply.code(201).send(success(`Tenant added successfully: [tenant] ${t.tenantDomain}`));
  });
  app.put('/tenants', { schema: tenant, validatorCompiler: documentOnly }, async (request) => {
    await directory.updateTenant(request.body, request.principal);
    return success(`Tenant updated successfully: [tenant] ${(request.body as TenantRecord).tenantDomain}`);
  });
  app.get('/tenants', { schema: { tags: ['tenants'] } }, async (request) => directory.listTenants(request.principal));
  app.get<Domain>('/tenants/:domain', { schema: { tags: ['tenants'] } }, async (request) => directory.getTenant(request.params.domain, request.principal));
  app.get<Domain>('/tenants/search/:domain', { schema: { tags: ['tenants'] } }, async (request) =>
    directory.listTenants(request.principal, request.params.domain),
  );
  app.put<Domain>('/tenants/activate/:domain', { schema: { tags: ['tenants'] } }, async (request) => {
    await directory.setTenantActive(request.params.domain, true, request.principal);
    return success(`Tenant activated successfully: [tenant] ${request.params.domain}`);
  });
  app.put<Domain>('/tenants/deactivate/:domain', { schema: { tags: ['tenants'] } }, async (request) => {
    await directory.setTenantActive(request.params.domain, false, request.principal);
    return success(`Tenant deactivated successfully: [tenant] ${request.params.domain}`);
  });
  app.delete('/tenants/:domain', { schema: { tags: ['tenants'] } }, async () => {
    throw error('TENANT_REMOVAL_UNSUPPORTED');
  });

  app.post('/users', { schema: user, validatorCompiler: documentOnly }, async (request, reply) => {
    const name = await directory.addUser(request.body, request.principal);
    reply.header('Location', locationOf(request, name));
    return reply.code(201).send(success(`User added successfully: [user] ${name}`));
  });
  app.put('/users', { schema: user, validatorCompiler: documentOnly }, async (request) => {
    const name = await directory.updateUser(request.body, request.principal);
    return success(`User updated successfully: [user] ${name}`);
  });
  app.get('/users', { schema: { tags: ['users'] } }, async (request) => directory.listUsers(request.principal));
  app.delete<{ Params: { userName: string } }>('/users/:userName', { schema: { tags: ['users'] } }, async (request) => {
    await directory.removeUser(request.params.userName, request.principal);
    return success(`User deleted successfully: [user] ${request.params.userName}`);
  });
}
