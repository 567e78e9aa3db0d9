/**
 * Point-in-time-correct training sets (Feast's `get_historical_features`), executed in DuckDB:
 * one statement of ASOF joins streams over the Parquet/CSV files, so no table is ever loaded into
 * JS; only the result comes back, as rows or as a Parquet file with a content hash.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { sqlString } from '../../core/duckdb-sql.js';
import { invalidParameter, isSlipwayError, SlipwayError } from '../../core/errors.js';
import type { FeatureScalar, FeatureValueType } from '../types.js';
import { loadEntityRows } from './entity-table.js';
import { epochMicros, missingColumn, type ScannedFile, scanFile } from './file-scan.js';
import {
  checkRequest,
  type HistoricalOnDemandView,
  type HistoricalOptions,
  type HistoricalRequest,
  type HistoricalResult,
  type HistoricalView,
} from './historical-request.js';
import { buildHistoricalSql, type EntitySide, type ViewSide } from './historical-sql.js';
import { addOnDemandColumns, planOnDemand } from './on-demand-columns.js';
import { hashFile, hashRows, toFeatureScalar } from './result.js';
import { scanOfflineSource } from './source-scan.js';

export type {
  HistoricalOnDemandView,
  HistoricalOptions,
  HistoricalRequest,
  HistoricalResult,
  HistoricalView,
};

/** A joined feature column: the column of the join result and the feature's declared type. */
type JoinedFeature = { column: string; type: FeatureValueType };

const ROW_ID = '__slipway_rid';
const ENTITY_TS = '__slipway_ets';

/**
 * For each entity row and feature view, the view's features from the source row with the same join
 * keys and the latest event timestamp ≤ the entity row's timestamp, within the view's TTL
 * (inclusive; 0 = unbounded); ties go to the latest created timestamp, then to the later row in file
 * order. No match gives nulls. Every entity row is kept, in order. Timestamps may be TIMESTAMP,
 * TIMESTAMPTZ, DATE, epoch milliseconds or ISO-8601 text (see `epochMicros`); entity timestamps are
 * returned as they came in (TIMESTAMP values as epoch ms in `rows`).
 *
 * @example
 * const { output, contentHash } = await getHistoricalFeatures({
 *   entities: { path: 'orders.parquet' },
 *   views: [{ view: driverStats, source: driverStatsSource, joinKeys: ['driver_id'], features: ['conv_rate'] }],
 *   output: 'training/orders-v1.parquet',
 * });
 */
export async function getHistoricalFeatures(
  req: HistoricalRequest,
  opts: HistoricalOptions = {},
): Promise<HistoricalResult> {
  checkRequest(req, opts);
  // A private instance spills large sorts to the system temp folder, not the caller's working directory.
  const config: Record<string, string> = { temp_directory: join(tmpdir(), 'slipway-duckdb') };
  if (opts.threads) config['threads'] = String(opts.threads);
  const owned = opts.duckdb ? undefined : await DuckDBInstance.create(':memory:', config);
  const conn = await (opts.duckdb ?? owned!).connect();
  try {
    const entity = await entitySide(conn, req);
    const names = new Set(entity.columns.keys());
    const full = req.fullFeatureNames ?? false;
    const onDemand = req.onDemand ?? [];
    const views: ViewSide[] = [];
    const joined = new Map<string, JoinedFeature>();
    const hidden: string[] = [];
    for (const v of req.views) {
      const inputs = onDemandInputs(onDemand, v);
      views.push(
        await viewSide(conn, v, entity, names, full, inputs, opts.postgresConnection, joined, hidden),
      );
    }
    const ordered = req.preserveOrder ?? true;
    let sql: string;
    if (onDemand.length === 0) sql = buildHistoricalSql(entity.side, views, ordered);
    else {
      const plan = planOnDemand(onDemand, joined, entity, names, full, hidden, ROW_ID);
      sql = await addOnDemandColumns(
        conn,
        buildHistoricalSql(entity.side, views, false, true),
        plan,
        ordered,
      );
    }
    return req.output ? await writeParquet(conn, sql, req.output) : await readRows(conn, sql);
  } catch (err) {
    throw isSlipwayError(err) ? err : joinError(err);
  } finally {
    conn.closeSync();
    owned?.closeSync();
  }
}

interface EntityInfo {
  side: EntitySide;
  /** The user's entity columns and their DuckDB types. */
  columns: Map<string, string>;
  /** How errors name the entity rows. */
  what: string;
  inMemory: boolean;
}

