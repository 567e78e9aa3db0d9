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

export type LogColumnType = 'VARCHAR' | 'INTEGER' | 'BIGINT' | 'UBIGINT' | 'DOUBLE' | 'BOOLEAN' | 'TIMESTAMP';
export type LogValue = string | number | bigint | boolean | null;

export interface LogColumn {
  name: string;
  type: LogColumnType;
  /** One value per row (null where a record lacked the tensor); TIMESTAMP as epoch microseconds (bigint). */
  values: LogValue[];
}

/** Rows of one model version, column by column. */
export interface LogRows {
  model: string;
  version: string;
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

/** The column type a tensor's elements are stored as. */
function columnTypeOf(t: Tensor): LogColumnType {
  switch (t.datatype) {
    case 'BYTES':
      return 'VARCHAR';
    case 'BOOL':
      return 'BOOLEAN';
    case 'UINT64':
      return 'UBIGINT';
    case 'INT8':
    case 'INT16':
    case 'INT32':
    case 'INT64':
    case 'UINT8':
    case 'UINT16':
    case 'UINT32':
      return 'BIGINT';
    default:
      return 'DOUBLE';
  }
}

/** Element `k` of `t` as a value of the column's type (a later tensor may differ from the first). */
function element(t: Tensor, k: number, type: LogColumnType): LogValue {
  const raw = t.data[k];
  const v = t.datatype === 'FP16' ? halfToFloat(raw as number) : raw;
  switch (type) {
    case 'VARCHAR':
      return String(v);
    case 'BOOLEAN':
      return typeof v === 'string' ? v === 'true' : Number(v) !== 0;
    case 'DOUBLE':
      return Number(v);
    default:
      if (typeof v === 'bigint') return v;
      return Number.isInteger(Number(v)) ? BigInt(Number(v)) : null;
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
  const fixed: LogColumn[] = [
    { name: 'request_id', type: 'VARCHAR', values: new Array(rowCount) },
    { name: 'row_index', type: 'INTEGER', values: new Array(rowCount) },
    { name: 'ts', type: 'TIMESTAMP', values: new Array(rowCount) },
    { name: 'model', type: 'VARCHAR', values: new Array(rowCount).fill(model) },
    { name: 'version', type: 'VARCHAR', values: new Array(rowCount).fill(version) },
    { name: 'latency_us', type: 'BIGINT', values: new Array(rowCount) },
    { name: 'replica', type: 'VARCHAR', values: new Array(rowCount).fill(replica) },
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
        col = { name, type: columnTypeOf(t), values: new Array(rowCount).fill(null) };
        tensorColumns.set(name, col);
      }
      return col;
    });
  };

  let row = 0;
  for (let r = 0; r < records.length; r++) {
    const rec = records[r];
    const n = rowCounts[r];
    const micros = BigInt(Math.round(rec.timestamp * 1000));
    const latency = BigInt(Math.round(rec.latencyMicros));
    for (let i = 0; i < n; i++) {
      fixed[0].values[row + i] = rec.id;
      fixed[1].values[row + i] = i;
      fixed[2].values[row + i] = micros;
      fixed[5].values[row + i] = latency;
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
          for (let i = 0; i < n; i++) col.values[row + i] = element(t, i * width + j, col.type);
        }
      }
    }
    row += n;
  }
  return { model, version, rowCount, columns: [...fixed, ...tensorColumns.values()] };
}
