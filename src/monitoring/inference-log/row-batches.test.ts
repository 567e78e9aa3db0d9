import { describe, expect, it } from 'vitest';
import type { InferenceRecord } from '../../serving/types.js';
import { flattenRecords, type LogColumn } from './record-rows.js';
import { concatRows } from './row-batches.js';

const rec = (id: string, outputs: InferenceRecord['outputs']): InferenceRecord => ({
  id,
  model: 'fraud',
  version: '1',
  timestamp: 1_700_000_000_000,
  latencyMicros: 10,
  inputs: [{ name: 'x', datatype: 'FP32', shape: [2, 1], data: new Float32Array([1, 2]) }],
  outputs,
});

/** A column's values as plain JS, null where missing. */
function values(col: LogColumn | undefined, n: number): unknown[] {
  if (!col) return [];
  return Array.from({ length: n }, (_, i) => (col.valid && col.valid[i] === 0 ? null : col.values[i]));
}

describe('concatRows', () => {
  it('joins batches by column name, null where a batch lacked a column, converting a changed type', () => {
    const a = flattenRecords(
      [rec('a', [{ name: 'score', datatype: 'FP64', shape: [2, 1], data: new Float64Array([0.5, 0.25]) }])],
      'r',
    );
    const b = flattenRecords(
      [
        rec('b', [
          { name: 'score', datatype: 'INT64', shape: [2, 1], data: new BigInt64Array([3n, 4n]) },
          { name: 'label', datatype: 'BYTES', shape: [2, 1], data: ['yes', 'no'] },
        ]),
      ],
      'r',
    );
    const joined = concatRows([a, b]);
    expect(joined.rowCount).toBe(4);
    expect(joined.columns.map((c) => c.name)).toEqual([
      'request_id',
      'row_index',
      'ts',
      'latency_us',
      'in_x',
      'out_score',
      'out_label',
    ]);
    const col = (name: string) => joined.columns.find((c) => c.name === name);
    expect(values(col('request_id'), 4)).toEqual(['a', 'a', 'b', 'b']);
    expect(values(col('row_index'), 4)).toEqual([0, 1, 0, 1]);
    expect(values(col('in_x'), 4)).toEqual([1, 2, 1, 2]);
    // The first batch made it a DOUBLE column: the second batch's integers land as numbers.
    expect(col('out_score')?.type).toBe('DOUBLE');
    expect(values(col('out_score'), 4)).toEqual([0.5, 0.25, 3, 4]);
    expect(values(col('out_label'), 4)).toEqual([null, null, 'yes', 'no']);
  });

  it('returns a single batch as it is', () => {
    const a = flattenRecords([rec('a', [])], 'r');
    expect(concatRows([a])).toBe(a);
  });
});
