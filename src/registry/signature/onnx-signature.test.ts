import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { SlipwayError } from '../../core/errors.js';
import { readOnnxSignature } from './onnx-signature.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../../../test/fixtures/models/${name}`, import.meta.url));

// Hand-encoded ModelProto pieces, for cases the checked-in fixtures do not cover.
function message(build: (w: protobuf.Writer) => void): Uint8Array {
  const w = protobuf.Writer.create();
  build(w);
  return w.finish();
}
const sub = (w: protobuf.Writer, id: number, bytes: Uint8Array) => w.uint32((id << 3) | 2).bytes(bytes);
const str = (w: protobuf.Writer, id: number, s: string) => w.uint32((id << 3) | 2).string(s);

function tensorType(elemType: number, dims?: (number | string | null)[]): Uint8Array {
  const tensor = message((w) => {
    w.uint32(1 << 3).int32(elemType);
    if (dims) {
      const shape = message((s) => {
        for (const d of dims) {
          const dim = message((m) => {
            if (typeof d === 'number') m.uint32(1 << 3).int64(d);
            if (typeof d === 'string') str(m, 2, d);
          });
          sub(s, 1, dim);
        }
      });
      sub(w, 2, shape);
    }
  });
  return message((w) => sub(w, 1, tensor));
}
const sequenceType = () =>
  message((w) =>
    sub(
      w,
      4,
      message((s) => sub(s, 1, tensorType(1, [-1]))),
    ),
  );
const valueInfo = (name: string, type: Uint8Array) =>
  message((w) => {
    str(w, 1, name);
    sub(w, 2, type);
  });
function model(inputs: Uint8Array[], outputs: Uint8Array[]): Uint8Array {
  const graph = message((w) => {
    for (const i of inputs) sub(w, 11, i);
    for (const o of outputs) sub(w, 12, o);
  });
  return message((w) => {
    w.uint32(1 << 3).int64(8); // ir_version: an unknown field here, to be skipped
    sub(w, 7, graph);
  });
}

/** Deterministic noise (a linear congruential generator), so the test cannot flake. */
function noise(length: number, seed = 42): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

function errorOf(run: () => unknown): SlipwayError {
  try {
    run();
  } catch (err) {
    if (err instanceof SlipwayError) return err;
    throw err;
  }
  throw new Error('expected an error');
}

describe('readOnnxSignature', () => {
  it('reads the logistic regression fixture with its symbolic batch dimension as -1', () => {
    expect(readOnnxSignature(fixture('logreg.onnx'))).toEqual({
      inputs: [{ name: 'input', dtype: 'float32', shape: [-1, 20] }],
      outputs: [{ name: 'probability', dtype: 'float32', shape: [-1, 1] }],
    });
  });

  it('leaves out graph inputs that are initializers, as old exporters listed weights', () => {
    expect(readOnnxSignature(fixture('mlp.onnx'))).toEqual({
      inputs: [{ name: 'x', dtype: 'float32', shape: [-1, 64] }],
      outputs: [{ name: 'logits', dtype: 'float32', shape: [-1, 10] }],
    });
  });

  it('reads several inputs and outputs of different dtypes, an unknown dimension as -1', () => {
    expect(readOnnxSignature(fixture('multi_io.onnx'))).toEqual({
      inputs: [
        { name: 'ids', dtype: 'int64', shape: [-1, 3] },
        { name: 'text', dtype: 'string', shape: [-1] },
      ],
      outputs: [
        { name: 'ids_double', dtype: 'float64', shape: [-1, 3] },
        { name: 'text_copy', dtype: 'string', shape: [-1] },
      ],
    });
  });

  it('maps every supported ONNX element type to its dtype', () => {
    const types: [number, string][] = [
      [1, 'float32'],
      [2, 'uint8'],
      [3, 'int8'],
      [4, 'uint16'],
      [5, 'int16'],
      [6, 'int32'],
      [7, 'int64'],
      [8, 'string'],
      [9, 'bool'],
      [10, 'float16'],
      [11, 'float64'],
      [12, 'uint32'],
      [13, 'uint64'],
      [16, 'bfloat16'],
    ];
    const bytes = model(
      types.map(([t]) => valueInfo(`t${t}`, tensorType(t, [2]))),
      [],
    );
    expect(readOnnxSignature(bytes).inputs.map((s) => s.dtype)).toEqual(types.map(([, d]) => d));
  });

  it('gives a scalar and a tensor of unknown rank an empty shape', () => {
    const bytes = model([valueInfo('scalar', tensorType(1, [])), valueInfo('unranked', tensorType(1))], []);
    expect(readOnnxSignature(bytes).inputs.map((s) => s.shape)).toEqual([[], []]);
  });

  it('keeps a zero-sized dimension and prefers -1 when a dimension is symbolic', () => {
    const bytes = model([valueInfo('a', tensorType(1, [0, 'batch', null, 7]))], []);
    expect(readOnnxSignature(bytes).inputs[0].shape).toEqual([0, -1, -1, 7]);
  });

  it('leaves out outputs that are sequences or maps, which a TensorSpec cannot describe', () => {
    const bytes = model(
      [valueInfo('x', tensorType(1, [-1, 4]))],
      [valueInfo('label', tensorType(7, ['N'])), valueInfo('probabilities', sequenceType())],
    );
    expect(readOnnxSignature(bytes).outputs).toEqual([{ name: 'label', dtype: 'int64', shape: [-1] }]);
  });

  it('refuses an element type Slipway has no dtype for, naming the tensor and the type', () => {
    const err = errorOf(() => readOnnxSignature(model([valueInfo('z', tensorType(14, [2]))], [])));
    expect(err.code).toBe('INVALID_PARAMETER_VALUE');
    expect(err.message).toContain("'z'");
    expect(err.message).toContain('complex64');
  });

  it.each([
    ['empty bytes', new Uint8Array()],
    ['text', new TextEncoder().encode('this is not a model, just some words\n')],
    ['random bytes', noise(4096)],
    ['a truncated model', fixture('mlp.onnx').subarray(0, 5000)],
    ['an unterminated group', new Uint8Array(Array(100_000).fill(0x0b))],
  ])('rejects %s with INVALID_PARAMETER_VALUE instead of crashing', (_what, bytes) => {
    const err = errorOf(() => readOnnxSignature(bytes));
    expect(err.code).toBe('INVALID_PARAMETER_VALUE');
    expect(err.message).toMatch(/^Not an ONNX model: /);
  });
});
