import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SlipwayError } from '../core/errors.js';
import { defaultModelConfig, mergeModelConfig, parseModelConfigYaml } from './model-config.js';

function refusal(run: () => unknown): SlipwayError {
  try {
    run();
  } catch (err) {
    if (err instanceof SlipwayError) return err;
    throw err;
  }
  throw new Error('expected a SlipwayError');
}

const parse = (text: string) => parseModelConfigYaml(text, 'config.yaml');
const message = (text: string) => refusal(() => parse(text)).message;

describe('defaultModelConfig', () => {
  it('runs one single-threaded session per core, leaving one core to the event loop', () => {
    const config = defaultModelConfig(8);
    expect(config.instanceCount).toBe(7);
    expect(config.session).toEqual({ intraOpNumThreads: 1, graphOptimizationLevel: 'all' });
  });

  it('gives the documented defaults', () => {
    expect(defaultModelConfig(2)).toEqual({
      maxBatchSize: 1024,
      maxQueueDelayMicros: 0,
      preferredBatchSizes: [],
      instanceCount: 1,
      maxQueueSize: 1024,
      timeoutMs: 30_000,
      executionProviders: ['cpu'],
      session: { intraOpNumThreads: 1, graphOptimizationLevel: 'all' },
      allowNonFinite: false,
      responseCacheSize: 0,
      warmup: { count: 3, batchSize: 1, kind: 'random' },
      versionPolicy: { kind: 'latest', count: 1 },
      labels: {},
    });
  });

  it('keeps at least one instance when the core count is unknown', () => {
    expect(defaultModelConfig(0).instanceCount).toBe(1);
  });

  it('returns a fresh object each time', () => {
    const a = defaultModelConfig(1);
    a.session.intraOpNumThreads = 4;
    expect(defaultModelConfig(1).session.intraOpNumThreads).toBe(1);
  });
});

describe('mergeModelConfig', () => {
  it('lets a later override win', () => {
    const merged = mergeModelConfig(defaultModelConfig(4), { maxBatchSize: 64 }, { maxBatchSize: 8 });
    expect(merged.maxBatchSize).toBe(8);
    expect(merged.instanceCount).toBe(3);
  });

  it('merges session and warmup field by field', () => {
    const merged = mergeModelConfig(
      defaultModelConfig(4),
      { session: { interOpNumThreads: 2 } },
      { warmup: { count: 10 } as never },
    );
    expect(merged.session).toEqual({
      intraOpNumThreads: 1,
      interOpNumThreads: 2,
      graphOptimizationLevel: 'all',
    });
    expect(merged.warmup).toEqual({ count: 10, batchSize: 1, kind: 'random' });
  });

  it('replaces other objects whole', () => {
    const base = { ...defaultModelConfig(1), labels: { stable: '1', canary: '2' } };
    expect(mergeModelConfig(base, { labels: { stable: '3' } }).labels).toEqual({ stable: '3' });
  });

  it('skips undefined overrides and undefined fields', () => {
    const merged = mergeModelConfig(defaultModelConfig(2), undefined, { maxBatchSize: undefined });
    expect(merged.maxBatchSize).toBe(1024);
  });

  it('does not change the base', () => {
    const base = defaultModelConfig(2);
    mergeModelConfig(base, { session: { intraOpNumThreads: 4 } });
    expect(base.session.intraOpNumThreads).toBe(1);
  });
});

