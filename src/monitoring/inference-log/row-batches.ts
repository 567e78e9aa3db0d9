/**
 * Joins the row batches the worker received for one segment into one `LogRows`: columns are the
 * union by name, in first-seen order (the fixed columns stay first, as the segment layout needs);
 * rows of a batch that lacked a column are null there. A column keeps the store its first batch
 * gave it; a later batch holding it in another store (a tensor whose type changed) is converted
 * value by value, and values that do not fit are null.
 */
import type { LogColumn, LogRows } from './record-rows.js';

type Store = LogColumn['store'];

function allocate(template: LogColumn, n: number): LogColumn {
  const valid = new Uint8Array(n);
  const base = { name: template.name, type: template.type, valid };
  switch (template.store) {
    case 'str':
      return { ...base, store: 'str', values: new Array<string | null>(n).fill(null) };
    case 'bool':
      return { ...base, store: 'bool', values: new Uint8Array(n) };
    case 'i64':
      return { ...base, store: 'i64', values: new BigInt64Array(n) };
    case 'u64':
      return { ...base, store: 'u64', values: new BigUint64Array(n) };
    default:
      return { ...base, store: 'f64', values: new Float64Array(n) };
  }
}

/** One value of `col` converted for a column held in `store`; undefined when it does not fit. */
function convert(value: unknown, store: Store): unknown {
  switch (store) {
    case 'str':
      return String(value);
    case 'f64':
      return Number(value);
    case 'bool':
      return value === true || value === 'true' || (typeof value !== 'string' && Number(value) !== 0) ? 1 : 0;
    default: {
      const n = typeof value === 'bigint' ? value : Number(value);
      if (typeof n === 'number' && !Number.isInteger(n)) return undefined;
      return BigInt(n);
    }
  }
}

/** Copies `src` (rows 0…n-1) into `dst` from row `at`. */
function copyInto(dst: LogColumn, src: LogColumn, at: number, n: number): void {
  const valid = dst.valid!;
  if (dst.store === src.store && dst.store !== 'str') {
    (dst.values as Float64Array).set((src.values as Float64Array).subarray(0, n), at);
    if (src.valid) valid.set(src.valid.subarray(0, n), at);
    else valid.fill(1, at, at + n);
    return;
  }
  for (let i = 0; i < n; i++) {
    if (src.valid && src.valid[i] === 0) continue;
    const raw = src.store === 'bool' ? src.values[i] === 1 : src.values[i];
    const v = dst.store === src.store ? raw : convert(raw, dst.store);
    if (v === undefined) continue;
    (dst.values as unknown[])[at + i] = v;
    valid[at + i] = 1;
  }
}

/**
 * The rows of `batches` (all of one model version) as one `LogRows`.
 *
 * @example
 * const segment = concatRows([first, second]); // first.rowCount + second.rowCount rows
 */
export function concatRows(batches: readonly LogRows[]): LogRows {
  const first = batches[0]!;
  if (batches.length === 1) return first;
  const total = batches.reduce((n, b) => n + b.rowCount, 0);
  const columns = new Map<string, LogColumn>();
  for (const b of batches)
    for (const c of b.columns) if (!columns.has(c.name)) columns.set(c.name, allocate(c, total));
  let at = 0;
  for (const b of batches) {
    for (const c of b.columns) copyInto(columns.get(c.name)!, c, at, b.rowCount);
    at += b.rowCount;
  }
  return { ...first, rowCount: total, columns: [...columns.values()] };
}
