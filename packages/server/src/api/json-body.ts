import { parseJson } from '@strato/model';
import type { FastifyInstance } from 'fastify';

/**
 * The JSON body parser: an empty body is no body (Stratos's clients POST deploy and undeploy with
 * `Content-Type: application/json` and nothing else), and a trailing comma before `}` or `]` is
 * tolerated as Stratos's reader did; any other malformed JSON is a 400 naming line and column.
 */
export function installJsonBody(app: FastifyInstance): void {
  // JSON only: fastify's built-in text/plain parser would hand a string to routes that expect an
  // artifact object (a 400 about the body's type instead of a 415 about the content type).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(/^application\/([\w.-]+\+)?json\s*(;.*)?$/i, { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, parseJson(text));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
}
