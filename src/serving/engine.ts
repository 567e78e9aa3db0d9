/**
 * The inference engine: the models being served, their versions and labels, and the one `infer`
 * every protocol calls. Loading reconciles what runs with what a source plans: new versions are
 * loaded and warmed beside the old ones, the switch is one assignment, and replaced versions drain
 * their in-flight requests before their sessions stop. A version that fails to load leaves the
 * previous one serving.
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { isSlipwayError, notFound, SlipwayError } from '../core/errors.js';
import type { FeatureLookup } from './feature-inputs.js';
import { InferenceLogger, type InferenceLogOptions } from './inference-log.js';
import { ServingMetrics } from './metrics.js';
import { defaultModelConfig, mergeModelConfig } from './model-config.js';
import { checkModelName } from './model-repository.js';
import { type ModelSource, RepositorySource } from './model-source.js';
import { ServedVersion, type ServingLogger } from './served-version.js';
import type {
  InferenceEngine,
  InferenceRequest,
  InferenceResult,
  ModelConfig,
  ModelStatus,
  ModelVersionState,
  ModelVersionStatus,
} from './types.js';

export interface EngineOptions {
  /** A Triton-style model repository folder. */
  repository?: string;
  /** Further sources (the registry); a name is looked up in the repository first, then these. */
  sources?: ModelSource[];
  /** Models to load at start (default: every model the sources list). */
  models?: string[];
  /** Config under each model's own file config (CLI flags). */
  defaults?: Partial<ModelConfig>;
  metrics?: ServingMetrics;
  inferenceLog?: InferenceLogOptions;
  logger?: ServingLogger;
  /** The feature store, for models whose config declares a feature service (`features:`). */
  features?: FeatureLookup;
}

interface ServedModel {
  name: string;
  source: ModelSource;
  versions: Map<string, ServedVersion>;
  labels: Record<string, string>;
  defaultVersion?: string;
  /** version → why it failed to load */
  failed: Map<string, string>;
  /** Serializes loads of this model. */
  lock: Promise<unknown>;
}

const silent: ServingLogger = { info() {}, warn() {}, error() {} };

// Request ids for callers that send none: a random per-process prefix and a counter, unique across
// replicas and far cheaper per request than a UUID.
const ID_PREFIX = randomBytes(6).toString('hex');
let idCounter = 0;
const nextRequestId = () => `${ID_PREFIX}-${(idCounter++).toString(36)}`;

/**
 * Opens an engine and loads its models (failures are logged and reported, not thrown).
 *
 * @example
 * const engine = await openInferenceEngine({ repository: './models' });
 * const r = await engine.infer({ model: 'mlp', inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 64], data }] });
 */
export async function openInferenceEngine(opts: EngineOptions): Promise<Engine> {
  const sources = [
    ...(opts.repository ? [new RepositorySource(opts.repository)] : []),
    ...(opts.sources ?? []),
  ];
  const engine = new Engine(sources, opts);
  await engine.start(opts.models);
  return engine;
}

export class Engine implements InferenceEngine {
  readonly metrics: ServingMetrics;
  private readonly models = new Map<string, ServedModel>();
  private readonly base: ModelConfig;
  private readonly logger: ServingLogger;
  private readonly inferenceLog?: InferenceLogger;
  private readonly unwatch: Array<() => void> = [];
  private readonly features?: FeatureLookup;
  private started = false;

  constructor(
    private readonly sources: ModelSource[],
    opts: EngineOptions,
  ) {
    this.base = mergeModelConfig(defaultModelConfig(availableParallelism()), opts.defaults);
    this.logger = opts.logger ?? silent;
    this.features = opts.features;
    this.metrics = opts.metrics ?? new ServingMetrics({ defaultMetrics: false });
    this.metrics.watch({ versions: () => this.gaugeRows() });
    if (opts.inferenceLog) {
      const onDrop = opts.inferenceLog.onDrop;
      this.inferenceLog = new InferenceLogger({
        ...opts.inferenceLog,
        onDrop: (n) => {
          this.metrics.logDropped.inc(n);
          onDrop?.(n);
        },
      });
    }
  }

  async start(names?: string[]): Promise<void> {
    const all = names ?? [...new Set((await Promise.all(this.sources.map((s) => s.list()))).flat())];
    for (const name of all) {
      await this.reconcile(name, true).catch((err: Error) => this.logger.error(err.message));
    }
    for (const s of this.sources) {
      if (s.watch) {
        this.unwatch.push(
          s.watch((name) => {
            if (!this.models.has(name)) return;
            this.reconcile(name, false).catch((err: Error) => this.logger.error(err.message));
          }),
        );
      }
    }
    this.started = true;
  }

