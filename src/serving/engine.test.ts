import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Engine, openInferenceEngine } from './engine.js';
import type { InferenceLogSink, InferenceRecord, Tensor } from './types.js';

const FIXTURES = 'test/fixtures/serving/repository';
const x3 = (a: number, b: number, c: number): Tensor => ({
  name: 'x',
  datatype: 'FP32',
  shape: [1, 3],
  data: new Float32Array([a, b, c]),
});
const features = (seed: number): Tensor => ({
  name: 'input',
  datatype: 'FP32',
  shape: [1, 20],
  data: Float32Array.from({ length: 20 }, (_, k) => Math.cos(seed + k)),
});

describe('inference engine over a model repository', () => {
  let engine: Engine;
  const logged: InferenceRecord[] = [];
  const sink: InferenceLogSink = { write: (r) => void logged.push(...r) };

  beforeAll(async () => {
    engine = await openInferenceEngine({
      repository: FIXTURES,
      models: ['mymodel', 'logreg', 'broken', 'fixed'],
      defaults: { instanceCount: 1 },
      inferenceLog: { sink, sampleRate: 1 },
    });
  });
  afterAll(() => engine.close());

  it('answers with the model output and the version that produced it', async () => {
    const r = await engine.infer({ model: 'mymodel', inputs: [x3(1, 2, 3)] });
    expect(Array.from(r.outputs[0].data as Float32Array)).toEqual([14.5]);
    expect(r).toMatchObject({ model: 'mymodel', version: '1', cached: false });
  });

  it('routes by version and by label, defaulting to the latest version', async () => {
    const byV1 = await engine.infer({ model: 'logreg', version: '1', inputs: [features(1)] });
    const byStable = await engine.infer({ model: 'logreg', label: 'stable', inputs: [features(1)] });
    const byDefault = await engine.infer({ model: 'logreg', inputs: [features(1)] });
    expect(byStable.version).toBe('1');
    expect(byDefault.version).toBe('2');
    expect(byStable.outputs[0].data).toEqual(byV1.outputs[0].data);
    expect(byDefault.outputs[0].data).not.toEqual(byV1.outputs[0].data);
  });

  it('names the input, the expected and the received dtype/shape in validation errors', async () => {
    const wrong: Tensor = { name: 'x', datatype: 'FP32', shape: [1, 4], data: new Float32Array(4) };
    await expect(engine.infer({ model: 'mymodel', inputs: [wrong] })).rejects.toThrow(
      "Invalid input 'x': wrong shape: expected FP32 [-1,3], got FP32 [1,4]",
    );
    const ints: Tensor = { name: 'x', datatype: 'INT32', shape: [1, 3], data: new Int32Array(3) };
    await expect(engine.infer({ model: 'mymodel', inputs: [ints] })).rejects.toThrow('wrong datatype');
    await expect(engine.infer({ model: 'mymodel', inputs: [] })).rejects.toThrow("Missing input 'x'");
  });

  it('refuses NaN unless the model allows non-finite values', async () => {
    await expect(engine.infer({ model: 'mymodel', inputs: [x3(Number.NaN, 0, 0)] })).rejects.toThrow(
      /NaN or Infinity/,
    );
  });

  it('reports unknown models, versions and labels as not found', async () => {
    await expect(engine.infer({ model: 'nope', inputs: [] })).rejects.toMatchObject({
      code: 'RESOURCE_DOES_NOT_EXIST',
    });
    await expect(engine.infer({ model: 'logreg', version: '9', inputs: [] })).rejects.toMatchObject({
      code: 'RESOURCE_DOES_NOT_EXIST',
    });
    await expect(engine.infer({ model: 'logreg', label: 'gold', inputs: [] })).rejects.toMatchObject({
      code: 'RESOURCE_DOES_NOT_EXIST',
    });
  });

  it('reports a model that failed to load as unavailable with the reason, and the server as not ready', () => {
    const broken = engine.getModel('broken');
    expect(broken.versions[0]).toMatchObject({ state: 'UNAVAILABLE' });
    expect(broken.versions[0].reason).toMatch(/failed to load.*protobuf parsing failed/);
    expect(engine.isReady('logreg')).toBe(true);
    expect(engine.isReady('broken')).toBe(false);
    expect(engine.isReady()).toBe(false);
  });

  it('does not batch a model without a batch dimension', async () => {
    const two: Tensor = { name: 'x', datatype: 'FP32', shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) };
    const results = await Promise.all([1, 2, 3].map(() => engine.infer({ model: 'fixed', inputs: [two] })));
    for (const r of results) expect(Array.from(r.outputs[0].data as Float32Array)).toEqual([2, 4, 6, 8]);
    expect(engine.getVersion('fixed').config?.maxBatchSize).toBe(0);
  });

  it('hands each request to the inference-log sink, off the response path', async () => {
    const r = await engine.infer({ model: 'mymodel', id: 'req-42', inputs: [x3(0, 0, 1)] });
    await new Promise((res) => setImmediate(res));
    const rec = logged.find((l) => l.id === 'req-42');
    expect(rec).toMatchObject({ model: 'mymodel', version: r.version });
    expect(Array.from(rec?.outputs[0].data as Float32Array)).toEqual([3.5]);
    expect(rec?.latencyMicros).toBeGreaterThan(0);
  });

  it('exports Triton-style metrics per model and version', async () => {
    const text = await engine.metrics.metrics();
    expect(text).toMatch(/slipway_inference_request_success_total\{model="mymodel",version="1"\} \d+/);
    expect(text).toMatch(
      /slipway_inference_request_failure_total\{model="mymodel",version="1",reason="INVALID_PARAMETER_VALUE"\}/,
    );
    expect(text).toMatch(/slipway_inference_batch_size_bucket/);
    expect(text).toMatch(/slipway_model_ready\{model="logreg",version="2",provider="cpu"\} 1/);
    expect(text).toMatch(/slipway_model_load_duration_seconds\{model="mymodel",version="1"\} [0-9.]+/);
  });
});

