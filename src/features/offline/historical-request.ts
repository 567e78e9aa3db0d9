/** The request and result of `getHistoricalFeatures`, and the checks a request passes before any I/O. */
import type { DuckDBInstance } from '@duckdb/node-api';
import { sqlString } from '../../core/duckdb-sql.js';
import { invalidParameter } from '../../core/errors.js';
import type { FeatureScalar, FeatureView, OnDemandFeatureView } from '../types.js';
import type { OfflineSource } from './source-scan.js';

/** One feature view's part of a request: which source to read and which features to take. */
export interface HistoricalView {
  view: FeatureView;
  source: OfflineSource;
  /** Columns present in both the entity rows and the source (the view's entities' join keys). */
  joinKeys: string[];
  /** Names from `view.schema`; may be empty when only on-demand views read the view. */
  features: string[];
}

/**
 * An on-demand view's part of a request. Its stored inputs are read from the request's `views`
 * (each input's view must be there; the inputs need not be among its `features`), its request
 * fields from the entity columns of the same names.
 */
export interface HistoricalOnDemandView {
  view: OnDemandFeatureView;
  /** Names from `view.schema`. */
  features: string[];
}

export interface HistoricalRequest {
  /** Entity rows: a Parquet/CSV path (file, folder or glob), or in-memory rows (small sets, the SDK). Must have the join keys and `timestampColumn`. */
  entities:
    | { path: string; format?: 'parquet' | 'csv' }
    | { rows: ReadonlyArray<Record<string, FeatureScalar>> };
  /** The entity rows' timestamp column; default `event_timestamp`. */
  timestampColumn?: string;
  views: HistoricalView[];
  /**
   * On-demand views, run on each joined row by the same code as online reads; their columns come
   * after the stored features.
   */
  onDemand?: HistoricalOnDemandView[];
  /** Name output columns `view__feature` (Feast's full_feature_names) instead of `feature`. */
  fullFeatureNames?: boolean;
  /** Write the result here as Parquet instead of returning rows. */
  output?: string;
  /**
   * Keep the entity rows' order (default). `false` skips the final sort, which costs a third or more
   * of the run on large sets, but then row order, and so the Parquet file's content hash, may differ
   * from run to run for the same inputs.
   */
  preserveOrder?: boolean;
}

export interface HistoricalResult {
  /** The training set, when no `output` was asked for: entity columns, then each view's features. */
  rows?: Array<Record<string, FeatureScalar>>;
  /** The Parquet file written, when `output` was given. */
  output?: string;
  rowCount: number;
  columns: Array<{ name: string; type: string }>;
  /** `sha256:<hex>`: of the Parquet file, or for rows of their JSON lines (header line first). */
  contentHash: string;
}

export interface HistoricalOptions {
  /** Run on this instance (its settings apply); default: a private in-memory one, closed afterwards. */
  duckdb?: DuckDBInstance;
  /** Threads of the private instance; not allowed with `duckdb`, whose thread setting is global. */
  threads?: number;
  /**
   * `postgresql://…` for PostgreSQL sources without their own `connection` (the CLI passes the
   * metadata store's URI when it is PostgreSQL).
   */
  postgresConnection?: string;
}

/** Shape checks that need no file: everything else is checked against the files themselves. */
export function checkRequest(req: HistoricalRequest, opts: HistoricalOptions): void {
  if (opts.duckdb && opts.threads !== undefined) {
    throw invalidParameter(
      'threads',
      'no thread count when a DuckDB instance is passed (set it on that instance)',
      opts.threads,
    );
  }
  if (opts.threads !== undefined && !(Number.isInteger(opts.threads) && opts.threads > 0)) {
    throw invalidParameter('threads', 'a positive integer', opts.threads);
  }
  const e = req.entities as { path?: unknown; rows?: unknown };
  if ('rows' in e) {
    if (!Array.isArray(e.rows) || e.rows.length === 0)
      throw invalidParameter('entities.rows', 'a non-empty array', e.rows);
  } else if (typeof e.path !== 'string' || e.path === '') {
    throw invalidParameter('entities.path', 'a file path', e.path);
  }
  if (!Array.isArray(req.views) || req.views.length === 0)
    throw invalidParameter('views', 'at least one feature view', req.views);
  for (const { view, source, features, joinKeys } of req.views) {
    const kind = (source as { kind?: unknown } | undefined)?.kind;
    if (kind !== 'file' && kind !== 'postgres') {
      throw invalidParameter(`views[${view.name}].source`, 'a file or postgres data source', kind);
    }
    // The source's name may differ from `view.source`: a push source is read through its batchSource.
    if (!(Number.isFinite(view.ttlSeconds) && view.ttlSeconds >= 0)) {
      throw invalidParameter(`${view.name}.ttlSeconds`, 'a number ≥ 0', view.ttlSeconds);
    }
    if (!Array.isArray(joinKeys))
      throw invalidParameter(`views[${view.name}].joinKeys`, 'an array', joinKeys);
    const readByOnDemand = (req.onDemand ?? []).some((o) =>
      o.view.sources.some((ref) => ref.startsWith(`${view.name}:`)),
    );
    if (!Array.isArray(features) || (features.length === 0 && !readByOnDemand)) {
      throw invalidParameter(`views[${view.name}].features`, 'at least one feature', features);
    }
    checkFeatureNames(`views[${view.name}].features`, view, features);
  }
  if (req.onDemand !== undefined && !Array.isArray(req.onDemand))
    throw invalidParameter('onDemand', 'an array of on-demand views', req.onDemand);
  for (const { view, features } of req.onDemand ?? []) {
    if (!Array.isArray(features) || features.length === 0)
      throw invalidParameter(`onDemand[${view.name}].features`, 'at least one feature', features);
    checkFeatureNames(`onDemand[${view.name}].features`, view, features);
    for (const ref of view.sources) {
      const at = ref.indexOf(':');
      const input = req.views.find((v) => v.view.name === ref.slice(0, at));
      if (!input?.view.schema.some((f) => f.name === ref.slice(at + 1))) {
        throw invalidParameter(
          `onDemand[${view.name}].sources`,
          `inputs whose feature views are in the request's views (${req.views.map((v) => v.view.name).join(', ')})`,
          ref,
        );
      }
    }
  }
  if (req.output !== undefined) sqlString(req.output, 'output');
}

function checkFeatureNames(
  field: string,
  view: Pick<FeatureView, 'name' | 'schema'>,
  features: readonly string[],
): void {
  for (const f of features) {
    if (!view.schema.some((s) => s.name === f)) {
      throw invalidParameter(
        field,
        `a feature of ${view.name} (${view.schema.map((s) => s.name).join(', ')})`,
        f,
      );
    }
  }
}