  infer(req: InferenceRequest): Promise<InferenceResult> {
    const started = performance.now();
    let v: ServedVersion;
    try {
      v = this.pick(req.model, req.version, req.label);
    } catch (err) {
      this.metrics.failureOf(req.model, (err as SlipwayError).code ?? 'INTERNAL_ERROR');
      return Promise.reject(err);
    }
    const id = req.id ?? nextRequestId();
    let queued: ReturnType<ServedVersion['infer']>;
    try {
      queued = v.infer(req.inputs, req.outputs, req);
    } catch (err) {
      queued = Promise.reject(err);
    }
    return queued.then(
      (r) => {
        const total = performance.now() - started;
        v.metrics.success(total / 1000, r.queueMicros / 1e6, r.computeMicros / 1e6);
        const result: InferenceResult = {
          id,
          model: v.name,
          version: v.version,
          outputs: r.outputs,
          queueMicros: r.queueMicros,
          computeMicros: r.computeMicros,
          cached: r.cached,
        };
        if (this.inferenceLog?.sampled()) {
          this.inferenceLog.record({
            id,
            model: v.name,
            version: v.version,
            timestamp: Date.now(),
            latencyMicros: Math.round(total * 1000),
            inputs: r.modelInputs ?? req.inputs,
            outputs: r.outputs,
            ...(r.modelInputs ? { requestInputs: req.inputs } : {}),
          });
        }
        return result;
      },
      (err: unknown) => {
        v.metrics.failure(isSlipwayError(err) ? err.code : 'INTERNAL_ERROR');
        throw err;
      },
    );
  }

  /** The version a request goes to; throws 404 for unknown names, 503 while nothing is ready. */
  private pick(name: string, version?: string, label?: string): ServedVersion {
    const m = this.models.get(name);
    if (!m) throw notFound('Model', name, `Model '${name}' is not served here`);
    let v: string | undefined = version;
    if (v === undefined && label !== undefined) {
      v = m.labels[label];
      if (v === undefined) throw notFound('Label', label, `Model '${name}' has no label or alias '${label}'`);
    }
    v ??= m.defaultVersion;
    const served = v === undefined ? undefined : m.versions.get(v);
    if (served) return served;
    if (v !== undefined && m.failed.has(v)) {
      throw new SlipwayError(
        'TEMPORARILY_UNAVAILABLE',
        `Model '${name}' version ${v} is not ready: ${m.failed.get(v)}`,
      );
    }
    if (v === undefined)
      throw new SlipwayError('TEMPORARILY_UNAVAILABLE', `Model '${name}' has no version ready yet`);
    throw notFound('Model version', `${name}/${v}`, `Model '${name}' has no version ${v} being served`);
  }

  listModels(): ModelStatus[] {
    return [...this.models.values()].map((m) => this.statusOf(m));
  }

  getModel(name: string): ModelStatus {
    const m = this.models.get(name);
    if (!m) throw notFound('Model', name, `Model '${name}' is not served here`);
    return this.statusOf(m);
  }

  getVersion(name: string, ref: { version?: string; label?: string } = {}): ModelVersionStatus {
    const m = this.models.get(name);
    if (!m) throw notFound('Model', name, `Model '${name}' is not served here`);
    const v = ref.version ?? (ref.label !== undefined ? m.labels[ref.label] : m.defaultVersion);
    if (ref.label !== undefined && v === undefined) {
      throw notFound('Label', ref.label, `Model '${name}' has no label or alias '${ref.label}'`);
    }
    // Protocol adapters call this on every request (for the signature): a served version answers
    // from its cached status without rebuilding the model's.
    const served = v === undefined ? undefined : m.versions.get(v);
    if (served) return served.status();
    const status = this.statusOf(m).versions.find((s) => s.version === v);
    if (!status)
      throw notFound(
        'Model version',
        `${name}/${v}`,
        `Model '${name}' has no version ${v ?? '(none ready)'}`,
      );
    return status;
  }

  isReady(name?: string, version?: string): boolean {
    if (name === undefined) {
      return this.started && [...this.models.values()].every((m) => this.defaultReady(m));
    }
    const m = this.models.get(name);
    if (!m) return false;
    if (version === undefined) return this.defaultReady(m);
    return m.versions.get(version)?.state === 'READY';
  }

  private defaultReady(m: ServedModel): boolean {
    return m.defaultVersion !== undefined && m.versions.get(m.defaultVersion)?.state === 'READY';
  }

  async load(name: string): Promise<ModelStatus> {
    await this.reconcile(name, true);
    return this.getModel(name);
  }

  async unload(name: string): Promise<void> {
    const m = this.models.get(name);
    if (!m) throw notFound('Model', name, `Model '${name}' is not loaded`);
    await this.withLock(m, async () => {
      this.models.delete(name);
      await Promise.all([...m.versions.values()].map((v) => v.unload()));
      this.logger.info(`model '${name}' unloaded`);
    });
  }

