/**
 * One loaded model version: its sessions, batcher, signature, config and optional response cache.
 * Loading = start the sessions, read the signature, warm up; only then is it READY.
 */
import { SlipwayError } from '../core/errors.js';
import { Batcher, type BatchResult, type Cancellation } from './batcher.js';
import { asRequestColumns, FeatureInputs, type FeatureLookup } from './feature-inputs.js';
import type { VersionMetrics } from './metrics.js';
import { ResponseCache } from './response-cache.js';
import { InstancePool } from './runtime/instance-pool.js';
import type { WireSpec } from './runtime/protocol.js';
import { allocate, datatypeOfOrt, elementCount, floatToHalf } from './tensor.js';
import type { ModelConfig, ModelSignature, ModelVersionStatus, Tensor, TensorSpec } from './types.js';
import { validateInputs, validateOutputNames } from './validation.js';

export interface ServingLogger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export interface VersionResult extends BatchResult {
  cached: boolean;
  /** For a feature-fed model: the tensors built from the features (what the model ran on). */
  modelInputs?: Tensor[];
}

function specOf(w: WireSpec, model: string): TensorSpec {
  const datatype = datatypeOfOrt(w.type);
  if (!datatype) {
    throw new SlipwayError(
      'INVALID_PARAMETER_VALUE',
      `Model '${model}' has ${w.name} of type ${w.type}, which serving does not support (tensors of numbers, bools or strings only)`,
    );
  }
  return { name: w.name, datatype, shape: w.shape };
}

export class ServedVersion {
  state: 'READY' | 'UNLOADING' = 'READY';
  private readonly cache?: ResponseCache;
  /** What requests carry: the model's signature, or a feature-fed model's join keys and request fields. */
  readonly signature: ModelSignature;
  /** Feature lookups started and not yet queued; unloading waits for them. */
  private lookups = 0;
  private lookupsDone?: () => void;

  private constructor(
    readonly name: string,
    readonly version: string,
    readonly config: ModelConfig,
    readonly modelSignature: ModelSignature,
    readonly provider: ModelVersionStatus['executionProvider'],
    readonly modelBytes: number,
    private readonly pool: InstancePool,
    private readonly batcher: Batcher,
    readonly metrics: VersionMetrics,
    public loadSeconds: number,
    private readonly features?: FeatureInputs,
  ) {
    if (config.responseCacheSize > 0) this.cache = new ResponseCache(config.responseCacheSize);
    this.signature = features ? features.requestSignature : modelSignature;
  }

