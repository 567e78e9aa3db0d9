/**
 * On-demand features in training sets. The point-in-time join is kept in a DuckDB temp table; its
 * rows are read back in chunks (in entity-row order), each row goes through `applyOnDemand` (the
 * function online reads call), and the outputs are appended to a second temp table. The SQL
 * returned joins the two back, so writing Parquet and hashing work as for any training set.
 *
 * Inputs reach the transform as the online store would hold them: each value cast to its declared
 * feature type (timestamps as epoch ms), the same casts materialization applies.
 */
import { randomUUID } from 'node:crypto';
import { type DuckDBAppender, type DuckDBConnection, DuckDBTimestampValue } from '@duckdb/node-api';
import { sqlIdent } from '../../core/duckdb-sql.js';
import { SlipwayError } from '../../core/errors.js';
import { applyOnDemand, onDemandSources } from '../on-demand.js';
import type { FeatureScalar, FeatureValueType, OnDemandFeatureView } from '../types.js';
import { featureValueSql } from './feature-cast.js';
import { toFeatureScalar } from './result.js';

/** What the on-demand stage needs to know about the join result. */
export interface OnDemandPlan {
  /** Each on-demand view and which of its outputs become columns (schema index → column name). */
  views: Array<{ view: OnDemandFeatureView; outputs: Array<{ index: number; as: string }> }>;
  /** `view:feature` → the join result's column holding it, with the feature's declared type. */
  inputs: Map<string, { column: string; type: FeatureValueType }>;
  /** Request fields → declared type; read from the entity column of the same name. */
  requestFields: Map<string, FeatureValueType>;
  /** Join result columns that are only transform inputs, left out of the training set. */
  hidden: string[];
  /** The join result's entity row id column (its order is the entity rows' order). */
  rowId: string;
}

const ORDINAL = '__slipway_ord';
const DUCK_TYPES: Record<FeatureValueType, string> = {
  int64: 'BIGINT',
  int32: 'INTEGER',
  float64: 'DOUBLE',
  float32: 'FLOAT',
  string: 'VARCHAR',
  bool: 'BOOLEAN',
  timestamp: 'TIMESTAMP',
};

/**
 * Runs the on-demand views over the result of `joinSql` (which must expose `plan.rowId`) and
 * returns the SQL of the training set with their columns appended; `ordered` keeps entity order.
 */
export async function addOnDemandColumns(
  conn: DuckDBConnection,
  joinSql: string,
  plan: OnDemandPlan,
  ordered: boolean,
  chunkRows = 10_000,
): Promise<string> {
  const suffix = randomUUID().replaceAll('-', '');
  const joined = sqlIdent(`__slipway_joined_${suffix}`);
  const outputsTable = `__slipway_on_demand_${suffix}`;
  const outputs = sqlIdent(outputsTable);
  const ord = sqlIdent(ORDINAL);
  await conn.run(
    `CREATE TEMP TABLE ${joined} AS SELECT * EXCLUDE (${sqlIdent(plan.rowId)}), ` +
      `row_number() OVER (ORDER BY ${sqlIdent(plan.rowId)}) - 1 AS ${ord} FROM (${joinSql})`,
  );
  const described = await conn.runAndReadAll(`DESCRIBE ${joined}`);
  const types = new Map(
    described.getRowObjectsJS().map((r) => [String(r['column_name']), String(r['column_type'])]),
  );
  // Read columns: the ordinal, then request fields, then stored inputs, each at a known position.
  const reads = [ord];
  const at = new Map<string, number>();
  const cast = (key: string, column: string, type: FeatureValueType, label: string) => {
    at.set(key, reads.length);
    reads.push(featureValueSql(column, type, types.get(column) ?? 'VARCHAR', { label, path: column }));
  };
  for (const [field, type] of plan.requestFields) cast(`request:${field}`, field, type, 'entity column');
  for (const [ref, input] of plan.inputs) cast(`stored:${ref}`, input.column, input.type, 'feature');

  const columns = plan.views.flatMap(({ view, outputs: outs }) =>
    outs.map((o) => ({ view, feature: view.schema[o.index], index: o.index, as: o.as })),
  );
  const defs = [`${ord} BIGINT`, ...columns.map((c, k) => `"o${k}" ${DUCK_TYPES[c.feature.type]}`)];
  await conn.run(`CREATE TEMP TABLE ${outputs} (${defs.join(', ')})`);
  const counted = await conn.runAndReadAll(`SELECT count(*) FROM ${joined}`);
  const total = Number(counted.getRowsJS()[0][0]);
  const sources = new Map(plan.views.map(({ view }) => [view.name, onDemandSources(view)]));
  const appender = await conn.createAppender(outputsTable, 'main', 'temp');
  try {
    for (let start = 0; start < total; start += chunkRows) {
      const chunk = await conn.runAndReadAll(
        `SELECT ${reads.join(', ')} FROM ${joined} WHERE ${ord} >= ${start} AND ${ord} < ${start + chunkRows} ORDER BY ${ord}`,
      );
      for (const values of chunk.getRowsJS()) {
        const row = Number(values[0]);
        const value = (key: string) => {
          const i = at.get(key);
          return i === undefined ? null : toFeatureScalar(values[i]);
        };
        appender.appendBigInt(BigInt(row));
        for (const { view, outputs: outs } of plan.views) {
          const out = applyOnDemand(
            view,
            row,
            (field) => value(`request:${field}`),
            (ref) => value(`stored:${ref}`),
            sources.get(view.name),
          );
          for (const o of outs) appendOutput(appender, view, view.schema[o.index], out[o.index], row);
        }
        appender.endRow();
      }
    }
  } finally {
    appender.closeSync();
  }
  const drop = [ORDINAL, ...plan.hidden].map(sqlIdent).join(', ');
  const added = columns.map((c, k) => `"od"."o${k}" AS ${sqlIdent(c.as)}`).join(', ');
  return (
    `SELECT "j".* EXCLUDE (${drop}), ${added} FROM ${joined} AS "j" JOIN ${outputs} AS "od" ` +
    `ON "j".${ord} = "od".${ord}` +
    (ordered ? ` ORDER BY "j".${ord}` : '')
  );
}

