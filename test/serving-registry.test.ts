/**
 * Serving registry model versions end to end: a control plane holds the registry, the engine reads it
 * over HTTP through the SDK (as `slipway serve --tracking-uri` does) and follows alias moves with a
 * hot swap; `slipway server --model` serves the same in-process.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../src/cli/server-command.js';
import { resolveConfig } from '../src/core/config.js';
import { Slipway } from '../src/sdk/index.js';
import type { SlipwayClient } from '../src/sdk/types.js';
import { type Engine, openInferenceEngine } from '../src/serving/engine.js';
import { RegistrySource } from '../src/serving/registry-source.js';
import type { Tensor } from '../src/serving/types.js';
import { type ListeningControlPlane, startControlPlane } from './helpers/control-plane.js';

const REPO = 'test/fixtures/serving/repository/logreg';
const features: Tensor = {
  name: 'input',
  datatype: 'FP32',
  shape: [1, 20],
  data: Float32Array.from({ length: 20 }, (_, k) => k / 20),
};

/** Logs `files` as the run's `model/` folder and registers it as a new version of `name`. */
async function registerVersion(client: SlipwayClient, name: string, files: Record<string, Buffer | string>) {
  const exp = await client.experiments.create({ name: `exp-${Math.random()}` }).catch(() => undefined);
  const run = await client.runs.create({ experimentId: exp?.experimentId ?? '0' });
  for (const [path, body] of Object.entries(files))
    await client.runs.uploadArtifact(run.info.runId, `model/${path}`, body);
  await client.models.create({ name }).catch(() => undefined);
  return client.models.createVersion({
    name,
    source: `runs:/${run.info.runId}/model`,
    runId: run.info.runId,
  });
}

describe('serving registry versions', () => {
  let cp: ListeningControlPlane;
  let client: SlipwayClient;
  let engine: Engine;
  let cache: string;

  beforeAll(async () => {
    cp = await startControlPlane({ listen: true });
    client = await Slipway.connect(cp.url);
    await registerVersion(client, 'fraud', {
      'model.onnx': readFileSync(join(REPO, '1', 'model.onnx')),
      'config.yaml': 'max_batch_size: 32\n',
    });
    await registerVersion(client, 'fraud', { 'model.onnx': readFileSync(join(REPO, '2', 'model.onnx')) });
    // An MLflow onnx-flavor folder, as mlflow.onnx.log_model writes it.
    await registerVersion(client, 'churn', {
      MLmodel: readFileSync('test/fixtures/models/mlflow_onnx_model/MLmodel'),
      'model.onnx': readFileSync('test/fixtures/models/mlflow_onnx_model/model.onnx'),
    });
    await client.models.setAlias('fraud', 'champion', '1');
    cache = mkdtempSync(join(tmpdir(), 'slipway-serving-cache-'));
    engine = await openInferenceEngine({
      sources: [
        new RegistrySource(client.models, ['fraud@champion', 'fraud/2', 'churn'], {
          cacheDir: cache,
          pollIntervalMs: 100,
        }),
      ],
      defaults: { instanceCount: 1 },
    });
  });
  afterAll(async () => {
    await engine?.close();
    await client?.close();
    await cp?.close();
    if (cache) rmSync(cache, { recursive: true, force: true });
  });

  it('serves the version an alias points at, and pinned versions beside it', async () => {
    expect(engine.isReady()).toBe(true);
    expect(engine.getModel('fraud')).toMatchObject({ defaultVersion: '1', labels: { champion: '1' } });
    expect((await engine.infer({ model: 'fraud', inputs: [features] })).version).toBe('1');
    expect((await engine.infer({ model: 'fraud', label: 'champion', inputs: [features] })).version).toBe('1');
    expect((await engine.infer({ model: 'fraud', version: '2', inputs: [features] })).version).toBe('2');
  });

  it('applies the config.yaml logged beside the model', () => {
    expect(engine.getVersion('fraud', { version: '1' }).config?.maxBatchSize).toBe(32);
  });

  it('serves a model logged with the MLflow onnx flavor', async () => {
    const r = await engine.infer({ model: 'churn', inputs: [features] });
    expect(r.outputs[0].shape).toEqual([1, 1]);
  });

  it('follows an alias move with a hot swap, failing no request', async () => {
    let stop = false;
    const seen: string[] = [];
    const failures: unknown[] = [];
    const clients = Array.from({ length: 4 }, async () => {
      while (!stop) {
        await engine.infer({ model: 'fraud', inputs: [features] }).then(
          (r) => seen.push(r.version),
          (e) => failures.push(e),
        );
      }
    });
    await client.models.setAlias('fraud', 'champion', '2');
    const deadline = Date.now() + 10_000;
    while (engine.getModel('fraud').defaultVersion !== '2' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 100));
    stop = true;
    await Promise.all(clients);
    expect(failures).toEqual([]);
    expect(engine.getModel('fraud')).toMatchObject({ defaultVersion: '2', labels: { champion: '2' } });
    expect(seen[seen.length - 1]).toBe('2');
    expect(engine.getModel('fraud').versions.map((v) => v.version)).toEqual(['2']);
  });
});

describe('slipway server --model', () => {
  it('serves registry models in-process next to the control-plane API', async () => {
    const home = mkdtempSync(join(tmpdir(), 'slipway-home-'));
    const local = await Slipway.open(resolveConfig({ home }));
    await registerVersion(local, 'fraud', { 'model.onnx': readFileSync(join(REPO, '1', 'model.onnx')) });
    await local.models.setAlias('fraud', 'champion', '1');
    await local.close();
    const server = await startServer(resolveConfig({ home, port: 0 }), { refs: ['fraud@champion'] });
    try {
      const res = await fetch(`${server.url}/v1/models/fraud:predict`, {
        method: 'POST',
        body: JSON.stringify({ instances: [Array.from(features.data as Float32Array)] }),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-model-version')).toBe('1');
      const body = (await res.json()) as { predictions: number[][] };
      expect(body.predictions[0][0]).toBeGreaterThan(0);
      expect((await fetch(`${server.url}/api/v1/models/fraud`)).status).toBe(200);
      expect(await (await fetch(`${server.url}/metrics`)).text()).toContain(
        'slipway_inference_request_success_total{model="fraud",version="1"} 1',
      );
    } finally {
      await server.close();
      rmSync(home, { recursive: true, force: true });
    }
  });
});
