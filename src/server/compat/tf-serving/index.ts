/**
 * TensorFlow Serving's REST API (https://www.tensorflow.org/tfx/serving/api_rest) over the
 * inference engine: predict in the row and columnar formats, model status and metadata, with
 * versions and labels (registry aliases). Errors render as TF Serving's `{"error": "..."}`.
 */
import type {
  FastifyError,
  FastifyInstance,
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
} from 'fastify';
import { httpStatusOf, invalidParameter, SlipwayError } from '../../../core/errors.js';
import type { InferenceEngine, Tensor } from '../../../serving/types.js';
import { toSlipwayError } from '../../errors.js';
import { clientGone, requestIdOf, stampModelVersion } from '../inference-request.js';
import { servableVersion, tensorsFromColumns, tensorsFromInstances } from './instances.js';
import { parseEveryBodyAsJson } from './json-body.js';
import { type ModelPath, parseModelPath } from './path.js';
import { columnOutputs, rowPredictions } from './predictions.js';
import { modelMetadataJson, modelStatusJson } from './status.js';

type ModelRoute = { Params: { '*': string } };

interface PredictBody {
  signature_name?: unknown;
  instances?: unknown;
  inputs?: unknown;
}

function renderError(err: FastifyError, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const e = toSlipwayError(err);
  const status = httpStatusOf(e.code);
  if (status >= 500) req.log.error({ err }, 'request failed');
  if (status === 429 || status === 503) reply.header('Retry-After', '1');
  // An internal error's message is for the log, not the client.
  const message = e.code === 'INTERNAL_ERROR' ? 'internal error' : e.message;
  return reply.status(status).send({ error: message });
}

function noEndpoint(req: FastifyRequest): SlipwayError {
  return new SlipwayError('RESOURCE_DOES_NOT_EXIST', `No endpoint ${req.method} ${req.url.split('?')[0]}`);
}

function refOf(path: ModelPath): { version?: string; label?: string } | undefined {
  if (path.version !== undefined) return { version: path.version };
  if (path.label !== undefined) return { label: path.label };
  return undefined;
}

/** `GET /v1/models/{name}[/versions/{v}|/labels/{l}][/metadata]` */
function describeModel(engine: InferenceEngine, path: ModelPath): object {
  const ref = refOf(path);
  if (path.metadata) return modelMetadataJson(servableVersion(engine, path.name, ref));
  // TF Serving lists every version when the URL names none.
  const versions = ref ? [engine.getVersion(path.name, ref)] : engine.getModel(path.name).versions;
  return modelStatusJson(versions);
}

/** `POST /v1/models/{name}[/versions/{v}|/labels/{l}]:predict` */
async function predict(
  engine: InferenceEngine,
  path: ModelPath,
  body: PredictBody,
  reply: FastifyReply,
): Promise<object> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidParameter('body', 'a JSON object with "instances" or "inputs"', body);
  }
  const sig = body.signature_name;
  if (sig !== undefined && sig !== '' && sig !== 'serving_default') {
    throw invalidParameter('signature_name', "'serving_default' (an ONNX model has one signature)", sig);
  }
  const { signature } = servableVersion(engine, path.name, refOf(path));
  const rows = body.instances !== undefined;
  let inputs: Tensor[];
  if (rows) {
    if (body.inputs !== undefined) {
      throw invalidParameter(
        'inputs',
        'either "instances" (rows) or "inputs" (columns), not both',
        body.inputs,
      );
    }
    inputs = tensorsFromInstances(signature, body.instances);
  } else if (body.inputs !== undefined) {
    inputs = tensorsFromColumns(signature, body.inputs);
  } else {
    throw invalidParameter('instances', 'a list of instances (or "inputs", the columnar format)', undefined);
  }
  const result = await engine.infer({
    model: path.name,
    version: path.version,
    label: path.label,
    inputs,
    id: requestIdOf(reply.request),
    isCancelled: clientGone(reply.request),
  });
  stampModelVersion(reply, result);
  return rows
    ? { predictions: rowPredictions(result.outputs, 'b64') }
    : { outputs: columnOutputs(result.outputs, 'b64') };
}

/**
 * The TF Serving REST API as a Fastify plugin (its own body parser and error shape, in its scope).
 *
 * @example
 * await app.register(tfServingApi(engine));
 * // curl -d '{"instances": [[1.0, 2.0, 3.0]]}' localhost:8501/v1/models/mymodel:predict
 */
export function tfServingApi(engine: InferenceEngine): FastifyPluginAsync {
  return async (scope: FastifyInstance) => {
    parseEveryBodyAsJson(scope);
    scope.setErrorHandler(renderError);
    scope.get<ModelRoute>('/v1/models/*', async (req) => {
      const path = parseModelPath(req.params['*']);
      if (!path || path.verb !== undefined) throw noEndpoint(req);
      return describeModel(engine, path);
    });
    scope.post<ModelRoute & { Body: PredictBody }>('/v1/models/*', async (req, reply) => {
      const path = parseModelPath(req.params['*']);
      if (!path || path.metadata) throw noEndpoint(req);
      if (path.verb === 'predict') return predict(engine, path, req.body, reply);
      if (path.verb === 'classify' || path.verb === 'regress') {
        throw new SlipwayError(
          'BAD_REQUEST',
          `:${path.verb} is not supported for ONNX models (it needs tf.Example inputs); use :predict`,
        );
      }
      throw noEndpoint(req);
    });
  };
}
