/**
 * In-memory entity rows (small sets, the SDK) loaded into a DuckDB temp table with the appender,
 * so the point-in-time join runs the same SQL for them as for files.
 */
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { sqlIdent } from '../../core/duckdb-sql.js';
import { invalidParameter, SlipwayError } from '../../core/errors.js';
import type { FeatureScalar } from '../types.js';

type ColumnType = 'BOOLEAN' | 'BIGINT' | 'DOUBLE' | 'VARCHAR';

/**
 * Creates temp table `table` holding `rows` plus `rowIdColumn` (0, 1, …, their order) and returns
 * its columns with their types. Types are inferred per column: booleans, integers (BIGINT), other
 * numbers (DOUBLE), strings; a column with only nulls is VARCHAR. Mixing kinds in a column is an error.
 */
export async function loadEntityRows(
  conn: DuckDBConnection,
  rows: ReadonlyArray<Record<string, FeatureScalar>>,
  table: string,
  rowIdColumn: string,
): Promise<Map<string, string>> {
  const types = inferTypes(rows);
  if (types.has(rowIdColumn)) {
    throw invalidParameter('entities.rows', `no column named '${rowIdColumn}' (reserved)`, rowIdColumn);
  }
  const defs = [...types].map(([name, type]) => `${sqlIdent(name)} ${type}`);
  defs.push(`${sqlIdent(rowIdColumn)} BIGINT`);
  await conn.run(`CREATE TEMP TABLE ${sqlIdent(table)} (${defs.join(', ')})`);
  const appender = await conn.createAppender(table, 'main', 'temp');
  try {
    const columns = [...types];
    for (let i = 0; i < rows.length; i++) {
      for (const [name, type] of columns) append(appender, type, rows[i][name]);
      appender.appendBigInt(BigInt(i));
      appender.endRow();
    }
  } finally {
    appender.closeSync();
  }
  return new Map(types);
}

function inferTypes(rows: ReadonlyArray<Record<string, FeatureScalar>>): Map<string, ColumnType> {
  const kinds = new Map<string, 'boolean' | 'integer' | 'number' | 'string' | 'null'>();
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (row === null || typeof row !== 'object')
      throw invalidParameter(`entities.rows[${i}]`, 'an object', row);
    for (const [name, value] of Object.entries(row)) {
      const kind = kindOf(value, `entities.rows[${i}].${name}`);
      const seen = kinds.get(name);
      if (seen === undefined || seen === 'null') kinds.set(name, kind);
      else if (kind === 'null' || kind === seen) continue;
      else if ((seen === 'integer' && kind === 'number') || (seen === 'number' && kind === 'integer')) {
        kinds.set(name, 'number');
      } else {
        throw new SlipwayError(
          'INVALID_PARAMETER_VALUE',
          `Entity column '${name}' mixes ${seen} and ${kind} values (row ${i}); use one kind per column`,
          { column: name, row: i },
        );
      }
    }
  }
  const types = new Map<string, ColumnType>();
  const sql = {
    boolean: 'BOOLEAN',
    integer: 'BIGINT',
    number: 'DOUBLE',
    string: 'VARCHAR',
    null: 'VARCHAR',
  } as const;
  for (const [name, kind] of kinds) types.set(name, sql[kind]);
  return types;
}

function kindOf(value: unknown, field: string): 'boolean' | 'integer' | 'number' | 'string' | 'null' {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number') return Number.isSafeInteger(value) ? 'integer' : 'number';
  throw invalidParameter(field, 'a number, string, boolean or null', value);
}

function append(appender: DuckDBAppender, type: ColumnType, value: FeatureScalar | undefined): void {
  if (value === null || value === undefined) appender.appendNull();
  else if (type === 'BOOLEAN') appender.appendBoolean(value as boolean);
  else if (type === 'BIGINT') appender.appendBigInt(BigInt(value as number));
  else if (type === 'DOUBLE') appender.appendDouble(value as number);
  else appender.appendVarchar(value as string);
}
