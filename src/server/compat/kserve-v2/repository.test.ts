import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openInferenceEngine } from '../../../serving/engine.js';
import type { InferenceEngine } from '../../../serving/types.js';
import { kserveV2Api } from './index.js';

let engine: InferenceEngine;
let app: FastifyInstance;

beforeAll(async () => {
  engine = await openInferenceEngine({
    repository: 'test/fixtures/serving/repository',
    models: ['mymodel', 'fixed'],
    defaults: { instanceCount: 1 },
  });
  app = Fastify();
  await app.register(kserveV2Api(engine));
});

afterAll(async () => {
  await app?.close();
  await engine?.close();
});

const post = (url: string, payload?: unknown) =>
  app.inject({ method: 'POST', url, ...(payload === undefined ? {} : { payload: payload as object }) });
const fixedInput = { inputs: [{ name: 'x', datatype: 'FP32', shape: [2, 2], data: [1, 2, 3, 4] }] };

describe('the model repository extension', () => {
  it('lists every model, loaded or not, in Triton states', async () => {
    const res = await post('/v2/repository/index');
    expect(res.statusCode).toBe(200);
    const byName = new Map(res.json().map((e: { name: string }) => [e.name, e]));
    expect(byName.get('mymodel')).toEqual({ name: 'mymodel', version: '1', state: 'READY' });
    expect(byName.get('mlp')).toEqual({ name: 'mlp', state: 'UNAVAILABLE', reason: 'unloaded' });
    expect([...byName.keys()].sort()).toEqual(['broken', 'dtypes', 'fixed', 'logreg', 'mlp', 'mymodel']);
  });

  it('lists only ready models when asked, with or without a JSON content type', async () => {
    const res = await post('/v2/repository/index', { ready: true });
    expect(
      res
        .json()
        .map((e: { name: string }) => e.name)
        .sort(),
    ).toEqual(['fixed', 'mymodel']);
    const empty = await app.inject({
      method: 'POST',
      url: '/v2/repository/index',
      headers: { 'content-type': 'application/json' },
      payload: '',
    });
    expect(empty.statusCode).toBe(200);
    expect((await post('/v2/repository/index', { ready: 'yes' })).statusCode).toBe(400);
  });

  it('unloads a model, which then answers 404, and loads it back', async () => {
    expect((await post('/v2/repository/models/fixed/unload')).json()).toEqual({});
    expect((await app.inject('/v2/models/fixed/ready')).statusCode).toBe(404);
    expect((await post('/v2/models/fixed/infer', fixedInput)).statusCode).toBe(404);

    const load = await post('/v2/repository/models/fixed/load', {});
    expect([load.statusCode, load.json()]).toEqual([200, {}]);
    expect((await app.inject('/v2/models/fixed/ready')).statusCode).toBe(200);
    expect((await post('/v2/models/fixed/infer', fixedInput)).json().outputs[0].data).toEqual([2, 4, 6, 8]);
  });

  it('reloads a loaded model in place', async () => {
    expect((await post('/v2/repository/models/mymodel/load')).statusCode).toBe(200);
    const res = await post('/v2/models/mymodel/infer', {
      inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3] }],
    });
    expect(res.json().outputs[0].data).toEqual([14.5]);
  });

  it('refuses load-time config overrides rather than ignoring them', async () => {
    const res = await post('/v2/repository/models/mymodel/load', { parameters: { config: '{}' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toContain('parameters.config');
  });

  it('answers 404 for loading or unloading an unknown model', async () => {
    expect((await post('/v2/repository/models/nope/load')).statusCode).toBe(404);
    expect((await post('/v2/repository/models/nope/unload')).statusCode).toBe(404);
  });

  it('reports a model that fails to load, and the server as not ready', async () => {
    const load = await post('/v2/repository/models/broken/load');
    expect(load.statusCode).toBe(400);
    expect(load.json().error).toContain('failed to load');

    const index = await post('/v2/repository/index');
    const broken = index.json().find((e: { name: string }) => e.name === 'broken');
    expect(broken).toMatchObject({ name: 'broken', version: '1', state: 'UNAVAILABLE' });
    expect(broken.reason).toContain('failed to load');

    const ready = await app.inject('/v2/models/broken/ready');
    expect([ready.statusCode, ready.json()]).toEqual([503, { name: 'broken', ready: false }]);
    const meta = await app.inject('/v2/models/broken');
    expect(meta.statusCode).toBe(400);
    expect(meta.json().error).toContain('failed to load');
    const server = await app.inject('/v2/health/ready');
    expect([server.statusCode, server.json()]).toEqual([503, { ready: false }]);
  });
});
