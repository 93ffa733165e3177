import { schemas } from '@strato/model';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { KindInfo } from '../registry/artifact-kinds.ts';
import type { Registry, StoredApplication } from '../registry/registry.ts';
import { success } from './envelope.ts';

/** Bodies are validated by `normalize` (the same schemas, with Stratos's leniency), not by fastify. */
export const documentOnly = () => (data: unknown) => ({ value: data });

/**
 * The URL of a created resource: the matched route's path (its parameters filled in, under
 * /api/v4.1 if the client used it) followed by `/` and its id — the canonical spelling, whatever
 * spelling of the path (percent-encoded, absolute-form, doubled slashes) reached the route.
 */
export function locationOf(request: FastifyRequest, id: string): string {
  const params = (request.params ?? {}) as Record<string, string>;
  const route = (request.routeOptions.url ?? '').replace(/:(\w+)/g, (_m, name: string) => encodeURIComponent(params[name] ?? ''));
  // rewriteUrl turned /api/v4.1/... into /api/...: answer in the client's version
  const path = request.url !== request.originalUrl ? route.replace(/^\/api(?=\/|$)/, '/api/v4.1') : route;
  return `${request.protocol}://${request.host}${path}/${encodeURIComponent(id)}`;
}

/** What GET answers for a stored artifact: applications show their status, not their bookkeeping. */
export function present(info: KindInfo, body: Record<string, unknown>, liveStatus?: (appId: string) => string | undefined): Record<string, unknown> {
  if (info.kind !== 'application') return body;
  const { applicationPolicyId: _ignored, ...rest } = body as StoredApplication;
  const status = liveStatus?.(rest.applicationId) ?? rest.status;
  return { ...rest, status, signUpsExist: false };
}

/**
 * Add, update, get, list and delete for one registered artifact kind:
 * POST /{plural} (201 + Location), PUT /{plural} (id from the body), GET /{plural},
 * GET /{plural}/{id}, DELETE /{plural}/{id}.
 */
export function artifactRoutes(app: FastifyInstance, registry: Registry, info: KindInfo, liveStatus?: (appId: string) => string | undefined): void {
  const tags = [info.plural];
  const body = schemas[info.kind];
  const idParam = { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] } as const;

  app.post(`/${info.plural}`, { schema: { tags, body }, validatorCompiler: documentOnly }, async (request, reply) => {
    const id = await registry.add(info, request.body, request.principal);
    reply.header('Location', locationOf(request, id));
    return reply.code(201).send(success(`${info.label} added successfully: [${info.tag}] ${id}`));
  });

  app.put(`/${info.plural}`, { schema: { tags, body }, validatorCompiler: documentOnly }, async (request) => {
    const id = await registry.update(info, request.body, request.principal);
    return success(`${info.label} updated successfully: [${info.tag}] ${id}`);
  });

  app.get(`/${info.plural}`, { schema: { tags } }, async (request) =>
    (await registry.list<Record<string, unknown>>(info, request.principal)).map((b) => present(info, b, liveStatus)),
  );

  app.get<{ Params: { id: string } }>(`/${info.plural}/:id`, { schema: { tags, params: idParam } }, async (request) =>
    present(info, await registry.get<Record<string, unknown>>(info, request.params.id, request.principal), liveStatus),
  );

  app.delete<{ Params: { id: string } }>(
    `/${info.plural}/:id`,
    { schema: { tags, params: idParam } },
    async (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
      await registry.remove(info, request.params.id, request.principal);
      return reply.send(success(`${info.label} deleted successfully: [${info.tag}] ${request.params.id}`));
    },
  );
}
