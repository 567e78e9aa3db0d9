/**
 * PostgreSQL sources (a table or a query) for training sets and materialization. DuckDB's postgres
 * extension is not available offline, so the needed columns are streamed from a server-side cursor
 * in chunks into a DuckDB temp table with the appender; the point-in-time SQL then runs over it
 * exactly as over a Parquet file. JS memory holds one chunk at a time.
 *
 * Input: the source, the columns to read (features with their declared types), an optional
 * event-time window (pushed into the PostgreSQL query). Output: a `ScannedFile` over the temp table.
 */
import { randomUUID } from 'node:crypto';
import {
  type DuckDBAppender,
  type DuckDBConnection,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
} from '@duckdb/node-api';
import pg from 'pg';
import { sqlIdent } from '../../core/duckdb-sql.js';
import { invalidParameter, notFound, SlipwayError } from '../../core/errors.js';
import type { DataSource, FeatureValueType } from '../types.js';
import { POSITION_COLUMN, type ScannedFile } from './file-scan.js';

type PostgresSource = Extract<DataSource, { kind: 'postgres' }>;

/** A column to read: a join key or timestamp (`featureType` unset) or a feature of a declared type. */
export interface PostgresColumn {
  name: string;
  /** What the column is for, in errors: `join key of feature view 'driver_stats'`. */
  role: string;
  featureType?: FeatureValueType;
}

export interface PostgresReadOptions {
  columns: PostgresColumn[];
  /** `postgresql://…` used when the source has no `connection`. */
  defaultConnection?: string;
  /** Event-time window [start, end), epoch ms, on the source's timestamp field. */
  window?: { start: number; end: number };
  /** Rows per cursor fetch (default 10,000). */
  chunkRows?: number;
}

/** How one column travels: the PostgreSQL expression, the DuckDB type, and how its text is appended. */
interface ColumnPlan {
  name: string;
  expr: string;
  duckType: 'BOOLEAN' | 'INTEGER' | 'BIGINT' | 'FLOAT' | 'DOUBLE' | 'VARCHAR' | 'TIMESTAMP' | 'TIMESTAMPTZ';
}

// PostgreSQL type OIDs (pg_type.oid, stable across versions).
const OID = {
  bool: 16,
  int8: 20,
  int2: 21,
  int4: 23,
  float4: 700,
  float8: 701,
  numeric: 1700,
  date: 1082,
  timestamp: 1114,
  timestamptz: 1184,
} as const;
const INTEGERS: number[] = [OID.int2, OID.int4, OID.int8];
const NUMBERS: number[] = [...INTEGERS, OID.float4, OID.float8, OID.numeric];
const TIMES: number[] = [OID.date, OID.timestamp, OID.timestamptz];

/** Every value arrives as PostgreSQL's text, parsed here, whatever parsers `pg` has globally. */
const RAW_TEXT = { getTypeParser: () => (value: string) => value };

/**
 * Streams the source's needed columns into a new DuckDB temp table on `conn` and returns it ready
 * to select from. A missing column is INVALID_PARAMETER_VALUE naming the source, the column and the
 * columns there are; a missing table is RESOURCE_DOES_NOT_EXIST.
 *
 * @example
 * const file = await loadPostgresSource(conn, tripsSource, {
 *   columns: [{ name: 'driver_id', role: 'join key' }, { name: 'ts', role: 'event timestamp' },
 *             { name: 'conv_rate', role: 'feature', featureType: 'float64' }],
 * });
 */
