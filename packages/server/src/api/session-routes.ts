import { error } from '@strato/model';
import type { FastifyInstance } from 'fastify';
import type { Directory } from '../tenancy/directory.ts';
import { SESSION_COOKIE } from './authentication.ts';
import { success } from './envelope.ts';
import type { Sessions } from './sessions.ts';

/** GET /init checks credentials; GET /session trades them for a session cookie. */
export function sessionRoutes(app: FastifyInstance, sessions: Sessions, directory: Directory): void {
  app.get('/init', { schema: { tags: ['session'] } }, async () => success('Successfully authenticated'));
  app.get('/session', { schema: { tags: ['session'] } }, async (request, reply) => {
    // the stamp of the login behind this request (a session's principal keeps its login's stamp)
    const stamp = directory.stampOf(request.principal);
    if (!stamp) throw error('SESSION_NEEDS_CREDENTIALS');
    const sessionId = sessions.create(request.principal, stamp);
    reply.header('Set-Cookie', `${SESSION_COOKIE}=${sessionId}; Path=/api; HttpOnly; SameSite=Strict; Max-Age=${Math.round(sessions.idleMs / 1000)}`);
    return { Success: { sessionId } };
  });
}
