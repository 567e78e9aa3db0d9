/**
 * The SDK's surface, shared by the HTTP client (`Slipway.connect`) and the in-process client
 * (`Slipway.open`): the same calls, the same results, whichever way in.
 */
import type { Readable } from 'node:stream';
import type { Page, Tag } from '../core/types.js';
import type { DatasetVersion } from '../datasets/types.js';
import type { OnlineFeaturesResponse } from '../features/online-features.js';
import type { OnlineFeaturesInput } from '../features/online-request.js';
import type { FeatureScalar } from '../features/types.js';
import type { BusinessMetricsReport } from '../monitoring/business/index.js';
import type { EventInput, LabelInput, LateArrivalsAccepted } from '../monitoring/late-arrivals.js';
import type { DriftReport } from '../monitoring/report/index.js';
import type {
  BusinessRequest,
  DriftRequest,
  PerformanceRequest,
  WindowPerformanceReport,
} from '../monitoring/window-reports.js';
import type { ModelSignature, ModelVersion, RegisteredModel } from '../registry/types.js';
import type { ArtifactEntry } from '../tracking/artifacts.js';
import type { SearchOptions } from '../tracking/service.js';
import type { DatasetInput, Experiment, Metric, Param, Run, RunInfo, RunStatus } from '../tracking/types.js';

export type { SearchOptions } from '../tracking/service.js';

export interface ExperimentsApi {
  create(input: { name: string; artifactLocation?: string; tags?: Tag[] }): Promise<Experiment>;
  get(experimentId: string): Promise<Experiment>;
  getByName(name: string): Promise<Experiment>;
  search(opts?: SearchOptions): Promise<Page<Experiment>>;
  rename(experimentId: string, newName: string): Promise<void>;
  delete(experimentId: string): Promise<void>;
  restore(experimentId: string): Promise<void>;
  setTag(experimentId: string, key: string, value: string): Promise<void>;
}

export interface RunsApi {
  create(opts?: {
    experimentId?: string;
    runName?: string;
    userId?: string;
    startTime?: number;
    tags?: Tag[];
    parentRunId?: string;
  }): Promise<Run>;
  get(runId: string): Promise<Run>;
  update(runId: string, patch: { status?: RunStatus; endTime?: number; runName?: string }): Promise<RunInfo>;
  /** Marks the run FINISHED (or the given status) with the end time now. */
  end(runId: string, status?: RunStatus): Promise<RunInfo>;
  delete(runId: string): Promise<void>;
  restore(runId: string): Promise<void>;
  logBatch(runId: string, batch: { metrics?: Metric[]; params?: Param[]; tags?: Tag[] }): Promise<void>;
  logMetric(
    runId: string,
    key: string,
    value: number,
    opts?: { timestamp?: number; step?: number },
  ): Promise<void>;
  logParam(runId: string, key: string, value: string): Promise<void>;
  setTag(runId: string, key: string, value: string): Promise<void>;
  deleteTag(runId: string, key: string): Promise<void>;
  getMetricHistory(
    runId: string,
    key: string,
    page?: { maxResults?: number; pageToken?: string },
  ): Promise<Page<Metric>>;
  logInputs(runId: string, datasets: DatasetInput[]): Promise<void>;
  search(opts: SearchOptions & { experimentIds: string[] }): Promise<Page<Run>>;
  uploadArtifact(runId: string, path: string, body: Buffer | string | Readable): Promise<{ size: number }>;
  listArtifacts(runId: string, path?: string): Promise<ArtifactEntry[]>;
  downloadArtifact(runId: string, path: string): Promise<Buffer>;
}

export interface ModelsApi {
  create(input: { name: string; description?: string; tags?: Tag[] }): Promise<RegisteredModel>;
  get(name: string): Promise<RegisteredModel>;
  rename(name: string, newName: string): Promise<RegisteredModel>;
  update(name: string, patch: { description: string }): Promise<RegisteredModel>;
  delete(name: string): Promise<void>;
  search(opts?: SearchOptions): Promise<Page<RegisteredModel>>;
  setTag(name: string, key: string, value: string): Promise<void>;
  deleteTag(name: string, key: string): Promise<void>;

  createVersion(input: {
    name: string;
    source: string;
    runId?: string;
    description?: string;
    tags?: Tag[];
    signature?: ModelSignature;
  }): Promise<ModelVersion>;
  getVersion(name: string, version: string): Promise<ModelVersion>;
  updateVersion(name: string, version: string, patch: { description: string }): Promise<ModelVersion>;
  deleteVersion(name: string, version: string): Promise<void>;
  searchVersions(opts?: SearchOptions): Promise<Page<ModelVersion>>;
  transitionStage(
    name: string,
    version: string,
    stage: string,
    archiveExisting?: boolean,
  ): Promise<ModelVersion>;
  setVersionTag(name: string, version: string, key: string, value: string): Promise<void>;
  deleteVersionTag(name: string, version: string, key: string): Promise<void>;
  setAlias(name: string, alias: string, version: string): Promise<void>;
  deleteAlias(name: string, alias: string): Promise<void>;
  getVersionByAlias(name: string, alias: string): Promise<ModelVersion>;
  /** `name@alias`, `name/3`, or `name` (its latest version). */
  resolve(ref: string): Promise<ModelVersion>;
  getDownloadUri(name: string, version: string): Promise<string>;
  /**
   * Downloads a model version's files (what `models:/name/version` points at) into `dest` (created
   * if missing); resolves to the local path of the downloaded file or folder.
   *
   * A version stored on the server (`mlflow-artifacts:/…`) is written to `dest/<name>`: its file, or
   * its folder mirrored recursively (replacing what was there). A `file://` or absolute-path version
   * is already local: its path comes back as is and nothing is copied. Other schemes (`s3://`…) are
   * refused with INVALID_PARAMETER_VALUE; more than 2 GiB with PAYLOAD_TOO_LARGE.
   *
   * @example
   * const dir = await client.models.downloadVersion('churn', '3', './models'); // '/…/models/model'
   */
  downloadVersion(name: string, version: string, dest: string): Promise<string>;
}