describe('hot swaps', () => {
  let root: string;
  let engine: Engine;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'slipway-swap-'));
    mkdirSync(join(root, 'logreg', '1'), { recursive: true });
    cpSync(join(FIXTURES, 'logreg', '1', 'model.onnx'), join(root, 'logreg', '1', 'model.onnx'));
    engine = await openInferenceEngine({ repository: root, defaults: { instanceCount: 1 } });
  });
  afterAll(async () => {
    await engine.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('switches to a new version under load without failing a request', async () => {
    let stop = false;
    const seen: Array<{ startedAt: number; version: string }> = [];
    const clients = Array.from({ length: 8 }, async () => {
      while (!stop) {
        const startedAt = performance.now();
        const r = await engine.infer({ model: 'logreg', inputs: [features(3)] });
        seen.push({ startedAt, version: r.version });
      }
    });
    await new Promise((r) => setTimeout(r, 50));
    mkdirSync(join(root, 'logreg', '2'));
    cpSync(join(FIXTURES, 'logreg', '2', 'model.onnx'), join(root, 'logreg', '2', 'model.onnx'));
    const status = await engine.load('logreg');
    const swappedAt = performance.now();
    expect(status.defaultVersion).toBe('2');
    expect(status.versions.map((v) => v.version)).toEqual(['2']);
    await new Promise((r) => setTimeout(r, 50));
    stop = true;
    await Promise.all(clients);
    expect(seen[0].version).toBe('1');
    // Requests already on version 1 finish there (it drains); every request after the switch gets 2.
    const after = seen.filter((s) => s.startedAt > swappedAt);
    expect(after.length).toBeGreaterThan(0);
    expect(new Set(after.map((s) => s.version))).toEqual(new Set(['2']));
  });

  it('keeps serving the previous version when a new one is corrupt', async () => {
    mkdirSync(join(root, 'logreg', '3'));
    writeFileSync(join(root, 'logreg', '3', 'model.onnx'), 'not a model at all');
    await expect(engine.load('logreg')).rejects.toThrow(/version 3 failed to load/);
    const r = await engine.infer({ model: 'logreg', inputs: [features(3)] });
    expect(r.version).toBe('2');
    expect(engine.getModel('logreg').versions.find((v) => v.version === '3')?.state).toBe('UNAVAILABLE');
  });

  it('unloads a model after draining it', async () => {
    const inFlight = engine.infer({ model: 'logreg', inputs: [features(4)] });
    await engine.unload('logreg');
    await expect(inFlight).resolves.toMatchObject({ version: '2' });
    await expect(engine.infer({ model: 'logreg', inputs: [features(4)] })).rejects.toMatchObject({
      code: 'RESOURCE_DOES_NOT_EXIST',
    });
    expect((await engine.index()).find((i) => i.name === 'logreg')?.state).toBe('UNLOADED');
  });
});

describe('engine options', () => {
  it('answers repeated inputs from the response cache when it is on', async () => {
    const engine = await openInferenceEngine({
      repository: FIXTURES,
      models: ['mymodel'],
      defaults: { instanceCount: 1, responseCacheSize: 8 },
    });
    try {
      const first = await engine.infer({ model: 'mymodel', inputs: [x3(1, 2, 3)] });
      const second = await engine.infer({ model: 'mymodel', inputs: [x3(1, 2, 3)] });
      const other = await engine.infer({ model: 'mymodel', inputs: [x3(1, 2, 4)] });
      expect([first.cached, second.cached, other.cached]).toEqual([false, true, false]);
      expect(second.outputs[0].data).toEqual(first.outputs[0].data);
      expect(await engine.metrics.metrics()).toMatch(
        /slipway_response_cache_total\{model="mymodel",version="1",result="hit"\} 1/,
      );
    } finally {
      await engine.close();
    }
  });

  it('falls back to the CPU provider with a log line when CUDA is not available, and reports it', async () => {
    const warnings: string[] = [];
    const engine = await openInferenceEngine({
      repository: FIXTURES,
      models: ['mymodel'],
      defaults: { instanceCount: 1, executionProviders: ['cuda', 'cpu'] },
      logger: { info() {}, warn: (m) => warnings.push(m), error() {} },
    });
    try {
      expect(engine.getVersion('mymodel').executionProvider).toBe('cpu');
      expect(warnings.join('\n')).toMatch(
        /mymodel' version 1: falling back to the CPU execution provider \(cuda: /,
      );
      expect((await engine.infer({ model: 'mymodel', inputs: [x3(1, 2, 3)] })).outputs[0].data).toEqual(
        new Float32Array([14.5]),
      );
    } finally {
      await engine.close();
    }
  });

  it('warms a version with recorded requests before reporting it ready', async () => {
    const recorded = x3(9, 9, 9);
    const engine = await openInferenceEngine({
      repository: FIXTURES,
      models: ['mymodel'],
      defaults: {
        instanceCount: 1,
        warmup: { kind: 'recorded', count: 2, batchSize: 1, inputs: [recorded] },
      },
    });
    try {
      expect(engine.isReady('mymodel')).toBe(true);
      const text = await engine.metrics.metrics();
      // Two warmup requests went through the batcher before any real one.
      expect(text).toMatch(/slipway_inference_batch_size_count\{model="mymodel",version="1"\} 2/);
    } finally {
      await engine.close();
    }
  });
});
