import { randomUUID } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisOnlineStore } from '../backends/online/redis-online-store.js';
import { SqliteOnlineStore } from '../backends/online/sqlite-online-store.js';
import { loadFeatureRepo } from '../features/definitions/index.js';
import { entityKeyOf } from '../features/entity-key.js';
import { catalogOf, type FeatureCatalog } from '../features/online-features.js';
import { type Engine, openInferenceEngine } from './engine.js';
import { planFeatureInputs } from './feature-inputs.js';
import { parseModelConfigYaml } from './model-config.js';
import type { InferenceRecord, ModelSignature, Tensor } from './types.js';

const FIXTURES = 'test/fixtures/serving-features';

const userIds = (...ids: number[]): Tensor => ({
  name: 'user_id',
  datatype: 'INT64',
  shape: [ids.length],
  data: BigInt64Array.from(ids.map(BigInt)),
});
const amounts = (...values: number[]): Tensor => ({
  name: 'amount',
  datatype: 'FP64',
  shape: [values.length],
  data: Float64Array.from(values),
});
const floats = (t: Tensor) => Array.from(t.data as Float32Array);

/** A model repository of the fixture models, each with the config.yaml given. */
function repository(root: string, models: Record<string, { onnx: string; config: string }>): string {
  for (const [name, m] of Object.entries(models)) {
    mkdirSync(join(root, name, '1'), { recursive: true });
    cpSync(join(FIXTURES, m.onnx), join(root, name, '1', 'model.onnx'));
    writeFileSync(join(root, name, 'config.yaml'), m.config);
  }
  return root;
}

describe('planning how a feature service feeds a model', () => {
  let catalog: FeatureCatalog;
  const x3: ModelSignature = {
    inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 3] }],
    outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 1] }],
  };

  beforeAll(async () => {
    catalog = catalogOf(await loadFeatureRepo(join(FIXTURES, 'features.yaml')));
  });

  it('asks callers for the join keys and the on-demand request fields, typed from the definitions', () => {
    const plan = planFeatureInputs({ service: 'fraud_v1', onMissing: 'error' }, catalog, x3, 'fraud');
    expect(plan.request).toEqual([
      { name: 'user_id', datatype: 'INT64', shape: [-1] },
      { name: 'amount', datatype: 'FP64', shape: [-1] },
    ]);
    expect(plan.mapping).toMatchObject({ kind: 'concat', input: { name: 'x' } });
  });

  it('feeds inputs named after features, by short or view__feature name', () => {
    const sig: ModelSignature = {
      inputs: [
        { name: 'user_stats__avg_amount', datatype: 'FP64', shape: [-1, 1] },
        { name: 'txn_count', datatype: 'INT64', shape: [-1] },
      ],
      outputs: [],
    };
    const plan = planFeatureInputs({ service: 'fraud_v1', onMissing: 'error' }, catalog, sig, 'm');
    expect(plan.mapping).toEqual({
      kind: 'named',
      inputs: [
        { spec: sig.inputs[0], feature: 1 },
        { spec: sig.inputs[1], feature: 0 },
      ],
    });
  });

  it('refuses a model whose inputs fit neither mapping, naming the features and the inputs', () => {
    expect(() =>
      planFeatureInputs({ service: 'fraud_small', onMissing: 'error' }, catalog, x3, 'fraud'),
    ).toThrow(
      "Model 'fraud' cannot be fed by feature service 'fraud_small': it yields 2 features (user_stats:txn_count (int64), user_recent:last_amount (float64)) and the model's inputs are 'x' FP32 [-1,3]: expected one input whose last dimension is 2, or inputs named after features (no feature is named after input 'x')",
    );
  });

  it('refuses casts that would lose values instead of truncating them', () => {
    const ints: ModelSignature = { inputs: [{ name: 'x', datatype: 'INT64', shape: [-1, 3] }], outputs: [] };
    expect(() => planFeatureInputs({ service: 'fraud_v1', onMissing: 'error' }, catalog, ints, 'm')).toThrow(
      'a float64 feature would be truncated in a INT64 input',
    );
    const named: ModelSignature = {
      inputs: [{ name: 'txn_count', datatype: 'INT64', shape: [-1] }],
      outputs: [],
    };
    expect(() => planFeatureInputs({ service: 'fraud_v1', onMissing: 'nan' }, catalog, named, 'm')).toThrow(
      'on_missing: nan needs a floating-point input, not INT64',
    );
  });

  it('names an unknown feature service', () => {
    expect(() => planFeatureInputs({ service: 'nope', onMissing: 'error' }, catalog, x3, 'm')).toThrow(
      "Unknown feature service 'nope': known services are fraud_small, fraud_v1",
    );
  });
});

