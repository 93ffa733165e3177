import { ERROR_CATALOGUE, errorMessage, isStratoError, type ErrorCode } from '@strato/model';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { failure } from './envelope.ts';
import { TooManyLogins } from './login-throttle.ts';

/** fastify's own error codes, mapped to strato's code (its status) and a message that says why. */
const FASTIFY_ERRORS: Record<string, [ErrorCode, (e: FastifyError, r: FastifyRequest) => string]> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [
    'UNSUPPORTED_MEDIA_TYPE',
    (_e, r) => errorMessage('UNSUPPORTED_MEDIA_TYPE', { contentType: JSON.stringify(String(r.headers['content-type'] ?? '').slice(0, 100)) }),
  ],
  FST_ERR_CTP_BODY_TOO_LARGE: ['BODY_TOO_LARGE', () => errorMessage('BODY_TOO_LARGE')],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ['BODY_LENGTH_MISMATCH', () => errorMessage('BODY_LENGTH_MISMATCH')],
  FST_ERR_CTP_EMPTY_JSON_BODY: ['BODY_EMPTY', () => errorMessage('BODY_EMPTY')],
  FST_ERR_CTP_INVALID_JSON_BODY: ['BODY_JSON_INVALID', (e) => errorMessage('BODY_JSON_INVALID', { reason: e.message })],
  FST_ERR_VALIDATION: ['REQUEST_INVALID', (e) => errorMessage('REQUEST_INVALID', { reason: e.message })],
};

/**
 * Answers an error with the envelope and its code, and logs it with the code (pino field `code`):
 * a 5xx as a warning, a 4xx as information.
 */
export function sendError(request: FastifyRequest, reply: FastifyReply, status: number, code: ErrorCode, message: string): FastifyReply {
  const line = { code, status, method: request.method, url: request.url.split('?')[0] };
  if (status >= 500) request.log.warn(line, message);
  else request.log.info(line, message);
  return reply.code(status).send(failure(message, code));
}

/**
 * One error handler for the whole API: a StratoError answers its own status, message and code;
 * fastify's parsing errors answer 4xx with codes of their own; anything else is a bug, logged, and
 * answered 500 INTERNAL_ERROR without details. Every error body is the envelope
 * `{"status":"error","message":...,"code":...}`.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (isStratoError(error)) {
      if (error.statusCode === 401) reply.header('WWW-Authenticate', 'Basic realm="strato"');
      if (error instanceof TooManyLogins) reply.header('Retry-After', String(error.retryAfterSeconds));
      return sendError(request, reply, error.statusCode, error.code, error.message);
    }
    const known = error.code ? FASTIFY_ERRORS[error.code] : undefined;
    if (known) return sendError(request, reply, ERROR_CATALOGUE[known[0]].status, known[0], known[1](error, request));
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return sendError(request, reply, error.statusCode, 'REQUEST_REJECTED', errorMessage('REQUEST_REJECTED', { reason: error.message }));
    }
    request.log.error({ err: error, code: 'INTERNAL_ERROR' }, 'request failed');
    return reply.code(500).send(failure(errorMessage('INTERNAL_ERROR'), 'INTERNAL_ERROR'));
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, 404, 'ROUTE_NOT_FOUND', errorMessage('ROUTE_NOT_FOUND', { method: request.method, path: request.originalUrl.split('?')[0] })),
  );
}
