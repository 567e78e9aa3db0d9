import { describe, expect, it } from 'vitest';
import {
  checkShape,
  floatToHalf,
  halfToFloat,
  hasNonFinite,
  TENSOR_DATATYPES,
  tensorBytes,
  tensorFromBytes,
  tensorFromValues,
  tensorNested,
  tensorValues,
} from './tensor.js';
import type { TensorDataType } from './types.js';

const SAMPLE: Record<TensorDataType, unknown[]> = {
  BOOL: [true, false],
  UINT8: [0, 255],
  UINT16: [1, 65535],
  UINT32: [2, 4294967295],
  UINT64: [3, '18446744073709551615'],
  INT8: [-128, 127],
  INT16: [-5, 5],
  INT32: [-7, 7],
  INT64: [-9, '9223372036854775807'],
  FP16: [0.5, -2],
  FP32: [0.5, -3.5],
  FP64: [0.1, 1e300],
  BYTES: ['a', ''],
};

describe('tensors from JSON values', () => {
  it.each(TENSOR_DATATYPES)('round-trips %s through JSON values and raw bytes', (dt) => {
    const t = tensorFromValues({ name: 'x', datatype: dt, shape: [2] }, SAMPLE[dt], 'data');
    const back = tensorFromBytes({ name: 'x', datatype: dt, shape: [2] }, tensorBytes(t), 'data');
    expect(back.data).toEqual(t.data);
    const values = tensorValues(t);
    expect(values).toHaveLength(2);
    if (dt === 'BOOL') expect(values).toEqual([true, false]);
    if (dt === 'FP32' || dt === 'FP16') expect(values).toEqual([SAMPLE[dt][0], SAMPLE[dt][1]]);
  });

  it('reads the shape off regular nesting and keeps row-major order', () => {
    const t = tensorFromValues(
      { name: 'x', datatype: 'FP32' },
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      'instances',
    );
    expect(t.shape).toEqual([2, 3]);
    expect(Array.from(t.data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(tensorNested(t)).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
  });

  it('gives the same tensor on the fast path as through the general walk', () => {
    // Flat numbers take the fast path; the same values with one "NaN" string take the general walk.
    const fast = tensorFromValues({ name: 'x', datatype: 'FP64', shape: [2, 2] }, [1, 2, 3, 4], 'data');
    const general = tensorFromValues(
      { name: 'x', datatype: 'FP64', shape: [2, 2] },
      [
        [1, 2],
        [3, 'NaN'],
      ],
      'data',
    );
    expect(Array.from(fast.data as Float64Array).slice(0, 3)).toEqual(
      Array.from(general.data as Float64Array).slice(0, 3),
    );
    expect(Number.isNaN((general.data as Float64Array)[3])).toBe(true);
    expect(hasNonFinite(general)).toBe(true);
    expect(hasNonFinite(fast)).toBe(false);
  });

  it('names the element, the expected type and what arrived', () => {
    expect(() => tensorFromValues({ name: 'x', datatype: 'FP32' }, [[1, 'abc']], 'instances')).toThrow(
      "Invalid value for 'instances[1]': expected FP32 values, got 'abc'",
    );
    expect(() => tensorFromValues({ name: 'x', datatype: 'INT8', shape: [1] }, [300], 'data')).toThrow(
      /INT8 values/,
    );
    expect(() => tensorFromValues({ name: 'x', datatype: 'FP32' }, [[1, 2], [3]], 'instances')).toThrow(
      /ragged/,
    );
    expect(() => tensorFromValues({ name: 'x', datatype: 'FP32', shape: [3] }, [1, 2], 'data')).toThrow(
      /3 elements for shape \[3\]/,
    );
  });

  it('refuses shapes that would allocate without bound', () => {
    expect(() => checkShape([1e9, 64], 'shape')).toThrow(/at most/);
    expect(() => checkShape([-1, 2], 'shape')).toThrow(/non-negative integer/);
    expect(() => checkShape('3', 'shape')).toThrow(/array/);
  });

  it('refuses nesting deeper than 16 levels', () => {
    let deep: unknown = 1;
    for (let k = 0; k < 40; k++) deep = [deep];
    expect(() => tensorFromValues({ name: 'x', datatype: 'FP32' }, deep, 'instances')).toThrow(/16 levels/);
  });
});

describe('half precision', () => {
  it('converts exactly representable values both ways', () => {
    for (const v of [0, 1, -2, 0.5, 65504, 2 ** -14, 2 ** -24]) expect(halfToFloat(floatToHalf(v))).toBe(v);
    expect(halfToFloat(floatToHalf(Infinity))).toBe(Infinity);
    expect(Number.isNaN(halfToFloat(floatToHalf(Number.NaN)))).toBe(true);
    expect(halfToFloat(floatToHalf(1e6))).toBe(Infinity);
  });

  it('rounds to the nearest half', () => {
    expect(halfToFloat(floatToHalf(0.1))).toBeCloseTo(0.1, 3);
    expect(halfToFloat(floatToHalf(1 + 2 ** -11))).toBe(1); // a tie rounds to even
  });
});
