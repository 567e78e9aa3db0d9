import { Writable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { type ErrorCode, SlipwayError } from '../../../core/errors.js';
import type { InferenceEngine, InferenceRequest, InferenceResult } from '../../../serving/types.js';
import { kserveV2Api } from './index.js';

/** An engine whose infer does whatever the test says; the rest is never called here. */
function fakeEngine(infer: (r: InferenceRequest) => Promise<InferenceResult>): InferenceEngine {
  const unused = () => {
    throw new Error('not used');
  };
  return {
    infer,
    listModels: unused,
    getModel: unused,
    getVersion: unused,
    isReady: () => true,
    load: unused,
    unload: unused,
    index: unused,
    close: async () => {},
  };
}

const body = { id: 'a', inputs: [{ name: 'x', datatype: 'FP32', shape: [1], data: [1] }] };
let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function serve(engine: InferenceEngine, logs?: string[]): Promise<FastifyInstance> {
  const stream = new Writable({
    write(chunk, _enc, done) {
      logs?.push(String(chunk));
      done();
    },
  });
  app = Fastify({ logger: { level: 'error', stream } });
  await app.register(kserveV2Api(engine));
  return app;
}

describe('V2 errors', () => {
  it.each<[ErrorCode, number, string | undefined]>([
    ['REQUEST_LIMIT_EXCEEDED', 429, '1'],
    ['TEMPORARILY_UNAVAILABLE', 503, '1'],
    ['DEADLINE_EXCEEDED', 504, undefined],
    ['CANCELLED', 499, undefined],
    ['INVALID_PARAMETER_VALUE', 400, undefined],
  ])('render %s as %i {"error"} with Retry-After %s', async (code, status, retryAfter) => {
    const server = await serve(
      fakeEngine(async () => Promise.reject(new SlipwayError(code, `it was ${code}`))),
    );
    const res = await server.inject({ method: 'POST', url: '/v2/models/m/infer', payload: body });
    expect(res.statusCode).toBe(status);
    expect(res.json()).toEqual({ error: `it was ${code}` });
    expect(res.headers['retry-after']).toBe(retryAfter);
  });

  it('hide an unexpected error behind "internal error" and log it', async () => {
    const logs: string[] = [];
    const server = await serve(
      fakeEngine(async () => Promise.reject(new Error('secret detail'))),
      logs,
    );
    const res = await server.inject({ method: 'POST', url: '/v2/models/m/infer', payload: body });
    expect([res.statusCode, res.json()]).toEqual([500, { error: 'internal error' }]);
    expect(logs.join('')).toContain('secret detail');
  });
});

describe('the infer route', () => {
  it('passes the model, version, id, requested outputs and a client-gone check to the engine', async () => {
    let seen: InferenceRequest | undefined;
    const server = await serve(
      fakeEngine(async (r) => {
        seen = r;
        return {
          id: r.id ?? '',
          model: r.model,
          version: '3',
          outputs: [],
          queueMicros: 0,
          computeMicros: 0,
          cached: false,
        };
      }),
    );
    const res = await server.inject({
      method: 'POST',
      url: '/v2/models/m/versions/3/infer',
      payload: { ...body, outputs: [{ name: 'y' }] },
    });
    expect(res.json()).toEqual({ model_name: 'm', model_version: '3', id: 'a', outputs: [] });
    expect(res.headers['x-model-name']).toBe('m');
    expect(seen).toMatchObject({ model: 'm', version: '3', id: 'a', outputs: ['y'] });
    expect(typeof seen?.isCancelled).toBe('function');
    expect(seen?.isCancelled?.()).toBeFalsy();
  });
});
