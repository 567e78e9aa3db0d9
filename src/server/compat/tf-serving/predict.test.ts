/**
 * TF Serving's predict API against the real engine over the fixture model repository: both request
 * formats, multi-input/multi-output models, every datatype, versions and labels, and the 400s
 * that name the offending JSON field.
 */
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openInferenceEngine } from '../../../serving/engine.js';
import type { InferenceEngine } from '../../../serving/types.js';
import { tfServingApi } from './index.js';

const repository = fileURLToPath(new URL('../../../../test/fixtures/serving/repository', import.meta.url));
const b64 = (s: string) => ({ b64: Buffer.from(s, 'utf8').toString('base64') });

/** One row per dtypes input, and what its Identity output gives back. */
const ROW: Record<string, unknown> = {
  bool: [true, false],
  uint8: [0, 255],
  uint16: [1, 65535],
  uint32: [2, 4294967295],
  uint64: [3, 2 ** 40],
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-5, 2147483647],
  int64: [-7, 2 ** 50],
  fp16: [0.5, -2],
  fp32: [1.5, -2.25],
  fp64: [0.1, 1e300],
};

describe('TF Serving API: predict', () => {
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

  const predict = (path: string, body: unknown) =>
    app.inject({ method: 'POST', url: `/v1/models/${path}:predict`, payload: body as object });

  it('answers the example of the TF Serving docs with predictions', async () => {
    const res = await predict('mymodel', { instances: [[1.0, 2.0, 3.0]] });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ predictions: [[14.5]] });
    expect(res.headers['x-model-name']).toBe('mymodel');
    expect(res.headers['x-model-version']).toBe('1');
  });

  it('parses the body as JSON whatever its Content-Type, or without one', async () => {
    const payload = '{"instances": [[1.0, 2.0, 3.0], [0, 0, 0]]}';
    for (const headers of [
      { 'content-type': 'application/x-www-form-urlencoded' },
      { 'content-type': 'text/plain' },
      {} as Record<string, string>,
    ]) {
      const res = await app.inject({ method: 'POST', url: '/v1/models/mymodel:predict', headers, payload });
      expect(res.json(), JSON.stringify(headers)).toEqual({ predictions: [[14.5], [0.5]] });
    }
  });

  it('answers the columnar format with outputs', async () => {
    const res = await predict('mymodel', { inputs: [[1, 2, 3]], signature_name: 'serving_default' });
    expect(res.json()).toEqual({ outputs: [[14.5]] });
    expect((await predict('mymodel', { inputs: { x: [[0, 0, 1]] } })).json()).toEqual({ outputs: [[3.5]] });
  });

  it('takes named instances for a multi-input model and answers one object per instance', async () => {
    const instance = (k: number) => ({
      ...Object.fromEntries(Object.entries(ROW).map(([t, v]) => [`${t}_in`, v])),
      bytes_in: [b64(`héllo ${k}`), `plain ${k}`],
    });
    const res = await predict('dtypes', { instances: [instance(0), instance(1)] });
    expect(res.statusCode, res.body).toBe(200);
    const { predictions } = res.json() as { predictions: Array<Record<string, unknown>> };
    expect(predictions).toHaveLength(2);
    expect(predictions[1]).toEqual({
      ...Object.fromEntries(Object.entries(ROW).map(([t, v]) => [`${t}_out`, v])),
      fp32_out: [1.5, -2.25],
      bytes_out: [b64('héllo 1'), b64('plain 1')],
    });
  });

  it('takes an object of named inputs in the columnar format and answers an object of outputs', async () => {
    const inputs = {
      ...Object.fromEntries(Object.entries(ROW).map(([t, v]) => [`${t}_in`, [v]])),
      bytes_in: [[b64('a'), b64('b')]],
    };
    const res = await predict('dtypes', { inputs });
    expect(res.statusCode, res.body).toBe(200);
    const { outputs } = res.json() as { outputs: Record<string, unknown> };
    expect(Object.keys(outputs)).toHaveLength(13);
    expect(outputs.int64_out).toEqual([[-7, 2 ** 50]]);
    expect(outputs.bytes_out).toEqual([[b64('a'), b64('b')]]);
  });

  it('serves the version or label the URL names', async () => {
    const input = { instances: [Array.from({ length: 20 }, (_, k) => k / 20)] };
    const v1 = await predict('logreg/versions/1', input);
    const v2 = await predict('logreg/versions/2', input);
    const stable = await predict('logreg/labels/stable', input);
    const canary = await predict('logreg/labels/canary', input);
    const latest = await predict('logreg', input);
    expect([v1, v2, stable, canary, latest].map((r) => r.headers['x-model-version'])).toEqual([
      '1',
      '2',
      '1',
      '2',
      '2',
    ]);
    expect(stable.json()).toEqual(v1.json());
    expect(canary.json()).toEqual(v2.json());
    expect(v1.json()).not.toEqual(v2.json());
  });

  it('sends the instances of a model without a batch dimension as its input', async () => {
    const res = await predict('fixed', {
      instances: [
        [1, 2],
        [3, 4],
      ],
    });
    expect(res.json()).toEqual({
      predictions: [
        [2, 4],
        [6, 8],
      ],
    });
  });

  it('names the field, what was expected and what came, for a value of the wrong type', async () => {
    const res = await predict('mymodel', {
      instances: [
        [1, 2, 3],
        [4, 'five', 6],
      ],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: "Invalid value for 'instances[1][1]': expected a value of type FP32, got 'five'",
    });
  });

  it('names the instance of a ragged list', async () => {
    const res = await predict('mymodel', {
      instances: [
        [1, 2, 3],
        [4, 5],
      ],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe(
      "Invalid value for 'instances[1]': expected an array of 3, like the first, got an array of 2",
    );
  });

  it('names an unknown and a missing input of a multi-input model', async () => {
    const unknown = await predict('dtypes', { inputs: { fp32_in: [[1, 2]], nope: [[1, 2]] } });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error).toMatch(
      /^Invalid value for 'inputs\.nope': expected one of the model's inputs/,
    );
    const missing = await predict('dtypes', { instances: [{ fp32_in: [1, 2] }] });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error).toBe(
      "Invalid value for 'instances[0].bool_in': expected BOOL [-1,2], got nothing",
    );
  });

  it('relays the shape the model expects when the instances have another', async () => {
    const res = await predict('mymodel', { instances: [[1, 2, 3, 4]] });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toContain("'x'");
    expect(res.json().error).toContain('FP32 [-1,3]');
  });

  it('refuses bodies without instances or inputs, with both, or with another signature', async () => {
    const cases: Array<[unknown, string]> = [
      [{}, "'instances'"],
      [{ instances: [[1, 2, 3]], inputs: [[1, 2, 3]] }, "'inputs'"],
      [{ instances: [[1, 2, 3]], signature_name: 'predict_images' }, "'signature_name'"],
      [[[1, 2, 3]], "'body'"],
    ];
    for (const [body, field] of cases) {
      const res = await predict('mymodel', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error).toContain(field);
    }
  });

  it('refuses a body that is not JSON with 400', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/models/mymodel:predict',
      payload: '{"instances": [',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: 'Request body is not valid JSON: expected a JSON object' });
  });

  it('answers 404 for an unknown model, version or label', async () => {
    for (const path of ['nope', 'logreg/versions/9', 'logreg/labels/nope']) {
      const res = await predict(path, { instances: [[1, 2, 3]] });
      expect(res.statusCode, path).toBe(404);
      expect(Object.keys(res.json())).toEqual(['error']);
    }
  });

  it('answers 503 with Retry-After for a model that failed to load', async () => {
    const res = await predict('broken/versions/1', { instances: [[1]] });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.json().error).toContain('failed to load');
  });

  it('answers 400 for classify and regress, which need tf.Example inputs', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/models/mymodel:classify',
      payload: { examples: [] },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toContain('not supported for ONNX models');
  });
  it("answers with the request id the log records: the caller's X-Request-Id, or one made up", async () => {
    const given = await app.inject({
      method: 'POST',
      url: '/v1/models/mymodel:predict',
      headers: { 'x-request-id': 'order-1234' },
      payload: { instances: [[1, 2, 3]] },
    });
    expect(given.statusCode).toBe(200);
    expect(given.headers['x-request-id']).toBe('order-1234');
    const made = await predict('mymodel', { instances: [[1, 2, 3]] });
    const a = made.headers['x-request-id'];
    const b = (await predict('mymodel', { instances: [[1, 2, 3]] })).headers['x-request-id'];
    expect(typeof a).toBe('string');
    expect(a).not.toBe(b);
  });

  it('refuses an X-Request-Id that is too long or not printable, naming the header', async () => {
    for (const id of ['x'.repeat(257), 'has space']) {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/models/mymodel:predict',
        headers: { 'x-request-id': id },
        payload: { instances: [[1, 2, 3]] },
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toContain('x-request-id');
    }
  });
});
