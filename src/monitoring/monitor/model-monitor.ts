/**
 * The monitoring loop a server runs (`slipway server --monitoring monitoring.yaml`). Each tick —
 * never two at once, each part caught and logged on its own, nothing on the serving path — it
 * evaluates the SLO board (counters the engine feeds), every `skew.every` checks training-serving
 * skew of every served model version, every `performance.every` measures performance from labels,
 * records what it found as alert series (`drift.*`, `performance.*`), then steps the alert rules;
 * notifications go through the outbox-backed dispatcher, which never blocks the tick.
 */
import type client from 'prom-client';
import { type Clock, systemClock } from '../../core/clock.js';
import { invalidParameter } from '../../core/errors.js';
import type { InferenceOutcomeListener } from '../../serving/metrics.js';
import {
  type AlertEvaluator,
  type AlertState,
  type AlertStore,
  type Delivery,
  type DeliveryStatus,
  type DispatcherStats,
  logChannel,
  type MetricSource,
  MetricSources,
  type NotificationChannel,
  NotificationDispatcher,
  openAlertEvaluator,
  RecordedMetrics,
  registerAlertGauges,
  sloMetricSource,
  webhookChannel,
} from '../alerts/index.js';
import type { LabelStore } from '../performance/index.js';
import type { ReportStores } from '../report/reference.js';
import {
  InferenceLogSloSource,
  registerSloGauges,
  ServingCounters,
  SloBoard,
  type SloSource,
  type SloVerdict,
} from '../slo/index.js';
import type { ChannelConfig, MonitorConfig, SkewCheck } from './config.js';
import { loggedVersions } from './performance.js';
import { checkPerformance, type PerformanceResult } from './performance-check.js';
import { registerMonitorGauges } from './prometheus.js';
import { checkSkew, type SkewResult } from './skew.js';

/** The serving engine as the monitor sees it: what it serves, and its outcome hook. */
export interface ServedModels {
  listModels(): Array<{ name: string; versions: Array<{ version: string; state: string }> }>;
  readonly metrics: { listen(listener: InferenceOutcomeListener): () => void };
}

/** Where the monitor writes its own lines (the server's logger). */
export interface MonitorLog {
  info(line: string): void;
  warn(line: string): void;
  error(line: string): void;
}

export interface ModelMonitorOptions {
  config: MonitorConfig;
  stores: ReportStores & { labels: LabelStore; alerts: AlertStore };
  /** The in-process engine; without it, versions are those the inference log holds. */
  serving?: ServedModels;
  inferenceLogDir?: string;
  /** Writes what the inference log buffers, so checks see the latest traffic. */
  flushLog?: () => Promise<void>;
  /** Where the gauges go (the engine's registry, or the control plane's own). */
  metricsRegistry: client.Registry;
  log: MonitorLog;
  /**
   * Further metric sources alert rules may read (e.g. business metrics); registered before the
   * file's rules are upserted, so those rules may name their series.
   */
  metricSources?: readonly MetricSource[];
  clock?: Clock;
}

