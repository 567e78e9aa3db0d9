/**
 * The serving domain's public types: tensors, model signatures, per-model configuration and the
 * protocol-free engine every wire format (TF Serving, KServe V2, TorchServe) maps onto.
 */

/** Tensor element types, named as the KServe V2 / Triton protocol names them. */
export type TensorDataType =
  | 'BOOL'
  | 'UINT8'
  | 'UINT16'
  | 'UINT32'
  | 'UINT64'
  | 'INT8'
  | 'INT16'
  | 'INT32'
  | 'INT64'
  | 'FP16'
  | 'FP32'
  | 'FP64'
  | 'BYTES';

/**
 * Element storage per type: BOOL → Uint8Array (0/1), FP16 → Uint16Array (IEEE half bits),
 * INT64/UINT64 → BigInt64Array/BigUint64Array, BYTES → string[] (UTF-8 text; ONNX string tensors).
 */
export type TensorData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | string[];

/** A dense, row-major tensor. `data.length` equals the product of `shape`. */
export interface Tensor {
  name: string;
  datatype: TensorDataType;
  shape: number[];
  data: TensorData;
}

/** One declared input or output of a model; `-1` marks a dynamic dimension. */
export interface TensorSpec {
  name: string;
  datatype: TensorDataType;
  shape: number[];
}

export interface ModelSignature {
  inputs: TensorSpec[];
  outputs: TensorSpec[];
}

/** Which versions of a repository model are served (Triton's version_policy). */
export type VersionPolicy =
  | { kind: 'latest'; count: number }
  | { kind: 'all' }
  | { kind: 'specific'; versions: string[] };

export type ExecutionProvider = 'cpu' | 'cuda' | 'tensorrt';

/** ONNX Runtime session options a model may set (config.yaml `session:`). */
export interface SessionOptions {
  intraOpNumThreads?: number;
  interOpNumThreads?: number;
  executionMode?: 'sequential' | 'parallel';
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  enableCpuMemArena?: boolean;
  enableMemPattern?: boolean;
}

/** A synthetic (`random`/`zeros`) or recorded warmup request, sent before a version is reported ready. */
export interface WarmupSpec {
  /** Requests to send (default 3). */
  count: number;
  /** Rows per synthetic request (default 1). */
  batchSize: number;
  kind: 'zeros' | 'random' | 'recorded';
  /** For `recorded`: the inputs of one request. */
  inputs?: Tensor[];
}

/**
 * A feature service feeding a model (config.yaml `features:`): requests then carry the service's
 * join keys and request fields, and serving reads the features (see `feature-inputs.ts`).
 */
export interface ModelFeatures {
  service: string;
  /** `error` (default): a feature not PRESENT is a 400; `nan`: it reaches the model as NaN. */
  onMissing: 'error' | 'nan';
}

/** Per-model serving configuration: defaults, overridden by config.yaml / config.pbtxt / CLI flags. */
export interface ModelConfig {
  /** Largest merged batch; 0 = never batch (the model has no batch dimension). */
  maxBatchSize: number;
  /** How long the batcher may hold a request to fill a batch while an instance is idle (µs, default 0). */
  maxQueueDelayMicros: number;
  /** Preferred batch sizes (Triton's preferred_batch_size); informational for the scheduler. */
  preferredBatchSizes: number[];
  /** Worker threads (ONNX Runtime sessions) per version; default: cores − 1 (the event loop keeps one), at least 1. */
  instanceCount: number;
  /** Requests waiting beyond this are refused with 429 (Triton's max_queue_size). */
  maxQueueSize: number;
  /** Per-request deadline in ms (504 beyond it); 0 = none. */
  timeoutMs: number;
  /** Providers to try in order; CPU is always the final fallback. */
  executionProviders: ExecutionProvider[];
  session: SessionOptions;
  /** Let NaN/±Infinity through input validation (default false: 400). */
  allowNonFinite: boolean;
  /** Response cache entries (LRU, keyed by version + input bytes); 0 = off (default). */
  responseCacheSize: number;
  warmup: WarmupSpec;
  versionPolicy: VersionPolicy;
  /** Version labels (repository mode; registry mode uses aliases). */
  labels: Record<string, string>;
  /** The feature service the model reads; absent: requests carry the model's own inputs. */
  features?: ModelFeatures;
}

