import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SlipwayError } from '../../core/errors.js';
import { readMlmodelFlavors, readMlmodelSignature } from './mlmodel-signature.js';

const mlflowOnnxMlmodel = readFileSync(
  new URL('../../../test/fixtures/models/mlflow_onnx_model/MLmodel', import.meta.url),
  'utf8',
);

/** An MLmodel as MLflow writes it for a scikit-learn model logged with a DataFrame signature. */
const columnBased = `artifact_path: model
flavors:
  python_function:
    loader_module: mlflow.sklearn
    model_path: model.pkl
  sklearn:
    pickled_model: model.pkl
    sklearn_version: 1.5.2
mlflow_version: 2.17.2
signature:
  inputs: '[{"type": "double", "name": "sepal_length", "required": true}, {"type": "float",
    "name": "f", "required": true}, {"type": "long", "name": "l", "required": true}, {"type":
    "integer", "name": "i", "required": true}, {"type": "boolean", "name": "b", "required": true},
    {"type": "string", "name": "s", "required": true}, {"type": "binary", "name": "raw", "required":
    true}, {"type": "datetime", "name": "at", "required": true}]'
  outputs: '[{"type": "long", "required": true}]'
  params: null
`;

function errorOf(run: () => unknown): SlipwayError {
  try {
    run();
  } catch (err) {
    if (err instanceof SlipwayError) return err;
    throw err;
  }
  throw new Error('expected an error');
}

describe('readMlmodelSignature', () => {
  it('reads a tensor-based signature as mlflow.onnx.log_model writes it', () => {
    expect(readMlmodelSignature(mlflowOnnxMlmodel)).toEqual({
      inputs: [{ name: 'input', dtype: 'float32', shape: [-1, 20] }],
      outputs: [{ name: 'probability', dtype: 'float32', shape: [-1, 1] }],
    });
  });

  it('turns each column of a column-based signature into a [-1] tensor with the mapped dtype', () => {
    expect(readMlmodelSignature(columnBased)).toEqual({
      inputs: [
        { name: 'sepal_length', dtype: 'float64', shape: [-1] },
        { name: 'f', dtype: 'float32', shape: [-1] },
        { name: 'l', dtype: 'int64', shape: [-1] },
        { name: 'i', dtype: 'int32', shape: [-1] },
        { name: 'b', dtype: 'bool', shape: [-1] },
        { name: 's', dtype: 'string', shape: [-1] },
        { name: 'raw', dtype: 'string', shape: [-1] },
        { name: 'at', dtype: 'int64', shape: [-1] },
      ],
      outputs: [{ name: '0', dtype: 'int64', shape: [-1] }],
    });
  });

  it('reads numpy string and object dtypes of tensors as string', () => {
    const text = `signature:
  inputs: '[{"name": "a", "type": "tensor", "tensor-spec": {"dtype": "<U0", "shape": [-1]}},
    {"name": "b", "type": "tensor", "tensor-spec": {"dtype": "object", "shape": [-1, 2]}}]'
`;
    expect(readMlmodelSignature(text)?.inputs.map((s) => s.dtype)).toEqual(['string', 'string']);
  });

  it('returns an empty outputs list when the signature records only inputs', () => {
    const text = `signature:\n  inputs: '[{"name": "a", "type": "long"}]'\n`;
    expect(readMlmodelSignature(text)).toEqual({
      inputs: [{ name: 'a', dtype: 'int64', shape: [-1] }],
      outputs: [],
    });
  });

  it('returns null when the MLmodel has no signature', () => {
    expect(
      readMlmodelSignature('artifact_path: model\nflavors:\n  onnx:\n    data: model.onnx\n'),
    ).toBeNull();
    expect(readMlmodelSignature('')).toBeNull();
  });

  it.each([
    ['YAML that does not parse', 'signature: [unclosed\n', /not valid YAML/],
    ['inputs that are not JSON', "signature:\n  inputs: '[{oops'\n", /signature\.inputs/],
    [
      'a column type TensorSpec cannot describe',
      `signature:\n  inputs: '[{"type": "array", "items": {"type": "long"}}]'\n`,
      /signature\.inputs\[0\]\.type/,
    ],
    [
      'a tensor shape that is not a list of integers',
      `signature:\n  outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "int8", "shape": "(2,)"}}]'\n`,
      /shape/,
    ],
    [
      'an unknown numpy dtype',
      `signature:\n  outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "complex64", "shape": [1]}}]'\n`,
      /dtype/,
    ],
  ])('rejects %s with INVALID_PARAMETER_VALUE', (_what, text, message) => {
    const err = errorOf(() => readMlmodelSignature(text));
    expect(err.code).toBe('INVALID_PARAMETER_VALUE');
    expect(err.message).toMatch(message);
  });

  it('treats Python-specific YAML tags as plain data, never as code', () => {
    const text = 'signature: !!python/object/apply:os.system ["echo hi"]\n';
    expect(() => readMlmodelSignature(text)).toThrow(SlipwayError);
  });
});

describe('readMlmodelFlavors', () => {
  it('lists the flavors and the onnx flavor data file', () => {
    expect(readMlmodelFlavors(mlflowOnnxMlmodel)).toEqual({
      flavors: ['onnx', 'python_function'],
      onnxData: 'model.onnx',
    });
  });

  it('gives a null onnx data file for a model without the onnx flavor', () => {
    expect(readMlmodelFlavors(columnBased)).toEqual({
      flavors: ['python_function', 'sklearn'],
      onnxData: null,
    });
  });

  it('gives no flavors when the MLmodel declares none', () => {
    expect(readMlmodelFlavors('artifact_path: model\n')).toEqual({ flavors: [], onnxData: null });
  });
});