async function entitySide(conn: DuckDBConnection, req: HistoricalRequest): Promise<EntityInfo> {
  const tsColumn = req.timestampColumn ?? 'event_timestamp';
  const inMemory = 'rows' in req.entities;
  let file: Pick<ScannedFile, 'label' | 'path' | 'columns'>;
  let from: string;
  let rowId = ''; // in-memory rows carry ROW_ID in their table already
  const helperColumns = [ROW_ID, ENTITY_TS];
  if ('rows' in req.entities) {
    const table = `__slipway_entities_${randomUUID().replaceAll('-', '')}`;
    file = {
      label: 'entity rows',
      path: '(in memory)',
      columns: await loadEntityRows(conn, req.entities.rows, table, ROW_ID),
    };
    from = `temp.main."${table}"`;
  } else {
    // Without a format, the name decides: CSV (also compressed or tab-separated), else Parquet.
    const { path, format = /\.(csv|tsv)(\.gz|\.zst)?$/i.test(path) ? 'csv' : 'parquet' } = req.entities;
    const scanned = await scanFile(conn, path, format, 'entities file');
    if (scanned.columns.has(ROW_ID))
      throw invalidParameter('entities', `no column named '${ROW_ID}' (reserved)`, ROW_ID);
    if (scanned.extraColumn) helperColumns.push(scanned.extraColumn);
    file = scanned;
    from = scanned.relation;
    rowId = `, ${scanned.position} AS "${ROW_ID}"`;
  }
  if (file.columns.has(ENTITY_TS))
    throw invalidParameter('entities', `no column named '${ENTITY_TS}' (reserved)`, ENTITY_TS);
  const tsType = file.columns.get(tsColumn);
  if (tsType === undefined) throw missingColumn(file, tsColumn, 'the entity timestamp');
  // DuckDB 1.5's sort-based ASOF join (left side ≥ asof_loop_join_threshold rows) matches a NULL
  // left timestamp with the latest right row, a row from the future; the smallest BIGINT matches
  // nothing, as NULL should (no timestamp converts to it: -infinity converts to NULL).
  const ts = `coalesce(${epochMicros(tsColumn, tsType, file)}, CAST(-9223372036854775807 AS BIGINT))`;
  return {
    side: {
      relation: `(SELECT *${rowId}, ${ts} AS "${ENTITY_TS}" FROM ${from})`,
      helperColumns,
      rowId: ROW_ID,
      ts: ENTITY_TS,
    },
    columns: file.columns,
    what: inMemory ? 'The entity rows' : `Entities file '${file.path}'`,
    inMemory,
  };
}

/** Features of `v` that on-demand views read but the request does not ask for. */
function onDemandInputs(onDemand: HistoricalOnDemandView[], v: HistoricalView): string[] {
  const inputs: string[] = [];
  for (const o of onDemand) {
    for (const ref of o.view.sources) {
      const at = ref.indexOf(':');
      const feature = ref.slice(at + 1);
      if (ref.slice(0, at) !== v.view.name) continue;
      if (!v.features.includes(feature) && !inputs.includes(feature)) inputs.push(feature);
    }
  }
  return inputs;
}

