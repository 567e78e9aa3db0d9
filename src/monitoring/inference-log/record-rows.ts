/**
 * Inference records flattened into the log's row layout: one row per prediction (a request with a
 * batch of n rows gives n rows), one scalar column per feature, so drift tests and profiles read a
 * feature as a plain column (`SELECT avg(in_x_3) …`) without unnesting lists.
 *
 * Layout: request_id, row_index (the row within its request), ts, model, version, latency_us,
 * replica, then per tensor `in_<name>` (a [batch, 1] or [batch] tensor) or `in_<name>_<j>` (a
 * [batch, k] tensor, j = 0…k-1; deeper shapes are flattened row-major), `out_<name>…` for outputs
 * and `req_<name>…` for what a feature-fed model's request carried (its entity keys). With feature
 * names (a feature service), the input's columns are `in_<feature>` instead. Names are reduced to
 * letters, digits and `_`.
 */

import { halfToFloat } from '../../serving/tensor.js';
import type { InferenceRecord, Tensor } from '../../serving/types.js';
import type { FeatureNameResolver } from './types.js';

/** The column type in the segment (what readers see). */
export type LogColumnType = 'VARCHAR' | 'INTEGER' | 'BIGINT' | 'UBIGINT' | 'DOUBLE' | 'BOOLEAN' | 'TIMESTAMP';

/**
 * How values are held until written: typed arrays where possible, so flattening allocates no object
 * per value (small integers ride as doubles and are cast on the way out; TIMESTAMP as epoch µs).
 */
export type LogColumnValues =
  | { store: 'f64'; values: Float64Array }
  | { store: 'i64'; values: BigInt64Array }
  | { store: 'u64'; values: BigUint64Array }
  | { store: 'bool'; values: Uint8Array }
  | { store: 'str'; values: Array<string | null> };

export type LogColumn = LogColumnValues & {
  name: string;
  type: LogColumnType;
  /** 1 where a row has a value; absent: every row has one. */
  valid?: Uint8Array;
};

/** Rows of one model version, column by column (model, version and replica are constants of the segment). */
export interface LogRows {
  model: string;
  version: string;
  replica: string;
  rowCount: number;
  columns: LogColumn[];
}

/** Rows one record becomes: the batch dimension when every tensor shares it, else one. */
export function rowsOf(rec: InferenceRecord): number {
  const tensors = [...rec.inputs, ...rec.outputs];
  const first = tensors[0]?.shape;
  if (!first || first.length === 0) return 1;
  const n = first[0];
  for (const t of tensors) if (t.shape.length === 0 || t.shape[0] !== n) return 1;
  return n;
}

/** A new tensor column typed after the tensor `t`. */
function tensorColumn(name: string, t: Tensor, rowCount: number): LogColumn {
  const valid = new Uint8Array(rowCount);
  switch (t.datatype) {
    case 'BYTES':
      return { name, type: 'VARCHAR', store: 'str', values: new Array(rowCount).fill(null), valid };
    case 'BOOL':
      return { name, type: 'BOOLEAN', store: 'bool', values: new Uint8Array(rowCount), valid };
    case 'INT64':
      return { name, type: 'BIGINT', store: 'i64', values: new BigInt64Array(rowCount), valid };
    case 'UINT64':
      return { name, type: 'UBIGINT', store: 'u64', values: new BigUint64Array(rowCount), valid };
    case 'FP16':
    case 'FP32':
    case 'FP64':
      return { name, type: 'DOUBLE', store: 'f64', values: new Float64Array(rowCount), valid };
    default:
      return { name, type: 'BIGINT', store: 'f64', values: new Float64Array(rowCount), valid };
  }
}

