/**
 * A model served from entity keys, end to end: a fixture model whose config.yaml declares a feature
 * service, called through TF Serving and KServe V2 with only `user_id` and `amount`; then the whole
 * `slipway server --features F --model-repository DIR` (features written over Feast's API,
 * predictions from the same server) and `slipway serve --features F` through the CLI's own parser.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteOnlineStore } from '../src/backends/online/sqlite-online-store.js';
import { loadConfig } from '../src/cli/config-loader.js';
import { type RunningServer, startServer } from '../src/cli/server-command.js';
import { loadFeatureRepo } from '../src/features/definitions/index.js';
import { entityKeyOf } from '../src/features/entity-key.js';
import { catalogOf } from '../src/features/online-features.js';
import { createServingServer } from '../src/server/serving-app.js';
import { type Engine, openInferenceEngine } from '../src/serving/engine.js';
import { runCli } from './helpers/run-cli.js';

const FIXTURES = resolve('test/fixtures/serving-features');
const DEFINITIONS = join(FIXTURES, 'features.yaml');

/** `fraud` (linear3 fed by fraud_v1), `plain` (linear3, fed directly) and `mismatch` (fraud_small). */
function modelRepository(root: string): string {
  const models: Record<string, string> = {
    fraud: 'features:\n  service: fraud_v1\n  on_missing: error\n',
    plain: 'max_batch_size: 64\n',
    mismatch: 'features: { service: fraud_small }\n',
  };
  for (const [name, config] of Object.entries(models)) {
    mkdirSync(join(root, name, '1'), { recursive: true });
    cpSync(join(FIXTURES, 'linear3.onnx'), join(root, name, '1', 'model.onnx'));
    writeFileSync(join(root, name, 'config.yaml'), config);
  }
  return root;
}

describe('TF Serving and KServe V2 requests carrying only entity keys', () => {
  let root: string;
  let store: SqliteOnlineStore;
  let engine: Engine;
  let app: FastifyInstance;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'slipway-serving-features-'));
    store = new SqliteOnlineStore({ path: join(root, 'online.db') });
    await store.init();
    const key = (id: number) => entityKeyOf(['user_id'], { user_id: id });
    await store.write('user_stats', [
      { entityKey: key(1001), values: { txn_count: 4, avg_amount: 50 }, eventTimestamp: Date.now() },
      { entityKey: key(1002), values: { txn_count: 1, avg_amount: 20 }, eventTimestamp: Date.now() },
    ]);
    const catalog = catalogOf(await loadFeatureRepo(DEFINITIONS));
    engine = await openInferenceEngine({
      repository: modelRepository(join(root, 'models')),
      defaults: { instanceCount: 1 },
      features: { catalog: () => catalog, store },
    });
    app = await createServingServer(engine, { logger: false, overload: { maxEventLoopDelay: 0 } });
  });
  afterAll(async () => {
    await app?.close();
    await engine?.close();
    await store?.close();
    rmSync(root, { recursive: true, force: true });
  });

  const post = (url: string, payload: unknown) =>
    app.inject({ method: 'POST', url, payload: payload as object });

  it('answers TF Serving rows and columns as if the feature vectors had been sent', async () => {
    // user 1001: [4, 50, 100/50] → 4 + 100 + 6 + 0.5; user 1002: [1, 20, 10/20] → 1 + 40 + 1.5 + 0.5
    const rows = await post('/v1/models/fraud:predict', {
      instances: [
        { user_id: 1001, amount: 100 },
        { user_id: 1002, amount: 10 },
      ],
    });
    expect(rows.statusCode).toBe(200);
    expect(rows.json()).toEqual({ predictions: [[110.5], [43]] });
    const direct = await post('/v1/models/plain:predict', {
      instances: [
        [4, 50, 2],
        [1, 20, 0.5],
      ],
    });
    expect(direct.json()).toEqual(rows.json());
    const columns = await post('/v1/models/fraud:predict', { inputs: { user_id: [1002], amount: [10] } });
    expect(columns.json()).toEqual({ outputs: [[43]] });
  });

  it('answers KServe V2 inputs named by the join key and the request field', async () => {
    const r = await post('/v2/models/fraud/infer', {
      id: 'k1',
      inputs: [
        { name: 'user_id', datatype: 'INT64', shape: [2], data: [1001, 1002] },
        { name: 'amount', datatype: 'FP64', shape: [2, 1], data: [100, 10] },
      ],
    });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ id: 'k1', outputs: [{ name: 'y', shape: [2, 1], data: [110.5, 43] }] });
  });

  it('reports the request signature in both protocols’ metadata', async () => {
    const v2 = (await app.inject({ url: '/v2/models/fraud' })).json();
    expect(v2.inputs).toEqual([
      { name: 'user_id', datatype: 'INT64', shape: [-1] },
      { name: 'amount', datatype: 'FP64', shape: [-1] },
    ]);
    const tf = (await app.inject({ url: '/v1/models/fraud/metadata' })).json();
    const inputs = tf.metadata.signature_def.signature_def.serving_default.inputs;
    expect(Object.keys(inputs)).toEqual(['user_id', 'amount']);
    expect(inputs.user_id.dtype).toBe('DT_INT64');
  });

  it('answers 400 naming an entity without features, the feature and its status', async () => {
    const r = await post('/v1/models/fraud:predict', { instances: [{ user_id: 4242, amount: 1 }] });
    expect(r.statusCode).toBe(400);
    expect(r.json().error).toContain(
      "Missing features of service 'fraud_v1' for user_id=4242: user_stats:txn_count NOT_FOUND",
    );
    const k = await post('/v2/models/fraud/infer', {
      inputs: [
        { name: 'user_id', datatype: 'INT64', shape: [1], data: [4242] },
        { name: 'amount', datatype: 'FP64', shape: [1], data: [1] },
      ],
    });
    expect(k.statusCode).toBe(400);
    expect(k.json().error).toContain('user_id=4242');
  });

  it('answers 400 naming an unknown key or a wrong type', async () => {
    const unknown = await post('/v1/models/fraud:predict', { instances: [{ customer_id: 1, amount: 1 }] });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error).toContain(
      "'instances[0].customer_id': expected one of the model's inputs (user_id, amount)",
    );
    const wrongType = await post('/v2/models/fraud/infer', {
      inputs: [
        { name: 'user_id', datatype: 'BYTES', shape: [1], data: ['1001'] },
        { name: 'amount', datatype: 'FP64', shape: [1], data: [1] },
      ],
    });
    expect(wrongType.statusCode).toBe(400);
    expect(wrongType.json().error).toContain(
      "Invalid input 'user_id': wrong datatype: expected INT64 [-1], got BYTES [1]",
    );
  });

  it('serves a model that does not fit its service as unavailable, with the reason', async () => {
    const r = await post('/v1/models/mismatch/versions/1:predict', { instances: [{ user_id: 1001 }] });
    expect(r.statusCode).toBe(503);
    expect(r.json().error).toContain("cannot be fed by feature service 'fraud_small'");
    const status = (await app.inject({ url: '/v1/models/mismatch' })).json();
    expect(JSON.stringify(status)).toContain('expected one input whose last dimension is 2');
  });
});

