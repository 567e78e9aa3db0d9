/**
 * TF Serving's model status and metadata APIs against the real engine, and the error shape every
 * TF Serving route answers with (`{"error": "..."}`, status from the one code → status table).
 */
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlipwayError } from '../../../core/errors.js';
import { openInferenceEngine } from '../../../serving/engine.js';
import type { InferenceEngine } from '../../../serving/types.js';
import { tfServingApi } from './index.js';

const repository = fileURLToPath(new URL('../../../../test/fixtures/serving/repository', import.meta.url));

/** The engine with `infer` replaced, to provoke failures the fixtures cannot. */
function failingEngine(engine: InferenceEngine, err: unknown): InferenceEngine {
  return Object.create(engine, { infer: { value: () => Promise.reject(err) } });
}

describe('TF Serving API: model status, metadata and errors', () => {
  let engine: InferenceEngine;
  let app: FastifyInstance;

  beforeAll(async () => {
    engine = await openInferenceEngine({ repository, defaults: { instanceCount: 1 } });
    app = Fastify();
    await app.register(tfServingApi(engine));
  });
  afterAll(async () => {
    await app?.close();
    await engine?.close();
  });

  const get = (path: string) => app.inject({ method: 'GET', url: `/v1/models/${path}` });

  it('reports every version of a model in GetModelStatusResponse shape', async () => {
    const res = await get('logreg');
    expect(res.statusCode).toBe(200);
    const ok = { error_code: 'OK', error_message: '' };
    expect(res.json()).toEqual({
      model_version_status: [
        { version: '1', state: 'AVAILABLE', status: ok },
        { version: '2', state: 'AVAILABLE', status: ok },
      ],
    });
  });

  it('reports the one version a version or label names', async () => {
    expect((await get('logreg/versions/1')).json().model_version_status).toEqual([
      { version: '1', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } },
    ]);
    expect((await get('logreg/labels/canary')).json().model_version_status[0].version).toBe('2');
  });

  it('reports a version that failed to load as END with its reason', async () => {
    const [status] = (await get('broken')).json().model_version_status;
    expect(status).toMatchObject({ version: '1', state: 'END', status: { error_code: 'UNKNOWN' } });
    expect(status.status.error_message).toContain('failed to load');
  });

  it('describes the signature in GetModelMetadataResponse shape with TensorFlow dtypes', async () => {
    const res = await get('mymodel/metadata');
    expect(res.statusCode).toBe(200);
    const dims = (...sizes: string[]) => ({
      dim: sizes.map((size) => ({ size, name: '' })),
      unknown_rank: false,
    });
    expect(res.json()).toEqual({
      model_spec: { name: 'mymodel', signature_name: '', version: '1' },
      metadata: {
        signature_def: {
          signature_def: {
            serving_default: {
              inputs: { x: { dtype: 'DT_FLOAT', tensor_shape: dims('-1', '3'), name: 'x' } },
              outputs: { y: { dtype: 'DT_FLOAT', tensor_shape: dims('-1', '1'), name: 'y' } },
              method_name: 'tensorflow/serving/predict',
            },
          },
        },
      },
    });
  });

  it('maps every datatype to its TensorFlow dtype', async () => {
    const res = await get('dtypes/versions/1/metadata');
    const { inputs } = res.json().metadata.signature_def.signature_def.serving_default;
    const dtypes = Object.fromEntries(
      Object.entries(inputs).map(([k, v]) => [k, (v as { dtype: string }).dtype]),
    );
    expect(dtypes).toEqual({
      bool_in: 'DT_BOOL',
      uint8_in: 'DT_UINT8',
      uint16_in: 'DT_UINT16',
      uint32_in: 'DT_UINT32',
      uint64_in: 'DT_UINT64',
      int8_in: 'DT_INT8',
      int16_in: 'DT_INT16',
      int32_in: 'DT_INT32',
      int64_in: 'DT_INT64',
      fp16_in: 'DT_HALF',
      fp32_in: 'DT_FLOAT',
      fp64_in: 'DT_DOUBLE',
      bytes_in: 'DT_STRING',
    });
    expect((await get('logreg/labels/stable/metadata')).json().model_spec.version).toBe('1');
  });

  it('answers 404 in TF Serving shape for an unknown model or label', async () => {
    for (const path of ['nope', 'nope/metadata', 'logreg/labels/nope', 'logreg/versions/7/metadata']) {
      const res = await get(path);
      expect(res.statusCode, path).toBe(404);
      expect(typeof res.json().error, path).toBe('string');
    }
    expect((await get('nope')).json()).toEqual({ error: "Model 'nope' is not served here" });
  });

  it('answers 404 for URLs under /v1/models that are no endpoint', async () => {
    for (const [method, url] of [
      ['GET', '/v1/models/mymodel:predict'],
      ['POST', '/v1/models/mymodel'],
      ['POST', '/v1/models/mymodel:explain'],
      ['POST', '/v1/models/mymodel/metadata:predict'],
      ['GET', '/v1/models/mymodel/other/1'],
    ] as const) {
      const res = await app.inject({ method, url, payload: method === 'POST' ? {} : undefined });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error).toBe(`No endpoint ${method} ${url}`);
    }
  });

  it('answers 503 while the metadata of a model that failed to load is asked for', async () => {
    const res = await get('broken/versions/1/metadata');
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
  });

  it('answers 429 with Retry-After when the engine refuses for load', async () => {
    const busy = Fastify();
    await busy.register(
      tfServingApi(failingEngine(engine, new SlipwayError('REQUEST_LIMIT_EXCEEDED', 'queue is full'))),
    );
    const res = await busy.inject({
      method: 'POST',
      url: '/v1/models/mymodel:predict',
      payload: { instances: [[1, 2, 3]] },
    });
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.json()).toEqual({ error: 'queue is full' });
    await busy.close();
  });

  it('hides unexpected errors behind "internal error" and logs them', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const broken = Fastify({ logger: { level: 'error', stream } });
    await broken.register(tfServingApi(failingEngine(engine, new Error('secret stack detail'))));
    const res = await broken.inject({
      method: 'POST',
      url: '/v1/models/mymodel:predict',
      payload: { instances: [[1, 2, 3]] },
    });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: 'internal error' });
    expect(lines.join('')).toContain('secret stack detail');
    await broken.close();
  });

  it("keeps Fastify's body limit", async () => {
    const small = Fastify({ bodyLimit: 64 });
    await small.register(tfServingApi(engine));
    const res = await small.inject({
      method: 'POST',
      url: '/v1/models/mymodel:predict',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: JSON.stringify({ instances: Array.from({ length: 20 }, () => [1, 2, 3]) }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({ error: 'Request body is too large' });
    await small.close();
  });
});
