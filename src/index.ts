/**
 * The `slipway` package: the SDK (`Slipway.connect` / `Slipway.open`), the server (`createServer`
 * over `openPlatform(resolveConfig(…))`), the one error type and the domain types.
 *
 * @example
 * import { Slipway } from 'slipway';
 * const client = Slipway.connect('http://127.0.0.1:5000');
 * const run = await client.runs.create({ experimentId: '0', runName: 'baseline' });
 * await client.runs.logMetric(run.info.runId, 'auc', 0.91);
 */
export type { AuthToken, ConfigInput, Role, S3Options, SlipwayConfig } from './core/config.js';
export { parseTokenList, resolveConfig } from './core/config.js';
export type { ErrorCode, ErrorDetails } from './core/errors.js';
export { httpStatusOf, isSlipwayError, SlipwayError } from './core/errors.js';
export type { LifecycleStage, Page, Tag, ViewType } from './core/types.js';
export {
  type BusinessMetricsQuery,
  type BusinessMetricsReport,
  type EventStore,
  type OutcomeEvent,
  reportBusinessMetrics,
} from './monitoring/business/index.js';
export {
  chooseDriftTest,
  type DatasetDriftReport,
  type DriftVerdict,
  detectColumnDrift,
  detectDatasetDrift,
  detectPredictionDrift,
} from './monitoring/drift/index.js';
export {
  type InferenceLogQuery,
  type InferenceLogSelection,
  openParquetInferenceLog,
  type ParquetInferenceLogOptions,
  queryInferenceLog,
  sweepInferenceLog,
} from './monitoring/inference-log/index.js';
export {
  type EstimatedPerformance,
  estimatePerformance,
  measurePerformance,
  type PerformanceQuery,
  type PerformanceReport,
} from './monitoring/performance/index.js';
export { mergeProfileSidecars, readProfileSidecars } from './monitoring/profiles/index.js';
export {
  buildDriftReport,
  type DriftReportRequest,
  renderDriftReportHtml,
} from './monitoring/report/index.js';
export { openPlatform, type Platform } from './platform.js';
export type {
  ModelLineage,
  ModelSignature,
  ModelVersion,
  ModelVersionStatus,
  RegisteredModel,
  Stage,
  TensorDtype,
  TensorSpec,
} from './registry/types.js';
export {
  type BusinessRequest,
  type DatasetsApi,
  type DatasetVersion,
  type DriftReport,
  type DriftRequest,
  datasetInput,
  type EventInput,
  type ExperimentsApi,
  type FeaturesApi,
  type HistoricalFeaturesInput,
  type HistoricalFeaturesResult,
  HttpClient,
  type HttpClientOptions,
  type LabelInput,
  type LateArrivalsAccepted,
  LocalClient,
  type LocalClientOptions,
  type ModelsApi,
  type MonitoringApi,
  type OnlineFeaturesInput,
  type OnlineFeaturesResponse,
  type OpenOptions,
  type PerformanceRequest,
  type RunsApi,
  type SearchOptions,
  Slipway,
  type SlipwayClient,
  type WindowPerformanceReport,
} from './sdk/index.js';
export { createServer, type ServerOptions } from './server/app.js';
export type { ArtifactEntry } from './tracking/artifacts.js';
export type {
  Dataset,
  DatasetInput,
  Experiment,
  Metric,
  Param,
  Run,
  RunInfo,
  RunStatus,
} from './tracking/types.js';
