/**
 * The TF Serving docs' own example, typed exactly as the docs type it, against a listening server:
 * `curl -d` sends application/x-www-form-urlencoded, which must still be read as JSON.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openInferenceEngine } from '../../../serving/engine.js';
import type { InferenceEngine } from '../../../serving/types.js';
import { tfServingApi } from './index.js';

const repository = fileURLToPath(new URL('../../../../test/fixtures/serving/repository', import.meta.url));

describe('TF Serving API over HTTP', () => {
  let engine: InferenceEngine;
  let app: FastifyInstance;
  let port: number;

  beforeAll(async () => {
    engine = await openInferenceEngine({ repository, models: ['mymodel'], defaults: { instanceCount: 1 } });
    app = Fastify();
    await app.register(tfServingApi(engine));
    await app.listen({ host: 'localhost', port: 0 });
    port = (app.server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await app?.close();
    await engine?.close();
  });

  it('answers the docs example sent with curl -d exactly as typed', async () => {
    const { stdout } = await promisify(execFile)('curl', [
      '-sS',
      '-X',
      'POST',
      `http://localhost:${port}/v1/models/mymodel:predict`,
      '-d',
      '{"instances": [[1.0, 2.0, 3.0]]}',
    ]);
    expect(JSON.parse(stdout)).toEqual({ predictions: [[14.5]] });
  });
});
