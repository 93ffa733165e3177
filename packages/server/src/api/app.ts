import type { Socket } from 'node:net';
import swagger from '@fastify/swagger';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { REGISTERED_KINDS } from '../registry/artifact-kinds.ts';
import type { Registry } from '../registry/registry.ts';
import type { Directory } from '../tenancy/directory.ts';
import { artifactRoutes } from './artifact-routes.ts';
import { installAuthentication, Logins } from './authentication.ts';
import { cartridgeFilterRoutes } from './cartridge-filter-routes.ts';
import { failure, success } from './envelope.ts';
import { errorMessage, errorResponses } from '@strato/model';
import { installErrorHandler, sendError } from './error-handler.ts';
import { installJsonBody } from './json-body.ts';
import { kubernetesRoutes } from './kubernetes-routes.ts';
import { LoginThrottle, type LoginThrottleOptions } from './login-throttle.ts';
import { linkRecursiveSchemas } from './openapi.ts';
import { sessionRoutes } from './session-routes.ts';
import { Sessions, type SessionOptions } from './sessions.ts';
import { tenancyRoutes } from './tenancy-routes.ts';

export interface ApiDeps {
  logger: Logger;
  bodyLimit: number;
  /** How sessions live: idle timeout, lifetime, bounds (STRATO_SESSION_*). */
  sessions: SessionOptions;
  /** How failed logins are slowed (STRATO_LOGIN_*). */
  login: LoginThrottleOptions;
  registry: Registry;
  directory: Directory;
  iaasProviders: () => string[];
  /** The runtime status of a deployed application (`Active` once all its instances are), if any. */
  liveStatus?: (appId: string) => string | undefined;
  /** More route plugins, served under /api (and /api/v4.1) beside the artifact API (later issues). */
  plugins?: ((app: FastifyInstance) => void)[];
}

/** `/api/v4.1` (however many slashes around it) at the start of a path, or after the origin of an absolute-form target. */
const V41 = /^((?:[a-zA-Z][a-zA-Z\d+.-]*:\/\/[^/?#]*)?)\/+api\/+v4\.1(?=\/|\?|$)/;

/**
 * A request node's HTTP parser refused before fastify saw it: the envelope as every other error,
 * and the connection closed (its framing is unknown).
 */
function answerClientError(this: FastifyInstance, err: Error & { code?: string; rawPacket?: unknown }, socket: Socket): void {
  // bytes after a complete request that said `Connection: close` (a GET's unframed body, say): the
  // request itself is answered, the rest is dropped with the connection
  if (err.code === 'ECONNRESET' || err.code === 'HPE_CLOSED_CONNECTION' || socket.destroyed) return;
  // an answer already on its way would be corrupted by a second one: end the connection, as node does
  if ((socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent) {
    socket.destroy();
    return;
  }
  const [status, text, code, message] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'Request Timeout', 'REQUEST_TIMEOUT' as const, errorMessage('REQUEST_TIMEOUT')]
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', 'HEADERS_TOO_LARGE' as const, errorMessage('HEADERS_TOO_LARGE')]
        : [400, 'Bad Request', 'HTTP_MALFORMED' as const, errorMessage('HTTP_MALFORMED', { detail: err.code ? ` (${err.code})` : '' })];
  this.log.debug({ err, code }, 'malformed request');
  if (socket.writable) {
    const body = JSON.stringify(failure(message, code));
    // an answer to HEAD has no body (its length is still the one a GET would get)
    const head = Buffer.isBuffer(err.rawPacket) && err.rawPacket.subarray(0, 5).toString('latin1') === 'HEAD ';
    socket.write(
      `HTTP/1.1 ${status} ${text}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${head ? '' : body}`,
    );
  }
  socket.destroy();
}

/** The Stratos REST API v4.1, served at /api and at /api/v4.1. */
export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: deps.bodyLimit,
    // ids are as long as their artifacts say: a path parameter is limited only by the request line
    routerOptions: { ignoreDuplicateSlashes: true, ignoreTrailingSlash: true, maxParamLength: 16 * 1024 },
    // errors the router raises before any hook (a malformed URL, ...) get the envelope too
    frameworkErrors: (error, request, reply) => {
      const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 400;
      sendError(
        request as unknown as FastifyRequest,
        reply as unknown as FastifyReply,
        status,
        'REQUEST_REJECTED',
        errorMessage('REQUEST_REJECTED', { reason: error.message }),
      );
    },
    // requests node's HTTP parser refuses (a request target without its leading /, bad bytes, ...)
    clientErrorHandler: answerClientError,
    logController: new LogController({ disableRequestLogging: true }),
    // /api/v4.1/... is the same API as /api/...: one set of routes serves both
    rewriteUrl: (req) => (req.url ?? '/').replace(V41, '$1/api'),
  }) as unknown as FastifyInstance;
  // response schemas document the answers (OpenAPI); answers are plain JSON.stringify: nothing is
  // dropped or coerced, and no serializer is compiled per route at start-up (about 250 ms)
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  installErrorHandler(app);
  installJsonBody(app);
  // every route of the API documents its error answers: the envelope with the code (docs/errors.md)
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/') || (route.schema as { hide?: boolean } | undefined)?.hide) return;
    const response = (route.schema?.response ?? {}) as Record<string, unknown>;
    route.schema = { ...route.schema, response: { ...errorResponses, ...response } };
  });
  const sessions = new Sessions(deps.sessions);
  // a password change, a removed user or a deactivated tenant ends its sessions at once
  deps.directory.onRevoked((r) => {
    const ended = sessions.endFor(r.tenantId, r.userName);
    if (ended > 0) deps.logger.info({ tenantId: r.tenantId, user: r.userName, reason: r.reason, sessions: ended }, 'sessions ended');
  });
  installAuthentication(app, deps.directory, sessions, new Logins(deps.directory, new LoginThrottle(deps.login)));

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'strato REST API (Apache Stratos 4.1 compatible)', version: '4.1' },
      components: { securitySchemes: { basic: { type: 'http', scheme: 'basic' } } },
      security: [{ basic: [] }],
    },
    transformObject: linkRecursiveSchemas as never,
  });

  const routes = async (api: FastifyInstance) => {
    for (const info of REGISTERED_KINDS) {
      if (info.kind === 'cartridge') cartridgeFilterRoutes(api, deps.registry);
      if (info.kind === 'kubernetesCluster') kubernetesRoutes(api, deps.registry);
      artifactRoutes(api, deps.registry, info, deps.liveStatus);
    }
    tenancyRoutes(api, deps.directory);
    sessionRoutes(api, sessions, deps.directory);
    api.get('/iaasProviders', { schema: { tags: ['iaasProviders'] } }, async () => ({ iaasProviders: deps.iaasProviders() }));
    for (const plugin of deps.plugins ?? []) plugin(api);
  };
  await app.register(routes, { prefix: '/api' });

  // the only routes served without credentials (see authentication.ts)
  app.get('/api/health', { schema: { hide: true }, config: { public: true } }, async () => success('strato is ready'));
  app.get('/api/openapi.json', { schema: { hide: true }, config: { public: true } }, async () => app.swagger());
  return app;
}
