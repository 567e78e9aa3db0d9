/**
 * Request validation: query strings and path params arrive as text, so they are coerced to the
 * schema's types ("10" → 10); JSON bodies are typed already, so they are checked strictly — a number
 * where a string belongs is a 400 naming the field, never silently converted.
 */
import { Ajv } from 'ajv';
import type { FastifyInstance } from 'fastify';

export function installValidation(app: FastifyInstance): void {
  const options = { removeAdditional: false, allErrors: false, useDefaults: true, strict: false } as const;
  const coercing = new Ajv({ ...options, coerceTypes: 'array' });
  const strict = new Ajv({ ...options, coerceTypes: false });
  app.setValidatorCompiler(({ schema, httpPart }) =>
    httpPart === 'body' ? strict.compile(schema) : coercing.compile(schema),
  );
}
