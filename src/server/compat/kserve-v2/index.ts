/**
 * The KServe V2 / Open Inference Protocol adapter — what Triton and KServe clients speak — with
 * Triton's binary tensor, model repository and model configuration extensions. Registered at the root
 * (paths start with /v2); errors render as `{"error": "<message>"}`.
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { SlipwayError } from '../../../core/errors.js';
import type { InferenceEngine } from '../../../serving/types.js';
import { installV2Errors } from './errors.js';
import { HEADER_LENGTH, inferRoutes } from './infer-route.js';
import { modelRoutes } from './model-routes.js';
import { repositoryRoutes } from './repository-routes.js';

export interface KserveV2Options {
  /** Reported by `GET /v2` (default '0.1.0'; pass the package version). */
  version?: string;
  /** Body limit for infer requests in bytes (default: the app's bodyLimit); binary tensors can be large. */
  bodyLimit?: number;
}

type Done = (err: Error | null, body?: unknown) => void;

/**
 * Body parsing for the V2 scope. Binary-extension bodies (header `Inference-Header-Content-Length`)
 * must reach the handler as raw bytes whatever content type the client sent: Triton's clients send
 * application/octet-stream or none at all, and a UTF-8 decode would corrupt the tensor bytes. Other
 * bodies are JSON whatever their content type, as Triton treats them (`curl -d` sends form-urlencoded).
 */
function installParsers(scope: FastifyInstance): void {
  const { onProtoPoisoning = 'error', onConstructorPoisoning = 'error' } = scope.initialConfig;
  const json = scope.getDefaultJsonParser(onProtoPoisoning, onConstructorPoisoning);
  scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body: Buffer, done: Done) => {
    if (req.headers[HEADER_LENGTH] !== undefined) done(null, body);
    // An empty JSON body means "no options" on the repository routes; infer reports the missing inputs.
    else if (body.length === 0) done(null, undefined);
    else json(req, body.toString('utf8'), done);
  });
  const raw = (_req: FastifyRequest, body: Buffer, done: Done) =>
    done(null, body.length === 0 ? undefined : body);
  scope.addContentTypeParser('text/plain', { parseAs: 'buffer' }, raw);
  scope.addContentTypeParser('*', { parseAs: 'buffer' }, raw);
}

/**
 * The V2 API as a Fastify plugin over the serving engine.
 *
 * @example
 * const app = Fastify();
 * await app.register(kserveV2Api(await openInferenceEngine({ repository: './models' })));
 * // POST /v2/models/mymodel/infer {"inputs":[{"name":"x","datatype":"FP32","shape":[1,3],"data":[1,2,3]}]}
 */
export function kserveV2Api(engine: InferenceEngine, opts: KserveV2Options = {}): FastifyPluginAsync {
  return async (app) => {
    // An inner scope, so the parsers and error handler apply to these routes only, even if the
    // caller registers this plugin with fastify-plugin semantics.
    await app.register(async (scope) => {
      installV2Errors(scope);
      installParsers(scope);
      modelRoutes(scope, engine, opts.version ?? '0.1.0');
      inferRoutes(scope, engine, opts.bodyLimit);
      repositoryRoutes(scope, engine);
      // Unknown /v2 paths answer in the V2 error shape rather than the app's native one.
      scope.all('/v2/*', async (req) => {
        throw new SlipwayError(
          'RESOURCE_DOES_NOT_EXIST',
          `No endpoint ${req.method} ${req.url.split('?')[0]}`,
        );
      });
    });
  };
}