  /** Starts the sessions and warms them; throws (having stopped everything) when that fails. */
  static async load(opts: {
    name: string;
    version: string;
    modelBytes: Uint8Array;
    config: ModelConfig;
    metrics: VersionMetrics;
    logger: ServingLogger;
    /** The feature store, for a model whose config declares a feature service. */
    features?: FeatureLookup;
  }): Promise<ServedVersion> {
    const started = performance.now();
    const { name, version, logger } = opts;
    const pool = await InstancePool.open({
      modelBytes: opts.modelBytes,
      count: opts.config.instanceCount,
      providers: opts.config.executionProviders,
      session: opts.config.session,
    }).catch((err: Error) => {
      throw new SlipwayError(
        'INVALID_PARAMETER_VALUE',
        `Model '${name}' version ${version} failed to load: ${err.message}`,
      );
    });
    try {
      const s = pool.session;
      if (s.fallbackReason) {
        logger.warn(
          `model '${name}' version ${version}: falling back to the CPU execution provider (${s.fallbackReason})`,
        );
      }
      const signature = {
        inputs: s.inputs.map((w) => specOf(w, name)),
        outputs: s.outputs.map((w) => specOf(w, name)),
      };
      const config = { ...opts.config };
      if (config.maxBatchSize > 0 && !signature.inputs.every((i) => i.shape.length > 0 && i.shape[0] < 0)) {
        logger.warn(
          `model '${name}' version ${version}: an input has no dynamic first dimension, so it is not batched (max_batch_size 0)`,
        );
        config.maxBatchSize = 0;
      }
      const batcher = new Batcher(pool, {
        maxBatchSize: config.maxBatchSize,
        maxQueueDelayMicros: config.maxQueueDelayMicros,
        maxQueueSize: config.maxQueueSize,
        timeoutMs: config.timeoutMs,
        ragged: signature.inputs.some((i) => i.shape.slice(1).some((d) => d < 0)),
        onBatch: (rows) => opts.metrics.batch(rows),
      });
      const features = config.features
        ? FeatureInputs.open(config.features, opts.features, signature, name)
        : undefined;
      const served = new ServedVersion(
        name,
        version,
        config,
        signature,
        s.provider,
        opts.modelBytes.byteLength,
        pool,
        batcher,
        opts.metrics,
        0,
        features,
      );
      await served.warmup();
      served.loadSeconds = (performance.now() - started) / 1000;
      logger.info(
        `model '${name}' version ${version} ready on ${s.provider} (${pool.size} instances, ${served.loadSeconds.toFixed(2)} s)`,
      );
      return served;
    } catch (err) {
      await pool.close();
      if (err instanceof SlipwayError) throw err;
      throw new SlipwayError(
        'INVALID_PARAMETER_VALUE',
        `Model '${name}' version ${version} failed warmup: ${(err as Error).message}`,
      );
    }
  }

  get queueDepth(): number {
    return this.batcher.queueDepth;
  }

  get inFlight(): number {
    return this.batcher.inFlight;
  }

  get instances(): number {
    return this.pool.size;
  }

  /**
   * Validates and queues a request. Synchronous up to the queueing, so a version picked by the
   * engine always receives the request before any swap can start draining it.
   */
  infer(inputs: Tensor[], outputs: string[] | undefined, cancel?: Cancellation): Promise<VersionResult> {
    if (this.state !== 'READY') {
      return Promise.reject(
        new SlipwayError(
          'TEMPORARILY_UNAVAILABLE',
          `Model '${this.name}' version ${this.version} is unloading`,
        ),
      );
    }
    if (this.features) return this.inferFromFeatures(this.features, inputs, outputs, cancel);
    return this.run(inputs, outputs, cancel);
  }

  /** Validates the model's own tensors and queues them (through the response cache when on). */
  private run(
    inputs: Tensor[],
    outputs: string[] | undefined,
    cancel?: Cancellation,
    allowNonFinite = this.config.allowNonFinite,
  ): Promise<VersionResult> {
    const checked = validateInputs(this.modelSignature, inputs, {
      batched: this.config.maxBatchSize > 0,
      maxBatchSize: this.config.maxBatchSize,
      allowNonFinite,
    });
    validateOutputNames(this.modelSignature, outputs);
    if (!this.cache) {
      return this.batcher.submit(checked.inputs, checked.rows, outputs, cancel).then(notCached);
    }
    const key = ResponseCache.keyOf(checked.inputs, outputs);
    const hit = this.cache.get(key);
    this.metrics.cache(hit !== undefined);
    if (hit) return Promise.resolve({ outputs: hit, queueMicros: 0, computeMicros: 0, cached: true });
    return this.batcher.submit(checked.inputs, checked.rows, outputs, cancel).then((r) => {
      this.cache?.set(key, r.outputs);
      return notCached(r);
    });
  }

