/**
 * (a) The transport ceiling: Fastify (the product's HTTP stack) parsing the same JSON body with its
 * default parser and answering a fixed response of the shape Slipway would send, without any model.
 *
 *   node --import tsx bench/serving/echo-server.ts PORT
 *
 * Routes: GET /healthz; POST /echo/{tf|v2}/{mlp|logreg}/{rows}.
 */
import Fastify from 'fastify';
import { features, LOGREG, MLP, type ModelShape } from './payloads.js';

const MODELS: Record<string, ModelShape> = { mlp: MLP, logreg: LOGREG };

/** The response objects are built once; Fastify still serializes them per request, as Slipway must. */
const responses = new Map<string, unknown>();

function responseFor(protocol: string, model: ModelShape, rows: number): unknown {
  const out = features(rows, model.outWidth);
  if (protocol === 'v2') {
    return {
      model_name: model.name,
      model_version: '1',
      outputs: [
        { name: model.output, datatype: 'FP32', shape: [rows, model.outWidth], data: Array.from(out) },
      ],
    };
  }
  const predictions: number[][] = [];
  for (let i = 0; i < out.length; i += model.outWidth)
    predictions.push(Array.from(out.subarray(i, i + model.outWidth)));
  return { predictions };
}

const app = Fastify({ logger: false, bodyLimit: 64 * 1024 * 1024 });
app.get('/healthz', async () => ({ status: 'ok' }));
app.post<{ Params: { protocol: string; model: string; rows: string } }>(
  '/echo/:protocol/:model/:rows',
  async (req, reply) => {
    const { protocol, model, rows } = req.params;
    const key = `${protocol}/${model}/${rows}`;
    let body = responses.get(key);
    if (body === undefined) {
      const shape = MODELS[model];
      if (!shape || (protocol !== 'tf' && protocol !== 'v2')) return reply.status(404).send({ error: key });
      body = responseFor(protocol, shape, Number(rows));
      responses.set(key, body);
    }
    // The body must have been parsed (the point of the ceiling); touching it keeps that honest.
    if (typeof req.body !== 'object' || req.body === null)
      return reply.status(400).send({ error: 'no body' });
    return body;
  },
);

await app.listen({ host: '127.0.0.1', port: Number(process.argv[2]) });
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
