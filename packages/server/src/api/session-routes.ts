import type { FastifyInstance } from 'fastify';
import { SESSION_COOKIE, type Sessions } from './authentication.ts';
import { success } from './envelope.ts';

/** GET /init checks credentials; GET /session trades them for a session cookie. */
export function sessionRoutes(app: FastifyInstance, sessions: Sessions): void {
  app.get('/init', { schema: { tags: ['session'] } }, async () => success('Successfully authenticated'));
  app.get('/session', { schema: { tags: ['session'] } }, async (request, reply) => {
    const sessionId = sessions.create(request.principal);
    reply.header(
      'Set-Cookie',
      `${SESSION_COOKIE}=${sessionId}; Path=/api; HttpOnly; SameSite=Strict; Max-Age=${Math.round(sessions.idleMs / 1000)}`,
    );
    return { Success: { sessionId } };
  });
}
