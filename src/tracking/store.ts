import type { Page, Tag, ViewType } from '../core/types.js';
import type { Filter, OrderClause } from './search/types.js';
import type { DatasetInput, Experiment, Metric, Run, RunBatch, RunInfo, RunStatus } from './types.js';

export interface NewExperiment {
  /** Only for the Default experiment, created with id 0; others get the next id. */
  experimentId?: string;
  name: string;
  /** Explicit location; when absent the store uses `${defaultArtifactRoot}/${experimentId}`. */
  artifactLocation?: string;
  defaultArtifactRoot: string;
  tags: Tag[];
  time: number;
}

export interface ExperimentQuery {
  view: ViewType;
  /** Only `name`/`tags.*`/`attributes.*` comparisons apply to experiments. */
  filter: Filter;
  orderBy: OrderClause[];
  maxResults: number;
  pageToken?: string;
}

export interface ExperimentPatch {
  name?: string;
  lifecycleStage?: 'active' | 'deleted';
  time: number;
}

export interface NewRun {
  runId: string;
  experimentId: string;
  runName: string;
  userId: string;
  startTime: number;
  /** `${experiment.artifactLocation}/${runId}/artifacts` */
  artifactUri: string;
  tags: Tag[];
}

export interface RunPatch {
  status?: RunStatus;
  endTime?: number | null;
  runName?: string;
  lifecycleStage?: 'active' | 'deleted';
  deletedTime?: number | null;
}

export interface RunQuery {
  experimentIds: string[];
  view: ViewType;
  filter: Filter;
  orderBy: OrderClause[];
  maxResults: number;
  pageToken?: string;
}

/**
 * What a metadata backend must provide for experiment tracking. Validation and derived operations
 * (log one metric, set one tag, nested runs) live once in `TrackingService`; stores only persist.
 * Every method that writes is atomic: it either fully applies or leaves nothing behind.
 */
export interface TrackingStore {
  createExperiment(input: NewExperiment): Promise<Experiment>;
  getExperiment(experimentId: string): Promise<Experiment | undefined>;
  getExperimentByName(name: string): Promise<Experiment | undefined>;
  searchExperiments(query: ExperimentQuery): Promise<Page<Experiment>>;
  /** Throws RESOURCE_ALREADY_EXISTS on a name clash. */
  updateExperiment(experimentId: string, patch: ExperimentPatch): Promise<void>;
  setExperimentTag(experimentId: string, tag: Tag): Promise<void>;

  createRun(input: NewRun): Promise<Run>;
  getRun(runId: string): Promise<Run | undefined>;
  /** Just the run's info (no params, metrics or tags): the cheap check before every write. */
  getRunInfo(runId: string): Promise<RunInfo | undefined>;
  updateRun(runId: string, patch: RunPatch): Promise<void>;
  /**
   * Writes metrics (appended to history; the latest value per key kept for search), params and
   * tags in one transaction. A param already logged with a different value is an
   * INVALID_PARAMETER_VALUE error and nothing of the batch is written.
   */
  logBatch(runId: string, batch: RunBatch): Promise<void>;
  deleteRunTag(runId: string, key: string): Promise<void>;
  getMetricHistory(
    runId: string,
    key: string,
    page: { maxResults: number; pageToken?: string },
  ): Promise<Page<Metric>>;
  /** Adds dataset inputs; a dataset with the same (name, digest) is stored once per experiment. */
  logInputs(runId: string, inputs: DatasetInput[]): Promise<void>;
  searchRuns(query: RunQuery): Promise<Page<Run>>;
}