function appendOutput(
  appender: DuckDBAppender,
  view: OnDemandFeatureView,
  feature: { name: string; type: FeatureValueType },
  value: FeatureScalar,
  row: number,
): void {
  const t = feature.type;
  const n = typeof value === 'number' ? value : Number.NaN;
  if (value === null) appender.appendNull();
  else if (t === 'int64' && Number.isInteger(n)) appender.appendBigInt(BigInt(n));
  else if (t === 'int32' && Number.isInteger(n) && Math.abs(n) < 2 ** 31) appender.appendInteger(n);
  else if (t === 'timestamp' && Number.isInteger(n))
    appender.appendTimestamp(new DuckDBTimestampValue(BigInt(n) * 1000n));
  else if (t === 'float64' && typeof value === 'number') appender.appendDouble(value);
  else if (t === 'float32' && typeof value === 'number') appender.appendFloat(value);
  else if (t === 'bool' && typeof value === 'boolean') appender.appendBoolean(value);
  else if (t === 'string' && typeof value === 'string') appender.appendVarchar(value);
  else {
    throw new SlipwayError(
      'INVALID_PARAMETER_VALUE',
      `On-demand view '${view.name}' returned ${JSON.stringify(value)} for '${feature.name}' (declared ${t}) on entity row ${row}`,
      { view: view.name, feature: feature.name, row },
    );
  }
}

/**
 * Checks the on-demand part of a request against the entity columns and names its outputs:
 * every request field must be an entity column; output names must not collide.
 */
export function planOnDemand(
  onDemand: ReadonlyArray<{ view: OnDemandFeatureView; features: string[] }>,
  stored: Map<string, { column: string; type: FeatureValueType }>,
  entity: { what: string; columns: Map<string, string> },
  outputNames: Set<string>,
  fullFeatureNames: boolean,
  hidden: string[],
  rowId: string,
): OnDemandPlan {
  const requestFields = new Map<string, FeatureValueType>();
  const inputs = new Map<string, { column: string; type: FeatureValueType }>();
  const views = onDemand.map(({ view, features }) => {
    for (const f of view.requestSchema) {
      if (!entity.columns.has(f.name)) {
        const have = [...entity.columns.keys()];
        throw new SlipwayError(
          'INVALID_PARAMETER_VALUE',
          `${entity.what} has no column '${f.name}' (request field of on-demand view '${view.name}'); its columns: ${have.join(', ')}`,
          { column: f.name, view: view.name, columns: have },
        );
      }
      requestFields.set(f.name, f.type);
    }
    for (const ref of view.sources) {
      const input = stored.get(ref);
      if (input) inputs.set(ref, input);
    }
    const outputs = features.map((name) => {
      const as = fullFeatureNames ? `${view.name}__${name}` : name;
      if (outputNames.has(as)) {
        throw new SlipwayError(
          'INVALID_PARAMETER_VALUE',
          `Output column '${as}' would appear twice (on-demand view '${view.name}'); use fullFeatureNames or rename the entity column`,
          { column: as },
        );
      }
      outputNames.add(as);
      return { index: view.schema.findIndex((f) => f.name === name), as };
    });
    return { view, outputs };
  });
  return { views, inputs, requestFields, hidden, rowId };
}