export type { OnlineFeaturesInput, OnlineFeaturesResponse };

/** A training set to build from the registry's feature definitions. */
export interface HistoricalFeaturesInput {
  /** Feature project; default the only one in the registry. */
  project?: string;
  /** `view:feature` references (or `featureService`). */
  features?: string[];
  featureService?: string;
  /** Entity rows (join keys + timestamp column), sent inline. Or `entitiesPath`. */
  entityRows?: Array<Record<string, FeatureScalar>>;
  /** A local Parquet or CSV file of entity rows (a server gets a copy of it). */
  entitiesPath?: string;
  /** The entity rows' timestamp column; default `event_timestamp`. */
  timestampColumn?: string;
  fullFeatureNames?: boolean;
  /** Where to write the training set (Parquet), on this machine. */
  out: string;
  /** Dataset name; default the feature service's name, or `training-set`. */
  dataset?: string;
}

/** A training set written to `path` and registered as a dataset version. */
export interface HistoricalFeaturesResult {
  path: string;
  /** `sha256:<hex>` of the Parquet file. */
  digest: string;
  rows: number;
  columns: Array<{ name: string; type: string }>;
  /** The version it is registered as (the latest one when the data did not change). */
  dataset: DatasetVersion;
  /** False when the latest version already held exactly this data. */
  created: boolean;
}

export interface FeaturesApi {
  /**
   * The latest feature values of each entity row, from the online store, with the project's
   * definitions as applied to the registry (Feast's column-major response).
   *
   * @example
   * await client.features.getOnlineFeatures({ featureService: 'ranker_v1', entityRows: [{ driver_id: 1 }] });
   */
  getOnlineFeatures(input: OnlineFeaturesInput): Promise<OnlineFeaturesResponse>;
  /**
   * A point-in-time-correct training set written to `out` and registered as a dataset version.
   *
   * @example
   * const set = await client.features.getHistoricalFeatures({ featureService: 'fraud_v1', entityRows, out: 'train.parquet' });
   * await client.runs.logInputs(runId, [datasetInput(set.dataset)]);
   */
  getHistoricalFeatures(input: HistoricalFeaturesInput): Promise<HistoricalFeaturesResult>;
}

export interface DatasetsApi {
  /** One version, or the latest without `version`. */
  get(name: string, version?: number): Promise<DatasetVersion>;
  /** The latest version of every dataset, by name. */
  list(): Promise<DatasetVersion[]>;
  /** Every version of one dataset, oldest first. */
  versions(name: string): Promise<DatasetVersion[]>;
}

export type {
  BusinessMetricsReport,
  BusinessRequest,
  DriftReport,
  DriftRequest,
  EventInput,
  LabelInput,
  LateArrivalsAccepted,
  PerformanceRequest,
  WindowPerformanceReport,
};

/**
 * Monitoring: late arrivals (labels, outcome events) and the reports over a window of the
 * inference log. Over HTTP these are `POST /labels`, `POST /events` and `GET /monitoring/…`; a
 * client from `Slipway.open({ home, inferenceLogDir })` checks request ids against that log and
 * reads its reports from it (without `inferenceLogDir`: ids unverified, reports refused naming
 * `inference-log`).
 */
export interface MonitoringApi {
  /**
   * Stores ground-truth labels of a model's predictions (resending one replaces its value); answers
   * how many request ids the inference log has never seen.
   *
   * @example
   * await client.monitoring.logLabels('fraud', [{ requestId: 'r1', value: 1 }, { entity: { user_id: 7 }, ts: '2025-03-02T09:00:00Z', value: 0 }]);
   * // { model: 'fraud', accepted: 2, verified: true, unknownRequestIds: 0, unknownRequestIdSample: [] }
   */
  logLabels(model: string, labels: LabelInput[]): Promise<LateArrivalsAccepted>;
  /**
   * Stores outcome events (`converted`, `order_value`) of a model's predictions, like logLabels.
   *
   * @example
   * await client.monitoring.logEvents('fraud', [{ name: 'chargeback', requestId: 'r1', value: 120 }]);
   */
  logEvents(model: string, events: EventInput[]): Promise<LateArrivalsAccepted>;
  /**
   * Realized performance (and CBPE estimates for binary classifiers) over a window, from the labels.
   *
   * @example
   * const report = await client.monitoring.performance({ model: 'price', prediction: 'out_price', task: 'regression', window: '24h' });
   * report.groups[0].realized.mae;
   */
  performance(req: PerformanceRequest): Promise<WindowPerformanceReport>;
  /**
   * Outcome events per model version beside the served traffic, over a window.
   *
   * @example
   * (await client.monitoring.business({ model: 'fraud', window: '24h' })).groups[0].events;
   */
  business(req: BusinessRequest): Promise<BusinessMetricsReport>;
  /**
   * The drift report of a model version's served inputs against a registered dataset (default the
   * training dataset of its lineage).
   *
   * @example
   * const { datasetDrift, columns } = await client.monitoring.driftReport({ model: 'fraud@champion', window: '24h' });
   */
  driftReport(req: DriftRequest): Promise<DriftReport>;
}

export interface SlipwayClient {
  readonly experiments: ExperimentsApi;
  readonly runs: RunsApi;
  readonly models: ModelsApi;
  readonly features: FeaturesApi;
  readonly datasets: DatasetsApi;
  readonly monitoring: MonitoringApi;
  close(): Promise<void>;
}