export async function loadPostgresSource(
  conn: DuckDBConnection,
  source: PostgresSource,
  opts: PostgresReadOptions,
): Promise<ScannedFile> {
  const connectionString = source.connection ?? opts.defaultConnection;
  if (!connectionString) {
    throw invalidParameter(
      `data source '${source.name}'.connection`,
      'a postgresql:// URI on the source, or a PostgreSQL metadata store to default to',
      source.connection,
    );
  }
  const what = source.query !== undefined ? 'PostgreSQL query' : `PostgreSQL table '${source.table}'`;
  const label = `data source '${source.name}'`;
  const client = new pg.Client({ connectionString, types: RAW_TEXT });
  try {
    await client.connect();
  } catch (err) {
    throw new SlipwayError(
      'INVALID_PARAMETER_VALUE',
      `Cannot connect to PostgreSQL for ${label}: ${messageOf(err)}`,
      { source: source.name, cause: messageOf(err) },
    );
  }
  try {
    const relation = relationOf(source);
    const described = await pgQuery(client, `SELECT * FROM ${relation} LIMIT 0`, source, what);
    const types = new Map(described.fields.map((f) => [f.name, f.dataTypeID]));
    const plans = dedupe(opts.columns).map((c) => {
      const oid = types.get(c.name);
      if (oid === undefined) {
        const have = [...types.keys()];
        throw new SlipwayError(
          'INVALID_PARAMETER_VALUE',
          `Data source '${source.name}' (${what}) has no column '${c.name}' (${c.role}); its columns: ${have.join(', ') || 'none'}`,
          { source: source.name, column: c.name, columns: have },
        );
      }
      return planColumn(c, oid);
    });
    const table = `__slipway_pg_${randomUUID().replaceAll('-', '')}`;
    const defs = plans.map((p) => `${sqlIdent(p.name)} ${p.duckType}`);
    await conn.run(
      `CREATE TEMP TABLE ${sqlIdent(table)} (${[...defs, `${sqlIdent(POSITION_COLUMN)} BIGINT`].join(', ')})`,
    );
    const where = opts.window ? windowSql(source.timestampField, types, opts.window) : '';
    const select = `SELECT ${plans.map((p) => p.expr).join(', ')} FROM ${relation}${where}`;
    await copyRows(client, conn, table, plans, select, opts.chunkRows ?? 10_000, source, what);
    return {
      path: source.query ?? source.table ?? '',
      label,
      relation: `temp.main.${sqlIdent(table)}`,
      // Column types as DuckDB names them (DESCRIBE's rendering), as for files.
      columns: new Map(
        plans.map((p) => [p.name, p.duckType === 'TIMESTAMPTZ' ? 'TIMESTAMP WITH TIME ZONE' : p.duckType]),
      ),
      position: sqlIdent(POSITION_COLUMN),
      extraColumn: POSITION_COLUMN,
    };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A server-side cursor inside a read-only transaction, fetched `chunkRows` at a time. */
async function copyRows(
  client: pg.Client,
  conn: DuckDBConnection,
  table: string,
  plans: ColumnPlan[],
  select: string,
  chunkRows: number,
  source: PostgresSource,
  what: string,
): Promise<void> {
  const appender = await conn.createAppender(table, 'main', 'temp');
  let position = 0n;
  try {
    await client.query('BEGIN READ ONLY');
    await pgQuery(client, `DECLARE slipway_source NO SCROLL CURSOR FOR ${select}`, source, what);
    for (;;) {
      const chunk = await pgQuery(client, `FETCH FORWARD ${chunkRows} FROM slipway_source`, source, what);
      for (const row of chunk.rows as Array<Array<string | null>>) {
        for (let i = 0; i < plans.length; i++) append(appender, plans[i].duckType, row[i]);
        appender.appendBigInt(position++);
        appender.endRow();
      }
      if (chunk.rows.length < chunkRows) break;
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    appender.closeSync();
  }
}

function planColumn(c: PostgresColumn, oid: number): ColumnPlan {
  const col = pgIdent(c.name);
  // Timestamps travel as epoch µs: naive ones are read as UTC, as for files, whatever the session zone.
  const micros = `floor(extract(epoch from ${col}) * 1000000)::int8`;
  const time: ColumnPlan = {
    name: c.name,
    expr: micros,
    duckType: oid === OID.timestamptz ? 'TIMESTAMPTZ' : 'TIMESTAMP',
  };
  const as = (expr: string, duckType: ColumnPlan['duckType']): ColumnPlan => ({
    name: c.name,
    expr,
    duckType,
  });
  switch (c.featureType) {
    case 'int64':
      return as(`${col}::int8`, 'BIGINT');
    case 'int32':
      return as(`${col}::int4`, 'INTEGER');
    case 'float64':
      return as(`${col}::float8`, 'DOUBLE');
    case 'float32':
      return as(`${col}::float4`, 'FLOAT');
    case 'bool':
      return as(`${col}::bool`, 'BOOLEAN');
    case 'string':
      return as(`${col}::text`, 'VARCHAR');
    case 'timestamp':
      if (TIMES.includes(oid)) return time;
      return NUMBERS.includes(oid) ? as(`${col}::int8`, 'BIGINT') : as(`${col}::text`, 'VARCHAR');
  }
  // Join keys and event/created timestamps keep their own type family.
  if (TIMES.includes(oid)) return time;
  if (oid === OID.bool) return as(col, 'BOOLEAN');
  if (oid === OID.int2 || oid === OID.int4) return as(`${col}::int4`, 'INTEGER');
  if (oid === OID.int8) return as(col, 'BIGINT');
  if (NUMBERS.includes(oid)) return as(`${col}::float8`, 'DOUBLE');
  return as(`${col}::text`, 'VARCHAR');
}

function append(appender: DuckDBAppender, type: ColumnPlan['duckType'], text: string | null): void {
  if (text === null) appender.appendNull();
  else if (type === 'BOOLEAN') appender.appendBoolean(text === 't');
  else if (type === 'INTEGER') appender.appendInteger(Number(text));
  else if (type === 'BIGINT') appender.appendBigInt(BigInt(text));
  else if (type === 'FLOAT') appender.appendFloat(Number(text));
  else if (type === 'DOUBLE') appender.appendDouble(Number(text));
  else if (type === 'TIMESTAMP') appender.appendTimestamp(new DuckDBTimestampValue(BigInt(text)));
  else if (type === 'TIMESTAMPTZ') appender.appendTimestampTZ(new DuckDBTimestampTZValue(BigInt(text)));
  else appender.appendVarchar(text);
}

/** ` WHERE …` bounding the event timestamp, in a form PostgreSQL can answer from an index. */
function windowSql(field: string, types: Map<string, number>, w: { start: number; end: number }): string {
  const oid = types.get(field);
  const col = pgIdent(field);
  const bound = (ms: number) => {
    const at = `to_timestamp(${Math.trunc(ms)} / 1000.0)`;
    if (oid === OID.timestamptz) return at;
    if (oid === OID.timestamp || oid === OID.date) return `(${at} AT TIME ZONE 'UTC')`;
    return String(Math.trunc(ms)); // epoch milliseconds
  };
  // Text timestamps cannot be compared in PostgreSQL; DuckDB's own filter applies to them.
  if (oid === undefined || !(TIMES.includes(oid) || NUMBERS.includes(oid))) return '';
  return ` WHERE ${col} >= ${bound(w.start)} AND ${col} < ${bound(w.end)}`;
}

function relationOf(source: PostgresSource): string {
  if (source.query !== undefined) {
    // A query is wrapped as a subquery; a trailing semicolon would end the statement early.
    return `(${source.query.trim().replace(/;+\s*$/, '')}) AS "slipway_source_query"`;
  }
  if (!source.table) {
    throw invalidParameter(`data source '${source.name}'`, 'a table or a query', undefined);
  }
  // `schema.table` names a table in a schema; each part is quoted on its own.
  return source.table.split('.').map(pgIdent).join('.');
}

async function pgQuery(client: pg.Client, text: string, source: PostgresSource, what: string) {
  try {
    return await client.query({ text, rowMode: 'array' });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === '42P01') {
      throw notFound('data source', source.name, `Data source '${source.name}': ${what} does not exist`);
    }
    throw new SlipwayError(
      'INVALID_PARAMETER_VALUE',
      `Cannot read data source '${source.name}' (${what}): ${messageOf(err)}`,
      { source: source.name, cause: messageOf(err) },
    );
  }
}

function dedupe(columns: PostgresColumn[]): PostgresColumn[] {
  const seen = new Map<string, PostgresColumn>();
  for (const c of columns) if (!seen.has(c.name) || c.featureType) seen.set(c.name, c);
  return [...seen.values()];
}

function pgIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
