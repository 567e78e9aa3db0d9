/**
 * Prometheus metrics of the serving engine, after Triton's `nv_inference_*` family: request
 * outcomes by model, version and reason; queue, compute and end-to-end latency and batch-size
 * histograms; queue depth and in-flight gauges; load time, memory, provider and readiness per
 * version. Hot-path observations go through per-version children so no label lookup happens per
 * request; gauges are read from the engine at scrape time.
 */
import client from 'prom-client';

const LATENCY_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

/** What the gauges read when Prometheus scrapes. */
export interface ServingGaugeSource {
  versions(): Array<{
    model: string;
    version: string;
    provider: string;
    ready: boolean;
    queueDepth: number;
    inFlight: number;
    loadSeconds: number;
    memoryBytes: number;
  }>;
}

/**
 * Told of every request's outcome (monitoring's SLO counters listen). It runs on the serving hot
 * path: keep it to a few arithmetic operations.
 */
export interface InferenceOutcomeListener {
  success(model: string, version: string, totalSeconds: number): void;
  /** `version` is '' when the request failed before a version was chosen. */
  failure(model: string, version: string, reason: string): void;
}

/** The per-version handles the engine observes into. */
export interface VersionMetrics {
  success(totalSeconds: number, queueSeconds: number, computeSeconds: number): void;
  failure(reason: string): void;
  batch(rows: number): void;
  cache(hit: boolean): void;
}

export class ServingMetrics {
  readonly registry: client.Registry;
  private readonly success: client.Counter<'model' | 'version'>;
  private readonly failure: client.Counter<'model' | 'version' | 'reason'>;
  private readonly total: client.Histogram<'model' | 'version'>;
  private readonly queue: client.Histogram<'model' | 'version'>;
  private readonly compute: client.Histogram<'model' | 'version'>;
  private readonly batchSize: client.Histogram<'model' | 'version'>;
  private readonly cacheHits: client.Counter<'model' | 'version' | 'result'>;
  readonly logDropped: client.Counter;
  private listeners: InferenceOutcomeListener[] = [];

  constructor(opts: { registry?: client.Registry; defaultMetrics?: boolean } = {}) {
    this.registry = opts.registry ?? new client.Registry();
    const registers = [this.registry];
    if (opts.defaultMetrics ?? true)
      client.collectDefaultMetrics({ register: this.registry, prefix: 'slipway_' });
    const labels = ['model', 'version'] as const;
    this.success = new client.Counter({
      name: 'slipway_inference_request_success_total',
      help: 'Inference requests answered successfully',
      labelNames: labels,
      registers,
    });
    this.failure = new client.Counter({
      name: 'slipway_inference_request_failure_total',
      help: 'Inference requests that failed, by reason (INVALID_PARAMETER_VALUE, REQUEST_LIMIT_EXCEEDED, DEADLINE_EXCEEDED, CANCELLED, ...)',
      labelNames: [...labels, 'reason'],
      registers,
    });
    const hist = (name: string, help: string, buckets: number[]) =>
      new client.Histogram({ name, help, labelNames: labels, buckets, registers });
    this.total = hist(
      'slipway_inference_request_duration_seconds',
      'End-to-end engine latency per request',
      LATENCY_BUCKETS,
    );
    this.queue = hist(
      'slipway_inference_queue_duration_seconds',
      'Time a request waited for a batch slot',
      LATENCY_BUCKETS,
    );
    this.compute = hist(
      'slipway_inference_compute_duration_seconds',
      'ONNX Runtime time of the batch a request ran in',
      LATENCY_BUCKETS,
    );
    this.batchSize = hist('slipway_inference_batch_size', 'Rows per executed batch', BATCH_BUCKETS);
    this.cacheHits = new client.Counter({
      name: 'slipway_response_cache_total',
      help: 'Response cache lookups by result (hit/miss)',
      labelNames: [...labels, 'result'],
      registers,
    });
    this.logDropped = new client.Counter({
      name: 'slipway_inference_log_dropped_total',
      help: 'Inference records dropped because the log sink fell behind',
      registers,
    });
  }

  /** Registers the scrape-time gauges. */
  watch(source: ServingGaugeSource): void {
    const registers = [this.registry];
    const gauge = (
      name: string,
      help: string,
      extra: string[],
      read: (v: ReturnType<ServingGaugeSource['versions']>[number]) => number,
    ) =>
      new client.Gauge({
        name,
        help,
        labelNames: ['model', 'version', ...extra],
        registers,
        collect() {
          this.reset();
          for (const v of source.versions()) {
            const l: Record<string, string> = { model: v.model, version: v.version };
            if (extra.includes('provider')) l.provider = v.provider;
            this.set(l, read(v));
          }
        },
      });
    gauge('slipway_inference_queue_depth', 'Requests waiting for a batch slot', [], (v) => v.queueDepth);
    gauge('slipway_inference_in_flight', 'Requests queued or computing', [], (v) => v.inFlight);
    gauge(
      'slipway_model_load_duration_seconds',
      'Load + warmup time of the version',
      [],
      (v) => v.loadSeconds,
    );
    gauge(
      'slipway_model_memory_bytes',
      'Model weights held by the version (file size × instances)',
      [],
      (v) => v.memoryBytes,
    );
    gauge(
      'slipway_model_ready',
      'Whether the version answers requests (1) or not (0), with its execution provider',
      ['provider'],
      (v) => (v.ready ? 1 : 0),
    );
  }

  /** Adds a listener told of every request's outcome; returns the function that removes it. */
  listen(listener: InferenceOutcomeListener): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  forVersion(model: string, version: string): VersionMetrics {
    const s = this.success.labels(model, version);
    const t = this.total.labels(model, version);
    const q = this.queue.labels(model, version);
    const c = this.compute.labels(model, version);
    const b = this.batchSize.labels(model, version);
    const hit = this.cacheHits.labels(model, version, 'hit');
    const miss = this.cacheHits.labels(model, version, 'miss');
    return {
      success: (total, queue, compute) => {
        s.inc();
        t.observe(total);
        q.observe(queue);
        c.observe(compute);
        for (const l of this.listeners) l.success(model, version, total);
      },
      failure: (reason) => {
        this.failure.labels(model, version, reason).inc();
        for (const l of this.listeners) l.failure(model, version, reason);
      },
      batch: (rows) => b.observe(rows),
      cache: (h) => (h ? hit : miss).inc(),
    };
  }

  /** A failure before any version was chosen (unknown model, unparsable request). */
  failureOf(model: string, reason: string): void {
    this.failure.labels(model, '', reason).inc();
    for (const l of this.listeners) l.failure(model, '', reason);
  }

  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
