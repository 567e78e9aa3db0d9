/**
 * The monitoring reports as asked for over one window of the inference log — performance from
 * labels, business metrics from outcome events, drift against a reference — in one place for
 * `GET /monitoring/performance|business|drift` and the SDK's `client.monitoring` calls, so both give
 * the same JSON. A request names `window` (a duration back from `to`, default now) or `from`/`to`;
 * with neither, the last 24 hours.
 */
import { type BusinessMetricsReport, type EventStore, reportBusinessMetrics } from './business/index.js';
import { performanceTarget, windowPerformance } from './monitor/index.js';
import type { LabelStore, PerformanceReport, PerformanceTask } from './performance/index.js';
import {
  buildDriftReport,
  type DriftReport,
  type ReportStores,
  resolveWindow,
  type WindowSpec,
} from './report/index.js';

/** A report window: a duration (`'24h'`) back from `to` (default now), or `from` and `to`. */
export type ReportWindow = WindowSpec;

/** Performance of a model (`fraud` every version, `fraud@champion` or `fraud/3` one) from its labels. */
export interface PerformanceRequest extends ReportWindow {
  model: string;
  /** The logged output column scored against the labels, e.g. `out_score`. */
  prediction: string;
  /** Default `binary`. */
  task?: PerformanceTask;
  /** Binary decision threshold (default 0.5). */
  threshold?: number;
  /** A log column to segment by (e.g. `in_country`). */
  segment?: string;
}

/** A performance report with the version it covers and its window. */
export type WindowPerformanceReport = PerformanceReport & {
  version: string | null;
  window: { from: string; to: string; label: string };
};

/** Business metrics of a model (one version, or each) from its outcome events. */
export interface BusinessRequest extends ReportWindow {
  model: string;
  version?: string;
  segment?: string;
}

/** Drift of a model version's served inputs against a reference dataset (`NAME/VERSION`; default its training dataset). */
export interface DriftRequest extends ReportWindow {
  model: string;
  reference?: string;
}

/**
 * The window a request names, the last 24 hours when it names neither `window` nor `from`.
 *
 * @example withDefaultWindow({ to: '2025-03-02T00:00:00Z' }) // { window: '24h', from: undefined, to: '2025-03-02T00:00:00Z' }
 */
export function withDefaultWindow(spec: ReportWindow): ReportWindow {
  return {
    window: spec.window ?? (spec.from === undefined ? '24h' : undefined),
    from: spec.from,
    to: spec.to,
  };
}

/**
 * The [from, to) of a request (see {@link withDefaultWindow}).
 *
 * @example requestedWindow({}, Date.parse('2025-03-02T00:00:00Z')).label // '24h'
 */
export function requestedWindow(spec: ReportWindow, now = Date.now()) {
  return resolveWindow(withDefaultWindow(spec), now);
}

/**
 * Realized (and CBPE-estimated, for binary classifiers) performance over the window.
 *
 * @example
 * await performanceOverWindow(platform, './inference-log', { model: 'fraud@champion', prediction: 'out_score', window: '7d' });
 */
export async function performanceOverWindow(
  stores: {
    registry: { resolve(ref: string): Promise<{ name: string; version: string }> };
    labels: LabelStore;
  },
  dir: string,
  req: PerformanceRequest,
  now = Date.now(),
): Promise<WindowPerformanceReport> {
  const window = requestedWindow(req, now);
  const target = await performanceTarget(stores.registry, req.model);
  const report = await windowPerformance(stores.labels, {
    dir,
    ...target,
    from: window.from,
    to: window.to,
    task: req.task ?? 'binary',
    prediction: req.prediction,
    threshold: req.threshold,
    segment: req.segment,
  });
  return {
    ...report,
    version: target.version ?? null,
    window: { from: window.from.toISOString(), to: window.to.toISOString(), label: window.label },
  };
}

/**
 * Outcome events per model version beside the served traffic, over the window.
 *
 * @example
 * await businessOverWindow(platform.events, './inference-log', { model: 'fraud', window: '24h' });
 */
export function businessOverWindow(
  events: EventStore,
  dir: string,
  req: BusinessRequest,
  now = Date.now(),
): Promise<BusinessMetricsReport> {
  const { from, to } = requestedWindow(req, now);
  return reportBusinessMetrics(events, {
    dir,
    model: req.model,
    version: req.version,
    segment: req.segment,
    from,
    to,
  });
}

/** The stores a drift report reads (a Platform has them): model lineage, datasets, their files. */
export interface DriftStores {
  registry: ReportStores['registry'];
  datasets: ReportStores['datasets'];
  artifacts: { store: ReportStores['artifacts'] };
}

/**
 * The drift report of a model version over the window; the reference is a registered dataset,
 * never a file path (a caller of a server must not name the server's files).
 *
 * @example
 * await driftOverWindow(platform, './inference-log', { model: 'fraud@champion', window: '24h' });
 */
export function driftOverWindow(stores: DriftStores, dir: string, req: DriftRequest): Promise<DriftReport> {
  const { registry, datasets, artifacts } = stores;
  return buildDriftReport({
    ...withDefaultWindow(req),
    stores: { registry, datasets, artifacts: artifacts.store },
    inferenceLogDir: dir,
    model: req.model,
    reference: req.reference,
    allowFileReference: false,
  });
}
