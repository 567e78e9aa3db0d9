/**
 * `POST /v2/models/{m}[/versions/{v}]/infer` — the hot route. It is benchmarked against an echo
 * server on the same Fastify, so it does no schema validation and builds its response directly:
 * one pass over the request (parseInferRequest), one engine call, one pass over the outputs.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { InferenceEngine, InferenceRequest } from '../../../serving/types.js';
import { clientGone, requestIdOf, stampModelVersion } from '../inference-request.js';
import { parseInferRequest } from './infer-request.js';
import { buildInferResponse } from './infer-response.js';
import { isVersionNumber } from './metadata.js';
import { type ModelRouteParams, modelPaths } from './model-routes.js';

/** The header carrying the JSON part's length in binary-extension bodies (lower case, as Node stores it). */
export const HEADER_LENGTH = 'inference-header-content-length';

export function inferRoutes(app: FastifyInstance, engine: InferenceEngine, bodyLimit?: number): void {
  const handler = async (req: FastifyRequest<{ Params: ModelRouteParams }>, reply: FastifyReply) => {
    const parsed = parseInferRequest(req.body, req.headers[HEADER_LENGTH]);
    const { model, version } = req.params;
    const request: InferenceRequest = {
      model,
      inputs: parsed.inputs,
      outputs: parsed.outputs,
      id: parsed.id ?? requestIdOf(req),
      isCancelled: clientGone(req),
    };
    // Digits name a version; anything else a label (`/versions/canary`), as in the metadata routes.
    if (version !== undefined) {
      if (isVersionNumber(version)) request.version = version;
      else request.label = version;
    }
    const result = await engine.infer(request);
    stampModelVersion(reply, result);
    const rendered = buildInferResponse(result, parsed);
    if (!rendered.binary) return rendered.body;
    reply.header('content-type', 'application/octet-stream');
    reply.header('Inference-Header-Content-Length', rendered.headerLength);
    return reply.send(rendered.body);
  };
  for (const url of modelPaths('/infer')) {
    // Inference only reads: a `read` token may call it when auth is on.
    app.route({
      method: 'POST',
      url,
      handler,
      config: { role: 'read' },
      ...(bodyLimit === undefined ? {} : { bodyLimit }),
    });
  }
}