  /**
   * A feature-fed request: check the join keys and request fields against the request signature
   * (synchronously, like any request), read the features, then run the model on them.
   */
  private inferFromFeatures(
    features: FeatureInputs,
    inputs: Tensor[],
    outputs: string[] | undefined,
    cancel?: Cancellation,
  ): Promise<VersionResult> {
    const request = validateInputs(this.signature, asRequestColumns(inputs), {
      batched: true,
      maxBatchSize: this.config.maxBatchSize > 0 ? this.config.maxBatchSize : Number.MAX_SAFE_INTEGER,
      allowNonFinite: this.config.allowNonFinite,
    });
    validateOutputNames(this.modelSignature, outputs);
    this.lookups++;
    // Counted down only once the request is queued (run is synchronous up to the queueing), so an
    // unload that waited for the lookups then drains this request too.
    const done = () => {
      if (--this.lookups === 0) this.lookupsDone?.();
    };
    // NaN stands for a missing feature under on_missing: nan, so it must reach the model.
    const allowNonFinite = this.config.allowNonFinite || features.features.onMissing === 'nan';
    return features.modelInputs(request.inputs, request.rows).then(
      (modelInputs) => {
        let queued: Promise<VersionResult>;
        try {
          queued = this.run(modelInputs, outputs, cancel, allowNonFinite);
        } finally {
          done();
        }
        return queued.then((r) => {
          r.modelInputs = modelInputs;
          return r;
        });
      },
      (err: unknown) => {
        done();
        throw err;
      },
    );
  }

  private cachedStatus?: ModelVersionStatus;

  status(): ModelVersionStatus {
    if (this.cachedStatus?.state === this.state) return this.cachedStatus;
    this.cachedStatus = {
      name: this.name,
      version: this.version,
      state: this.state === 'READY' ? 'READY' : 'UNLOADING',
      signature: this.signature,
      ...(this.features
        ? { modelSignature: this.modelSignature, featureRefs: this.features.featureRefs }
        : {}),
      executionProvider: this.provider,
      loadSeconds: this.loadSeconds,
      modelBytes: this.modelBytes,
      config: this.config,
    };
    return this.cachedStatus;
  }

  /** Stops taking requests, waits for the queued and running ones, then stops the sessions. */
  async unload(): Promise<void> {
    this.state = 'UNLOADING';
    // Requests still reading features are queued once their features arrive: wait for them first.
    if (this.lookups > 0) await new Promise<void>((resolve) => (this.lookupsDone = resolve));
    await this.batcher.drain();
    await this.pool.close();
  }

  private async warmup(): Promise<void> {
    const w = this.config.warmup;
    if (w.count <= 0) return;
    const inputs =
      w.kind === 'recorded' && w.inputs ? w.inputs : this.syntheticInputs(w.batchSize, w.kind === 'random');
    // Straight to the batcher: warmup requests must not fill the response cache.
    const checked = validateInputs(this.modelSignature, inputs, {
      batched: this.config.maxBatchSize > 0,
      maxBatchSize: this.config.maxBatchSize,
      allowNonFinite: true,
    });
    for (let k = 0; k < w.count; k++) await this.batcher.submit(checked.inputs, checked.rows);
  }

  private syntheticInputs(batchSize: number, random: boolean): Tensor[] {
    const batched = this.config.maxBatchSize > 0;
    return this.modelSignature.inputs.map((spec) => {
      const shape = spec.shape.map((d, k) => (d >= 0 ? d : k === 0 && batched ? batchSize : 1));
      const n = elementCount(shape);
      const data = allocate(spec.datatype, n);
      if (Array.isArray(data)) data.fill('warmup');
      else if (random) {
        for (let k = 0; k < n; k++) {
          const r = Math.random();
          if (data instanceof BigInt64Array || data instanceof BigUint64Array)
            data[k] = BigInt(Math.floor(r * 10));
          else if (spec.datatype === 'FP16') data[k] = floatToHalf(r);
          else if (data instanceof Float32Array || data instanceof Float64Array) data[k] = r;
          else data[k] = spec.datatype === 'BOOL' ? Math.round(r) : Math.floor(r * 10);
        }
      }
      return { name: spec.name, datatype: spec.datatype, shape, data };
    });
  }
}

function notCached(r: BatchResult): VersionResult {
  // Mutating beats a spread copy on the hot path; the batch result is this request's own object.
  (r as VersionResult).cached = false;
  return r as VersionResult;
}