async function viewSide(
  conn: DuckDBConnection,
  v: HistoricalView,
  entity: EntityInfo,
  outputNames: Set<string>,
  fullFeatureNames: boolean,
  inputs: string[],
  postgresConnection: string | undefined,
  joined: Map<string, JoinedFeature>,
  hidden: string[],
): Promise<ViewSide> {
  const { view, source } = v;
  const typeOf = (name: string) => view.schema.find((f) => f.name === name)?.type ?? 'string';
  const featureRole = `feature of feature view '${view.name}'`;
  const file = await scanOfflineSource(conn, source, {
    columns: [
      ...v.joinKeys.map((name) => ({ name, role: `join key of feature view '${view.name}'` })),
      { name: source.timestampField, role: 'event timestamp' },
      ...(source.createdTimestampField
        ? [{ name: source.createdTimestampField, role: 'created timestamp' }]
        : []),
      ...[...v.features, ...inputs].map((name) => ({ name, role: featureRole, featureType: typeOf(name) })),
    ],
    postgresConnection,
  });
  const need = (column: string, role: string): string => {
    const type = file.columns.get(column);
    if (type === undefined) throw missingColumn(file, column, role);
    return type;
  };
  const joinKeys = v.joinKeys.map((name) => {
    const sourceType = need(name, `join key of feature view '${view.name}'`);
    const entityType = entity.columns.get(name);
    if (entityType === undefined) {
      const have = [...entity.columns.keys()];
      throw new SlipwayError(
        'INVALID_PARAMETER_VALUE',
        `${entity.what} has no column '${name}' (join key of feature view '${view.name}'); its columns: ${have.join(', ')}`,
        { column: name, columns: have },
      );
    }
    // DuckDB will not compare text with numbers implicitly; JSON rows may carry either, so convert
    // them to the source's type, but a mismatch between two files is the user's to fix.
    if ((entityType === 'VARCHAR') === (sourceType === 'VARCHAR')) return { name };
    // The type name is DuckDB's own rendering, but only plain scalar names are spliced into SQL.
    if (entity.inMemory && /^[A-Z][A-Z0-9_ ]*(\(\d+(,\s*\d+)?\))?$/.test(sourceType)) {
      return { name, entityCast: sourceType };
    }
    throw new SlipwayError(
      'INVALID_PARAMETER_VALUE',
      `Join key '${name}' is ${entityType} in the entity rows but ${sourceType} in ${file.label} '${file.path}'`,
      { column: name, entityType, sourceType },
    );
  });
  const eventMicros = epochMicros(
    source.timestampField,
    need(source.timestampField, 'event timestamp'),
    file,
  );
  const createdField = source.createdTimestampField;
  const createdMicros = createdField
    ? epochMicros(createdField, need(createdField, 'created timestamp'), file)
    : undefined;
  const features = v.features.map((column) => {
    need(column, featureRole);
    const as = fullFeatureNames ? `${view.name}__${column}` : column;
    if (outputNames.has(as)) {
      throw new SlipwayError(
        'INVALID_PARAMETER_VALUE',
        `Output column '${as}' would appear twice (feature view '${view.name}'); use fullFeatureNames or rename the entity column`,
        { column: as },
      );
    }
    outputNames.add(as);
    joined.set(`${view.name}:${column}`, { column: as, type: typeOf(column) });
    return { column, as };
  });
  for (const column of inputs) {
    need(column, featureRole);
    // Only the transforms read it: a reserved name that cannot collide, dropped from the output.
    const as = `__slipway_input_${hidden.length}`;
    hidden.push(as);
    joined.set(`${view.name}:${column}`, { column: as, type: typeOf(column) });
    features.push({ column, as });
  }
  return {
    relation: file.relation,
    position: file.position,
    eventMicros,
    createdMicros,
    joinKeys,
    features,
    ttlSeconds: view.ttlSeconds,
  };
}

async function writeParquet(conn: DuckDBConnection, sql: string, output: string): Promise<HistoricalResult> {
  await mkdir(dirname(output), { recursive: true });
  // Write beside the target and rename, so a reader never sees (and hashes) a half-written file.
  const partial = `${output}.${randomUUID()}.partial`;
  try {
    const copied = await conn.run(`COPY (${sql}) TO ${sqlString(partial, 'output')} (FORMAT parquet)`);
    await rename(partial, output);
    const described = await conn.runAndReadAll(
      `DESCRIBE SELECT * FROM read_parquet(${sqlString(output, 'output')})`,
    );
    const columns = described
      .getRowObjectsJS()
      .map((r) => ({ name: String(r['column_name']), type: String(r['column_type']) }));
    return { output, rowCount: Number(copied.rowsChanged), columns, contentHash: await hashFile(output) };
  } finally {
    await rm(partial, { force: true });
  }
}

async function readRows(conn: DuckDBConnection, sql: string): Promise<HistoricalResult> {
  const reader = await conn.runAndReadAll(sql);
  const names = reader.columnNames();
  const columns = names.map((name, i) => ({ name, type: String(reader.columnTypes()[i]) }));
  const rows = reader.getRowsJS().map((values) => {
    const row: Record<string, FeatureScalar> = {};
    for (let i = 0; i < names.length; i++) row[names[i]] = toFeatureScalar(values[i]);
    return row;
  });
  return { rows, rowCount: rows.length, columns, contentHash: hashRows(names, rows) };
}

function joinError(err: unknown): SlipwayError {
  const full = err instanceof Error ? err.message : String(err);
  let message = full.split('\n')[0];
  // A bad CSV value surfaces only while the join streams: say which file and what failed.
  const file = /^\s*file = (.+)$/m.exec(full)?.[1];
  if (file) {
    const what = /^(Error when converting column .*|Expected Number of Columns.*)$/m.exec(full)?.[1];
    message += ` in '${file}'${what ? `: ${what}` : ''}`;
  }
  // Bad values (unparseable timestamp text, keys that will not convert) surface only while running.
  const code = /^(Conversion|Invalid Input|Binder|IO) Error/.test(message)
    ? 'INVALID_PARAMETER_VALUE'
    : 'INTERNAL_ERROR';
  return new SlipwayError(code, `Point-in-time join failed: ${message}`, { cause: message });
}
