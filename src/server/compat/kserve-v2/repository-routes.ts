/**
 * Triton's model repository extension: list what the engine could serve, load (or reload — the engine
 * swaps atomically after warmup) and unload models by name.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { invalidParameter } from '../../../core/errors.js';
import type { InferenceEngine } from '../../../serving/types.js';
import { repositoryIndex } from './metadata.js';

type NamedRequest = FastifyRequest<{ Params: { model: string } }>;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The body is optional everywhere here; when present it must be a JSON object. */
function bodyObject(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (Buffer.isBuffer(body) || typeof body === 'string') {
    const text = body.toString().trim();
    if (text === '') return {};
    try {
      return bodyObject(JSON.parse(text));
    } catch (err) {
      if (err instanceof SyntaxError) throw invalidParameter('body', 'a JSON object', 'malformed JSON');
      throw err;
    }
  }
  if (!isObject(body)) throw invalidParameter('body', 'a JSON object', body);
  return body;
}

export function repositoryRoutes(app: FastifyInstance, engine: InferenceEngine): void {
  // Listing only reads; load and unload keep the default `write` role of a POST.
  app.post('/v2/repository/index', { config: { role: 'read' } }, async (req) => {
    const ready = bodyObject(req.body).ready;
    if (ready !== undefined && typeof ready !== 'boolean')
      throw invalidParameter('ready', 'a boolean', ready);
    return repositoryIndex(engine, ready === true);
  });

  app.post('/v2/repository/models/:model/load', async (req: NamedRequest) => {
    const params = bodyObject(req.body).parameters;
    // Triton lets a load override the config or the model file; the engine loads from its own source
    // only, so an override is refused rather than silently ignored.
    if (params !== undefined) {
      if (!isObject(params)) throw invalidParameter('parameters', 'an object', params);
      const keys = Object.keys(params);
      if (keys.length > 0) {
        throw invalidParameter(
          `parameters.${keys[0]}`,
          'no load parameters (overrides are not supported)',
          keys[0],
        );
      }
    }
    await engine.load(req.params.model);
    return {};
  });

  app.post('/v2/repository/models/:model/unload', async (req: NamedRequest) => {
    // `unload_dependents` only matters for ensembles, which the engine does not have: accepted, no effect.
    const params = bodyObject(req.body).parameters;
    if (params !== undefined && !isObject(params)) throw invalidParameter('parameters', 'an object', params);
    await engine.unload(req.params.model);
    return {};
  });
}
