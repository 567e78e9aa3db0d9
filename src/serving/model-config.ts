/**
 * Per-model serving configuration: the defaults, our `config.yaml` format (snake_case keys, Triton's
 * names where Triton has one) and the merge of defaults ← file ← flags. Triton's `config.pbtxt` is
 * read by `pbtxt.ts` into the same `Partial<ModelConfig>`.
 */
import { parse as parseYaml } from 'yaml';
import { invalidParameter, SlipwayError } from '../core/errors.js';
import { checkShape, isTensorDataType, TENSOR_DATATYPES, tensorFromValues } from './tensor.js';
import type {
  ExecutionProvider,
  ModelConfig,
  ModelFeatures,
  SessionOptions,
  Tensor,
  VersionPolicy,
  WarmupSpec,
} from './types.js';

/**
 * The configuration a model gets when nothing overrides it. One ONNX Runtime session per core but
 * one: the event-loop thread (HTTP parsing, JSON, batching) needs a core of its own, and measured on
 * 2 cores a second session only competed with it (mlp batch-1 at 64 connections: 24.7k req/s with
 * one session, 21.7k with two). Each session gets one intra-op thread: sessions run batches in
 * parallel, so more threads per session would only oversubscribe the cores.
 */
export function defaultModelConfig(cores: number): ModelConfig {
  return {
    maxBatchSize: 1024,
    maxQueueDelayMicros: 0,
    preferredBatchSizes: [],
    instanceCount: Math.max(1, Math.floor(cores) - 1),
    maxQueueSize: 1024,
    timeoutMs: 30_000,
    executionProviders: ['cpu'],
    session: { intraOpNumThreads: 1, graphOptimizationLevel: 'all' },
    allowNonFinite: false,
    responseCacheSize: 0,
    warmup: { count: 3, batchSize: 1, kind: 'random' },
    versionPolicy: { kind: 'latest', count: 1 },
    labels: {},
  };
}

function defined<T extends object>(o: Partial<T> | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Applies overrides left to right; a later one wins. `session` and `warmup` merge field by field (a
 * file that sets only `warmup.count` keeps the default kind); every other field is replaced whole.
 *
 * @example
 * mergeModelConfig(defaultModelConfig(8), fileConfig, { instanceCount: 2 })
 */
export function mergeModelConfig(
  base: ModelConfig,
  ...overrides: Array<Partial<ModelConfig> | undefined>
): ModelConfig {
  const out: ModelConfig = { ...base, session: { ...base.session }, warmup: { ...base.warmup } };
  for (const o of overrides) {
    if (!o) continue;
    const { session, warmup, ...rest } = defined(o);
    Object.assign(out, rest);
    if (session) out.session = { ...out.session, ...defined(session) };
    if (warmup) out.warmup = { ...out.warmup, ...defined(warmup) };
  }
  return out;
}

type YamlMap = Record<string, unknown>;

const LABEL_NAME = /^[A-Za-z0-9_.-]+$/;
const VERSION = /^(?:0|[1-9][0-9]*)$/;
const PROVIDERS = ['cuda', 'tensorrt', 'cpu'] as const;

/** Checks single YAML values; every error names `<source>: <dotted.key>`, the expected and the got. */
class Checker {
  constructor(readonly source: string) {}

  field(path: string): string {
    return path ? `${this.source}: ${path}` : this.source;
  }

  /** A mapping holding only `known` keys (`null`, as YAML gives for `all:`, reads as empty). */
  section(v: unknown, path: string, known: readonly string[]): Section {
    if (v === null) return new Section(this, {}, path);
    if (typeof v !== 'object' || Array.isArray(v)) throw invalidParameter(this.field(path), 'a mapping', v);
    for (const key of Object.keys(v)) {
      if (known.includes(key)) continue;
      const field = this.field(path ? `${path}.${key}` : key);
      const expected = known.length ? `one of the keys ${known.join(', ')}` : 'no keys';
      throw new SlipwayError(
        'INVALID_PARAMETER_VALUE',
        `Invalid value for '${field}': expected ${expected}, got an unknown key`,
        { field, expected, got: 'an unknown key' },
      );
    }
    return new Section(this, v as YamlMap, path);
  }

  int(v: unknown, path: string, min = 0): number {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
      const expected = min === 0 ? 'a non-negative integer' : `an integer ≥ ${min}`;
      throw invalidParameter(this.field(path), expected, v);
    }
    return v;
  }

  oneOf<T extends string>(v: unknown, path: string, values: readonly T[]): T {
    if (typeof v !== 'string' || !values.includes(v as T)) {
      throw invalidParameter(this.field(path), values.join(' | '), v);
    }
    return v as T;
  }

  /** A version number, as a YAML integer or a numeric string; returned as its string form. */
  version(v: unknown, path: string): string {
    return typeof v === 'string' && VERSION.test(v) ? v : String(this.int(v, path));
  }

  /** A list, each element read by `read`; `min` elements at least. */
  list<T>(v: unknown, path: string, read: (e: unknown, path: string) => T, min = 0): T[] {
    if (!Array.isArray(v) || v.length < min) {
      throw invalidParameter(this.field(path), min ? `a list of at least ${min}` : 'a list', v);
    }
    return v.map((e, i) => read(e, `${path}[${i}]`));
  }
}