describe('serving models from entity keys (ONNX Runtime, SQLite online store)', () => {
  let root: string;
  let store: SqliteOnlineStore;
  let engine: Engine;
  let catalog: FeatureCatalog;
  const logged: InferenceRecord[] = [];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'slipway-feature-inputs-'));
    catalog = catalogOf(await loadFeatureRepo(join(FIXTURES, 'features.yaml')));
    store = new SqliteOnlineStore({ path: join(root, 'online.db') });
    await store.init();
    const key = (id: number) => entityKeyOf(['user_id'], { user_id: id });
    const now = Date.now();
    await store.write('user_stats', [
      { entityKey: key(1001), values: { txn_count: 4, avg_amount: 50 }, eventTimestamp: now },
      { entityKey: key(1002), values: { txn_count: 1, avg_amount: 20 }, eventTimestamp: now },
      { entityKey: key(1003), values: { txn_count: 7, avg_amount: null }, eventTimestamp: now },
    ]);
    const models = repository(join(root, 'models'), {
      plain: { onnx: 'linear3.onnx', config: 'max_batch_size: 64\n' },
      fraud: { onnx: 'linear3.onnx', config: 'features:\n  service: fraud_v1\n' },
      fraud_nan: { onnx: 'linear3.onnx', config: 'features: { service: fraud_v1, on_missing: nan }\n' },
      named: { onnx: 'named.onnx', config: 'features: { service: fraud_v1 }\n' },
      mismatch: { onnx: 'linear3.onnx', config: 'features: { service: fraud_small }\n' },
      named_nan: { onnx: 'named.onnx', config: 'features: { service: fraud_v1, on_missing: nan }\n' },
    });
    engine = await openInferenceEngine({
      repository: models,
      defaults: { instanceCount: 1 },
      features: { catalog: () => catalog, store },
      inferenceLog: { sink: { write: (r) => void logged.push(...r) } },
    });
  });
  afterAll(async () => {
    await engine?.close();
    await store?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('gives the same output as sending the feature vector to the model directly', async () => {
    // user 1001: txn_count 4, avg_amount 50, amount_over_avg 100 / 50 = 2 → 4 + 2·50 + 3·2 + 0.5
    const fromKeys = await engine.infer({ model: 'fraud', inputs: [userIds(1001, 1002), amounts(100, 10)] });
    const direct = await engine.infer({
      model: 'plain',
      inputs: [
        { name: 'x', datatype: 'FP32', shape: [2, 3], data: Float32Array.from([4, 50, 2, 1, 20, 0.5]) },
      ],
    });
    expect(floats(fromKeys.outputs[0])).toEqual([110.5, 43]);
    expect(floats(fromKeys.outputs[0])).toEqual(floats(direct.outputs[0]));
  });

  it('feeds inputs named after features, cast to their dtypes', async () => {
    // 10 · txn_count + amount_over_avg: 10·4 + 2, 10·1 + 0.5
    const r = await engine.infer({ model: 'named', inputs: [userIds(1001, 1002), amounts(100, 10)] });
    expect(floats(r.outputs[0])).toEqual([42, 10.5]);
  });

  it('reports the request signature, keeping the model signature beside it', () => {
    const v = engine.getVersion('fraud');
    expect(v.signature?.inputs).toEqual([
      { name: 'user_id', datatype: 'INT64', shape: [-1] },
      { name: 'amount', datatype: 'FP64', shape: [-1] },
    ]);
    expect(v.modelSignature?.inputs).toEqual([{ name: 'x', datatype: 'FP32', shape: [-1, 3] }]);
    expect(v.featureRefs).toEqual([
      'user_stats:txn_count',
      'user_stats:avg_amount',
      'amount_ratio:amount_over_avg',
    ]);
  });

  it('refuses a request for an entity without features, naming the key, the feature and its status', async () => {
    await expect(
      engine.infer({ model: 'fraud', inputs: [userIds(1001, 9999, 1003), amounts(1, 1, 1)] }),
    ).rejects.toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
      message: expect.stringContaining(
        "Missing features of service 'fraud_v1' for user_id=9999: user_stats:txn_count NOT_FOUND, user_stats:avg_amount NOT_FOUND, amount_ratio:amount_over_avg NULL_VALUE; user_id=1003: user_stats:avg_amount NULL_VALUE, amount_ratio:amount_over_avg NULL_VALUE",
      ),
    });
  });

  it('passes missing features as NaN under on_missing: nan', async () => {
    const r = await engine.infer({ model: 'fraud_nan', inputs: [userIds(1001, 9999), amounts(100, 1)] });
    const [known, unknown] = floats(r.outputs[0]);
    expect(known).toBe(110.5);
    expect(unknown).toBeNaN();
  });

  it('checks join keys and request fields against the request signature', async () => {
    await expect(engine.infer({ model: 'fraud', inputs: [userIds(1001)] })).rejects.toThrow(
      "Missing input 'amount': expected FP64 [-1]",
    );
    const asFloat: Tensor = { name: 'user_id', datatype: 'FP32', shape: [1], data: new Float32Array([1001]) };
    await expect(engine.infer({ model: 'fraud', inputs: [asFloat, amounts(1)] })).rejects.toThrow(
      "Invalid input 'user_id': wrong datatype: expected INT64 [-1], got FP32 [1]",
    );
    const unknown: Tensor = { name: 'userid', datatype: 'INT64', shape: [1], data: new BigInt64Array(1) };
    await expect(engine.infer({ model: 'fraud', inputs: [unknown, amounts(1)] })).rejects.toThrow(
      "Unknown input 'userid': the model's inputs are 'user_id', 'amount'",
    );
  });

  it('accepts one value per row as [n] or [n,1]', async () => {
    const column: Tensor = { ...userIds(1001), shape: [1, 1] };
    const r = await engine.infer({ model: 'fraud', inputs: [column, { ...amounts(100), shape: [1, 1] }] });
    expect(floats(r.outputs[0])).toEqual([110.5]);
  });

  it('follows re-applied definitions: a reordered service feeds the columns in its new order', async () => {
    const before = catalog;
    const services = new Map(before.services);
    services.set('fraud_v1', {
      name: 'fraud_v1',
      features: ['user_stats:avg_amount', 'user_stats:txn_count', 'amount_ratio:amount_over_avg'],
    });
    catalog = { ...before, services };
    try {
      // [50, 4, 2] → 50 + 2·4 + 3·2 + 0.5
      const r = await engine.infer({ model: 'fraud', inputs: [userIds(1001), amounts(100)] });
      expect(floats(r.outputs[0])).toEqual([64.5]);
    } finally {
      catalog = before;
    }
  });

  it('answers 503 with the reason when re-applied definitions no longer fit the model', async () => {
    const before = catalog;
    const services = new Map(before.services);
    services.set('fraud_v1', { name: 'fraud_v1', features: ['user_stats:txn_count'] });
    catalog = { ...before, services };
    try {
      await expect(
        engine.infer({ model: 'fraud', inputs: [userIds(1001), amounts(100)] }),
      ).rejects.toMatchObject({
        code: 'TEMPORARILY_UNAVAILABLE',
        message: expect.stringContaining('it yields 1 feature (user_stats:txn_count (int64))'),
      });
    } finally {
      catalog = before;
    }
  });

  it('makes a version whose model does not fit its service unavailable, with the reason', () => {
    const v = engine.getModel('mismatch').versions[0];
    expect(v.state).toBe('UNAVAILABLE');
    expect(v.reason).toContain("cannot be fed by feature service 'fraud_small': it yields 2 features");
    expect(engine.getModel('named_nan').versions[0].reason).toContain(
      "user_stats:txn_count → input 'txn_count' INT64 [-1]: on_missing: nan needs a floating-point input",
    );
  });

  it('logs the features the model ran on and the keys the request carried', async () => {
    logged.length = 0;
    await engine.infer({ model: 'fraud', id: 'logged-1', inputs: [userIds(1002), amounts(10)] });
    await expect.poll(() => logged.find((r) => r.id === 'logged-1')).toBeDefined();
    const rec = logged.find((r) => r.id === 'logged-1') as InferenceRecord;
    expect(rec.inputs.map((t) => [t.name, floats(t)])).toEqual([['x', [1, 20, 0.5]]]);
    expect(rec.requestInputs?.map((t) => t.name)).toEqual(['user_id', 'amount']);
  });
});

