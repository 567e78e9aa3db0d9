/**
 * TorchServe's inference API against the real engine over the fixture model repository: the body
 * shapes TorchServe clients send, versions, /ping, and TorchServe's error shape.
 */
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlipwayError } from '../../../core/errors.js';
import { openInferenceEngine } from '../../../serving/engine.js';
import type { InferenceEngine } from '../../../serving/types.js';
import { torchServeApi } from './index.js';

const repository = fileURLToPath(new URL('../../../../test/fixtures/serving/repository', import.meta.url));

/** The engine with one method replaced, to provoke states the fixtures cannot. */
function withMethod(engine: InferenceEngine, name: keyof InferenceEngine, value: unknown): InferenceEngine {
  return Object.create(engine, { [name]: { value } });
}

describe('TorchServe API', () => {
  let engine: InferenceEngine;
  let app: FastifyInstance;

  beforeAll(async () => {
    engine = await openInferenceEngine({
      repository,
      models: ['mymodel', 'logreg', 'dtypes', 'fixed'],
      defaults: { instanceCount: 1 },
    });
    app = Fastify();
    await app.register(torchServeApi(engine));
  });
  afterAll(async () => {
    await app?.close();
    await engine?.close();
  });

  const predict = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: `/predictions/${path}`, payload: JSON.stringify(body), headers });

  it('answers a list of rows with one prediction per row', async () => {
    const res = await predict('mymodel', [
      [1, 2, 3],
      [0, 0, 0],
    ]);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual([[14.5], [0.5]]);
    expect(res.headers['x-model-name']).toBe('mymodel');
    expect(res.headers['x-model-version']).toBe('1');
  });

  it('reads every body shape TorchServe clients send, whatever the Content-Type', async () => {
    const headers = { 'content-type': 'application/x-www-form-urlencoded' };
    for (const body of [[1, 2, 3], { data: [1, 2, 3] }, { data: [[1, 2, 3]] }, { instances: [[1, 2, 3]] }]) {
      const res = await predict('mymodel', body, headers);
      expect(res.json(), JSON.stringify(body)).toEqual([[14.5]]);
    }
  });

  it('answers a named row of a multi-output model with an object per row, BYTES as text', async () => {
    const row = {
      bool_in: [true, false],
      uint8_in: [1, 2],
      uint16_in: [1, 2],
      uint32_in: [1, 2],
      uint64_in: [1, 2],
      int8_in: [-1, 2],
      int16_in: [-1, 2],
      int32_in: [-1, 2],
      int64_in: [-1, 2],
      fp16_in: [0.5, 2],
      fp32_in: [0.25, 2],
      fp64_in: [0.1, 2],
      bytes_in: ['héllo', { b64: Buffer.from('wörld').toString('base64') }],
    };
    const res = await predict('dtypes', row);
    expect(res.statusCode, res.body).toBe(200);
    const [prediction] = res.json();
    expect(prediction.bytes_out).toEqual(['héllo', 'wörld']);
    expect(prediction.fp64_out).toEqual([0.1, 2]);
    expect(prediction.bool_out).toEqual([true, false]);
    expect(Object.keys(prediction)).toHaveLength(13);
  });

  it('serves the version the URL names', async () => {
    const row = Array.from({ length: 20 }, (_, k) => k / 10);
    const v1 = await predict('logreg/1', [row]);
    const v2 = await predict('logreg/2', [row]);
    expect(v1.headers['x-model-version']).toBe('1');
    expect(v2.headers['x-model-version']).toBe('2');
    expect(v1.json()).not.toEqual(v2.json());
    expect((await predict('logreg', [row])).json()).toEqual(v2.json());
  });

  it('passes the body of a model without a batch dimension as its input', async () => {
    expect(
      (
        await predict('fixed', [
          [1, 2],
          [3, 4],
        ])
      ).json(),
    ).toEqual([
      [2, 4],
      [6, 8],
    ]);
  });

  it('answers bad input with a BadRequestException naming the field', async () => {
    const res = await predict('mymodel', {
      data: [
        [1, 2, 3],
        [4, null, 6],
      ],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      code: 400,
      type: 'BadRequestException',
      message: "Invalid value for 'data[1][1]': expected a value of type FP32, got null",
    });
    const json = await app.inject({ method: 'POST', url: '/predictions/mymodel', payload: '[[1, 2' });
    expect(json.json()).toMatchObject({ code: 400, type: 'BadRequestException' });
  });

  it('answers an unknown model or version with a ModelNotFoundException', async () => {
    for (const path of ['nope', 'logreg/9']) {
      const res = await predict(path, [[1, 2, 3]]);
      expect(res.statusCode, path).toBe(404);
      expect(res.json()).toMatchObject({ code: 404, type: 'ModelNotFoundException' });
    }
  });

  it('answers an overloaded engine with a ServiceUnavailableException and Retry-After', async () => {
    const busy = Fastify();
    const err = new SlipwayError('TEMPORARILY_UNAVAILABLE', 'draining');
    await busy.register(torchServeApi(withMethod(engine, 'infer', () => Promise.reject(err))));
    const res = await busy.inject({ method: 'POST', url: '/predictions/mymodel', payload: [[1, 2, 3]] });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.json()).toEqual({ code: 503, type: 'ServiceUnavailableException', message: 'draining' });
    await busy.close();
  });

  it('answers an unexpected error with an InternalServerException that hides it', async () => {
    const broken = Fastify();
    await broken.register(
      torchServeApi(withMethod(engine, 'infer', () => Promise.reject(new Error('secret')))),
    );
    const res = await broken.inject({ method: 'POST', url: '/predictions/mymodel', payload: [[1, 2, 3]] });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ code: 500, type: 'InternalServerException', message: 'internal error' });
    await broken.close();
  });

  it('answers /ping with Healthy, or 503 Unhealthy when the engine is not ready', async () => {
    const ok = await app.inject({ method: 'GET', url: '/ping' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ status: 'Healthy' });
    const sick = Fastify();
    await sick.register(torchServeApi(withMethod(engine, 'isReady', () => false)));
    const res = await sick.inject({ method: 'GET', url: '/ping' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'Unhealthy' });
    await sick.close();
  });
});
