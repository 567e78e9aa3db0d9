import type { LifecycleStage, Tag } from '../core/types.js';

export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';
export const RUN_STATUSES: readonly RunStatus[] = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'];

export interface Experiment {
  experimentId: string;
  name: string;
  artifactLocation: string;
  lifecycleStage: LifecycleStage;
  creationTime: number;
  lastUpdateTime: number;
  tags: Tag[];
}

/** One logged metric value; a metric's history is every value logged under its key. */
export interface Metric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}

export interface Param {
  key: string;
  value: string;
}

export interface RunInfo {
  runId: string;
  experimentId: string;
  runName: string;
  userId: string;
  status: RunStatus;
  startTime: number;
  endTime: number | null;
  artifactUri: string;
  lifecycleStage: LifecycleStage;
}

/** A dataset a run consumed (MLflow's `Dataset`): `digest` identifies the content. */
export interface Dataset {
  name: string;
  digest: string;
  sourceType: string;
  source: string;
  schema?: string;
  profile?: string;
}

export interface DatasetInput {
  dataset: Dataset;
  /** e.g. `mlflow.data.context = training` */
  tags: Tag[];
}

export interface Run {
  info: RunInfo;
  data: {
    /** The latest value of each metric (max step, then max timestamp, then max value). */
    metrics: Metric[];
    params: Param[];
    tags: Tag[];
  };
  inputs: { datasetInputs: DatasetInput[] };
}

/** Everything one `logBatch` call writes, atomically. */
export interface RunBatch {
  metrics: Metric[];
  params: Param[];
  tags: Tag[];
}

/** Tag keys with a meaning (MLflow's reserved `mlflow.*` tags). */
export const SYSTEM_TAGS = {
  runName: 'mlflow.runName',
  user: 'mlflow.user',
  parentRunId: 'mlflow.parentRunId',
  gitCommit: 'mlflow.source.git.commit',
  gitDirty: 'slipway.source.git.dirty',
  sourceName: 'mlflow.source.name',
  logModelHistory: 'mlflow.log-model.history',
} as const;
