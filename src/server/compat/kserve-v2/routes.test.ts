import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openInferenceEngine } from '../../../serving/engine.js';
import type { InferenceEngine } from '../../../serving/types.js';
import { kserveV2Api } from './index.js';

const REPOSITORY = 'test/fixtures/serving/repository';

let engine: InferenceEngine;
let app: FastifyInstance;

beforeAll(async () => {
  // `broken` is left out at start so the server is ready; the repository tests load it.
  engine = await openInferenceEngine({
    repository: REPOSITORY,
    models: ['mlp', 'logreg', 'mymodel', 'dtypes', 'fixed'],
    defaults: { instanceCount: 1 },
  });
  app = Fastify();
  await app.register(kserveV2Api(engine, { version: '9.9.9' }));
});

afterAll(async () => {
  await app?.close();
  await engine?.close();
});

const post = (url: string, payload: unknown) =>
  app.inject({ method: 'POST', url, payload: payload as object });
const mymodel = (data: unknown, shape = [1, 3], datatype = 'FP32') => ({
  inputs: [{ name: 'x', datatype, shape, data }],
});

describe('health and metadata', () => {
  it('reports the server live and ready', async () => {
    expect((await app.inject('/v2/health/live')).json()).toEqual({ live: true });
    const ready = await app.inject('/v2/health/ready');
    expect([ready.statusCode, ready.json()]).toEqual([200, { ready: true }]);
  });

  it('names the server, its version and the extensions it implements', async () => {
    const res = await app.inject('/v2');
    expect(res.json()).toMatchObject({ name: 'slipway', version: '9.9.9' });
    expect(res.json().extensions).toEqual(expect.arrayContaining(['binary_tensor_data', 'model_repository']));
  });

  it('describes a model with its versions, platform, tensors and execution provider', async () => {
    const res = await app.inject('/v2/models/logreg');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      name: 'logreg',
      versions: ['1', '2'],
      platform: 'onnxruntime_onnx',
      inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 20] }],
      outputs: [{ name: 'probability', datatype: 'FP32', shape: [-1, 1] }],
      execution_provider: 'cpu',
    });
    expect((await app.inject('/v2/models/logreg/versions/1')).statusCode).toBe(200);
  });

  it('answers 404 in the V2 error shape for an unknown model or version', async () => {
    for (const url of ['/v2/models/nope', '/v2/models/logreg/versions/9', '/v2/models/nope/ready']) {
      const res = await app.inject(url);
      expect(res.statusCode).toBe(404);
      expect(Object.keys(res.json())).toEqual(['error']);
    }
    expect((await app.inject('/v2/models/logreg/versions/9')).json().error).toContain('9');
  });

  it('reports a model and a version ready', async () => {
    const res = await app.inject('/v2/models/mymodel/ready');
    expect([res.statusCode, res.json()]).toEqual([200, { name: 'mymodel', ready: true }]);
    expect((await app.inject('/v2/models/logreg/versions/1/ready')).statusCode).toBe(200);
  });

  it("serves Triton's model configuration, without the batch dimension in dims", async () => {
    const res = await app.inject('/v2/models/mlp/config');
    expect(res.json()).toMatchObject({
      name: 'mlp',
      platform: 'onnxruntime_onnx',
      max_batch_size: 256,
      input: [{ name: 'x', data_type: 'TYPE_FP32', dims: [64] }],
      output: [{ name: 'logits', data_type: 'TYPE_FP32', dims: [10] }],
    });
    expect((await app.inject('/v2/models/fixed/config')).json()).toMatchObject({
      max_batch_size: 0,
      input: [{ dims: [2, 2] }],
    });
  });

  it('answers unknown /v2 paths with 404 in the V2 error shape', async () => {
    const res = await app.inject('/v2/nothing/here');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'No endpoint GET /v2/nothing/here' });
  });
});

