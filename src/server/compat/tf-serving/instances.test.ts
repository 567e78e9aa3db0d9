import { describe, expect, it } from 'vitest';
import type { SlipwayError } from '../../../core/errors.js';
import type { ModelSignature, Tensor } from '../../../serving/types.js';
import { tensorsFromColumns, tensorsFromInstances } from './instances.js';

const single: ModelSignature = {
  inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 3] }],
  outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 1] }],
};
const multi: ModelSignature = {
  inputs: [
    { name: 'a', datatype: 'INT64', shape: [-1, 2] },
    { name: 's', datatype: 'BYTES', shape: [-1, 2] },
  ],
  outputs: [],
};
const bytes: ModelSignature = { inputs: [{ name: 's', datatype: 'BYTES', shape: [-1] }], outputs: [] };

const b64 = (s: string) => ({ b64: Buffer.from(s).toString('base64') });
const plain = (t: Tensor) => ({
  name: t.name,
  datatype: t.datatype,
  shape: t.shape,
  data: Array.from(t.data as ArrayLike<unknown>),
});

function errorOf(f: () => unknown): SlipwayError {
  try {
    f();
  } catch (err) {
    return err as SlipwayError;
  }
  throw new Error('expected an error');
}

describe('tensorsFromInstances (row format)', () => {
  it('stacks the rows of a single-input model along a new first dimension', () => {
    const [x] = tensorsFromInstances(single, [
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(plain(x)).toEqual({ name: 'x', datatype: 'FP32', shape: [2, 3], data: [1, 2, 3, 4, 5, 6] });
    expect(x.data).toBeInstanceOf(Float32Array);
  });

  it('takes named instances, also for a single-input model', () => {
    const [x] = tensorsFromInstances(single, [{ x: [1, 2, 3] }]);
    expect(x.shape).toEqual([1, 3]);
    const [a, s] = tensorsFromInstances(multi, [
      { a: [1, 2], s: ['p', 'q'] },
      { s: ['r', b64('z')], a: [3, 4] },
    ]);
    expect(plain(a)).toEqual({ name: 'a', datatype: 'INT64', shape: [2, 2], data: [1n, 2n, 3n, 4n] });
    expect(plain(s)).toEqual({ name: 's', datatype: 'BYTES', shape: [2, 2], data: ['p', 'q', 'r', 'z'] });
  });

  it('decodes {"b64": ...} values of a BYTES input', () => {
    const [s] = tensorsFromInstances(bytes, [b64('héllo'), 'plain', b64('\u0000x')]);
    expect(s.data).toEqual(['héllo', 'plain', '\u0000x']);
  });

  it('names the instance and element that has the wrong type', () => {
    const e = errorOf(() =>
      tensorsFromInstances(single, [
        [1, 2, 3],
        [4, 'five', 6],
      ]),
    );
    expect(e.code).toBe('INVALID_PARAMETER_VALUE');
    expect(e.message).toBe("Invalid value for 'instances[1][1]': expected a value of type FP32, got 'five'");
    const named = errorOf(() => tensorsFromInstances(multi, [{ a: [1, 2.5], s: ['p', 'q'] }]));
    expect(named.message).toBe(
      "Invalid value for 'instances[0].a[1]': expected a value of type INT64, got 2.5",
    );
  });

  it('names the instance that breaks a ragged list', () => {
    const e = errorOf(() => tensorsFromInstances(single, [[1, 2, 3], [4, 5], [6]]));
    expect(e.message).toBe(
      "Invalid value for 'instances[1]': expected an array of 3, like the first, got an array of 2",
    );
    const deeper = errorOf(() =>
      tensorsFromInstances(single, [
        [1, 2, 3],
        [4, [5], 6],
      ]),
    );
    expect(deeper.message).toBe(
      "Invalid value for 'instances[1][1]': expected a value of type FP32, like the first, got an array of 1",
    );
    const named = errorOf(() =>
      tensorsFromInstances(multi, [
        { a: [1, 2], s: ['p', 'q'] },
        { a: [3], s: ['r', 's'] },
      ]),
    );
    expect(named.message).toContain("'instances[1].a'");
  });

  it('names an unknown or a missing input', () => {
    expect(errorOf(() => tensorsFromInstances(multi, [{ a: [1, 2], s: ['p', 'q'], z: 1 }])).message).toBe(
      "Invalid value for 'instances[0].z': expected one of the model's inputs (a, s), got 'z'",
    );
    expect(
      errorOf(() => tensorsFromInstances(multi, [{ a: [1, 2], s: ['p', 'q'] }, { a: [1, 2] }])).message,
    ).toBe("Invalid value for 'instances[1].s': expected BYTES [-1,2], got nothing");
  });

  it('asks multi-input models for named instances', () => {
    expect(errorOf(() => tensorsFromInstances(multi, [[1, 2]])).message).toBe(
      "Invalid value for 'instances[0]': expected an object of named inputs (a, s), got an array of 2",
    );
    expect(errorOf(() => tensorsFromInstances(multi, [{ a: [1, 2], s: ['p', 'q'] }, [1]])).message).toContain(
      "'instances[1]'",
    );
  });

  it('refuses an empty or non-list "instances"', () => {
    expect(errorOf(() => tensorsFromInstances(single, [])).message).toContain(
      'a non-empty list of instances',
    );
    expect(errorOf(() => tensorsFromInstances(single, { x: 1 })).message).toContain("'instances'");
  });

  it('names a b64 value that is not base64', () => {
    expect(errorOf(() => tensorsFromInstances(bytes, ['ok', { b64: 'not base64!' }])).message).toBe(
      "Invalid value for 'instances[1].b64': expected base64 text, got 'not base64!'",
    );
  });
});

describe('tensorsFromColumns (columnar format)', () => {
  it('keeps the shape a single-input value is sent in', () => {
    const [x] = tensorsFromColumns(single, [[1, 2, 3]]);
    expect(x.shape).toEqual([1, 3]);
    expect(tensorsFromColumns(bytes, b64('one'))[0]).toMatchObject({ shape: [], data: ['one'] });
  });

  it('takes an object of named inputs', () => {
    const [a, s] = tensorsFromColumns(multi, { s: [[b64('u'), 'v']], a: [[7, 8]] });
    expect(plain(a)).toMatchObject({ shape: [1, 2], data: [7n, 8n] });
    expect(plain(s)).toMatchObject({ shape: [1, 2], data: ['u', 'v'] });
  });

  it('names the input and element that is wrong', () => {
    expect(errorOf(() => tensorsFromColumns(multi, { a: [[1, true]], s: [['p', 'q']] })).message).toBe(
      "Invalid value for 'inputs.a[0][1]': expected a value of type INT64, got true",
    );
    expect(errorOf(() => tensorsFromColumns(single, [[1, 2, 3], [4]])).message).toBe(
      "Invalid value for 'inputs[1]': expected an array of 3, like the first, got an array of 1",
    );
    expect(errorOf(() => tensorsFromColumns(multi, { a: [[1, 2]] })).message).toBe(
      "Invalid value for 'inputs.s': expected BYTES [-1,2], got nothing",
    );
    expect(errorOf(() => tensorsFromColumns(single, { y: [[1, 2, 3]] })).message).toContain("'inputs.y'");
    expect(errorOf(() => tensorsFromColumns(multi, [[1, 2]])).message).toContain('an object of named inputs');
  });
});
