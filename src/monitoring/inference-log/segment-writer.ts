/**
 * Writes one segment: the rows go into a DuckDB temp table through the appender a data chunk (2,048
 * rows) at a time — values land in the chunk's vectors from JavaScript and cross into DuckDB once per
 * column, not once per cell — then `COPY … TO '<name>.partial' (FORMAT parquet)` runs on DuckDB's
 * own threads, off the event loop, and the file is renamed into place.
 *
 * Inputs: an open connection, the flattened rows, the final path. Output: the bytes written.
 */
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  BIGINT,
  BOOLEAN,
  DOUBLE,
  type DuckDBConnection,
  DuckDBDataChunk,
  DuckDBTimestampValue,
  type DuckDBType,
  type DuckDBValue,
  INTEGER,
  TIMESTAMP,
  UBIGINT,
  VARCHAR,
} from '@duckdb/node-api';
import type { LogColumnType, LogRows, LogValue } from './record-rows.js';
import { sqlIdent, sqlString } from './sql.js';

const DUCK_TYPES: Record<LogColumnType, DuckDBType> = {
  VARCHAR,
  INTEGER,
  BIGINT,
  UBIGINT,
  DOUBLE,
  BOOLEAN,
  TIMESTAMP,
};

/** Rows per appended chunk: DuckDB's vector size. */
const CHUNK_ROWS = 2048;

let tableSeq = 0;

function duckValues(type: LogColumnType, values: LogValue[], from: number, to: number): DuckDBValue[] {
  const out: DuckDBValue[] = values.slice(from, to) as DuckDBValue[];
  if (type === 'TIMESTAMP') {
    for (let i = 0; i < out.length; i++) {
      const v = out[i];
      if (v !== null) out[i] = new DuckDBTimestampValue(v as bigint);
    }
  }
  return out;
}

/** Writes `rows` as a Parquet file at `path` (via `<path>.partial` and a rename); returns its size. */
export async function writeSegment(conn: DuckDBConnection, rows: LogRows, path: string): Promise<number> {
  await mkdir(dirname(path), { recursive: true });
  const table = `inference_segment_${tableSeq++}`;
  const defs = rows.columns.map((c) => `${sqlIdent(c.name)} ${c.type}`).join(', ');
  await conn.run(`CREATE TEMP TABLE ${sqlIdent(table)} (${defs})`);
  const partial = `${path}.partial`;
  try {
    const appender = await conn.createAppender(table, 'main', 'temp');
    try {
      const types = rows.columns.map((c) => DUCK_TYPES[c.type]);
      for (let from = 0; from < rows.rowCount; from += CHUNK_ROWS) {
        const to = Math.min(rows.rowCount, from + CHUNK_ROWS);
        const chunk = DuckDBDataChunk.create(types, to - from);
        chunk.setColumns(rows.columns.map((c) => duckValues(c.type, c.values, from, to)));
        appender.appendDataChunk(chunk);
      }
    } finally {
      appender.closeSync();
    }
    await conn.run(
      `COPY ${sqlIdent(table)} TO ${sqlString(partial, 'path')} (FORMAT parquet, COMPRESSION zstd)`,
    );
    await rename(partial, path);
    return (await stat(path)).size;
  } finally {
    await conn.run(`DROP TABLE IF EXISTS ${sqlIdent(table)}`).catch(() => {});
    await rm(partial, { force: true });
  }
}
