/**
 * Table shapes of the metadata database, shared by SQLite and PostgreSQL. Times are integer
 * milliseconds; booleans are 0/1 integers (portable across both engines); JSON is stored as text.
 */
import type { Generated } from 'kysely';

export interface ExperimentsTable {
  experiment_id: Generated<number>;
  name: string;
  artifact_location: string;
  lifecycle_stage: string;
  creation_time: number;
  last_update_time: number;
}

export interface ExperimentTagsTable {
  experiment_id: number;
  key: string;
  value: string;
}

export interface RunsTable {
  run_id: string;
  experiment_id: number;
  run_name: string;
  user_id: string;
  status: string;
  start_time: number;
  end_time: number | null;
  deleted_time: number | null;
  artifact_uri: string;
  lifecycle_stage: string;
}

export interface RunKeyValueTable {
  run_id: string;
  key: string;
  value: string;
}

export interface MetricsTable {
  run_id: string;
  key: string;
  /** 0 when `is_nan` is 1 (SQL engines disagree on storing NaN). */
  value: number;
  timestamp: number;
  step: number;
  is_nan: number;
}

export interface DatasetsTable {
  dataset_id: string;
  experiment_id: number;
  name: string;
  digest: string;
  source_type: string;
  source: string;
  schema: string | null;
  profile: string | null;
}

export interface RunInputsTable {
  run_id: string;
  dataset_id: string;
  /** JSON array of {key, value}. */
  tags: string;
}

export interface RegisteredModelsTable {
  name: string;
  creation_time: number;
  last_updated_time: number;
  description: string;
}

export interface RegisteredModelTagsTable {
  name: string;
  key: string;
  value: string;
}

export interface ModelVersionsTable {
  name: string;
  version: number;
  creation_time: number;
  last_updated_time: number;
  description: string;
  current_stage: string;
  source: string;
  run_id: string;
  run_link: string;
  status: string;
  storage_location: string;
  content_hash: string | null;
  /** JSON ModelSignature or null. */
  signature: string | null;
  /** JSON {gitCommit, dirty} or null. */
  code_version: string | null;
  /** JSON DatasetInput[]. */
  datasets: string;
}

export interface ModelVersionTagsTable {
  name: string;
  version: number;
  key: string;
  value: string;
}

export interface ModelAliasesTable {
  name: string;
  alias: string;
  version: number;
}

/** One version of one feature definition (migration 003). */
export interface FeatureDefinitionsTable {
  project: string;
  /** entity | data_source | feature_view | on_demand_feature_view | feature_service */
  kind: string;
  name: string;
  version: number;
  /** JSON of the canonical spec; on-demand views hold a module/export reference, never code. */
  spec: string;
  /** JSON string[]: field-level summary of the change from the previous version. */
  changes: string;
  breaking: number;
  created_at: number;
  deleted: Generated<number>;
  deleted_at: number | null;
}

/** One materialization run of one feature view (migration 005); report and statistics are JSON. */
export interface FeatureMaterializationsTable {
  run_id: string;
  project: string;
  view: string;
  view_version: number | null;
  window_start: number;
  window_end: number;
  started_at: number;
  finished_at: number | null;
  /** running | succeeded | partial | failed */
  status: string;
  rows_read: number;
  rows_written: number;
  rows_refused: number;
  newest_event_ts: number | null;
  report: string | null;
  statistics: string | null;
  error: string | null;
}

/** One version of one named dataset (migration 004). */
export interface DatasetVersionsTable {
  name: string;
  version: number;
  digest: string;
  source: string;
  row_count: number;
  /** JSON column → type. */
  schema: string;
  project: string | null;
  /** JSON string[] of `view:feature`. */
  features: string | null;
  feature_service: string | null;
  entity_source: string | null;
  created_at: number;
}

/** An alert rule (migration 007); the definition is the rule as JSON. */
export interface AlertRulesTable {
  name: string;
  definition: string;
  created_at: number;
  updated_at: number;
}

/** One alert: a rule and its dedup key (migration 007). */
export interface AlertStatesTable {
  rule: string;
  alert_key: string;
  /** JSON object of label → value. */
  labels: string;
  /** inactive | pending | firing | resolved */
  state: string;
  value: number | null;
  active_since: number | null;
  firing_since: number | null;
  resolved_at: number | null;
  evaluated_at: number;
  last_notified_at: number | null;
}

/** The notification outbox: one notification to one channel (migration 007). */
export interface AlertDeliveriesTable {
  id: string;
  channel: string;
  rule: string;
  alert_key: string;
  body: string;
  /** pending | delivered | failed */
  status: string;
  attempts: number;
  next_attempt_at: number | null;
  created_at: number;
  delivered_at: number | null;
  last_error: string | null;
}

/** One attempt of one delivery (migration 007). */
export interface AlertDeliveryAttemptsTable {
  delivery_id: string;
  attempt: number;
  started_at: number;
  finished_at: number;
  status_code: number | null;
  error: string | null;
}

/** One dataset profile of one window (migration 006); the profile is JSON text. */
export interface MonitoringProfilesTable {
  model: string;
  version: string;
  /** serving | reference */
  kind: string;
  source: string;
  segment: string;
  window_start: number;
  window_end: number;
  rows: number;
  profile: string;
  updated_at: number;
}

/** One ground-truth label (migration 008): by request id + row, or by entity + ts. */
export interface MonitoringLabelsTable {
  model: string;
  label_key: string;
  request_id: string | null;
  row_index: number | null;
  /** Canonical JSON [[name, value], …] of an entity label. */
  entity: string | null;
  ts: number;
  value_number: number | null;
  value_text: string | null;
  received_at: number;
}

export interface MonitoringEventsTable {
  model: string;
  /** The outcome event's name, e.g. `converted`. */
  name: string;
  /** Which prediction: the request id + row, or the entity + ts (monitoring/performance/label-key.ts). */
  event_key: string;
  request_id: string | null;
  row_index: number | null;
  /** Canonical JSON [[name, value], …] of an entity event. */
  entity: string | null;
  ts: number;
  value: number;
  received_at: number;
}

export interface Database {
  experiments: ExperimentsTable;
  experiment_tags: ExperimentTagsTable;
  runs: RunsTable;
  params: RunKeyValueTable;
  tags: RunKeyValueTable;
  /** Full history: one row per logged value. */
  metrics: MetricsTable;
  /** The latest value per (run, key): what search and run views read. */
  latest_metrics: MetricsTable;
  datasets: DatasetsTable;
  run_inputs: RunInputsTable;
  registered_models: RegisteredModelsTable;
  registered_model_tags: RegisteredModelTagsTable;
  model_versions: ModelVersionsTable;
  model_version_tags: ModelVersionTagsTable;
  model_aliases: ModelAliasesTable;
  feature_definitions: FeatureDefinitionsTable;
  dataset_versions: DatasetVersionsTable;
  feature_materializations: FeatureMaterializationsTable;
  monitoring_profiles: MonitoringProfilesTable;
  alert_rules: AlertRulesTable;
  alert_states: AlertStatesTable;
  alert_deliveries: AlertDeliveriesTable;
  alert_delivery_attempts: AlertDeliveryAttemptsTable;
  monitoring_labels: MonitoringLabelsTable;
  monitoring_events: MonitoringEventsTable;
}

export type SqlDialectName = 'sqlite' | 'postgres';
