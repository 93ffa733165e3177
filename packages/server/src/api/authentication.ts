import { randomBytes } from 'node:crypto';
import { unauthenticated } from '@strato/model';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Directory } from '../tenancy/directory.ts';
import type { Principal } from '../tenancy/principal.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
}

/** Paths served without credentials. */
const PUBLIC = new Set(['/api/health', '/api/openapi.json']);

export const SESSION_COOKIE = 'JSESSIONID';

/**
 * Authentication of every /api request: HTTP Basic (`admin`, or `user@tenant.domain`), or the
 * session cookie that GET /api/session hands out. No credentials or wrong ones: 401 with
 * `WWW-Authenticate: Basic`.
 */
export class Sessions {
  /** @param idleMs how long a session lives without being used (STRATO_SESSION_TIMEOUT) */
  constructor(readonly idleMs: number) {}

  private readonly sessions = new Map<string, { principal: Principal; lastUsed: number }>();

  create(principal: Principal): string {
    const id = randomBytes(24).toString('hex');
    this.sessions.set(id, { principal, lastUsed: Date.now() });
    return id;
  }

  end(id: string): void {
    this.sessions.delete(id);
  }

  find(id: string): Principal | undefined {
    const s = this.sessions.get(id);
    if (!s) return undefined;
    if (Date.now() - s.lastUsed > this.idleMs) {
      this.sessions.delete(id);
      return undefined;
    }
    s.lastUsed = Date.now();
    return s.principal;
  }
}

function cookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

export function installAuthentication(app: FastifyInstance, directory: Directory, sessions: Sessions): void {
  app.decorateRequest('principal', null as unknown as Principal);
  app.addHook('onRequest', async (request) => {
    const path = request.url.split('?')[0].replace(/\/{2,}/g, '/').replace(/\/$/, '');
    if (PUBLIC.has(path) || !path.startsWith('/api')) return;
    const header = request.headers.authorization;
    if (header) {
      const [scheme, encoded = ''] = header.split(' ');
      if (scheme?.toLowerCase() !== 'basic') throw unauthenticated('Only HTTP Basic authentication is supported');
      const decoded = Buffer.from(encoded, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      const user = colon < 0 ? decoded : decoded.slice(0, colon);
      const password = colon < 0 ? '' : decoded.slice(colon + 1);
      request.principal = await directory.authenticate(user, password);
      return;
    }
    const sessionId = cookie(request, SESSION_COOKIE);
    const principal = sessionId ? sessions.find(sessionId) : undefined;
    if (principal) {
      // a session outlives neither its user nor its tenant's activation
      if (!(await directory.isCurrent(principal))) {
        sessions.end(sessionId!);
        throw unauthenticated('The session has ended: its user or tenant is no longer active');
      }
      request.principal = principal;
      return;
    }
    throw unauthenticated('The endpoint requires authentication');
  });
}
