import { SuccessEnvelopeSchema, error, errorResponses } from '@strato/model';
import type { FastifyInstance } from 'fastify';
import type { ApplicationSignUps } from '../signups/application-signups.ts';
import { isAdmin } from '../tenancy/principal.ts';
import { success } from './envelope.ts';

/** The body Stratos reads (`GitNotificationPayloadBean`, a GitHub web-hook shape): only `repository.url` matters. */
function repositoryUrl(body: unknown): string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw error('BODY_NOT_OBJECT', { label: 'repository notification', type: body === null ? 'null' : Array.isArray(body) ? 'array' : typeof body });
  }
  const repository = (body as { repository?: unknown }).repository;
  if (repository === undefined || repository === null) throw error('FIELD_REQUIRED', { field: 'repository' });
  if (typeof repository !== 'object' || Array.isArray(repository))
    throw error('FIELD_TYPE', { field: 'repository', rule: 'must be an object', value: JSON.stringify(repository) });
  const url = (repository as { url?: unknown }).url;
  if (url === undefined || url === null) throw error('FIELD_REQUIRED', { field: 'repository.url' });
  if (typeof url !== 'string') throw error('FIELD_TYPE', { field: 'repository.url', rule: 'must be a string', value: JSON.stringify(url) });
  if (url.trim() === '') throw error('FIELD_BLANK', { field: 'repository.url' });
  return url.trim();
}

/**
 * POST /repo/notify (rest-api.md #53, §6.9): a git hook says a repository changed; every cluster
 * of the caller's tenant whose application signup uses that repository gets an
 * ArtifactUpdatedEvent. Needs the right to manage applications (a tenant administrator); clusters of
 * other tenants are never notified. Always 200 on a well-formed request, as in Stratos.
 */
export function repoRoutes(app: FastifyInstance, signups: ApplicationSignUps): void {
  app.post(
    '/repo/notify',
    {
      schema: {
        tags: ['repositories'],
        summary: 'Notify a repository change (git hook): ArtifactUpdatedEvent to the clusters using it',
        response: { 200: SuccessEnvelopeSchema, ...errorResponses },
      },
    },
    async (request) => {
      if (!isAdmin(request.principal)) throw error('PERMISSION_DENIED');
      const url = repositoryUrl(request.body);
      await signups.repositoryChanged(url, request.principal.tenantId);
      return success('Repository notification sent successfully');
    },
  );
}