describe('parseModelConfigYaml', () => {
  it('reads the fixture repository logreg config', () => {
    const url = new URL('../../test/fixtures/serving/repository/logreg/config.yaml', import.meta.url);
    expect(parseModelConfigYaml(readFileSync(url, 'utf8'), 'logreg/config.yaml')).toEqual({
      maxBatchSize: 64,
      versionPolicy: { kind: 'all' },
      labels: { stable: '1', canary: '2' },
    });
  });

  it('returns nothing for an empty file', () => {
    expect(parse('')).toEqual({});
    expect(parse('# only a comment\n')).toEqual({});
  });

  it('reads every key', () => {
    const config = parse(`
max_batch_size: 32
dynamic_batching:
  max_queue_delay_microseconds: 200
  preferred_batch_size: [8, 16]
  max_queue_size: 100
instance_count: 3
timeout_ms: 500
execution_providers: [cuda, cpu]
session:
  intra_op_num_threads: 2
  inter_op_num_threads: 1
  execution_mode: parallel
  graph_optimization_level: extended
  enable_cpu_mem_arena: false
  enable_mem_pattern: true
allow_non_finite: true
response_cache: { size: 1000 }
warmup: { count: 5, batch_size: 4, kind: zeros }
version_policy: { latest: { num_versions: 2 } }
labels: { stable: 1 }
`);
    expect(config).toEqual({
      maxBatchSize: 32,
      maxQueueDelayMicros: 200,
      preferredBatchSizes: [8, 16],
      maxQueueSize: 100,
      instanceCount: 3,
      timeoutMs: 500,
      executionProviders: ['cuda', 'cpu'],
      session: {
        intraOpNumThreads: 2,
        interOpNumThreads: 1,
        executionMode: 'parallel',
        graphOptimizationLevel: 'extended',
        enableCpuMemArena: false,
        enableMemPattern: true,
      },
      allowNonFinite: true,
      responseCacheSize: 1000,
      warmup: { count: 5, batchSize: 4, kind: 'zeros' },
      versionPolicy: { kind: 'latest', count: 2 },
      labels: { stable: '1' },
    });
  });

  it('accepts a Triton-style instance_group, summing the counts', () => {
    expect(parse('instance_group: [{ count: 2 }, { count: 1, kind: KIND_CPU }]')).toEqual({
      instanceCount: 3,
    });
    expect(parse('instance_group: [{ kind: KIND_GPU }]')).toEqual({
      instanceCount: 1,
      executionProviders: ['cuda', 'cpu'],
    });
  });

  it('lets an explicit provider list win over an instance_group kind', () => {
    const config = parse(
      'instance_group: [{ count: 1, kind: KIND_GPU }]\nexecution_providers: [tensorrt, cuda, cpu]',
    );
    expect(config.executionProviders).toEqual(['tensorrt', 'cuda', 'cpu']);
  });

  it.each([
    ['{ all: {} }', { kind: 'all' }],
    ['{ all: }', { kind: 'all' }],
    ['{ latest: {} }', { kind: 'latest', count: 1 }],
    ['{ specific: { versions: [1, "3", 1] } }', { kind: 'specific', versions: ['1', '3'] }],
  ])('reads the version policy %s', (text, policy) => {
    expect(parse(`version_policy: ${text}`).versionPolicy).toEqual(policy);
  });

  it('turns recorded warmup inputs into typed tensors', () => {
    const config = parse(`
warmup:
  count: 2
  inputs:
    - { name: x, datatype: FP32, shape: [1, 3], data: [1.0, 2.0, 3.0] }
    - { name: ids, datatype: INT64, data: [[1, 2]] }
    - { name: text, datatype: BYTES, shape: [1], data: [hello] }
`);
    expect(config.warmup?.kind).toBe('recorded');
    expect(config.warmup?.count).toBe(2);
    const [x, ids, text] = config.warmup?.inputs ?? [];
    expect(x).toEqual({ name: 'x', datatype: 'FP32', shape: [1, 3], data: new Float32Array([1, 2, 3]) });
    expect(ids.shape).toEqual([1, 2]);
    expect(ids.data).toEqual(new BigInt64Array([1n, 2n]));
    expect(text.data).toEqual(['hello']);
  });

  it('rejects a negative max_batch_size naming the key', () => {
    expect(message('max_batch_size: -1')).toBe(
      "Invalid value for 'config.yaml: max_batch_size': expected a non-negative integer, got -1",
    );
  });

  it('rejects a fractional queue delay naming the nested key', () => {
    const err = refusal(() => parse('dynamic_batching: { max_queue_delay_microseconds: 2.5 }'));
    expect(err.code).toBe('INVALID_PARAMETER_VALUE');
    expect(err.message).toBe(
      "Invalid value for 'config.yaml: dynamic_batching.max_queue_delay_microseconds': expected a non-negative integer, got 2.5",
    );
    expect(err.details).toMatchObject({
      field: 'config.yaml: dynamic_batching.max_queue_delay_microseconds',
    });
  });

  it('rejects an unknown top-level key, listing the known ones', () => {
    const msg = message('max_batchsize: 8');
    expect(msg).toContain("'config.yaml: max_batchsize'");
    expect(msg).toContain('max_batch_size');
    expect(msg).toContain('got an unknown key');
  });

  it('rejects an unknown nested key naming its dotted path', () => {
    expect(message('session: { intra_op_threads: 2 }')).toContain("'config.yaml: session.intra_op_threads'");
    expect(message('version_policy: { all: { x: 1 } }')).toContain("'config.yaml: version_policy.all.x'");
  });

  it.each([
    ['instance_count: 0', 'instance_count', 'an integer ≥ 1, got 0'],
    ['timeout_ms: "500"', 'timeout_ms', "a non-negative integer, got '500'"],
    ['allow_non_finite: yes', 'allow_non_finite', "true or false, got 'yes'"],
    ['execution_providers: [rocm]', 'execution_providers[0]', "cuda | tensorrt | cpu, got 'rocm'"],
    ['execution_providers: []', 'execution_providers', 'a list of at least 1'],
    ['execution_providers: cpu', 'execution_providers', "a list of at least 1, got 'cpu'"],
    ['dynamic_batching: { preferred_batch_size: [0] }', 'dynamic_batching.preferred_batch_size[0]', '≥ 1'],
    ['session: { execution_mode: fast }', 'session.execution_mode', 'sequential | parallel'],
    ['session: { graph_optimization_level: 99 }', 'session.graph_optimization_level', 'disabled | basic'],
    ['session: 4', 'session', 'a mapping, got 4'],
    ['response_cache: { size: -5 }', 'response_cache.size', 'a non-negative integer'],
    ['warmup: { kind: replay }', 'warmup.kind', 'zeros | random | recorded'],
    ['warmup: { batch_size: 0 }', 'warmup.batch_size', 'an integer ≥ 1'],
    ['warmup: { kind: recorded }', 'warmup.inputs', 'the recorded request'],
    [
      'warmup: { kind: zeros, inputs: [{ name: x, datatype: FP32, data: [1] }] }',
      'warmup.kind',
      "'recorded'",
    ],
    ['warmup: { inputs: [{ name: x, datatype: FLOAT, data: [1] }] }', 'warmup.inputs[0].datatype', 'FP32'],
    ['warmup: { inputs: [{ name: x, datatype: FP32 }] }', 'warmup.inputs[0].data', 'the input values'],
    [
      'warmup: { inputs: [{ name: x, datatype: FP32, shape: [2], data: [1] }] }',
      'warmup.inputs[0].data',
      '2',
    ],
    ['warmup: { inputs: [{ name: x, datatype: INT8, data: [300] }] }', 'warmup.inputs[0].data[0]', 'INT8'],
    [
      'warmup: { inputs: [{ name: x, datatype: FP32, data: [1] }, { name: x, datatype: FP32, data: [1] }] }',
      'warmup.inputs[1].name',
      'not given before',
    ],
    ['version_policy: { all: {}, latest: {} }', 'version_policy', 'exactly one of latest, all, specific'],
    ['version_policy: { latest: { num_versions: 0 } }', 'version_policy.latest.num_versions', '≥ 1'],
    ['version_policy: { specific: { versions: [] } }', 'version_policy.specific.versions', 'at least 1'],
    ['version_policy: { specific: { versions: [v1] } }', 'version_policy.specific.versions[0]', "got 'v1'"],
    ['labels: { stable: latest }', 'labels.stable', "got 'latest'"],
    ['labels: { "bad label": 1 }', 'labels', "got 'bad label'"],
    ['labels: [1]', 'labels', 'a mapping of label: version'],
    ['instance_count: 2\ninstance_group: [{ count: 1 }]', 'instance_group', 'not both'],
    ['instance_group: [{ count: 1, kind: KIND_TPU }]', 'instance_group[0].kind', 'KIND_GPU'],
  ])('rejects %j naming %s', (text, key, expected) => {
    const msg = message(text);
    expect(msg).toContain(`'config.yaml: ${key}'`);
    expect(msg).toContain(expected);
  });

  it('rejects a document that is not a mapping', () => {
    expect(message('- 1\n- 2')).toBe(
      "Invalid value for 'config.yaml': expected a mapping, got an array of 2",
    );
  });

  it('names the file and position of a YAML syntax error', () => {
    const err = refusal(() =>
      parseModelConfigYaml('max_batch_size: 8\nlabels: { a: 1\n', 'logreg/config.yaml'),
    );
    expect(err.code).toBe('INVALID_PARAMETER_VALUE');
    expect(err.message).toContain("'logreg/config.yaml': expected valid YAML");
    expect(err.message).toMatch(/line \d+, column \d+/);
  });

  it('rejects a key given twice', () => {
    expect(message('max_batch_size: 8\nmax_batch_size: 16')).toContain('expected valid YAML');
  });
});