describe('serving from entity keys over the Redis online store', () => {
  it('reads the features from Redis and gives the same output', async () => {
    const root = mkdtempSync(join(tmpdir(), 'slipway-feature-inputs-'));
    const store = new RedisOnlineStore({
      url: 'redis://127.0.0.1:6379',
      prefix: `test-${randomUUID().slice(0, 8)}`,
    });
    await store.init();
    let engine: Engine | undefined;
    try {
      await store.write('user_stats', [
        {
          entityKey: entityKeyOf(['user_id'], { user_id: 1001 }),
          values: { txn_count: 4, avg_amount: 50 },
          eventTimestamp: Date.now(),
        },
      ]);
      const catalog = catalogOf(await loadFeatureRepo(join(FIXTURES, 'features.yaml')));
      engine = await openInferenceEngine({
        repository: repository(root, {
          fraud: { onnx: 'linear3.onnx', config: 'features: { service: fraud_v1 }\n' },
        }),
        defaults: { instanceCount: 1 },
        features: { catalog: () => catalog, store },
      });
      const r = await engine.infer({ model: 'fraud', inputs: [userIds(1001), amounts(100)] });
      expect(floats(r.outputs[0])).toEqual([110.5]);
    } finally {
      await engine?.close();
      await store.deleteView('user_stats');
      await store.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('a model declaring a feature service without a feature store', () => {
  it('fails to load, saying to pass --features', async () => {
    const root = mkdtempSync(join(tmpdir(), 'slipway-feature-inputs-'));
    try {
      repository(root, { fraud: { onnx: 'linear3.onnx', config: 'features: { service: fraud_v1 }\n' } });
      const engine = await openInferenceEngine({ repository: root, defaults: { instanceCount: 1 } });
      try {
        const v = engine.getModel('fraud').versions[0];
        expect(v.state).toBe('UNAVAILABLE');
        expect(v.reason).toMatch(
          /reads feature service 'fraud_v1', but no feature store is configured: pass --features/,
        );
      } finally {
        await engine.close();
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('config.yaml features:', () => {
  it('reads the service and on_missing, defaulting to error', () => {
    expect(parseModelConfigYaml('features:\n  service: fraud_v1\n', 'fraud/config.yaml').features).toEqual({
      service: 'fraud_v1',
      onMissing: 'error',
    });
    expect(parseModelConfigYaml('features: { service: s, on_missing: nan }', 'c').features?.onMissing).toBe(
      'nan',
    );
  });

  it('names a missing service, a bad on_missing and an unknown key', () => {
    expect(() => parseModelConfigYaml('features: { on_missing: nan }', 'c')).toThrow(
      "Invalid value for 'c: features.service': expected the name of a feature service, got nothing",
    );
    expect(() => parseModelConfigYaml('features: { service: s, on_missing: zero }', 'c')).toThrow(
      "Invalid value for 'c: features.on_missing': expected error | nan, got 'zero'",
    );
    expect(() => parseModelConfigYaml('features: { service: s, fill: 0 }', 'c')).toThrow(
      "'c: features.fill': expected one of the keys service, on_missing",
    );
  });
});