/** What one tick did. */
export interface MonitorTickSummary {
  startedAt: string;
  finishedAt: string;
  slos: Array<{ name: string; status: SloVerdict['status']; budgetRemaining: number; burnRate: number }>;
  skew: { ran: boolean; checked: number; skipped: Array<{ model: string; version: string; reason: string }> };
  performance: {
    ran: boolean;
    checked: number;
    skipped: Array<{ model: string; version: string; reason: string }>;
  };
  alerts: { changed: AlertState[]; firing: number; pending: number };
  errors: Array<{ part: string; message: string }>;
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

function channelOf(c: ChannelConfig, log: MonitorLog): NotificationChannel {
  if (c.type === 'log') return logChannel((line) => log.warn(line), c.name);
  return webhookChannel({
    name: c.name,
    url: c.url,
    secret: c.secret,
    timeoutMs: c.timeoutMs,
    headers: c.headers,
  });
}

/**
 * Opens the monitor: SLO counters listening on the engine, the alert evaluator over the stored
 * rules with the file's rules upserted, the dispatcher, and the gauges. Call `start()` once the
 * server listens, `close()` on shutdown.
 *
 * @example
 * const monitor = await openModelMonitor({ config, stores, serving: engine, inferenceLogDir, metricsRegistry: engine.metrics.registry, log });
 * monitor.start();
 * const summary = await monitor.evaluate();
 */
export async function openModelMonitor(opts: ModelMonitorOptions): Promise<ModelMonitor> {
  const { config } = opts;
  const skew: SkewCheck = config.skew ?? {
    enabled: opts.inferenceLogDir !== undefined,
    windowMs: 3_600_000,
    everyMs: 300_000,
  };
  if (!opts.inferenceLogDir && skew.enabled && config.skew)
    throw invalidParameter('skew', 'a server started with --inference-log DIR', 'no inference log');
  if (!opts.inferenceLogDir && config.performance.length > 0)
    throw invalidParameter('performance', 'a server started with --inference-log DIR', 'no inference log');
  let source: SloSource | undefined;
  let unlisten = () => {};
  if (opts.serving) {
    const thresholds = [...new Set(config.slos.flatMap((s) => s.latencyThresholdMs ?? []))];
    const counters = new ServingCounters({ latencyThresholdsMs: thresholds, clock: opts.clock });
    unlisten = opts.serving.metrics.listen(counters);
    source = counters;
  } else if (opts.inferenceLogDir) {
    source = new InferenceLogSloSource(opts.inferenceLogDir);
  }
  if (!source && config.slos.length > 0)
    throw invalidParameter(
      'slos',
      'a server serving models in-process (--model, --model-repository) or with --inference-log DIR',
      'neither',
    );
  if (source && !source.countsErrors) {
    const errors = config.slos.findIndex((s) => s.kind === 'errors');
    if (errors >= 0)
      throw invalidParameter(
        `slos[${errors}].kind`,
        "'latency' (errors are counted by in-process serving only)",
        'errors',
      );
  }
  try {
    const board = new SloBoard(
      source ?? { countsErrors: true, counts: async () => ({ total: 0, errors: 0, slow: 0 }) },
      config.slos,
    );
    const drift = new RecordedMetrics('drift', /^drift\.(share|dataset|column)$/);
    const performance = new RecordedMetrics('performance', /^performance\.[A-Za-z_]+$/);
    const metrics = new MetricSources([
      sloMetricSource(board),
      drift,
      performance,
      ...(opts.metricSources ?? []),
    ]);
    const dispatcher = new NotificationDispatcher({
      store: opts.stores.alerts,
      channels: config.channels.map((c) => channelOf(c, opts.log)),
      retry: config.retry,
      clock: opts.clock,
      onError: (err) => opts.log.error(`alert outbox: ${messageOf(err)}`),
    });
    const alerts = await openAlertEvaluator({
      store: opts.stores.alerts,
      metrics,
      notifier: dispatcher,
      clock: opts.clock,
      onError: (rule, err) => opts.log.warn(`alert rule ${rule} skipped: ${messageOf(err)}`),
    });
    for (const [i, rule] of config.alerts.entries()) {
      try {
        await alerts.putRule(rule);
      } catch (err) {
        const e = err as { details?: { field?: unknown } };
        if (e.details?.field === 'metric')
          throw invalidParameter(
            `alerts[${i}].metric`,
            'a series a metric source knows (slo.<name>.burn, drift.share, performance.<metric>, …)',
            rule.metric,
          );
        throw err;
      }
    }
    const monitor = new ModelMonitor(opts, { board, drift, performance, dispatcher, alerts, skew, unlisten });
    registerSloGauges(opts.metricsRegistry, board);
    registerAlertGauges(opts.metricsRegistry, alerts);
    registerMonitorGauges(opts.metricsRegistry, monitor);
    return monitor;
  } catch (err) {
    unlisten();
    throw err;
  }
}

interface MonitorParts {
  board: SloBoard;
  drift: RecordedMetrics;
  performance: RecordedMetrics;
  dispatcher: NotificationDispatcher;
  alerts: AlertEvaluator;
  skew: SkewCheck;
  unlisten: () => void;
}

export class ModelMonitor {
  /** The alert rules and alerts (rules added here persist in the alert store). */
  readonly alerts: AlertEvaluator;
  private readonly clock: Clock;
  private readonly skewResults = new Map<string, SkewResult>();
  private readonly performanceResults = new Map<string, PerformanceResult>();
  private lastSkewAt = Number.NEGATIVE_INFINITY;
  private readonly lastPerformanceAt: number[];
  private running: Promise<unknown> = Promise.resolve();
  private busy = false;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly opts: ModelMonitorOptions,
    private readonly parts: MonitorParts,
  ) {
    this.alerts = parts.alerts;
    this.clock = opts.clock ?? systemClock;
    this.lastPerformanceAt = opts.config.performance.map(() => Number.NEGATIVE_INFINITY);
  }

