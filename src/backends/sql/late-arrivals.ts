/**
 * Row pieces shared by the tables of late arrivals about a logged prediction — labels (008) and
 * outcome events (009): how a prediction reference (request id + row, or entity + ts) is stored,
 * read back, and how a batch keeps only the last arrival of each key.
 */
import { entityKey } from '../../monitoring/performance/label-key.js';
import { isRequestLabel, type PredictionRef } from '../../monitoring/performance/types.js';

/** The reference's columns: request_id + row_index, or the entity as canonical JSON. */
export interface RefColumns {
  request_id: string | null;
  row_index: number | null;
  entity: string | null;
  ts: number;
}

/** The columns storing `ref`. */
export function refColumns(ref: PredictionRef): RefColumns {
  return isRequestLabel(ref)
    ? { request_id: ref.requestId, row_index: ref.rowIndex, entity: null, ts: ref.ts }
    : { request_id: null, row_index: null, entity: entityKey(ref.entity), ts: ref.ts };
}

/** The reference stored in `r` (numbers from PostgreSQL's bigint come back as text). */
export function refOf(r: RefColumns): PredictionRef {
  const ts = Number(r.ts);
  if (r.request_id !== null) return { requestId: r.request_id, rowIndex: Number(r.row_index), ts };
  const pairs = JSON.parse(r.entity ?? '[]') as Array<[string, string | number]>;
  return { entity: Object.fromEntries(pairs), ts };
}

/** `rows` with one per key — the last, as if they had arrived one by one — in arrival order. */
export function lastByKey<R>(rows: Iterable<R>, key: (r: R) => string): R[] {
  const byKey = new Map<string, R>();
  for (const r of rows) {
    const k = key(r);
    byKey.delete(k);
    byKey.set(k, r);
  }
  return [...byKey.values()];
}
