/** Experiment tracking: the one implementation behind the native API, the MLflow API and the SDK. */
import type { Clock } from '../core/clock.js';
import { invalidParameter, notFound, SlipwayError } from '../core/errors.js';
import { newRunId, newRunName } from '../core/ids.js';
import type { Page, Tag, ViewType } from '../core/types.js';
import { parseRunFilter } from './search/filter-parser.js';
import { parseOrderBy } from './search/order-by-parser.js';
import { checkPageSize } from './search/page-token.js';
import { parseExperimentFilter } from './search/registry-filter-parser.js';
import type { TrackingStore } from './store.js';
import {
  type DatasetInput,
  type Experiment,
  type Metric,
  type Param,
  RUN_STATUSES,
  type Run,
  type RunInfo,
  type RunStatus,
  SYSTEM_TAGS,
} from './types.js';
import { checkBatch, checkExperimentName, checkKey, checkTag } from './validation.js';

export interface SearchOptions {
  filter?: string;
  orderBy?: string[];
  maxResults?: number;
  pageToken?: string;
  view?: ViewType;
}

export interface CreateRunOptions {
  experimentId?: string;
  runName?: string;
  userId?: string;
  startTime?: number;
  tags?: Tag[];
  /** Makes this a nested run: recorded as the `mlflow.parentRunId` tag. */
  parentRunId?: string;
}

export const DEFAULT_EXPERIMENT_ID = '0';

export class TrackingService {
  constructor(
    private readonly store: TrackingStore,
    private readonly clock: Clock,
    /** Where new experiments put artifacts: `mlflow-artifacts:` means "proxied by this server". */
    readonly defaultArtifactRoot = 'mlflow-artifacts:',
  ) {}

  /** Creates the `Default` experiment (id 0) on a fresh store, as MLflow does. */
  async init(): Promise<void> {
    if (await this.store.getExperiment(DEFAULT_EXPERIMENT_ID)) return;
    if (await this.store.getExperimentByName('Default')) return;
    await this.store.createExperiment({
      experimentId: DEFAULT_EXPERIMENT_ID,
      name: 'Default',
      defaultArtifactRoot: this.defaultArtifactRoot,
      tags: [],
      time: this.clock.now(),
    });
  }

  createExperiment(input: { name: string; artifactLocation?: string; tags?: Tag[] }): Promise<Experiment> {
    return this.store.createExperiment({
      name: checkExperimentName(input.name),
      artifactLocation: input.artifactLocation || undefined,
      defaultArtifactRoot: this.defaultArtifactRoot,
      tags: (input.tags ?? []).map(checkTag),
      time: this.clock.now(),
    });
  }

  async getExperiment(experimentId: string): Promise<Experiment> {
    // Ids are decimal integers; anything else ('' included) names no experiment.
    const e = /^\d+$/.test(experimentId) ? await this.store.getExperiment(experimentId) : undefined;
    if (!e) throw notFound('Experiment', experimentId, `No Experiment with id=${experimentId} exists`);
    return e;
  }

  async getExperimentByName(name: string): Promise<Experiment> {
    const e = await this.store.getExperimentByName(name);
    if (!e) throw notFound('Experiment', name, `Could not find experiment with name '${name}'`);
    return e;
  }

  searchExperiments(opts: SearchOptions = {}): Promise<Page<Experiment>> {
    return this.store.searchExperiments({
      view: opts.view ?? 'ACTIVE_ONLY',
      filter: parseExperimentFilter(opts.filter),
      orderBy: parseOrderBy(opts.orderBy, 'experiments'),
      maxResults: checkPageSize(opts.maxResults, 1000),
      pageToken: opts.pageToken,
    });
  }

  async renameExperiment(experimentId: string, newName: string): Promise<void> {
    await this.activeExperiment(experimentId);
    await this.store.updateExperiment(experimentId, {
      name: checkExperimentName(newName),
      time: this.clock.now(),
    });
  }

