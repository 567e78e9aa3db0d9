/**
 * Inference clients rarely set Content-Type: TF Serving's own docs use `curl -d`, which sends
 * application/x-www-form-urlencoded, and TorchServe takes whatever arrives. So an adapter scope
 * parses every body as JSON, with Fastify's own parser (prototype-poisoning checks, body limit).
 */
import type { FastifyInstance } from 'fastify';
import { SlipwayError } from '../../../core/errors.js';

type Done = (err: Error | null, body?: unknown) => void;

/** Replaces the scope's body parsers by one JSON parser for any Content-Type (or none). */
export function parseEveryBodyAsJson(scope: FastifyInstance): void {
  const json = scope.getDefaultJsonParser('error', 'error') as (
    req: unknown,
    body: string,
    done: Done,
  ) => void;
  const parse = (req: unknown, body: string, done: Done): void =>
    json(req, body, (err, value) => {
      if (!err) return done(null, value);
      // Fastify's messages mention application/json, which confuses a client that sent a form type.
      const why = body.length === 0 ? 'is empty' : 'is not valid JSON';
      done(new SlipwayError('BAD_REQUEST', `Request body ${why}: expected a JSON object`));
    });
  scope.removeAllContentTypeParsers();
  // application/json on its own, because Fastify caches exact matches and not the '*' fallback.
  scope.addContentTypeParser('application/json', { parseAs: 'string' }, parse);
  scope.addContentTypeParser('*', { parseAs: 'string' }, parse);
}