  /** Resumes pending webhook deliveries and ticks every `interval` (a tick still running is not doubled). */
  async start(): Promise<void> {
    await this.parts.dispatcher.start();
    this.timer = setInterval(() => {
      if (!this.busy) void this.evaluate({ force: false });
    }, this.opts.config.intervalMs);
    this.timer.unref();
  }

  /**
   * Runs one tick after any running one and answers what it did. `force` (the default, as
   * `POST /monitoring/evaluate` asks) runs the skew and performance checks whatever their schedule.
   */
  evaluate(opts: { force?: boolean } = {}): Promise<MonitorTickSummary> {
    const next = this.running.then(() => this.tick(opts.force ?? true));
    this.running = next.catch(() => undefined);
    return next;
  }

  /** The latest SLO verdicts. */
  slos(): SloVerdict[] {
    return this.parts.board.latest();
  }

  /** The latest skew check of each served version. */
  skew(): SkewResult[] {
    return [...this.skewResults.values()];
  }

  /** The latest performance of each monitored version. */
  performance(): PerformanceResult[] {
    return [...this.performanceResults.values()];
  }

  /** Webhook and log deliveries, newest first: status, attempts, last error, next attempt. */
  deliveries(filter: { rule?: string; status?: DeliveryStatus; limit?: number } = {}): Promise<Delivery[]> {
    return this.opts.stores.alerts.listDeliveries(filter);
  }

  dispatcherStats(): DispatcherStats {
    return this.parts.dispatcher.stats();
  }

  /** Stops ticking, waits for a running tick, writes queued notifications to the outbox and stops the dispatcher. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    await this.running;
    this.parts.unlisten();
    await this.parts.dispatcher.close();
  }

  private async tick(force: boolean): Promise<MonitorTickSummary> {
    this.busy = true;
    const now = this.clock.now();
    const summary: MonitorTickSummary = {
      startedAt: new Date(now).toISOString(),
      finishedAt: '',
      slos: [],
      skew: { ran: false, checked: 0, skipped: [] },
      performance: { ran: false, checked: 0, skipped: [] },
      alerts: { changed: [], firing: 0, pending: 0 },
      errors: [],
    };
    const part = async (name: string, fn: () => Promise<void>) => {
      try {
        await fn();
      } catch (err) {
        summary.errors.push({ part: name, message: messageOf(err) });
        this.opts.log.error(`monitoring ${name}: ${messageOf(err)}`);
      }
    };
    try {
      await part('slos', async () => {
        for (const v of await this.parts.board.evaluate(now)) {
          summary.slos.push({
            name: v.slo.name,
            status: v.status,
            budgetRemaining: v.budgetRemaining,
            burnRate: Math.max(0, ...v.windows.map((w) => Math.min(w.longBurnRate, w.shortBurnRate))),
          });
        }
      });
      const dueSkew = this.parts.skew.enabled && (force || now - this.lastSkewAt >= this.parts.skew.everyMs);
      const duePerformance = this.opts.config.performance.map(
        (c, i) => force || now - this.lastPerformanceAt[i]! >= c.everyMs,
      );
      if ((dueSkew || duePerformance.some(Boolean)) && this.opts.flushLog)
        await part('inference log', () => this.opts.flushLog!());
      if (dueSkew) await part('skew', () => this.runSkew(now, summary));
      if (duePerformance.some(Boolean))
        await part('performance', () => this.runPerformance(now, duePerformance, summary));
      this.recordLatest(now);
      await part('alerts', async () => {
        summary.alerts.changed = await this.parts.alerts.tick(now);
      });
      for (const a of this.parts.alerts.alerts()) {
        if (a.state === 'firing') summary.alerts.firing++;
        if (a.state === 'pending') summary.alerts.pending++;
      }
    } finally {
      this.busy = false;
    }
    summary.finishedAt = new Date(this.clock.now()).toISOString();
    return summary;
  }

  /** Model versions being served now (the engine's ready ones, else those the log holds). */
  private async targets(): Promise<Array<{ model: string; version: string }>> {
    if (this.opts.serving)
      return this.opts.serving
        .listModels()
        .flatMap((m) =>
          m.versions.filter((v) => v.state === 'READY').map((v) => ({ model: m.name, version: v.version })),
        );
    return this.opts.inferenceLogDir ? loggedVersions(this.opts.inferenceLogDir) : [];
  }