/** One mapping of the file; each getter returns undefined when its key is absent. */
class Section {
  constructor(
    readonly c: Checker,
    readonly map: YamlMap,
    readonly path: string,
  ) {}

  at(key: string): string {
    return this.path ? `${this.path}.${key}` : key;
  }

  has(key: string): boolean {
    return this.map[key] !== undefined;
  }

  int(key: string, min = 0): number | undefined {
    return this.has(key) ? this.c.int(this.map[key], this.at(key), min) : undefined;
  }

  bool(key: string): boolean | undefined {
    const v = this.map[key];
    if (v !== undefined && typeof v !== 'boolean')
      throw invalidParameter(this.c.field(this.at(key)), 'true or false', v);
    return v;
  }

  oneOf<T extends string>(key: string, values: readonly T[]): T | undefined {
    return this.has(key) ? this.c.oneOf(this.map[key], this.at(key), values) : undefined;
  }

  list<T>(key: string, read: (e: unknown, path: string) => T, min = 0): T[] | undefined {
    return this.has(key) ? this.c.list(this.map[key], this.at(key), read, min) : undefined;
  }

  section(key: string, known: readonly string[]): Section | undefined {
    return this.has(key) ? this.c.section(this.map[key], this.at(key), known) : undefined;
  }
}

function readSession(s: Section): SessionOptions {
  return defined<SessionOptions>({
    intraOpNumThreads: s.int('intra_op_num_threads'),
    interOpNumThreads: s.int('inter_op_num_threads'),
    executionMode: s.oneOf('execution_mode', ['sequential', 'parallel'] as const),
    graphOptimizationLevel: s.oneOf('graph_optimization_level', [
      'disabled',
      'basic',
      'extended',
      'all',
    ] as const),
    enableCpuMemArena: s.bool('enable_cpu_mem_arena'),
    enableMemPattern: s.bool('enable_mem_pattern'),
  });
}

function readWarmupInput(c: Checker, v: unknown, path: string, seen: Set<string>): Tensor {
  const s = c.section(v, path, ['name', 'datatype', 'shape', 'data']);
  const { name, datatype, shape, data } = s.map;
  if (typeof name !== 'string' || name === '' || seen.has(name)) {
    throw invalidParameter(c.field(s.at('name')), 'a non-empty name, not given before', name);
  }
  seen.add(name);
  if (!isTensorDataType(datatype))
    throw invalidParameter(c.field(s.at('datatype')), TENSOR_DATATYPES.join(' | '), datatype);
  if (data === undefined) throw invalidParameter(c.field(s.at('data')), 'the input values', data);
  const dims = shape === undefined ? undefined : checkShape(shape, c.field(s.at('shape')));
  return tensorFromValues({ name, datatype, shape: dims }, data, c.field(s.at('data')));
}