  async deleteExperiment(experimentId: string): Promise<void> {
    await this.getExperiment(experimentId);
    if (experimentId === DEFAULT_EXPERIMENT_ID)
      throw new SlipwayError('INVALID_PARAMETER_VALUE', 'The Default experiment cannot be deleted');
    await this.store.updateExperiment(experimentId, { lifecycleStage: 'deleted', time: this.clock.now() });
  }

  async restoreExperiment(experimentId: string): Promise<void> {
    await this.getExperiment(experimentId);
    await this.store.updateExperiment(experimentId, { lifecycleStage: 'active', time: this.clock.now() });
  }

  async setExperimentTag(experimentId: string, tag: Tag): Promise<void> {
    await this.activeExperiment(experimentId);
    await this.store.setExperimentTag(experimentId, checkTag(tag));
  }

  private async activeExperiment(experimentId: string): Promise<Experiment> {
    const e = await this.getExperiment(experimentId);
    if (e.lifecycleStage !== 'active')
      throw new SlipwayError(
        'INVALID_STATE',
        `The experiment ${experimentId} must be in the 'active' state.`,
      );
    return e;
  }

  async createRun(opts: CreateRunOptions = {}): Promise<Run> {
    const experiment = await this.activeExperiment(opts.experimentId ?? DEFAULT_EXPERIMENT_ID);
    const tags = new Map((opts.tags ?? []).map(checkTag).map((t) => [t.key, t.value]));
    if (opts.parentRunId !== undefined) {
      await this.getRunInfo(opts.parentRunId);
      tags.set(SYSTEM_TAGS.parentRunId, opts.parentRunId);
    }
    const runName = opts.runName || tags.get(SYSTEM_TAGS.runName) || newRunName();
    tags.set(SYSTEM_TAGS.runName, runName);
    const runId = newRunId();
    return this.store.createRun({
      runId,
      experimentId: experiment.experimentId,
      runName,
      userId: opts.userId ?? tags.get(SYSTEM_TAGS.user) ?? 'unknown',
      startTime: opts.startTime ?? this.clock.now(),
      artifactUri: `${experiment.artifactLocation}/${runId}/artifacts`,
      tags: [...tags].map(([key, value]) => ({ key, value })),
    });
  }

  async getRun(runId: string): Promise<Run> {
    const run = await this.store.getRun(runId);
    if (!run) throw notFound('Run', runId, `Run with id=${runId} not found`);
    return run;
  }

  async updateRun(
    runId: string,
    patch: { status?: RunStatus; endTime?: number; runName?: string },
  ): Promise<RunInfo> {
    await this.getRunInfo(runId);
    if (patch.status !== undefined && !RUN_STATUSES.includes(patch.status))
      throw invalidParameter('status', `one of ${RUN_STATUSES.join(', ')}`, patch.status);
    if (patch.endTime !== undefined && !Number.isSafeInteger(patch.endTime))
      throw invalidParameter('end_time', 'integer milliseconds', patch.endTime);
    await this.store.updateRun(runId, patch);
    return this.getRunInfo(runId);
  }

  /** A run's info without its params, metrics and tags (one cheap lookup). */
  async getRunInfo(runId: string): Promise<RunInfo> {
    const info = await this.store.getRunInfo(runId);
    if (!info) throw notFound('Run', runId, `Run with id=${runId} not found`);
    return info;
  }

  async deleteRun(runId: string): Promise<void> {
    await this.getRunInfo(runId);
    await this.store.updateRun(runId, { lifecycleStage: 'deleted', deletedTime: this.clock.now() });
  }

  async restoreRun(runId: string): Promise<void> {
    await this.getRunInfo(runId);
    await this.store.updateRun(runId, { lifecycleStage: 'active', deletedTime: null });
  }

  private async activeRun(runId: string): Promise<RunInfo> {
    const info = await this.getRunInfo(runId);
    if (info.lifecycleStage !== 'active')
      throw new SlipwayError(
        'INVALID_STATE',
        `The run ${runId} must be in the 'active' state. Current state is deleted.`,
      );
    return info;
  }

