/**
 * The common fields of a Triton `config.pbtxt` mapped onto `ModelConfig`, so an existing Triton
 * model repository can be served as it is.
 */
import { invalidParameter } from '../core/errors.js';
import { asList, isMessage, type PbtxtMessage, type PbtxtValue, parsePbtxt } from './pbtxt.js';
import type { ExecutionProvider, ModelConfig, VersionPolicy } from './types.js';

/** Reads Triton fields with errors naming `<source>: <dotted.key>`. */
class TritonFields {
  constructor(private readonly source: string) {}

  field(path: string): string {
    return `${this.source}: ${path}`;
  }

  message(v: PbtxtValue | undefined, path: string): PbtxtMessage | undefined {
    if (v === undefined) return undefined;
    if (!isMessage(v)) throw invalidParameter(this.field(path), 'a message { … } given once', v);
    return v;
  }

  int(v: PbtxtValue | undefined, path: string, min = 0): number | undefined {
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
      throw invalidParameter(
        this.field(path),
        min === 0 ? 'a non-negative integer' : `an integer ≥ ${min}`,
        v,
      );
    }
    return v;
  }
}

function tritonVersionPolicy(f: TritonFields, policy: PbtxtMessage): VersionPolicy {
  const kinds = Object.keys(policy);
  if (kinds.length !== 1 || !['latest', 'all', 'specific'].includes(kinds[0])) {
    throw invalidParameter(
      f.field('version_policy'),
      'exactly one of latest, all, specific',
      kinds.join(', '),
    );
  }
  const body = f.message(policy[kinds[0]], `version_policy.${kinds[0]}`)!;
  if (kinds[0] === 'all') return { kind: 'all' };
  if (kinds[0] === 'latest') {
    return { kind: 'latest', count: f.int(body.num_versions, 'version_policy.latest.num_versions', 1) ?? 1 };
  }
  const versions = asList(body.versions).map((v) => String(f.int(v, 'version_policy.specific.versions')));
  if (versions.length === 0) {
    throw invalidParameter(f.field('version_policy.specific.versions'), 'at least one version', versions);
  }
  return { kind: 'specific', versions: [...new Set(versions)] };
}

/**
 * Reads the fields of a Triton `config.pbtxt` that mean something here: max_batch_size,
 * dynamic_batching (queue delay, preferred sizes, default_queue_policy.max_queue_size),
 * instance_group (counts summed; KIND_GPU → CUDA), version_policy, and a TensorRT GPU execution
 * accelerator. Everything else (name, platform, input, output, parameters…) is accepted and ignored:
 * the served signature always comes from the ONNX file itself.
 *
 * @example
 * parseTritonConfig('max_batch_size: 8\ninstance_group [{ count: 2 kind: KIND_CPU }]', 'mlp/config.pbtxt')
 * // { maxBatchSize: 8, instanceCount: 2 }
 */
export function parseTritonConfig(text: string, source: string): Partial<ModelConfig> {
  const tree = parsePbtxt(text, source);
  const f = new TritonFields(source);
  const out: Partial<ModelConfig> = {};

  // Left unset when absent, as Triton's auto-complete does for ONNX models with a dynamic first
  // dimension (strict config would read it as 0); `max_batch_size: 0` must be written to opt out.
  const maxBatchSize = f.int(tree.max_batch_size, 'max_batch_size');
  if (maxBatchSize !== undefined) out.maxBatchSize = maxBatchSize;

  const batching = f.message(tree.dynamic_batching, 'dynamic_batching');
  if (batching) {
    const delay = f.int(
      batching.max_queue_delay_microseconds,
      'dynamic_batching.max_queue_delay_microseconds',
    );
    if (delay !== undefined) out.maxQueueDelayMicros = delay;
    if (batching.preferred_batch_size !== undefined) {
      out.preferredBatchSizes = asList(batching.preferred_batch_size).map(
        (v) => f.int(v, 'dynamic_batching.preferred_batch_size', 1)!,
      );
    }
    const queue = f.message(batching.default_queue_policy, 'dynamic_batching.default_queue_policy');
    const maxQueueSize = f.int(queue?.max_queue_size, 'dynamic_batching.default_queue_policy.max_queue_size');
    // Triton's 0 means "unbounded"; keep our bounded default rather than queueing without limit.
    if (maxQueueSize) out.maxQueueSize = maxQueueSize;
  }

  const providers = new Set<ExecutionProvider>();
  const groups = asList(tree.instance_group);
  if (groups.length > 0) {
    let count = 0;
    groups.forEach((g, i) => {
      const group = f.message(g, `instance_group[${i}]`)!;
      count += f.int(group.count, `instance_group[${i}].count`, 1) ?? 1;
      if (group.kind === 'KIND_GPU') providers.add('cuda');
    });
    out.instanceCount = count;
  }

  const optimization = f.message(tree.optimization, 'optimization');
  const accelerators = f.message(optimization?.execution_accelerators, 'optimization.execution_accelerators');
  asList(accelerators?.gpu_execution_accelerator).forEach((a, i) => {
    const path = `optimization.execution_accelerators.gpu_execution_accelerator[${i}]`;
    if (f.message(a, path)!.name === 'tensorrt') providers.add('tensorrt');
  });
  // TensorRT before CUDA before CPU: each is the fallback of the one before.
  if (providers.has('tensorrt')) out.executionProviders = ['tensorrt', 'cuda', 'cpu'];
  else if (providers.has('cuda')) out.executionProviders = ['cuda', 'cpu'];

  const policy = f.message(tree.version_policy, 'version_policy');
  if (policy) out.versionPolicy = tritonVersionPolicy(f, policy);
  return out;
}
