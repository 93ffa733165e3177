import { ApplicationRuntimeSchema, ClusterSchema, error, errorResponses, NetworkPartitionIdsSchema, SuccessEnvelopeSchema } from '@strato/model';
import type { FastifyInstance } from 'fastify';
import type { ControlPlane } from '../control-plane.ts';
import type { ApplicationSignUps } from '../signups/application-signups.ts';
import { isAdmin, type Principal } from '../tenancy/principal.ts';
import { success } from './envelope.ts';

/** Deploying and undeploying change what a tenant runs: its administrators only (other roles read). */
function mayOperate(who: Principal): void {
  if (!isAdmin(who)) throw error('PERMISSION_DENIED');
}

type AppParams = { Params: { id: string } };

/** Deploy, undeploy and the runtime views of applications and clusters (rest-api.md #39, #40, #42, #43, #52). */
export function applicationRuntimeRoutes(app: FastifyInstance, plane: ControlPlane, signups?: ApplicationSignUps): void {
  const tags = ['applications'];
  const accepted = { 202: SuccessEnvelopeSchema, ...errorResponses };
  app.post<{ Params: { id: string; policy: string } }>('/applications/:id/deploy/:policy', { schema: { tags, response: accepted } }, async (request, reply) => {
    mayOperate(request.principal);
    await plane.deploy(request.params.id, request.params.policy, request.principal);
    // the application signup of a single-tenant application with artifact repositories
    await signups?.deployed(request.params.id, request.principal.tenantId);
    return reply.code(202).send(success(`Application deployed successfully: [application] ${request.params.id}`));
  });
  app.post<AppParams & { Querystring: { force?: string } }>('/applications/:id/undeploy', { schema: { tags, response: accepted } }, async (request, reply) => {
    mayOperate(request.principal);
    const force = String(request.query.force ?? 'false').toLowerCase() === 'true';
    await plane.undeploy(request.params.id, force, request.principal);
    await signups?.undeployed(request.params.id, request.principal.tenantId);
    return reply.code(202).send(success(`Application undeploy process started successfully: [application-id] ${request.params.id}`));
  });
  app.get<AppParams>('/applications/:id/runtime', { schema: { tags, response: { 200: ApplicationRuntimeSchema, ...errorResponses } } }, async (request) =>
    plane.runtime(request.params.id, request.principal),
  );
  app.get<AppParams>(
    '/applications/:id/networkPartitions',
    { schema: { tags, response: { 200: NetworkPartitionIdsSchema, ...errorResponses } } },
    async (request) => plane.networkPartitions(request.params.id, request.principal),
  );
  app.get<{ Params: { clusterId: string } }>(
    '/cluster/:clusterId',
    { schema: { tags: ['clusters'], response: { 200: ClusterSchema, ...errorResponses } } },
    async (request) => plane.cluster(request.params.clusterId, request.principal),
  );
}
