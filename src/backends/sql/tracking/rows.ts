/** Row ↔ domain mapping for the tracking tables. */
import type { LifecycleStage, Tag } from '../../../core/types.js';
import type { DatasetInput, Experiment, Metric, Run, RunInfo, RunStatus } from '../../../tracking/types.js';
import type { MetricsTable, RunsTable } from '../schema.js';

export interface ExperimentRow {
  experiment_id: number;
  name: string;
  artifact_location: string;
  lifecycle_stage: string;
  creation_time: number;
  last_update_time: number;
}

export function toExperiment(row: ExperimentRow, tags: Tag[]): Experiment {
  return {
    experimentId: String(row.experiment_id),
    name: row.name,
    artifactLocation: row.artifact_location,
    lifecycleStage: row.lifecycle_stage as LifecycleStage,
    creationTime: Number(row.creation_time),
    lastUpdateTime: Number(row.last_update_time),
    tags,
  };
}

export function toRunInfo(row: RunsTable): RunInfo {
  return {
    runId: row.run_id,
    experimentId: String(row.experiment_id),
    runName: row.run_name,
    userId: row.user_id,
    status: row.status as RunStatus,
    startTime: Number(row.start_time),
    endTime: row.end_time === null ? null : Number(row.end_time),
    artifactUri: row.artifact_uri,
    lifecycleStage: row.lifecycle_stage as LifecycleStage,
  };
}

export function toMetric(row: Pick<MetricsTable, 'key' | 'value' | 'timestamp' | 'step' | 'is_nan'>): Metric {
  return {
    key: row.key,
    value: row.is_nan ? Number.NaN : Number(row.value),
    timestamp: Number(row.timestamp),
    step: Number(row.step),
  };
}

/** Metric value as stored: NaN becomes 0 with is_nan = 1. */
export function toMetricRow(runId: string, m: Metric): MetricsTable {
  const nan = Number.isNaN(m.value);
  return {
    run_id: runId,
    key: m.key,
    value: nan ? 0 : m.value,
    timestamp: m.timestamp,
    step: m.step,
    is_nan: nan ? 1 : 0,
  };
}

export interface RunParts {
  params: Map<string, { key: string; value: string }[]>;
  tags: Map<string, Tag[]>;
  metrics: Map<string, Metric[]>;
  inputs: Map<string, DatasetInput[]>;
}

export function assembleRun(row: RunsTable, parts: RunParts): Run {
  return {
    info: toRunInfo(row),
    data: {
      metrics: parts.metrics.get(row.run_id) ?? [],
      params: parts.params.get(row.run_id) ?? [],
      tags: parts.tags.get(row.run_id) ?? [],
    },
    inputs: { datasetInputs: parts.inputs.get(row.run_id) ?? [] },
  };
}
