import type { Tag } from '../core/types.js';
import type { DatasetInput } from '../tracking/index.js';

/** Legacy stages, still used by older MLflow clients; aliases are the modern way. */
export type Stage = 'None' | 'Staging' | 'Production' | 'Archived';
export const STAGES: readonly Stage[] = ['None', 'Staging', 'Production', 'Archived'];

export type ModelVersionStatus = 'PENDING_REGISTRATION' | 'FAILED_REGISTRATION' | 'READY';

export type TensorDtype =
  | 'float32'
  | 'float64'
  | 'float16'
  | 'bfloat16'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'uint64'
  | 'bool'
  | 'string';

export interface TensorSpec {
  name: string;
  dtype: TensorDtype;
  /** -1 for a dynamic dimension (e.g. the batch dimension). */
  shape: number[];
}

/** A model's interface: what it takes and what it returns. */
export interface ModelSignature {
  inputs: TensorSpec[];
  outputs: TensorSpec[];
}

/** Where a model version came from: enough to reproduce it. */
export interface ModelLineage {
  /** The resolved storage URI of the version's artifacts (e.g. `mlflow-artifacts:/1/<run>/artifacts/model`). */
  artifactUri: string;
  /** `sha256:<hex>` over the artifact's files (path + content), null when the artifact was not readable. */
  contentHash: string | null;
  signature: ModelSignature | null;
  codeVersion: { gitCommit: string; dirty: boolean } | null;
  datasets: DatasetInput[];
}

export interface ModelVersion {
  name: string;
  version: string;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
  currentStage: Stage;
  description: string;
  /** The URI the version was created from (`runs:/…`, `mlflow-artifacts:/…`, `s3://…`). */
  source: string;
  runId: string;
  status: ModelVersionStatus;
  runLink: string;
  tags: Tag[];
  aliases: string[];
  lineage: ModelLineage;
}

export interface RegisteredModel {
  name: string;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
  description: string;
  tags: Tag[];
  aliases: { alias: string; version: string }[];
  /** The newest version in each stage (MLflow's `latest_versions`). */
  latestVersions: ModelVersion[];
}
