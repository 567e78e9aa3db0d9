/**
 * Reading Parquet/CSV inputs in DuckDB: the relation to select from, its columns (read from the
 * footer or the CSV sniffer, never the data), a file-order position for deterministic tie-breaks,
 * and the conversion of whatever timestamp encoding a file uses to epoch microseconds.
 */
import { stat } from 'node:fs/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlIdent, sqlString } from '../../core/duckdb-sql.js';
import { notFound, SlipwayError } from '../../core/errors.js';

/** A file (or folder, or glob) ready to select from. */
export interface ScannedFile {
  path: string;
  /** Says what the file is in error messages: `entities file`, `data source 'driver_stats'`. */
  label: string;
  /** SQL usable after FROM. */
  relation: string;
  /** Column name → DuckDB type, in file order. */
  columns: Map<string, string>;
  /** SQL for the row's position in file order (files in glob order, then rows). */
  position: string;
  /** A helper column that `relation` adds and `SELECT *` must exclude. */
  extraColumn?: string;
}

/** The column `scanFile` adds when DuckDB's virtual row-number columns are not usable. */
export const POSITION_COLUMN = '__slipway_pos';

/**
 * Describes a Parquet/CSV input. A local folder means every file of the format below it.
 * Throws RESOURCE_DOES_NOT_EXIST when nothing matches and INVALID_PARAMETER_VALUE when DuckDB
 * cannot read it, both naming the file.
 */
export async function scanFile(
  conn: DuckDBConnection,
  path: string,
  format: 'parquet' | 'csv',
  label: string,
): Promise<ScannedFile> {
  const pattern = await expandFolder(path, format);
  const reader = format === 'parquet' ? 'read_parquet' : 'read_csv';
  const base = `${reader}(${sqlString(pattern, `${label} path`)})`;
  let columns: Map<string, string>;
  try {
    const described = await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${base}`);
    columns = new Map(
      described.getRowObjectsJS().map((r) => [String(r['column_name']), String(r['column_type'])]),
    );
  } catch (err) {
    throw fileError(err, path, format, label);
  }
  // Parquet exposes file_index/file_row_number as free virtual columns, unless the file has real
  // columns of those names, which shadow them; CSV has no row number, so count rows while streaming.
  if (format === 'parquet' && !columns.has('file_index') && !columns.has('file_row_number')) {
    return {
      path,
      label,
      relation: base,
      columns,
      position: '((file_index::BIGINT << 40) + file_row_number)',
    };
  }
  if (columns.has(POSITION_COLUMN)) {
    throw new SlipwayError(
      'INVALID_PARAMETER_VALUE',
      `${capital(label)} '${path}' has a column named '${POSITION_COLUMN}', which Slipway reserves`,
      { path, column: POSITION_COLUMN },
    );
  }
  const pos = sqlIdent(POSITION_COLUMN);
  return {
    path,
    label,
    relation: `(SELECT *, row_number() OVER () AS ${pos} FROM ${base})`,
    columns,
    position: pos,
    extraColumn: POSITION_COLUMN,
  };
}

/** INVALID_PARAMETER_VALUE naming the missing column and listing those the file has. */
export function missingColumn(
  file: Pick<ScannedFile, 'label' | 'path' | 'columns'>,
  column: string,
  role: string,
): SlipwayError {
  const have = [...file.columns.keys()].join(', ') || 'none';
  return new SlipwayError(
    'INVALID_PARAMETER_VALUE',
    `${capital(file.label)} '${file.path}' has no column '${column}' (${role}); its columns: ${have}`,
    { path: file.path, column, columns: [...file.columns.keys()] },
  );
}

const INTEGER = /^U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)$/;
const FRACTIONAL = /^(FLOAT|DOUBLE|DECIMAL\(\d+,\d+\))$/;
// A time of day followed by a UTC offset; date-only strings such as 2024-01-01 must not match.
const WITH_OFFSET = String.raw`[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*([Zz]|[+-]\d{2}(:?\d{2})?)$`;

/**
 * SQL giving a timestamp column as epoch microseconds (BIGINT), so that entity rows and every
 * source compare on one scale whatever their encodings. Accepted: TIMESTAMP (any precision; naive
 * values are UTC), TIMESTAMPTZ, DATE (midnight UTC), integer or fractional epoch milliseconds
 * (`FeatureValueType` 'timestamp'), and ISO-8601 text (with or without a UTC offset) or digit-only
 * epoch-ms text, which is what CSV columns hold when the sniffer could not type them.
 */
export function epochMicros(column: string, type: string, file: Pick<ScannedFile, 'label' | 'path'>): string {
  const c = sqlIdent(column);
  if (type === 'TIMESTAMP WITH TIME ZONE' || type === 'DATE' || /^TIMESTAMP(_S|_MS|_NS)?$/.test(type)) {
    return `epoch_us(${c})`;
  }
  if (INTEGER.test(type)) return `(CAST(${c} AS BIGINT) * 1000)`;
  if (FRACTIONAL.test(type)) return `CAST(round(${c} * 1000) AS BIGINT)`;
  if (type === 'VARCHAR') {
    return (
      `(CASE WHEN regexp_full_match(trim(${c}), '-?\\d+') THEN CAST(trim(${c}) AS BIGINT) * 1000` +
      ` WHEN regexp_matches(trim(${c}), '${WITH_OFFSET}') THEN epoch_us(CAST(trim(${c}) AS TIMESTAMPTZ))` +
      ` ELSE epoch_us(CAST(trim(${c}) AS TIMESTAMP)) END)`
    );
  }
  throw new SlipwayError(
    'INVALID_PARAMETER_VALUE',
    `Column '${column}' of ${file.label} '${file.path}' is ${type}; a timestamp must be TIMESTAMP, TIMESTAMPTZ, DATE, epoch milliseconds or ISO-8601 text`,
    { path: file.path, column, type },
  );
}

async function expandFolder(path: string, format: 'parquet' | 'csv'): Promise<string> {
  // Globs and remote URLs go to DuckDB as they are; only a plain local folder needs a pattern.
  if (/[*?[]/.test(path) || /^[a-z][a-z0-9+.-]*:\/\//i.test(path)) return path;
  try {
    if ((await stat(path)).isDirectory()) return `${path.replace(/\/+$/, '')}/**/*.${format}`;
  } catch {
    // Missing: DuckDB reports it below with the same wording as for globs that match nothing.
  }
  return path;
}

function fileError(err: unknown, path: string, format: string, label: string): SlipwayError {
  const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
  if (/No files found that match the pattern/i.test(message)) {
    return notFound(
      'file',
      path,
      `${capital(label)} '${path}' does not exist (no ${format} file matches it)`,
    );
  }
  return new SlipwayError(
    'INVALID_PARAMETER_VALUE',
    `Cannot read ${label} '${path}' as ${format}: ${message}`,
    { path, format, cause: message },
  );
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
