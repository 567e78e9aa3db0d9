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
  const first = (rec.inputs[0] ?? rec.outputs[0])?.shape;
  if (!first || first.length === 0) return 1;
  const n = first[0];
  for (const t of rec.inputs) if (t.shape.length === 0 || t.shape[0] !== n) return 1;
  for (const t of rec.outputs) if (t.shape.length === 0 || t.shape[0] !== n) return 1;
  return n;
}

/** A new tensor column typed after the tensor `t`, with room for `capacity` rows (all null). */
function tensorColumn(name: string, t: Tensor, capacity: number): LogColumn {
  const valid = new Uint8Array(capacity);
  switch (t.datatype) {
    case 'BYTES':
      return { name, type: 'VARCHAR', store: 'str', values: new Array(capacity).fill(null), valid };
    case 'BOOL':
      return { name, type: 'BOOLEAN', store: 'bool', values: new Uint8Array(capacity), valid };
    case 'INT64':
      return { name, type: 'BIGINT', store: 'i64', values: new BigInt64Array(capacity), valid };
    case 'UINT64':
      return { name, type: 'UBIGINT', store: 'u64', values: new BigUint64Array(capacity), valid };
    case 'FP16':
    case 'FP32':
    case 'FP64':
      return { name, type: 'DOUBLE', store: 'f64', values: new Float64Array(capacity), valid };
    default:
      return { name, type: 'BIGINT', store: 'f64', values: new Float64Array(capacity), valid };
  }
}

/** `col` with room for `capacity` rows, its values kept. */
function grown(col: LogColumn, capacity: number): LogColumn {
  const valid = col.valid ? new Uint8Array(capacity) : undefined;
  valid?.set(col.valid!);
  if (col.store === 'str') {
    const values = col.values.concat(new Array(capacity - col.values.length).fill(null));
    return { ...col, values, valid };
  }
  const values = new (col.values.constructor as new (n: number) => typeof col.values)(capacity);
  (values as Float64Array).set(col.values as Float64Array);
  return { ...col, values, valid } as LogColumn;
}

