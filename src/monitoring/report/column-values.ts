/**
 * Raw column values for the exact drift tests, read from a DuckDB relation chunk by chunk (DuckDB's
 * own vectors, no row objects): numeric columns into one Float64Array each (NULL → NaN, which the
 * tests count as missing), categorical columns into arrays of strings. Memory is bounded by the row
 * cap: beyond it a seeded uniform reservoir sample of `rowCap` rows is read instead, and the caller
 * says so in the report.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlIdent } from '../../core/duckdb-sql.js';
import type { SideRows } from './types.js';

/** Rows per side tested exactly; beyond this, a uniform sample of this many rows. */
export const DEFAULT_ROW_CAP = 200_000;

/** A column to read and how to read it. */
export interface ColumnRead {
  name: string;
  kind: 'numeric' | 'categorical';
}

/** What `readColumns` returns: values per column name, and how many rows were there and used. */
export interface ColumnValues {
  numeric: Map<string, Float64Array>;
  categorical: Map<string, Array<string | null>>;
  rows: SideRows;
}

/** Reports rows read so far (for a progress line). */
export type ReadProgress = (rowsRead: number, rowsTotal: number) => void;

/**
 * Reads `columns` of the relation `sql` (a SELECT) on `conn`.
 *
 * @example
 * const ref = await readColumns(conn, "SELECT * FROM read_parquet('train.parquet')",
 *   [{ name: 'amount', kind: 'numeric' }], 200_000);
 */
export async function readColumns(
  conn: DuckDBConnection,
  sql: string,
  columns: readonly ColumnRead[],
  rowCap: number = DEFAULT_ROW_CAP,
  onProgress?: ReadProgress,
): Promise<ColumnValues> {
  const total = Number((await conn.runAndReadAll(`SELECT count(*) FROM (${sql})`)).getRowsJS()[0]![0]);
  const sampled = total > rowCap;
  const used = sampled ? rowCap : total;
  const select = columns
    .map((c) =>
      c.kind === 'numeric'
        ? `TRY_CAST(${sqlIdent(c.name)} AS DOUBLE) AS c`
        : `CAST(${sqlIdent(c.name)} AS VARCHAR) AS c`,
    )
    .map((expr, i) => expr.replace(/ AS c$/, ` AS c${i}`));
  const from = sampled ? `(${sql}) USING SAMPLE reservoir(${rowCap} ROWS) REPEATABLE (42)` : `(${sql})`;
  const numeric = new Map<string, Float64Array>();
  const categorical = new Map<string, Array<string | null>>();
  for (const c of columns) {
    if (c.kind === 'numeric') numeric.set(c.name, new Float64Array(used).fill(Number.NaN));
    else categorical.set(c.name, []);
  }
  let row = 0;
  if (columns.length > 0 && used > 0) {
    const result = await conn.stream(`SELECT ${select.join(', ')} FROM ${from}`);
    for await (const chunk of result) {
      const n = chunk.rowCount;
      columns.forEach((c, i) => {
        const values = chunk.getColumnValues(i);
        if (c.kind === 'numeric') {
          const out = numeric.get(c.name)!;
          for (let k = 0; k < n && row + k < used; k++) {
            const v = values[k];
            if (typeof v === 'number') out[row + k] = v;
          }
        } else {
          const out = categorical.get(c.name)!;
          for (let k = 0; k < n; k++) out.push(values[k] === null ? null : String(values[k]));
        }
      });
      row += n;
      onProgress?.(row, used);
    }
  }
  for (const [name, values] of numeric) if (row < used) numeric.set(name, values.subarray(0, row));
  return { numeric, categorical, rows: { rows: total, used: Math.min(row, used), sampled } };
}
