import { describe, expect, it } from 'vitest';
import type { ServableVersion } from '../tf-serving/instances.js';
import { tensorsFromTorchServeBody } from './body.js';

const version = (inputs: ServableVersion['signature']['inputs'], maxBatchSize = 8): ServableVersion => ({
  name: 'm',
  version: '1',
  state: 'READY',
  signature: { inputs, outputs: [] },
  config: { maxBatchSize } as ServableVersion['config'],
});
const single = version([{ name: 'x', datatype: 'FP32', shape: [-1, 3] }]);
const multi = version([
  { name: 'a', datatype: 'INT32', shape: [-1, 2] },
  { name: 'b', datatype: 'BYTES', shape: [-1] },
]);
const fixed = version([{ name: 'x', datatype: 'FP32', shape: [2, 2] }], 0);

const shapes = (body: unknown, v = single) =>
  tensorsFromTorchServeBody(v, body).map((t) => ({
    [t.name]: t.shape,
    data: Array.from(t.data as ArrayLike<unknown>),
  }));

describe('tensorsFromTorchServeBody', () => {
  it('takes a bare list of rows, or a single row', () => {
    expect(
      shapes([
        [1, 2, 3],
        [4, 5, 6],
      ]),
    ).toEqual([{ x: [2, 3], data: [1, 2, 3, 4, 5, 6] }]);
    expect(shapes([1, 2, 3])).toEqual([{ x: [1, 3], data: [1, 2, 3] }]);
  });

  it('takes rows or a row under "data", and KServe-style instances or inputs', () => {
    expect(shapes({ data: [[1, 2, 3]] })).toEqual([{ x: [1, 3], data: [1, 2, 3] }]);
    expect(shapes({ data: [1, 2, 3] })).toEqual([{ x: [1, 3], data: [1, 2, 3] }]);
    expect(shapes({ instances: [[1, 2, 3]] })).toEqual([{ x: [1, 3], data: [1, 2, 3] }]);
    expect(shapes({ inputs: [[1, 2, 3]] })).toEqual([{ x: [1, 3], data: [1, 2, 3] }]);
  });

  it('takes named rows, or one named row, for a multi-input model', () => {
    expect(
      shapes(
        [
          { a: [1, 2], b: 'p' },
          { a: [3, 4], b: { b64: 'cQ==' } },
        ],
        multi,
      ),
    ).toEqual([
      { a: [2, 2], data: [1, 2, 3, 4] },
      { b: [2], data: ['p', 'q'] },
    ]);
    expect(shapes({ a: [1, 2], b: 'p' }, multi)).toEqual([
      { a: [1, 2], data: [1, 2] },
      { b: [1], data: ['p'] },
    ]);
    expect(shapes({ data: { a: [1, 2], b: 'p' } }, multi)).toEqual([
      { a: [1, 2], data: [1, 2] },
      { b: [1], data: ['p'] },
    ]);
  });

  it('sends the body of a model without a batch dimension as it is shaped', () => {
    expect(
      shapes(
        [
          [1, 2],
          [3, 4],
        ],
        fixed,
      ),
    ).toEqual([{ x: [2, 2], data: [1, 2, 3, 4] }]);
  });

  it('names the field that is wrong', () => {
    expect(() =>
      shapes([
        [1, 2, 3],
        [4, 'x', 6],
      ]),
    ).toThrow("Invalid value for 'body[1][1]'");
    expect(() => shapes({ data: [1, 'x', 3] })).toThrow("Invalid value for 'data[1]'");
    expect(() => shapes({ a: [1, 2], c: 1 }, multi)).toThrow("Invalid value for 'body.c'");
    expect(() => shapes({ instances: [{ a: [1, 2] }] }, multi)).toThrow("Invalid value for 'instances[0].b'");
  });
});
