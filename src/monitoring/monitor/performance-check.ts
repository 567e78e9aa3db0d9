/**
 * The monitor's performance check of one served model version: realized metrics over the window
 * from the labels that arrived (and CBPE estimates for binary classifiers), flattened to the
 * numbers alert rules read as `performance.<metric>` (`performance.estimated_<metric>` for CBPE).
 */
import type { LabelStore } from '../performance/index.js';
import type { PerformanceCheck } from './config.js';
import { windowPerformance } from './performance.js';

/** The latest performance of one model version. */
export interface PerformanceResult {
  model: string;
  version: string;
  checkedAt: string;
  status: 'checked' | 'skipped';
  /** Why it could not be measured (skipped). */
  reason?: string;
  predictions: number;
  labelled: number;
  /** Metric → value; metrics without a value (no labels yet) are left out. */
  metrics: Record<string, number>;
}

/**
 * Measures one version over `[now − check.windowMs, now)`.
 *
 * @example await checkPerformance(platform.labels, './inference-log', { model: 'fraud', version: '3' }, check, Date.now());
 */
export async function checkPerformance(
  labels: LabelStore,
  dir: string,
  target: { model: string; version: string },
  check: PerformanceCheck,
  now: number,
): Promise<PerformanceResult> {
  const base = {
    ...target,
    checkedAt: new Date(now).toISOString(),
    predictions: 0,
    labelled: 0,
    metrics: {},
  };
  try {
    const report = await windowPerformance(labels, {
      dir,
      model: target.model,
      version: target.version,
      from: new Date(now - check.windowMs),
      to: new Date(now),
      task: check.task,
      prediction: check.prediction,
      threshold: check.threshold,
    });
    const whole = report.groups.find((g) => g.segment === null);
    if (!whole) return { ...base, status: 'skipped', reason: 'no predictions in the window' };
    const metrics: Record<string, number> = {};
    for (const [k, v] of Object.entries(whole.realized)) if (typeof v === 'number') metrics[k] = v;
    for (const [k, v] of Object.entries(whole.estimated ?? {}))
      if (k !== 'rows' && typeof v === 'number') metrics[`estimated_${k}`] = v;
    return { ...base, status: 'checked', predictions: whole.predictions, labelled: whole.labelled, metrics };
  } catch (err) {
    return { ...base, status: 'skipped', reason: err instanceof Error ? err.message : String(err) };
  }
}
