import { isStratoError } from '@strato/model';
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { failure } from './envelope.ts';
import { TooManyLogins } from './login-throttle.ts';

/** fastify's own error codes, mapped to the status strato answers and a message that says why. */
const FASTIFY_ERRORS: Record<string, [number, (e: FastifyError, r: FastifyRequest) => string]> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [
    415,
    (_e, r) => `Unsupported content type ${JSON.stringify(String(r.headers['content-type'] ?? '').slice(0, 100))}: send application/json`,
  ],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, () => 'Request body is too large'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, () => 'Request body size did not match Content-Length'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, () => 'Request body is empty'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, (e) => e.message],
  FST_ERR_VALIDATION: [400, (e) => e.message],
};

/**
 * One error handler for the whole API: a StratoError answers its own status and message; fastify's
 * parsing errors answer 4xx; anything else is a bug, logged, and answered 500 without details.
 * Every error body is the envelope `{"status":"error","message":...}`.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (isStratoError(error)) {
      if (error.statusCode === 401) reply.header('WWW-Authenticate', 'Basic realm="strato"');
      return reply.code(error.statusCode).send(failure(error.message));
    }
    if (error instanceof TooManyLogins) {
      reply.header('Retry-After', String(error.retryAfterSeconds));
      return reply.code(429).send(failure(error.message));
    }
    const known = error.code ? FASTIFY_ERRORS[error.code] : undefined;
    if (known) return reply.code(known[0]).send(failure(known[1](error, request)));
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.code(error.statusCode).send(failure(error.message));
    }
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send(failure('Internal server error'));
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(failure(`No resource at ${request.method} ${request.originalUrl.split('?')[0]}`)),
  );
}
