/** A dataset version as the run input MLflow clients show (`runs.logInputs`, `mlflow.log_input`). */
import type { DatasetInput } from '../tracking/types.js';
import type { DatasetVersion } from './types.js';

/** MLflow's column types for the DuckDB types training sets hold (anything else: string). */
const MLFLOW_TYPES: Array<[RegExp, string]> = [
  [/^(BIGINT|HUGEINT|UBIGINT|UINTEGER)$/, 'long'],
  [/^(INTEGER|SMALLINT|TINYINT|USMALLINT|UTINYINT)$/, 'integer'],
  [/^(DOUBLE|DECIMAL.*)$/, 'double'],
  [/^(FLOAT|REAL)$/, 'float'],
  [/^BOOLEAN$/, 'boolean'],
  [/^(TIMESTAMP|DATE).*$/, 'datetime'],
  [/^BLOB$/, 'binary'],
];

function mlflowType(duckdbType: string): string {
  return MLFLOW_TYPES.find(([re]) => re.test(duckdbType))?.[1] ?? 'string';
}

/**
 * The `DatasetInput` a run logs to say it consumed `dataset`: MLflow's name, digest (the sha256
 * hex), source type (`slipway`) and source (JSON: uri, name, version), its schema
 * (`mlflow_colspec`) and profile (`num_rows`), tagged with the context (`mlflow.data.context`,
 * default `training`) and the Slipway version (`slipway.dataset.version`).
 *
 * @example
 * const ds = await client.datasets.get('fraud_v1');
 * await client.runs.logInputs(runId, [datasetInput(ds)]);
 */
export function datasetInput(dataset: DatasetVersion, context = 'training'): DatasetInput {
  return {
    dataset: {
      name: dataset.name,
      // The run-input digest column holds 64 characters (MLflow's own digests are 8): the hex alone.
      digest: dataset.digest.replace(/^sha256:/, ''),
      sourceType: 'slipway',
      source: JSON.stringify({ uri: dataset.source, name: dataset.name, version: dataset.version }),
      schema: JSON.stringify({
        mlflow_colspec: Object.entries(dataset.schema).map(([name, type]) => ({
          type: mlflowType(type),
          name,
        })),
      }),
      profile: JSON.stringify({ num_rows: dataset.rows }),
    },
    tags: [
      { key: 'mlflow.data.context', value: context },
      { key: 'slipway.dataset.version', value: String(dataset.version) },
    ],
  };
}