  async index(): Promise<
    Array<{ name: string; version?: string; state: ModelVersionState | 'UNLOADED'; reason?: string }>
  > {
    const names = new Set((await Promise.all(this.sources.map((s) => s.list().catch(() => [])))).flat());
    for (const n of this.models.keys()) names.add(n);
    const rows: Array<{
      name: string;
      version?: string;
      state: ModelVersionState | 'UNLOADED';
      reason?: string;
    }> = [];
    for (const name of [...names].sort()) {
      const m = this.models.get(name);
      if (!m) rows.push({ name, state: 'UNLOADED' });
      else
        for (const v of this.statusOf(m).versions)
          rows.push({ name, version: v.version, state: v.state, reason: v.reason });
    }
    return rows;
  }

  async close(): Promise<void> {
    for (const u of this.unwatch) u();
    await Promise.all([...this.models.keys()].map((n) => this.unload(n).catch(() => {})));
  }

  private async sourceOf(name: string): Promise<ModelSource> {
    checkModelName(name);
    for (const s of this.sources) if ((await s.list()).includes(name)) return s;
    throw notFound('Model', name, `Model '${name}' is not in any model source`);
  }

  private withLock<T>(m: ServedModel, fn: () => Promise<T>): Promise<T> {
    const run = m.lock.then(fn, fn);
    m.lock = run.catch(() => {});
    return run;
  }

  /**
   * Brings a model in line with its source's plan. `reloadAll` reloads versions already running
   * (a repository reload); otherwise only new versions load (an alias moved).
   */
  private async reconcile(name: string, reloadAll: boolean): Promise<void> {
    const existing = this.models.get(name);
    const m: ServedModel = existing ?? {
      name,
      source: await this.sourceOf(name),
      versions: new Map(),
      labels: {},
      failed: new Map(),
      lock: Promise.resolve(),
    };
    if (!existing) this.models.set(name, m);
    await this.withLock(m, async () => {
      const plan = await m.source.plan(name, this.base);
      const next = new Map<string, ServedVersion>();
      const replaced: ServedVersion[] = [];
      const failed = new Map<string, string>();
      for (const pv of plan.versions) {
        const current = m.versions.get(pv.version);
        if (current && !reloadAll) {
          next.set(pv.version, current);
          continue;
        }
        try {
          const artifact = await pv.read();
          const config = mergeModelConfig(this.base, plan.config, artifact.config);
          const loaded = await ServedVersion.load({
            name,
            version: pv.version,
            modelBytes: artifact.modelBytes,
            config,
            metrics: this.metrics.forVersion(name, pv.version),
            logger: this.logger,
            features: this.features,
          });
          next.set(pv.version, loaded);
          if (current) replaced.push(current);
        } catch (err) {
          const reason = (err as Error).message;
          failed.set(pv.version, reason);
          // The default version's failure is thrown below (and logged by whoever asked).
          if (pv.version !== plan.defaultVersion) this.logger.error(reason);
          // The running copy (if any) keeps serving.
          if (current) next.set(pv.version, current);
        }
      }
      // A new default that failed to load must not take the working one down with it.
      const previous = m.defaultVersion === undefined ? undefined : m.versions.get(m.defaultVersion);
      if (failed.has(plan.defaultVersion) && previous && !next.has(previous.version)) {
        next.set(previous.version, previous);
      }
      for (const [v, old] of m.versions) if (!next.has(v)) replaced.push(old);
      // The switch: one synchronous update, so every request sees either the old or the new set.
      m.versions = next;
      m.labels = plan.labels;
      m.failed = failed;
      m.defaultVersion = next.has(plan.defaultVersion)
        ? plan.defaultVersion
        : m.defaultVersion !== undefined && next.has(m.defaultVersion)
          ? m.defaultVersion
          : [...next.keys()].sort((a, b) => Number(a) - Number(b)).pop();
      await Promise.all(replaced.map((v) => v.unload()));
      if (failed.has(plan.defaultVersion)) {
        throw new SlipwayError('INVALID_PARAMETER_VALUE', failed.get(plan.defaultVersion) as string);
      }
    });
  }

  private statusOf(m: ServedModel): ModelStatus {
    const versions: ModelVersionStatus[] = [...m.versions.values()].map((v) => v.status());
    for (const [version, reason] of m.failed) {
      if (!m.versions.has(version)) versions.push({ name: m.name, version, state: 'UNAVAILABLE', reason });
    }
    versions.sort((a, b) => Number(a.version) - Number(b.version));
    return { name: m.name, defaultVersion: m.defaultVersion, versions, labels: { ...m.labels } };
  }

  private gaugeRows() {
    const rows = [];
    for (const m of this.models.values()) {
      for (const v of m.versions.values()) {
        rows.push({
          model: m.name,
          version: v.version,
          provider: v.provider ?? 'cpu',
          ready: v.state === 'READY',
          queueDepth: v.queueDepth,
          inFlight: v.inFlight,
          loadSeconds: v.loadSeconds,
          memoryBytes: v.modelBytes * v.instances,
        });
      }
    }
    return rows;
  }
}