  private async runSkew(now: number, summary: MonitorTickSummary): Promise<void> {
    this.lastSkewAt = now;
    summary.skew.ran = true;
    const targets = await this.targets();
    const keep = new Set(targets.map((t) => `${t.model}/${t.version}`));
    for (const k of this.skewResults.keys()) if (!keep.has(k)) this.skewResults.delete(k);
    // One at a time: each check reads a window of the log and the training set into DuckDB.
    for (const t of targets) {
      const result = await checkSkew(
        this.opts.stores,
        this.opts.inferenceLogDir!,
        t,
        this.parts.skew.windowMs,
        now,
      );
      this.skewResults.set(`${t.model}/${t.version}`, result);
      if (result.status === 'checked') summary.skew.checked++;
      else summary.skew.skipped.push({ model: t.model, version: t.version, reason: result.reason });
    }
  }

  private async runPerformance(now: number, due: boolean[], summary: MonitorTickSummary): Promise<void> {
    summary.performance.ran = true;
    const targets = await this.targets();
    for (const [i, check] of this.opts.config.performance.entries()) {
      if (!due[i]) continue;
      this.lastPerformanceAt[i] = now;
      for (const t of targets) {
        if (check.model !== undefined && t.model !== check.model) continue;
        const result = await checkPerformance(
          this.opts.stores.labels,
          this.opts.inferenceLogDir!,
          t,
          check,
          now,
        );
        this.performanceResults.set(`${t.model}/${t.version}`, result);
        if (result.status === 'checked') summary.performance.checked++;
        else
          summary.performance.skipped.push({
            model: t.model,
            version: t.version,
            reason: result.reason ?? '',
          });
      }
    }
  }

  /** Records the latest results as alert series stamped `now`, so rules see them until replaced. */
  private recordLatest(now: number): void {
    for (const s of this.skewResults.values()) {
      if (s.status !== 'checked') continue;
      const labels = { model: s.model, version: s.version };
      this.parts.drift.record('drift.share', s.share, labels, now);
      this.parts.drift.record('drift.dataset', s.datasetDrift ? 1 : 0, labels, now);
      for (const c of s.columns)
        this.parts.drift.record(
          'drift.column',
          c.drifted ? 1 : 0,
          { ...labels, column: c.column, test: c.test },
          now,
        );
    }
    for (const p of this.performanceResults.values()) {
      for (const [metric, value] of Object.entries(p.metrics))
        this.parts.performance.record(
          `performance.${metric}`,
          value,
          { model: p.model, version: p.version },
          now,
        );
    }
  }
}