describe('slipway server --features F --model-repository DIR', () => {
  let home: string;
  let server: RunningServer;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'slipway-server-features-'));
    const config = loadConfig({ flags: { home, port: 0 }, env: {}, cwd: home });
    server = await startServer(config, {
      repository: modelRepository(join(home, 'models')),
      features: DEFINITIONS,
    });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(home, { recursive: true, force: true });
  });

  const post = (path: string, body: unknown) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('predicts from the features written to the same server', async () => {
    // Ready once the server has settled after loading (the overload guard refuses until then).
    await expect
      .poll(async () => (await fetch(`${server.url}/readyz`)).status, { timeout: 15_000 })
      .toBe(200);
    const write = await post('/write-to-online-store', {
      feature_view_name: 'user_stats',
      df: { user_id: [7], txn_count: [2], avg_amount: [25], event_timestamp: [new Date().toISOString()] },
    });
    expect(write.status).toBe(200);
    // [2, 25, 50/25] → 2 + 50 + 6 + 0.5
    const r = await post('/v1/models/fraud:predict', { instances: [{ user_id: 7, amount: 50 }] });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ predictions: [[58.5]] });
  });
});

describe('slipway serve --features F --model-repository DIR', () => {
  let home: string;
  let url: string;
  let stop: (() => Promise<void>) | undefined;
  let printed = '';

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'slipway-serve-features-'));
    const store = new SqliteOnlineStore({ path: join(home, 'online.db') });
    await store.init();
    await store.write('user_stats', [
      {
        entityKey: entityKeyOf(['user_id'], { user_id: 1001 }),
        values: { txn_count: 4, avg_amount: 50 },
        eventTimestamp: Date.now(),
      },
    ]);
    await store.close();
    // The CLI as users run it (flags parsed by commander), in this process: no build needed.
    const models = modelRepository(join(home, 'models'));
    const run = await runCli(
      [
        'serve',
        '--port',
        '0',
        '--model-repository',
        models,
        '--features',
        DEFINITIONS,
        '--home',
        home,
        '--instances',
        '1',
        '--log-level',
        'error',
      ],
      home,
    );
    stop = run.stop;
    printed = run.out + run.err;
    url = /on (http:\/\/\S+)/.exec(run.out)?.[1] ?? '';
  });
  afterAll(async () => {
    await stop?.();
    rmSync(home, { recursive: true, force: true });
  });

  it('reads the online store in its home and predicts from entity keys', async () => {
    expect(printed).toContain('Slipway serving fraud/1');
    await expect
      .poll(async () => (await fetch(`${url}/v2/models/fraud/ready`)).status, { timeout: 15_000 })
      .toBe(200);
    const r = await fetch(`${url}/v1/models/fraud:predict`, {
      method: 'POST',
      body: JSON.stringify({ instances: [{ user_id: 1001, amount: 100 }] }),
    });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ predictions: [[110.5]] });
  });
});