/** `col` cut to its first `n` rows (views, no copy). */
function trimmed(col: LogColumn, n: number): LogColumn {
  const valid = col.valid?.subarray(0, n);
  if (col.store === 'str') return { ...col, values: col.values.slice(0, n), valid };
  return { ...col, values: col.values.subarray(0, n), valid } as LogColumn;
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
 * The rows of one future segment, gathered record by record: each record is copied into columns
 * as it arrives, so the log holds typed arrays rather than thousands of live request objects (which
 * the garbage collector would otherwise carry into its old generation). Tensors a record lacks (a
 * request that asked for fewer outputs) are null in its rows; a column keeps the type its first
 * tensor gave it.
 */
export class SegmentRows {
  rowCount = 0;
  private capacity = 0;
  private fixed: LogColumn[] = [];
  private readonly tensorColumns = new Map<string, LogColumn>();
  private readonly names = new Map<string, readonly string[]>();
  /** Column objects per tensor key; cleared when `grow` replaces them. */
  private readonly resolved = new Map<string, { cols: LogColumn[]; floats: boolean }>();

  constructor(
    readonly model: string,
    readonly version: string,
    readonly replica: string,
    private readonly featureNames?: FeatureNameResolver,
    /** Rows to make room for at first (growing later copies every column). */
    capacity = 256,
  ) {
    this.grow(capacity);
  }

  /** Appends the rows of one record (of this model version). */
  add(rec: InferenceRecord): void {
    const n = rowsOf(rec);
    if (this.rowCount + n > this.capacity) this.grow(this.rowCount + n);
    const row = this.rowCount;
    const [ids, index, ts, latency] = this.fixed as [
      LogColumn & { store: 'str' },
      LogColumn & { store: 'f64' },
      LogColumn & { store: 'f64' },
      LogColumn & { store: 'f64' },
    ];
    const micros = Math.round(rec.timestamp * 1000);
    const latencyMicros = Math.round(rec.latencyMicros);
    for (let i = 0; i < n; i++) {
      ids.values[row + i] = rec.id;
      index.values[row + i] = i;
      ts.values[row + i] = micros;
      latency.values[row + i] = latencyMicros;
    }
    this.addTensors('in', rec.inputs, row, n);
    this.addTensors('out', rec.outputs, row, n);
    if (rec.requestInputs) this.addTensors('req', rec.requestInputs, row, n);
    this.rowCount += n;
  }

  /** The gathered rows, column by column. */
  finish(): LogRows {
    const columns = [...this.fixed, ...this.tensorColumns.values()].map((c) => trimmed(c, this.rowCount));
    return {
      model: this.model,
      version: this.version,
      replica: this.replica,
      rowCount: this.rowCount,
      columns,
    };
  }

  private addTensors(prefix: string, tensors: readonly Tensor[], row: number, n: number): void {
    for (const t of tensors) {
      // A tensor without the shared batch dimension goes whole into the record's one row.
      const width = n === 0 ? 0 : t.data.length / n;
      if (width === 0 || !Number.isInteger(width)) continue;
      const { cols, floats } = this.columnsFor(prefix, t, width);
      if (floats && (t.datatype === 'FP32' || t.datatype === 'FP64')) {
        // The common case (float features), without the per-element conversion.
        const data = t.data as Float32Array;
        for (let j = 0; j < width; j++) {
          const col = cols[j] as LogColumn & { store: 'f64' };
          if (n === 1) {
            col.values[row] = data[j];
            col.valid![row] = 1;
            continue;
          }
          for (let i = 0; i < n; i++) col.values[row + i] = data[i * width + j];
          col.valid!.fill(1, row, row + n);
        }
        continue;
      }
      for (let j = 0; j < width; j++) {
        const col = cols[j];
        for (let i = 0; i < n; i++) put(col, row + i, t, i * width + j);
      }
    }
  }

  /** The columns of a tensor, and whether all hold doubles; cached until the columns grow. */
  private columnsFor(prefix: string, t: Tensor, width: number): { cols: LogColumn[]; floats: boolean } {
    const key = `${prefix}\0${t.name}\0${width}`;
    let resolved = this.resolved.get(key);
    if (!resolved) {
      const cols = this.columnsNamed(prefix, t, width, key);
      resolved = { cols, floats: cols.every((c) => c.store === 'f64') };
      this.resolved.set(key, resolved);
    }
    return resolved;
  }

  private columnsNamed(prefix: string, t: Tensor, width: number, key: string): LogColumn[] {
    let colNames = this.names.get(key);
    if (!colNames) {
      const named =
        prefix === 'in' ? this.featureNames?.(this.model, this.version, t.name, width) : undefined;
      const base = `${prefix}_${columnSafe(t.name)}`;
      colNames =
        named && named.length === width
          ? named.map((f) => `${prefix}_${columnSafe(f)}`)
          : width === 1
            ? [base]
            : Array.from({ length: width }, (_, j) => `${base}_${j}`);
      this.names.set(key, colNames);
    }
    return colNames.map((name) => {
      let col = this.tensorColumns.get(name);
      if (!col) {
        col = tensorColumn(name, t, this.capacity);
        this.tensorColumns.set(name, col);
      }
      return col;
    });
  }

  private grow(min: number): void {
    const capacity = Math.max(min, this.capacity * 2);
    this.resolved.clear();
    if (this.fixed.length === 0) {
      this.fixed = [
        { name: 'request_id', type: 'VARCHAR', store: 'str', values: new Array(capacity).fill(null) },
        { name: 'row_index', type: 'INTEGER', store: 'f64', values: new Float64Array(capacity) },
        { name: 'ts', type: 'TIMESTAMP', store: 'f64', values: new Float64Array(capacity) },
        { name: 'latency_us', type: 'BIGINT', store: 'f64', values: new Float64Array(capacity) },
      ];
    } else {
      this.fixed = this.fixed.map((c) => grown(c, capacity));
      for (const [name, c] of this.tensorColumns) this.tensorColumns.set(name, grown(c, capacity));
    }
    this.capacity = capacity;
  }
}

/** Flattens records of one model version into columns (see `SegmentRows`). */
export function flattenRecords(
  records: readonly InferenceRecord[],
  replica: string,
  featureNames?: FeatureNameResolver,
): LogRows {
  const rows = new SegmentRows(records[0].model, records[0].version, replica, featureNames);
  for (const rec of records) rows.add(rec);
  return rows.finish();
}
