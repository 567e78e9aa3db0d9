/**
 * TorchServe's inference API over the inference engine: `POST /predictions/{model}[/{version}]`
 * answering the per-row predictions list a handler returns, and `GET /ping`. Errors render as
 * TorchServe's `{"code", "type", "message"}`.
 */
import type {
  FastifyError,
  FastifyInstance,
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
} from 'fastify';
import { type ErrorCode, httpStatusOf } from '../../../core/errors.js';
import type { InferenceEngine } from '../../../serving/types.js';
import { toSlipwayError } from '../../errors.js';
import { clientGone, requestIdOf, stampModelVersion } from '../inference-request.js';
import { servableVersion } from '../tf-serving/instances.js';
import { parseEveryBodyAsJson } from '../tf-serving/json-body.js';
import { rowPredictions } from '../tf-serving/predictions.js';
import { tensorsFromTorchServeBody } from './body.js';

type PredictionRoute = { Params: { model: string; version?: string }; Body: unknown };

/** TorchServe's exception class names, which its clients match on. */
function exceptionType(code: ErrorCode, status: number): string {
  if (code === 'RESOURCE_DOES_NOT_EXIST') return 'ModelNotFoundException';
  if (status === 429 || status === 503 || status === 504) return 'ServiceUnavailableException';
  if (status >= 500) return 'InternalServerException';
  return 'BadRequestException';
}

function renderError(err: FastifyError, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const e = toSlipwayError(err);
  const status = httpStatusOf(e.code);
  if (status >= 500) req.log.error({ err }, 'request failed');
  if (status === 429 || status === 503) reply.header('Retry-After', '1');
  // An internal error's message is for the log, not the client.
  const message = e.code === 'INTERNAL_ERROR' ? 'internal error' : e.message;
  return reply.status(status).send({ code: status, type: exceptionType(e.code, status), message });
}

/**
 * The TorchServe inference API as a Fastify plugin (its own body parser and error shape, in its scope).
 *
 * @example
 * await app.register(torchServeApi(engine));
 * // curl -d '[[1, 2, 3]]' localhost:8080/predictions/mymodel → [[14.5]]
 */
export function torchServeApi(engine: InferenceEngine): FastifyPluginAsync {
  return async (scope: FastifyInstance) => {
    parseEveryBodyAsJson(scope);
    scope.setErrorHandler(renderError);

    scope.get('/ping', async (_req, reply) => {
      const healthy = engine.isReady();
      return reply.status(healthy ? 200 : 503).send({ status: healthy ? 'Healthy' : 'Unhealthy' });
    });

    const predict = async (req: FastifyRequest<PredictionRoute>, reply: FastifyReply) => {
      const { model, version } = req.params;
      const servable = servableVersion(engine, model, version === undefined ? undefined : { version });
      const inputs = tensorsFromTorchServeBody(servable, req.body);
      const result = await engine.infer({
        model,
        version,
        inputs,
        id: requestIdOf(req),
        isCancelled: clientGone(req),
      });
      stampModelVersion(reply, result);
      return rowPredictions(result.outputs, 'text');
    };
    scope.post<PredictionRoute>('/predictions/:model', predict);
    scope.post<PredictionRoute>('/predictions/:model/:version', predict);
  };
}