  /** Logs metrics, params and tags atomically: all of them or none. */
  async logBatch(
    runId: string,
    batch: { metrics?: Metric[]; params?: Param[]; tags?: Tag[] },
  ): Promise<void> {
    const checked = checkBatch({
      metrics: batch.metrics ?? [],
      params: batch.params ?? [],
      tags: batch.tags ?? [],
    });
    await this.activeRun(runId);
    await this.store.logBatch(runId, checked);
  }

  logMetric(runId: string, key: string, value: number, opts: { timestamp?: number; step?: number } = {}) {
    const metric = { key, value, timestamp: opts.timestamp ?? this.clock.now(), step: opts.step ?? 0 };
    return this.logBatch(runId, { metrics: [metric] });
  }

  logParam(runId: string, key: string, value: string): Promise<void> {
    return this.logBatch(runId, { params: [{ key, value }] });
  }

  setTag(runId: string, key: string, value: string): Promise<void> {
    return this.logBatch(runId, { tags: [{ key, value }] });
  }

  async deleteTag(runId: string, key: string): Promise<void> {
    await this.activeRun(runId);
    const run = await this.getRun(runId);
    if (!run.data.tags.some((t) => t.key === key))
      throw notFound('Tag', key, `No tag with name: ${key} in run with id ${runId}`);
    await this.store.deleteRunTag(runId, checkKey('tag', key));
  }

  /**
   * Appends a logged model's description (its MLmodel as JSON) to the run's
   * `mlflow.log-model.history` tag, which MLflow clients read back as the list of the run's models.
   */
  async recordLoggedModel(runId: string, model: Record<string, unknown>): Promise<void> {
    const run = await this.getRun(runId);
    const prev = run.data.tags.find((t) => t.key === SYSTEM_TAGS.logModelHistory)?.value;
    let history: unknown;
    try {
      history = prev ? JSON.parse(prev) : [];
    } catch {
      history = undefined; // not JSON: refused below, and the tag is left as it is
    }
    if (!Array.isArray(history))
      throw new SlipwayError(
        'INVALID_STATE',
        `The run's '${SYSTEM_TAGS.logModelHistory}' tag does not hold a JSON list; fix or delete it first`,
        { field: SYSTEM_TAGS.logModelHistory },
      );
    await this.setTag(runId, SYSTEM_TAGS.logModelHistory, JSON.stringify([...history, model]));
  }

  async getMetricHistory(runId: string, key: string, page: { maxResults?: number; pageToken?: string } = {}) {
    await this.getRunInfo(runId);
    return this.store.getMetricHistory(runId, key, {
      maxResults: checkPageSize(page.maxResults, 25_000),
      pageToken: page.pageToken,
    });
  }

  async logInputs(runId: string, datasets: DatasetInput[]): Promise<void> {
    await this.activeRun(runId);
    for (const [i, d] of datasets.entries()) {
      for (const f of ['name', 'digest', 'sourceType', 'source'] as const) {
        if (typeof d.dataset?.[f] !== 'string' || d.dataset[f] === '')
          throw invalidParameter(`datasets[${i}].dataset.${f}`, 'a non-empty string', d.dataset?.[f]);
      }
      (d.tags ?? []).forEach(checkTag);
    }
    await this.store.logInputs(
      runId,
      datasets.map((d) => ({ dataset: d.dataset, tags: d.tags ?? [] })),
    );
  }

  searchRuns(opts: SearchOptions & { experimentIds: string[] }): Promise<Page<Run>> {
    if (!Array.isArray(opts.experimentIds) || opts.experimentIds.length === 0)
      throw invalidParameter('experiment_ids', 'at least one experiment id', opts.experimentIds);
    return this.store.searchRuns({
      experimentIds: opts.experimentIds,
      view: opts.view ?? 'ACTIVE_ONLY',
      filter: parseRunFilter(opts.filter),
      orderBy: parseOrderBy(opts.orderBy, 'runs'),
      maxResults: checkPageSize(opts.maxResults, 1000),
      pageToken: opts.pageToken,
    });
  }
}
