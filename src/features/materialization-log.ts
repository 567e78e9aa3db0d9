/**
 * The materialization log: one record per (project, view, view version, run) with its window, row
 * counts, status, validation report and statistics. It answers freshness (when was a view last
 * materialized, up to which event time) and is where `materialize-incremental` resumes from.
 * Backends implement `MaterializationStore`.
 */
import { type Clock, systemClock } from '../core/clock.js';
import { invalidParameter, notFound } from '../core/errors.js';
import { newRunId } from '../core/ids.js';
import type { FeatureRegistry } from './feature-registry.js';
import type { ValidationReport } from './materialization-report.js';
import type { ViewStatistics } from './materialization-statistics.js';

/**
 * `running` until it ends (a killed run stays `running`); `succeeded` when every batch was written;
 * `partial` when some batches were refused by validation; `failed` when it stopped on an error.
 */
export type MaterializationStatus = 'running' | 'succeeded' | 'partial' | 'failed';

/** One materialization of one view. Times are epoch ms. */
export interface MaterializationRun {
  id: string;
  project: string;
  view: string;
  /** The registry's version of the view when it ran; null when its definitions were never applied. */
  viewVersion: number | null;
  /** Event-time window [windowStart, windowEnd). */
  windowStart: number;
  windowEnd: number;
  startedAt: number;
  finishedAt: number | null;
  status: MaterializationStatus;
  rowsRead: number;
  /** Rows newer than what the online store held. */
  rowsWritten: number;
  /** Rows in batches refused by validation. */
  rowsRefused: number;
  /** The newest event timestamp among the rows read and not refused. */
  newestEventTimestamp: number | null;
  report: ValidationReport | null;
  statistics: ViewStatistics | null;
  error: string | null;
}

/** Which runs a query asks for. */
export interface MaterializationFilter {
  project?: string;
  view?: string;
  /** Only runs in one of these states. */
  status?: MaterializationStatus[];
}

/** What a metadata backend must provide for the log. */
export interface MaterializationStore {
  insertRun(run: MaterializationRun): Promise<void>;
  /** Replaces the stored run of the same id. */
  updateRun(run: MaterializationRun): Promise<void>;
  /** The newest run (by start time) of each (project, view) matching `filter`, by project then view. */
  latestRuns(filter?: MaterializationFilter): Promise<MaterializationRun[]>;
  /** Runs matching `filter`, newest first. */
  listRuns(filter: MaterializationFilter & { limit?: number }): Promise<MaterializationRun[]>;
}

/** How fresh one view's online values are, as the API and `features stats` show it. */
export interface ViewFreshness {
  project: string;
  view: string;
  /** The registry's current version (null when never applied), else the last run's. */
  version: number | null;
  lastRun: MaterializationRun | null;
  /** The latest run that wrote every batch of its window. */
  lastSucceeded: {
    windowEnd: number;
    finishedAt: number | null;
    newestEventTimestamp: number | null;
    rows: number;
  } | null;
}

/** Freshness plus the latest run's statistics and validation report. */
export interface ViewMaterializationDetails extends ViewFreshness {
  statistics: ViewStatistics | null;
  report: ValidationReport | null;
}

/** The result a finished run records. */
export interface MaterializationOutcome {
  rowsRead: number;
  rowsWritten: number;
  rowsRefused: number;
  newestEventTimestamp: number | null;
  report: ValidationReport;
  statistics: ViewStatistics;
}

/**
 * Records materializations and answers freshness questions.
 *
 * @example
 * const run = await log.start({ project: 'fraud', view: 'driver_stats', windowStart, windowEnd });
 * await log.finish(run, outcome);
 * const start = await log.resumeFrom('fraud', 'driver_stats'); // windowEnd of the last success
 */