function readWarmup(s: Section): Partial<WarmupSpec> {
  const seen = new Set<string>();
  const w = defined<WarmupSpec>({
    count: s.int('count'),
    batchSize: s.int('batch_size', 1),
    kind: s.oneOf('kind', ['zeros', 'random', 'recorded'] as const),
    inputs: s.list('inputs', (v, path) => readWarmupInput(s.c, v, path, seen), 1),
  });
  // Recorded inputs imply kind: recorded; the two must not contradict each other.
  if (w.inputs && w.kind !== undefined && w.kind !== 'recorded') {
    throw invalidParameter(
      s.c.field(s.at('kind')),
      "'recorded' (or nothing) when warmup.inputs is given",
      w.kind,
    );
  }
  if (w.inputs) w.kind = 'recorded';
  else if (w.kind === 'recorded') {
    throw invalidParameter(
      s.c.field(s.at('inputs')),
      'the recorded request when warmup.kind is recorded',
      undefined,
    );
  }
  return w;
}

function readVersionPolicy(s: Section): VersionPolicy {
  const kinds = Object.keys(s.map);
  if (kinds.length !== 1) {
    throw invalidParameter(s.c.field(s.path), 'exactly one of latest, all, specific', kinds.join(', '));
  }
  if (kinds[0] === 'all') {
    s.section('all', []);
    return { kind: 'all' };
  }
  if (kinds[0] === 'latest') {
    return { kind: 'latest', count: s.section('latest', ['num_versions'])?.int('num_versions', 1) ?? 1 };
  }
  const specific = s.section('specific', ['versions'])!;
  const versions = specific.list('versions', (v, path) => s.c.version(v, path), 1);
  if (!versions)
    throw invalidParameter(s.c.field(specific.at('versions')), 'a list of at least 1', undefined);
  return { kind: 'specific', versions: [...new Set(versions)] };
}

function readLabels(c: Checker, v: unknown): Record<string, string> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw invalidParameter(c.field('labels'), 'a mapping of label: version', v);
  }
  const labels: Record<string, string> = {};
  for (const [name, version] of Object.entries(v)) {
    // Labels appear in URLs (`/v1/models/m/labels/canary`), so they keep to URL-safe characters.
    if (!LABEL_NAME.test(name)) {
      throw invalidParameter(c.field('labels'), 'label names of letters, digits, ., _ and -', name);
    }
    labels[name] = c.version(version, `labels.${name}`);
  }
  return labels;
}

/** Triton-style `instance_group: [{count, kind}]`: counts summed, KIND_GPU → CUDA. */
function readInstanceGroup(top: Section): Partial<ModelConfig> {
  const groups = top.list('instance_group', (v, path) => {
    const g = top.c.section(v, path, ['count', 'kind']);
    return {
      count: g.int('count', 1) ?? 1,
      kind: g.oneOf('kind', ['KIND_AUTO', 'KIND_CPU', 'KIND_GPU'] as const),
    };
  });
  if (!groups?.length) return {};
  const gpu = groups.some((g) => g.kind === 'KIND_GPU');
  return {
    instanceCount: groups.reduce((n, g) => n + g.count, 0),
    ...(gpu ? { executionProviders: ['cuda', 'cpu'] as ExecutionProvider[] } : {}),
  };
}

/** `features: { service, on_missing }`: the feature service that feeds the model. */
function readFeatures(s: Section): ModelFeatures {
  const service = s.map.service;
  if (typeof service !== 'string' || service === '') {
    throw invalidParameter(s.c.field(s.at('service')), 'the name of a feature service', service);
  }
  return { service, onMissing: s.oneOf('on_missing', ['error', 'nan'] as const) ?? 'error' };
}

