/**
 * The feature store's public types (Feast's model): entities, data sources, feature views,
 * on-demand transforms and feature services; the online store interface both backends implement.
 */

/** Value types of a feature or join key. `timestamp` values are epoch milliseconds. */
export type FeatureValueType = 'int64' | 'int32' | 'float64' | 'float32' | 'string' | 'bool' | 'timestamp';

/** A scalar feature value as it travels (null = missing). */
export type FeatureScalar = number | string | boolean | null;

export interface JoinKey {
  name: string;
  type: FeatureValueType;
}

export interface Entity {
  name: string;
  joinKeys: JoinKey[];
  description?: string;
  tags?: Record<string, string>;
}

export type DataSource =
  | {
      kind: 'file';
      name: string;
      /** A Parquet or CSV file, a folder of them, or a glob. */
      path: string;
      format: 'parquet' | 'csv';
      timestampField: string;
      createdTimestampField?: string;
    }
  | {
      kind: 'postgres';
      name: string;
      /** `postgresql://…`; default: the metadata store when it is PostgreSQL. */
      connection?: string;
      table?: string;
      query?: string;
      timestampField: string;
      createdTimestampField?: string;
    }
  | {
      kind: 'push';
      name: string;
      /** A file source holding the history of what is pushed (for training sets). */
      batchSource?: string;
    };

/** Declared constraints, checked on materialize and push. */
export interface FeatureConstraints {
  nullable?: boolean;
  min?: number;
  max?: number;
  allowedValues?: Array<string | number | boolean>;
  /** Largest share of nulls in a batch, 0..1. */
  maxNullShare?: number;
}

export interface Feature {
  name: string;
  type: FeatureValueType;
  description?: string;
  constraints?: FeatureConstraints;
}

export interface FeatureView {
  name: string;
  /** Entity names; their join keys identify a row. */
  entities: string[];
  schema: Feature[];
  /** Data source name. */
  source: string;
  /** Rows older than this (relative to the entity row / read time) are not used; 0 = unbounded. */
  ttlSeconds: number;
  online: boolean;
  offline: boolean;
  owner?: string;
  description?: string;
  tags?: Record<string, string>;
}

/** A pure function of request data and other features, run by training-set generation and online reads alike. */
export interface OnDemandFeatureView {
  name: string;
  /** Request-time inputs (not stored anywhere). */
  requestSchema: Feature[];
  /** Stored features it reads, as `view:feature`. */
  sources: string[];
  schema: Feature[];
  /** Row in (request fields + `view__feature` / `feature` inputs), row out (the schema's fields). */
  transform: (row: Record<string, FeatureScalar>) => Record<string, FeatureScalar>;
}

export interface FeatureService {
  name: string;
  /** `view:feature` or `view:*` references. */
  features: string[];
  description?: string;
  tags?: Record<string, string>;
}

/** Everything one definitions file (TypeScript or YAML) declares. */
export interface FeatureRepo {
  project: string;
  entities: Entity[];
  sources: DataSource[];
  featureViews: FeatureView[];
  onDemandFeatureViews: OnDemandFeatureView[];
  featureServices: FeatureService[];
}

/** One stored row of a feature view in the online store. */
export interface OnlineRow {
  /** Canonical key of the entity (see `entityKeyOf`). */
  entityKey: string;
  values: Record<string, FeatureScalar>;
  /** Epoch ms. */
  eventTimestamp: number;
  /** Epoch ms; breaks ties between rows with the same event timestamp. */
  createdTimestamp?: number;
}

/**
 * Latest feature values per entity, for serving. Writes are newer-wins per entity key: a row whose
 * (eventTimestamp, createdTimestamp) is not newer than the stored one is ignored, so re-running a
 * materialization or racing pushes can never regress a value.
 */
export interface OnlineStore {
  init(): Promise<void>;
  close(): Promise<void>;
  /** Returns how many rows were actually written (newer than what was stored). */
  write(view: string, rows: OnlineRow[]): Promise<number>;
  /** One result per key, in order; undefined where nothing is stored. Only `features` are returned. */
  read(view: string, entityKeys: string[], features: string[]): Promise<Array<OnlineRow | undefined>>;
  /** Removes a view's rows (on `features apply` of a deleted view). */
  deleteView(view: string): Promise<void>;
}