describe('JSON inference', () => {
  it('runs a model on flat data and names the version that answered', async () => {
    const res = await post('/v2/models/mymodel/infer', { id: 'req-1', ...mymodel([1, 2, 3]) });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-model-version']).toBe('1');
    expect(res.json()).toEqual({
      model_name: 'mymodel',
      model_version: '1',
      id: 'req-1',
      outputs: [{ name: 'y', datatype: 'FP32', shape: [1, 1], data: [14.5] }],
    });
  });

  it('gives the same answer for nested and flat data', async () => {
    const flat = await post('/v2/models/mymodel/infer', mymodel([1, 2, 3, 0, 0, 1], [2, 3]));
    const nested = await post(
      '/v2/models/mymodel/infer',
      mymodel(
        [
          [1, 2, 3],
          [0, 0, 1],
        ],
        [2, 3],
      ),
    );
    expect(flat.json().outputs).toEqual([{ name: 'y', datatype: 'FP32', shape: [2, 1], data: [14.5, 3.5] }]);
    expect(nested.json().outputs).toEqual(flat.json().outputs);
  });

  it('routes a version path, and a label path, to that version', async () => {
    const input = {
      inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 20], data: new Array(20).fill(1) }],
    };
    const v1 = await post('/v2/models/logreg/versions/1/infer', input);
    const v2 = await post('/v2/models/logreg/versions/2/infer', input);
    const canary = await post('/v2/models/logreg/versions/canary/infer', input);
    expect([v1.json().model_version, v2.json().model_version, canary.json().model_version]).toEqual([
      '1',
      '2',
      '2',
    ]);
    expect(v1.json().outputs[0].data).not.toEqual(v2.json().outputs[0].data);
    expect(canary.json().outputs).toEqual(v2.json().outputs);
  });

  it('runs a model without a batch dimension', async () => {
    const res = await post('/v2/models/fixed/infer', mymodel([1, 2, 3, 4], [2, 2]));
    expect(res.json().outputs[0]).toEqual({ name: 'y', datatype: 'FP32', shape: [2, 2], data: [2, 4, 6, 8] });
  });

  it('accepts JSON sent without a JSON content type, as Triton does', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v2/models/mymodel/infer',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: JSON.stringify(mymodel([1, 2, 3])),
    });
    expect(res.json().outputs[0].data).toEqual([14.5]);
  });

  it.each([
    ['a wrong datatype', mymodel([1, 2, 3], [1, 3], 'FP64'), "'x'"],
    ['a wrong shape', mymodel([1, 2, 3, 4], [1, 4]), "'x'"],
    ['a missing input', { inputs: [{ name: 'z', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3] }] }, "'z'"],
    ['too few values for the shape', mymodel([1, 2], [1, 3]), "'inputs[0].data'"],
    ['a value of the wrong type', mymodel([1, 'a', 3]), "'inputs[0].data[1]'"],
    ['an unknown requested output', { ...mymodel([1, 2, 3]), outputs: [{ name: 'nope' }] }, "'nope'"],
  ])('answers 400 naming the input or field for %s', async (_what, body, named) => {
    const res = await post('/v2/models/mymodel/infer', body);
    expect(res.statusCode).toBe(400);
    expect(Object.keys(res.json())).toEqual(['error']);
    expect(res.json().error).toContain(named);
  });

  it('answers 404 for inference on an unknown model or version', async () => {
    expect((await post('/v2/models/nope/infer', mymodel([1, 2, 3]))).statusCode).toBe(404);
    expect((await post('/v2/models/mymodel/versions/7/infer', mymodel([1, 2, 3]))).statusCode).toBe(404);
  });

  it('answers 400 with the parser message for malformed JSON', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v2/models/mymodel/infer',
      headers: { 'content-type': 'application/json' },
      payload: '{"inputs": [',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatch(/JSON/);
  });

  it('answers 413 when the body is larger than the limit', async () => {
    const small = Fastify();
    await small.register(kserveV2Api(engine, { bodyLimit: 100 }));
    const res = await small.inject({
      method: 'POST',
      url: '/v2/models/mymodel/infer',
      payload: mymodel(new Array(300).fill(1), [100, 3]),
    });
    expect(res.statusCode).toBe(413);
    expect(Object.keys(res.json())).toEqual(['error']);
    await small.close();
  });
});