export type ModelVersionState = 'LOADING' | 'READY' | 'UNLOADING' | 'UNAVAILABLE';

/** What the engine reports about one version (metadata endpoints, repository index). */
export interface ModelVersionStatus {
  name: string;
  version: string;
  state: ModelVersionState;
  /** Why it is unavailable (load error), when it is. */
  reason?: string;
  /** What requests carry: the model's inputs, or with `config.features` the join keys and request fields. */
  signature?: ModelSignature;
  /** The model's own inputs and outputs, when they differ from `signature` (a feature-fed model). */
  modelSignature?: ModelSignature;
  /** The features feeding a feature-fed model, in service order (`view:feature`). */
  featureRefs?: string[];
  /** The provider actually in use (after any fallback). */
  executionProvider?: ExecutionProvider;
  /** Seconds spent loading + warming. */
  loadSeconds?: number;
  /** Model file size in bytes (the weights the sessions hold). */
  modelBytes?: number;
  config?: ModelConfig;
}

export interface ModelStatus {
  name: string;
  /** The version answering requests that name no version (latest, or the alias followed). */
  defaultVersion?: string;
  versions: ModelVersionStatus[];
  /** label/alias → version */
  labels: Record<string, string>;
}

/** A protocol-free inference call. */
export interface InferenceRequest {
  model: string;
  /** Exact version; else `label`; else the model's default version. */
  version?: string;
  label?: string;
  inputs: Tensor[];
  /** Output names to return (default: all). */
  outputs?: string[];
  /** Caller's id (echoed; generated when absent). */
  id?: string;
  /** Aborts queued work when the client goes away; rejects with CANCELLED. */
  signal?: AbortSignal;
  /**
   * A cheaper alternative to `signal` for servers: polled when a batch is formed, so a request
   * whose client went away while it waited is dropped (CANCELLED) instead of computed.
   */
  isCancelled?: () => boolean;
}

export interface InferenceResult {
  id: string;
  model: string;
  version: string;
  outputs: Tensor[];
  /** Microseconds: queued before a batch was dispatched, and compute of that batch. */
  queueMicros: number;
  computeMicros: number;
  cached: boolean;
}

/** What the inference-log hook receives (monitoring consumes it). */
export interface InferenceRecord {
  id: string;
  model: string;
  version: string;
  timestamp: number;
  latencyMicros: number;
  /** The tensors the model ran on (for a feature-fed model: the features served). */
  inputs: Tensor[];
  outputs: Tensor[];
  /** For a feature-fed model: what the request carried (join keys and request fields). */
  requestInputs?: Tensor[];
}

export interface InferenceLogSink {
  write(records: InferenceRecord[]): Promise<void> | void;
}

/** The engine behind every serving protocol. */
export interface InferenceEngine {
  infer(request: InferenceRequest): Promise<InferenceResult>;
  listModels(): ModelStatus[];
  /** RESOURCE_DOES_NOT_EXIST when unknown. */
  getModel(name: string): ModelStatus;
  /** The version `version`/`label` (or the default) names; RESOURCE_DOES_NOT_EXIST when none. */
  getVersion(name: string, ref?: { version?: string; label?: string }): ModelVersionStatus;
  /** True when the model (or that version) can answer now. */
  isReady(name?: string, version?: string): boolean;
  /** Loads (or reloads) a model from its source, warming before the swap. */
  load(name: string): Promise<ModelStatus>;
  /** Drains and unloads every version of a model. */
  unload(name: string): Promise<void>;
  /** Names the engine could load (repository index: loaded or not). */
  index(): Promise<
    Array<{ name: string; version?: string; state: ModelVersionState | 'UNLOADED'; reason?: string }>
  >;
  close(): Promise<void>;
}