export class MaterializationLog {
  constructor(
    private readonly store: MaterializationStore,
    private readonly registry?: FeatureRegistry,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Records a run as `running` (its view version taken from the registry) and returns it. */
  async start(run: {
    project: string;
    view: string;
    windowStart: number;
    windowEnd: number;
  }): Promise<MaterializationRun> {
    const def = await this.registry?.get(run.project, 'feature_view', run.view);
    const record: MaterializationRun = {
      id: newRunId(),
      ...run,
      viewVersion: def?.version ?? null,
      startedAt: this.clock.now(),
      finishedAt: null,
      status: 'running',
      rowsRead: 0,
      rowsWritten: 0,
      rowsRefused: 0,
      newestEventTimestamp: null,
      report: null,
      statistics: null,
      error: null,
    };
    await this.store.insertRun(record);
    return record;
  }

  /** Records the outcome: `partial` when validation refused rows, else `succeeded`. */
  async finish(run: MaterializationRun, outcome: MaterializationOutcome): Promise<MaterializationRun> {
    const done: MaterializationRun = {
      ...run,
      ...outcome,
      status: outcome.rowsRefused > 0 ? 'partial' : 'succeeded',
      finishedAt: this.clock.now(),
    };
    await this.store.updateRun(done);
    return done;
  }

  /** Records that a run stopped on `error`. */
  async fail(run: MaterializationRun, error: unknown): Promise<MaterializationRun> {
    const done: MaterializationRun = {
      ...run,
      status: 'failed',
      finishedAt: this.clock.now(),
      error: error instanceof Error ? error.message : String(error),
    };
    await this.store.updateRun(done);
    return done;
  }

  /**
   * Where an incremental materialization of `view` starts: the window end of its last succeeded
   * run. Partial runs do not count, so refused rows are read again once the source is fixed.
   */
  async resumeFrom(project: string, view: string): Promise<number | undefined> {
    const [last] = await this.store.latestRuns({ project, view, status: ['succeeded'] });
    return last?.windowEnd;
  }

  /** Runs of one view, newest first. */
  history(project: string, view: string, limit = 20): Promise<MaterializationRun[]> {
    return this.store.listRuns({ project, view, limit });
  }

  /**
   * Freshness of every online view of `project` (every project when omitted): the views the
   * registry holds and the views that were ever materialized.
   */
  async views(project?: string): Promise<ViewFreshness[]> {
    const [latest, succeeded] = await Promise.all([
      this.store.latestRuns({ project }),
      this.store.latestRuns({ project, status: ['succeeded'] }),
    ]);
    const key = (p: string, v: string) => `${p}\u0000${v}`;
    const out = new Map<string, ViewFreshness>();
    const versions = new Map<string, number>();
    if (project !== undefined && this.registry) {
      for (const def of await this.registry.list(project)) {
        if (def.kind !== 'feature_view' || !(def.spec as { online?: boolean }).online) continue;
        versions.set(key(project, def.name), def.version);
        out.set(key(project, def.name), {
          project,
          view: def.name,
          version: def.version,
          lastRun: null,
          lastSucceeded: null,
        });
      }
    }
    for (const run of latest) {
      const k = key(run.project, run.view);
      out.set(k, {
        project: run.project,
        view: run.view,
        version: versions.get(k) ?? run.viewVersion,
        lastRun: run,
        lastSucceeded: null,
      });
    }
    for (const run of succeeded) {
      const entry = out.get(key(run.project, run.view));
      if (entry) {
        entry.lastSucceeded = {
          windowEnd: run.windowEnd,
          finishedAt: run.finishedAt,
          newestEventTimestamp: run.newestEventTimestamp,
          rows: run.rowsRead,
        };
      }
    }
    return [...out.values()].sort(
      (a, b) => a.project.localeCompare(b.project) || a.view.localeCompare(b.view),
    );
  }

  /**
   * One view's freshness, statistics and latest validation report. Without `project`, the view's
   * name must be unique across projects.
   */
  async view(name: string, project?: string): Promise<ViewMaterializationDetails> {
    const matches = (await this.views(project)).filter((v) => v.view === name);
    if (matches.length === 0) {
      throw notFound(
        'Feature view',
        name,
        `No online feature view '${name}'${project === undefined ? '' : ` in project '${project}'`} was applied or materialized`,
      );
    }
    if (matches.length > 1) {
      throw invalidParameter('project', `one of ${matches.map((m) => m.project).join(', ')}`, project);
    }
    const [found] = matches;
    // A run still `running` (or killed) has no statistics yet: show the last one that finished.
    const [finished] = await this.store.latestRuns({
      project: found.project,
      view: name,
      status: ['succeeded', 'partial'],
    });
    return { ...found, statistics: finished?.statistics ?? null, report: finished?.report ?? null };
  }
}