/** Copies element `k` of `t` into row `row` of `col` (converting when a later tensor's type differs). */
function put(col: LogColumn, row: number, t: Tensor, k: number): void {
  const raw = t.data[k];
  const v = t.datatype === 'FP16' ? halfToFloat(raw as number) : raw;
  col.valid![row] = 1;
  switch (col.store) {
    case 'f64':
      col.values[row] = Number(v);
      return;
    case 'bool':
      col.values[row] = (typeof v === 'string' ? v === 'true' : Number(v) !== 0) ? 1 : 0;
      return;
    case 'str':
      col.values[row] = String(v);
      return;
    default:
      if (typeof v === 'bigint') col.values[row] = v as never;
      else if (Number.isInteger(Number(v))) col.values[row] = BigInt(Number(v)) as never;
      else col.valid![row] = 0;
  }
}

/** `x:0` → `x_0`: identifiers a SQL user can type unquoted. */
export function columnSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, '_');
}

/**
 * Flattens records of one model version into columns. Tensors a record lacks (a request that asked
 * for fewer outputs) are null in its rows; a column keeps the type its first tensor gave it.
 */
export function flattenRecords(
  records: readonly InferenceRecord[],
  replica: string,
  featureNames?: FeatureNameResolver,
): LogRows {
  const { model, version } = records[0];
  const rowCounts = records.map(rowsOf);
  const rowCount = rowCounts.reduce((a, b) => a + b, 0);
  const requestIds: Array<string | null> = new Array(rowCount);
  const rowIndex = new Float64Array(rowCount);
  const tsMicros = new Float64Array(rowCount);
  const latency = new Float64Array(rowCount);
  const fixed: LogColumn[] = [
    { name: 'request_id', type: 'VARCHAR', store: 'str', values: requestIds },
    { name: 'row_index', type: 'INTEGER', store: 'f64', values: rowIndex },
    { name: 'ts', type: 'TIMESTAMP', store: 'f64', values: tsMicros },
    { name: 'latency_us', type: 'BIGINT', store: 'f64', values: latency },
  ];
  const tensorColumns = new Map<string, LogColumn>();
  const names = new Map<string, readonly string[]>();
  const columnsFor = (prefix: string, t: Tensor, width: number): LogColumn[] => {
    const key = `${prefix}\0${t.name}\0${width}`;
    let colNames = names.get(key);
    if (!colNames) {
      const named = prefix === 'in' ? featureNames?.(model, version, t.name, width) : undefined;
      const base = `${prefix}_${columnSafe(t.name)}`;
      colNames =
        named && named.length === width
          ? named.map((f) => `${prefix}_${columnSafe(f)}`)
          : width === 1
            ? [base]
            : Array.from({ length: width }, (_, j) => `${base}_${j}`);
      names.set(key, colNames);
    }
    return colNames.map((name) => {
      let col = tensorColumns.get(name);
      if (!col) {
        col = tensorColumn(name, t, rowCount);
        tensorColumns.set(name, col);
      }
      return col;
    });
  };

  let row = 0;
  for (let r = 0; r < records.length; r++) {
    const rec = records[r];
    const n = rowCounts[r];
    const micros = Math.round(rec.timestamp * 1000);
    for (let i = 0; i < n; i++) {
      requestIds[row + i] = rec.id;
      rowIndex[row + i] = i;
      tsMicros[row + i] = micros;
      latency[row + i] = Math.round(rec.latencyMicros);
    }
    const groups: Array<[string, Tensor[]]> = [
      ['in', rec.inputs],
      ['out', rec.outputs],
      ['req', rec.requestInputs ?? []],
    ];
    for (const [prefix, tensors] of groups) {
      for (const t of tensors) {
        // A tensor without the shared batch dimension goes whole into the record's one row.
        const width = n === 0 ? 0 : t.data.length / n;
        if (width === 0 || !Number.isInteger(width)) continue;
        const cols = columnsFor(prefix, t, width);
        for (let j = 0; j < width; j++) {
          const col = cols[j];
          for (let i = 0; i < n; i++) put(col, row + i, t, i * width + j);
        }
      }
    }
    row += n;
  }
  return { model, version, replica, rowCount, columns: [...fixed, ...tensorColumns.values()] };
}