function parseYamlText(text: string, source: string): unknown {
  try {
    // Unknown tags (`!!python/object`) stay plain values and fail the key checks; no warning noise.
    return parseYaml(text, { logLevel: 'error' });
  } catch (err) {
    const got = (err as Error).message.split('\n')[0].replace(/:$/, '');
    throw new SlipwayError(
      'INVALID_PARAMETER_VALUE',
      `Invalid value for '${source}': expected valid YAML, got ${got}`,
      { field: source, expected: 'valid YAML', got },
    );
  }
}

const TOP_KEYS = [
  'max_batch_size',
  'dynamic_batching',
  'instance_count',
  'instance_group',
  'timeout_ms',
  'execution_providers',
  'session',
  'allow_non_finite',
  'response_cache',
  'warmup',
  'version_policy',
  'labels',
  'features',
];

/**
 * Parses a model's `config.yaml`. Strict: an unknown key or a wrong type is an error naming
 * `<source>: <dotted.key>`, what was expected and what was found. Only the keys present are returned;
 * merge the result over `defaultModelConfig` with `mergeModelConfig`.
 *
 * @example
 * parseModelConfigYaml('max_batch_size: 64\ndynamic_batching: { max_queue_delay_microseconds: 500 }', 'logreg/config.yaml')
 * // { maxBatchSize: 64, maxQueueDelayMicros: 500 }
 */
export function parseModelConfigYaml(text: string, source: string): Partial<ModelConfig> {
  const doc = parseYamlText(text, source);
  if (doc === null || doc === undefined) return {};
  const c = new Checker(source);
  const top = c.section(doc, '', TOP_KEYS);
  if (top.has('instance_count') && top.has('instance_group')) {
    throw invalidParameter(
      c.field('instance_group'),
      'either instance_count or instance_group, not both',
      top.map.instance_group,
    );
  }
  const batching = top.section('dynamic_batching', [
    'max_queue_delay_microseconds',
    'preferred_batch_size',
    'max_queue_size',
  ]);
  const session = top.section('session', [
    'intra_op_num_threads',
    'inter_op_num_threads',
    'execution_mode',
    'graph_optimization_level',
    'enable_cpu_mem_arena',
    'enable_mem_pattern',
  ]);
  const warmup = top.section('warmup', ['count', 'batch_size', 'kind', 'inputs']);
  const policy = top.section('version_policy', ['latest', 'all', 'specific']);
  const providers = top.list('execution_providers', (v, path) => c.oneOf(v, path, PROVIDERS), 1);
  const features = top.section('features', ['service', 'on_missing']);
  return defined<ModelConfig>({
    maxBatchSize: top.int('max_batch_size'),
    maxQueueDelayMicros: batching?.int('max_queue_delay_microseconds'),
    preferredBatchSizes: batching?.list('preferred_batch_size', (v, path) => c.int(v, path, 1)),
    maxQueueSize: batching?.int('max_queue_size'),
    instanceCount: top.int('instance_count', 1),
    ...readInstanceGroup(top),
    timeoutMs: top.int('timeout_ms'),
    // An explicit provider list wins over what an instance_group kind implied.
    ...(providers ? { executionProviders: [...new Set(providers)] } : {}),
    session: session && readSession(session),
    allowNonFinite: top.bool('allow_non_finite'),
    responseCacheSize: top.section('response_cache', ['size'])?.int('size'),
    // A partial warmup: mergeModelConfig fills the rest field by field.
    warmup: warmup && (readWarmup(warmup) as WarmupSpec),
    versionPolicy: policy && readVersionPolicy(policy),
    labels: top.has('labels') ? readLabels(c, top.map.labels) : undefined,
    features: features && readFeatures(features),
  });
}
