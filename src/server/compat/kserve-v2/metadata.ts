/**
 * V2 metadata shapes: server metadata, model metadata, Triton's model configuration extension and the
 * model repository index — each built from what the engine reports, never a second source of truth.
 */
import { SlipwayError } from '../../../core/errors.js';
import type {
  InferenceEngine,
  ModelStatus,
  ModelVersionStatus,
  TensorDataType,
  TensorSpec,
} from '../../../serving/types.js';

/** Extensions this adapter implements (reported by `GET /v2`, as Triton does). */
export const V2_EXTENSIONS = ['binary_tensor_data', 'model_repository', 'model_configuration'];

/** Triton's name for the ONNX Runtime backend; clients such as perf_analyzer switch on it. */
const PLATFORM = 'onnxruntime_onnx';

export interface V2ModelMetadata {
  name: string;
  versions: string[];
  platform: string;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  /** Non-standard: the ONNX Runtime provider in use after any fallback (cpu, cuda, tensorrt). */
  execution_provider?: string;
}

/**
 * Which version a `/versions/{v}` path segment names: digits are a version, anything else a label
 * (`/v2/models/logreg/versions/canary`), so labelled rollouts are reachable from V2 clients too.
 */
export function versionRef(segment: string | undefined): { version?: string; label?: string } | undefined {
  if (segment === undefined) return undefined;
  return isVersionNumber(segment) ? { version: segment } : { label: segment };
}

/** True for a non-empty run of digits (a version number rather than a label). */
export function isVersionNumber(s: string): boolean {
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c < 48 || c > 57) return false;
  }
  return s.length > 0;
}

/** The signature of a version, or why there is none (it failed to load, or is still loading). */
function signatureOf(v: ModelVersionStatus): NonNullable<ModelVersionStatus['signature']> {
  if (v.signature) return v.signature;
  if (v.state === 'LOADING' || v.state === 'UNLOADING') {
    throw new SlipwayError(
      'TEMPORARILY_UNAVAILABLE',
      `Model '${v.name}' version ${v.version} is ${v.state.toLowerCase()}`,
    );
  }
  throw new SlipwayError(
    'INVALID_STATE',
    v.reason ?? `Model '${v.name}' version ${v.version} is unavailable`,
  );
}

function specs(list: TensorSpec[]): TensorSpec[] {
  return list.map((s) => ({ name: s.name, datatype: s.datatype, shape: s.shape }));
}

/** `GET /v2/models/{m}[/versions/{v}]`. Lists every version the engine knows of the model. */
export function modelMetadata(model: ModelStatus, version: ModelVersionStatus): V2ModelMetadata {
  const sig = signatureOf(version);
  const meta: V2ModelMetadata = {
    name: model.name,
    versions: model.versions.map((v) => v.version),
    platform: PLATFORM,
    inputs: specs(sig.inputs),
    outputs: specs(sig.outputs),
  };
  if (version.executionProvider) meta.execution_provider = version.executionProvider;
  return meta;
}

function tritonType(dt: TensorDataType): string {
  return dt === 'BYTES' ? 'TYPE_STRING' : `TYPE_${dt}`;
}

/**
 * `GET /v2/models/{m}[/versions/{v}]/config`: the subset of Triton's model configuration (JSON form)
 * that the engine's config maps onto. With max_batch_size > 0 Triton's `dims` leave out the batch
 * dimension, so it is dropped here too.
 */
export function modelConfig(version: ModelVersionStatus): Record<string, unknown> {
  const sig = signatureOf(version);
  const cfg = version.config;
  const maxBatchSize = cfg?.maxBatchSize ?? 0;
  const dims = (s: TensorSpec) => (maxBatchSize > 0 ? s.shape.slice(1) : s.shape);
  const out: Record<string, unknown> = {
    name: version.name,
    platform: PLATFORM,
    backend: 'onnxruntime',
    max_batch_size: maxBatchSize,
    input: sig.inputs.map((s) => ({ name: s.name, data_type: tritonType(s.datatype), dims: dims(s) })),
    output: sig.outputs.map((s) => ({ name: s.name, data_type: tritonType(s.datatype), dims: dims(s) })),
  };
  if (cfg) {
    if (maxBatchSize > 0) {
      out.dynamic_batching = {
        max_queue_delay_microseconds: cfg.maxQueueDelayMicros,
        preferred_batch_size: cfg.preferredBatchSizes,
        default_queue_policy: { max_queue_size: cfg.maxQueueSize },
      };
    }
    const gpu = version.executionProvider === 'cuda' || version.executionProvider === 'tensorrt';
    out.instance_group = [{ count: cfg.instanceCount, kind: gpu ? 'KIND_GPU' : 'KIND_CPU' }];
  }
  return out;
}

export interface V2RepositoryEntry {
  name: string;
  version?: string;
  state: string;
  reason?: string;
}

/**
 * `POST /v2/repository/index`. Triton has no UNLOADED state: a model on disk that is not loaded is
 * UNAVAILABLE with reason "unloaded", which is what Triton clients check for.
 */
export async function repositoryIndex(
  engine: InferenceEngine,
  readyOnly: boolean,
): Promise<V2RepositoryEntry[]> {
  const entries = await engine.index();
  const out: V2RepositoryEntry[] = [];
  for (const e of entries) {
    if (readyOnly && e.state !== 'READY') continue;
    const entry: V2RepositoryEntry =
      e.version === undefined ? { name: e.name, state: '' } : { name: e.name, version: e.version, state: '' };
    entry.state = e.state === 'UNLOADED' ? 'UNAVAILABLE' : e.state;
    const reason = e.reason ?? (e.state === 'UNLOADED' ? 'unloaded' : undefined);
    if (reason !== undefined) entry.reason = reason;
    out.push(entry);
  }
  return out;
}
