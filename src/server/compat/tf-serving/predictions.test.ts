import { describe, expect, it } from 'vitest';
import type { SlipwayError } from '../../../core/errors.js';
import type { Tensor } from '../../../serving/types.js';
import { columnOutputs, rowPredictions } from './predictions.js';

const y: Tensor = { name: 'y', datatype: 'FP32', shape: [2, 1], data: new Float32Array([14.5, 1]) };
const s: Tensor = { name: 's', datatype: 'BYTES', shape: [2, 1], data: ['hé', 'x'] };
const flag: Tensor = { name: 'flag', datatype: 'BOOL', shape: [2], data: new Uint8Array([1, 0]) };

describe('rowPredictions', () => {
  it('lists the rows of a single output', () => {
    expect(rowPredictions([y], 'b64')).toEqual([[14.5], [1]]);
  });

  it('gives one object of output name → row per row for several outputs', () => {
    expect(rowPredictions([y, flag], 'b64')).toEqual([
      { y: [14.5], flag: true },
      { y: [1], flag: false },
    ]);
  });

  it('writes BYTES as {"b64"} for TF Serving and as text for TorchServe', () => {
    expect(rowPredictions([s], 'b64')).toEqual([
      [{ b64: Buffer.from('hé').toString('base64') }],
      [{ b64: 'eA==' }],
    ]);
    expect(rowPredictions([s], 'text')).toEqual([['hé'], ['x']]);
  });

  it('refuses to split outputs whose first dimensions differ into rows', () => {
    const other: Tensor = { name: 'z', datatype: 'FP32', shape: [3], data: new Float32Array(3) };
    expect(() => rowPredictions([y, other], 'b64')).toThrow(
      expect.objectContaining({ code: 'BAD_REQUEST' }) as unknown as SlipwayError,
    );
  });
});

describe('columnOutputs', () => {
  it('gives the value of a single output and an object for several', () => {
    expect(columnOutputs([y], 'b64')).toEqual([[14.5], [1]]);
    expect(columnOutputs([y, flag], 'b64')).toEqual({ y: [[14.5], [1]], flag: [true, false] });
  });
});
