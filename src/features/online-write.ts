/**
 * Writing rows into the online store from Feast's column-major `df` payloads (push and
 * write-to-online-store): each column is checked against the feature view's schema and constraints,
 * and a batch with any violation is refused whole, listing every violation.
 */
import { invalidParameter, SlipwayError } from '../core/errors.js';
import { entityKeyOf } from './entity-key.js';
import { batchSourceOf, type FeatureCatalog, joinKeysOf } from './online-features.js';
import type { DataSource, Feature, FeatureScalar, FeatureView, OnlineRow } from './types.js';

/** Column-major rows: column name → one value per row. */
export type DataFrame = Record<string, FeatureScalar[]>;

function fitsType(f: Feature, v: FeatureScalar): boolean {
  if (v === null) return true;
  switch (f.type) {
    case 'int64':
    case 'int32':
      return typeof v === 'number' && Number.isInteger(v);
    case 'float64':
    case 'float32':
      return typeof v === 'number';
    case 'bool':
      return typeof v === 'boolean';
    case 'string':
      return typeof v === 'string';
    case 'timestamp':
      return typeof v === 'number' || (typeof v === 'string' && !Number.isNaN(Date.parse(v)));
  }
}

/** Which declared rule a value broke (`type` = not the feature's value type). */
export type ConstraintRule = 'type' | 'nullable' | 'min' | 'max' | 'allowed_values' | 'max_null_share';

/** One broken constraint: a row's value, or (for `max_null_share`) a whole column of the batch. */
export interface ConstraintViolation {
  feature: string;
  rule: ConstraintRule;
  /** Row index in the batch; absent for `max_null_share`. */
  row?: number;
  /** The offending value; for `max_null_share`, the batch's null share. */
  value: FeatureScalar;
  message: string;
}

/**
 * Every violation of the view's types and constraints in a batch of `n` column-major rows, in
 * feature order, stopping once more than `limit` are found. `max_null_share` is judged over the batch.
 */
export function findViolations(
  view: FeatureView,
  df: DataFrame,
  n: number,
  limit = Number.POSITIVE_INFINITY,
): ConstraintViolation[] {
  const found: ConstraintViolation[] = [];
  const add = (feature: string, rule: ConstraintRule, row: number, value: FeatureScalar, what: string) => {
    found.push({ feature, rule, row, value, message: `${feature}[${row}]: ${what}` });
  };
  for (const f of view.schema) {
    const col = df[f.name];
    if (!col) continue;
    const c = f.constraints ?? {};
    let nulls = 0;
    for (let i = 0; i < n; i++) {
      const v = col[i] ?? null;
      if (!fitsType(f, v)) add(f.name, 'type', i, v, `expected ${f.type}, got ${JSON.stringify(v)}`);
      else if (v === null) {
        nulls++;
        if (c.nullable === false) add(f.name, 'nullable', i, v, 'null, but the feature is not nullable');
      } else {
        if (typeof v === 'number' && c.min !== undefined && v < c.min)
          add(f.name, 'min', i, v, `${v} < min ${c.min}`);
        if (typeof v === 'number' && c.max !== undefined && v > c.max)
          add(f.name, 'max', i, v, `${v} > max ${c.max}`);
        if (c.allowedValues && !c.allowedValues.includes(v)) {
          add(
            f.name,
            'allowed_values',
            i,
            v,
            `${JSON.stringify(v)} is not one of ${JSON.stringify(c.allowedValues)}`,
          );
        }
      }
      if (found.length > limit) return found;
    }
    if (c.maxNullShare !== undefined && n > 0 && nulls / n > c.maxNullShare) {
      found.push({
        feature: f.name,
        rule: 'max_null_share',
        value: nulls / n,
        message: `${f.name}: ${((nulls / n) * 100).toFixed(1)} % nulls > max_null_share ${c.maxNullShare * 100} %`,
      });
    }
  }
  return found;
}

/** Every violation of the view's types and constraints in a batch (empty when it is clean), as messages. */
export function checkBatch(view: FeatureView, df: DataFrame, n: number): string[] {
  return findViolations(view, df, n, 100).map((v) => v.message);
}

function toMillis(v: FeatureScalar, field: string): number {
  const ms = typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : Number.NaN;
  if (!Number.isFinite(ms)) throw invalidParameter(field, 'an ISO timestamp or epoch milliseconds', v);
  return ms;
}

/**
 * Turns a `df` into online rows of `view`, after checking join keys, timestamps, types and
 * constraints (a 400 listing every violation, nothing written).
 */
export function rowsFromFrame(
  catalog: FeatureCatalog,
  view: FeatureView,
  df: DataFrame,
  timestampField: string,
): OnlineRow[] {
  if (typeof df !== 'object' || df === null || Array.isArray(df))
    throw invalidParameter('df', 'an object of columns', df);
  const columns = Object.entries(df);
  const n = columns.length > 0 && Array.isArray(columns[0][1]) ? columns[0][1].length : 0;
  for (const [name, values] of columns) {
    if (!Array.isArray(values) || values.length !== n)
      throw invalidParameter(`df.${name}`, `a list of ${n} values`, values);
  }
  const joinKeys = joinKeysOf(catalog, view);
  const known = new Set([
    ...joinKeys,
    timestampField,
    'created',
    'created_timestamp',
    ...view.schema.map((f) => f.name),
  ]);
  for (const name of Object.keys(df)) {
    if (!known.has(name)) {
      throw invalidParameter(
        `df.${name}`,
        `one of the columns of '${view.name}': ${[...known].join(', ')}`,
        name,
      );
    }
  }
  for (const k of [...joinKeys, timestampField])
    if (!df[k]) throw invalidParameter(`df.${k}`, 'a column', undefined);
  const problems = checkBatch(view, df, n);
  if (problems.length > 0) {
    throw new SlipwayError(
      'INVALID_PARAMETER_VALUE',
      `Rejected: ${problems.length} violation(s) of '${view.name}': ${problems.slice(0, 20).join('; ')}`,
      {
        field: 'df',
        violations: problems,
      },
    );
  }
  const created = df.created_timestamp ?? df.created;
  const rows: OnlineRow[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const keyRow: Record<string, FeatureScalar> = {};
    for (const k of joinKeys) keyRow[k] = df[k][i];
    const values: Record<string, FeatureScalar> = {};
    for (const f of view.schema) if (df[f.name]) values[f.name] = df[f.name][i] ?? null;
    rows[i] = {
      entityKey: entityKeyOf(joinKeys, keyRow),
      values,
      eventTimestamp: toMillis(df[timestampField][i], `df.${timestampField}[${i}]`),
      ...(created ? { createdTimestamp: toMillis(created[i], `df.created_timestamp[${i}]`) } : {}),
    };
  }
  return rows;
}

/** The event-timestamp column of a view's rows: its (batch) source's field, else `event_timestamp`. */
export function timestampFieldOf(sources: Map<string, DataSource>, view: FeatureView): string {
  const src = batchSourceOf(sources, view);
  return src && src.kind !== 'push' ? src.timestampField : 'event_timestamp';
}
