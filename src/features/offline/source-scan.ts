/**
 * One entry point for reading a feature view's offline source, whatever its kind: Parquet/CSV is
 * scanned in place by DuckDB; a PostgreSQL table or query is first streamed into a temp table.
 * Either way the caller gets a `ScannedFile` and runs the same SQL over it.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { DataSource } from '../types.js';
import { type ScannedFile, scanFile } from './file-scan.js';
import { loadPostgresSource, type PostgresColumn } from './postgres-source.js';

/** A source training sets and materialization read. */
export type OfflineSource = Extract<DataSource, { kind: 'file' | 'postgres' }>;

export interface SourceReadOptions {
  /** Columns the caller will use (PostgreSQL reads only these; files are read as they are). */
  columns: PostgresColumn[];
  /** `postgresql://…` for PostgreSQL sources without their own `connection`. */
  postgresConnection?: string;
  /** Event-time window [start, end), epoch ms: pushed into PostgreSQL queries. */
  window?: { start: number; end: number };
}

/**
 * The source ready to select from on `conn` (a PostgreSQL source becomes a temp table there).
 *
 * @example
 * const file = await scanOfflineSource(conn, source, { columns: [{ name: 'driver_id', role: 'join key' }] });
 */
export function scanOfflineSource(
  conn: DuckDBConnection,
  source: OfflineSource,
  opts: SourceReadOptions,
): Promise<ScannedFile> {
  if (source.kind === 'file') {
    return scanFile(conn, source.path, source.format, `data source '${source.name}'`);
  }
  return loadPostgresSource(conn, source, {
    columns: opts.columns,
    defaultConnection: opts.postgresConnection,
    window: opts.window,
  });
}
