/**
 * Performance over one window of the inference log, as the monitor, `GET /monitoring/performance`
 * and `slipway monitor performance` report it: one group for the whole window (and one per segment
 * when asked), instead of measurePerformance's epoch-aligned windows.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type LabelStore,
  measurePerformance,
  type PerformanceReport,
  type PerformanceTask,
} from '../performance/index.js';

/** What to measure: a model (one version, or all) over [from, to). */
export interface WindowPerformanceQuery {
  dir: string;
  model: string;
  version?: string;
  from: Date;
  to: Date;
  task: PerformanceTask;
  prediction: string;
  threshold?: number;
  segment?: string;
}

/**
 * Realized (and for binary classifiers, CBPE-estimated) performance of the predictions logged in
 * the window, with their labels.
 *
 * @example
 * const report = await windowPerformance(platform.labels, {
 *   dir: './inference-log', model: 'fraud', from: new Date(Date.now() - 86_400_000), to: new Date(),
 *   task: 'binary', prediction: 'out_score',
 * });
 */
export async function windowPerformance(
  labels: LabelStore,
  q: WindowPerformanceQuery,
): Promise<PerformanceReport> {
  // Windows are aligned to the epoch: one longer than `to` puts every row of [from, to) in window 0.
  const report = await measurePerformance(labels, { ...q, windowMs: q.to.getTime() + 1 });
  for (const g of report.groups) {
    g.windowStart = q.from.getTime();
    g.windowEnd = q.to.getTime();
  }
  return report;
}

/**
 * What a performance request's model reference names: `fraud@champion` or `fraud/3` one version
 * (the registry's, else NAME/VERSION as written, for a model served from a repository folder);
 * `fraud` every version of the model.
 *
 * @example await performanceTarget(platform.registry, 'fraud@champion') // { model: 'fraud', version: '3' }
 */
export async function performanceTarget(
  registry: { resolve(ref: string): Promise<{ name: string; version: string }> },
  ref: string,
): Promise<{ model: string; version?: string }> {
  if (!/[@/]/.test(ref)) return { model: ref };
  try {
    const v = await registry.resolve(ref);
    return { model: v.name, version: v.version };
  } catch (err) {
    const m = /^(.+)\/([^/@]+)$/.exec(ref);
    if (!m || (err as { code?: unknown }).code !== 'RESOURCE_DOES_NOT_EXIST') throw err;
    return { model: m[1]!, version: m[2]! };
  }
}

/** The model versions an inference log folder holds predictions of (`DIR/<model>/<version>/…`). */
export async function loggedVersions(dir: string): Promise<Array<{ model: string; version: string }>> {
  const out: Array<{ model: string; version: string }> = [];
  const folders = async (path: string) =>
    (await readdir(path, { withFileTypes: true }).catch(() => []))
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  for (const model of await folders(dir)) {
    for (const version of await folders(join(dir, model))) out.push({ model, version });
  }
  return out;
}
