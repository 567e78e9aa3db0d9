/**
 * Dataset versions: immutable, content-addressed snapshots of a training set (or any table a run
 * consumes). Versions count 1, 2, 3… per name; the digest (`sha256:…` of the file) says what data it is.
 */

/** One version of a named dataset. */
export interface DatasetVersion {
  name: string;
  /** 1, 2, 3… per name. */
  version: number;
  /** `sha256:<hex>` of the stored file. */
  digest: string;
  /** Where the data lives, e.g. `mlflow-artifacts:/datasets/fraud_v1/<hex>.parquet`. */
  source: string;
  /** Number of rows. */
  rows: number;
  /** Column name → type (DuckDB's type names, e.g. `BIGINT`, `DOUBLE`, `TIMESTAMP`). */
  schema: Record<string, string>;
  /** The feature project it was built from, when it is a training set. */
  project?: string;
  /** The `view:feature` references it holds. */
  features?: string[];
  /** The feature service it was built from, when one was named. */
  featureService?: string;
  /** Where its entity rows came from: a file path, or `inline (N rows)`. */
  entitySource?: string;
  /** Epoch ms. */
  createdAt: number;
}

/** What registering a version takes: everything but the version number and time. */
export type NewDatasetVersion = Omit<DatasetVersion, 'version' | 'createdAt'>;

/**
 * What a metadata backend stores for datasets. Versions are unique per name: `insert` of a version
 * that exists already throws `datasetVersionTaken`.
 */
export interface DatasetStore {
  /** The highest version of `name`, or undefined. */
  latest(name: string): Promise<DatasetVersion | undefined>;
  get(name: string, version: number): Promise<DatasetVersion | undefined>;
  /** Every version of `name`, oldest first. */
  versions(name: string): Promise<DatasetVersion[]>;
  /** The latest version of each dataset, by name. */
  list(): Promise<DatasetVersion[]>;
  insert(version: DatasetVersion): Promise<void>;
}
