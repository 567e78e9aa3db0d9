/**
 * One recorded materialization: the run is logged as `running` before the first row is read, and
 * ends `succeeded`, `partial` (validation refused batches) or `failed` with its report and
 * statistics. A process killed half-way leaves it `running`; incremental runs resume from the last
 * `succeeded` window, and newer-wins writes make re-running the window safe.
 */
import type { MaterializationLog, MaterializationRun } from './materialization-log.js';
import { type MaterializeOptions, type MaterializeSummary, materialize } from './materialize.js';

/** What `materializeView` takes: `materialize`'s options for one view, plus where to record it. */
export interface RecordedMaterializeOptions extends Omit<MaterializeOptions, 'views'> {
  project: string;
  view: string;
  log: MaterializationLog;
}

/**
 * Materializes one view over [start, end) and records the run.
 *
 * @example
 * const { summary, run } = await materializeView({ catalog, store, log, project: 'fraud', view: 'driver_stats', start, end });
 * if (run.status === 'partial') console.log(formatValidationReport(run.view, summary.report));
 */
export async function materializeView(
  opts: RecordedMaterializeOptions,
): Promise<{ summary: MaterializeSummary; run: MaterializationRun }> {
  const { project, view, log, ...rest } = opts;
  const run = await log.start({ project, view, windowStart: opts.start, windowEnd: opts.end });
  let summary: MaterializeSummary;
  try {
    [summary] = await materialize({ ...rest, views: [view] });
  } catch (err) {
    await log.fail(run, err);
    throw err;
  }
  return { summary, run: await log.finish(run, summary) };
}
