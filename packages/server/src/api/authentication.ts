import { createHash, createHmac, randomBytes } from 'node:crypto';
import { error, isStratoError } from '@strato/model';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Directory } from '../tenancy/directory.ts';
import { isAdmin, isSuperTenant, type Principal } from '../tenancy/principal.ts';
import { LoginThrottle } from './login-throttle.ts';
import type { Sessions } from './sessions.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
  interface FastifyContextConfig {
    /** Served without credentials (GET /api/health, GET /api/openapi.json). Every other route needs them. */
    public?: boolean;
    /** Only for the administrators of the super tenant (the mock IaaS API); others get 403. */
    superAdminOnly?: boolean;
  }
}

export const SESSION_COOKIE = 'JSESSIONID';

function cookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

/**
 * Logins by HTTP Basic credentials: recently verified credentials pass at once; any other attempt
 * first asks the throttle (429 while its user name or client address is locked), then runs scrypt.
 * Identical credentials checked at the same time from one address count as one attempt (a client
 * sending requests in parallel is one login, a guesser's distinct passwords are many), but each
 * request still runs its own check.
 */
export class Logins {
  /** credentials being checked now: how many requests check them, and their throttle outcome */
  private readonly running = new Map<string, { count: number; done: (outcome: 'succeeded' | 'failed' | 'aborted') => void }>();
  private readonly key = randomBytes(32);

  constructor(
    private readonly directory: Directory,
    readonly throttle: LoginThrottle,
  ) {}

  async login(ip: string, userName: string, password: string): Promise<Principal> {
    if (!userName) throw error('USERNAME_MISSING');
    if (!password) throw error('PASSWORD_MISSING');
    const cached = this.directory.cached(userName, password);
    if (cached) return cached;
    const key = createHmac('sha256', this.key).update(`${ip}\0${userName}\0${password}`).digest('base64');
    let attempt = this.running.get(key);
    if (attempt) {
      this.throttle.assertOpen(ip, userName);
      attempt.count++;
    } else {
      attempt = { count: 1, done: this.throttle.begin(ip, userName) };
      this.running.set(key, attempt);
    }
    let outcome: 'succeeded' | 'failed' | 'aborted' = 'aborted';
    try {
      const principal = await this.directory.authenticate(userName, password);
      outcome = 'succeeded';
      return principal;
    } catch (error) {
      if (isStratoError(error) && error.statusCode === 401) outcome = 'failed';
      throw error;
    } finally {
      // the first answer decides for all of them (the same credentials get the same answer)
      attempt.done(outcome);
      if (--attempt.count === 0) this.running.delete(key);
    }
  }
}

/**
 * Authentication of every route, decided by the route fastify matched (not by the raw URL): a
 * route is served without credentials only if it is declared `config: { public: true }`; every
 * other route — and every unknown path, so that a 404 tells nothing to a stranger — needs HTTP
 * Basic credentials (`admin`, or `user@tenant.domain`) or the session cookie of GET /api/session.
 * No credentials or wrong ones: 401 with `WWW-Authenticate: Basic`. Routes declared
 * `config: { superAdminOnly: true }` answer 403 to anyone but an administrator of the super tenant.
 */
export function installAuthentication(app: FastifyInstance, directory: Directory, sessions: Sessions, logins: Logins): void {
  app.decorateRequest('principal', null as unknown as Principal);
  // onRequest runs after routing: routeOptions.config is the matched route's (the 404 route's: {})
  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config ?? {};
    if (config.public === true && !request.is404) return;
    request.principal = await authenticate(request, directory, sessions, logins);
    if (config.superAdminOnly === true && !(isSuperTenant(request.principal) && isAdmin(request.principal))) {
      throw error('SUPER_ADMIN_ONLY');
    }
  });
}

async function authenticate(request: FastifyRequest, directory: Directory, sessions: Sessions, logins: Logins): Promise<Principal> {
  const header = request.headers.authorization;
  if (header) {
    const [scheme, encoded = ''] = header.split(' ');
    if (scheme?.toLowerCase() !== 'basic') throw error('BASIC_AUTH_ONLY');
    const decoded = Buffer.from(encoded, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user = colon < 0 ? decoded : decoded.slice(0, colon);
    const password = colon < 0 ? '' : decoded.slice(colon + 1);
    try {
      return await logins.login(request.ip, user, password);
    } catch (error) {
      // neither the password nor the user name (people type passwords there): a fingerprint of the name
      const userFingerprint = createHash('sha256').update(user).digest('hex').slice(0, 12);
      request.log.warn({ userFingerprint, ip: request.ip, status: (error as { statusCode?: number }).statusCode }, 'login refused');
      throw error;
    }
  }
  const sessionId = cookie(request, SESSION_COOKIE);
  const session = sessionId ? sessions.find(sessionId) : undefined;
  if (session) {
    // a session outlives neither its user, nor its tenant's activation, nor a change of password or role
    if (!(await directory.isCurrent(session.principal, session.stamp))) {
      sessions.end(sessionId!);
      throw error('SESSION_ENDED');
    }
    return session.principal;
  }
  throw error('AUTHENTICATION_REQUIRED');
}
