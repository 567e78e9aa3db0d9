/**
 * Reads the parts of an MLflow `MLmodel` file (YAML) that Slipway needs: the model signature and the
 * flavors. MLflow stores `signature.inputs` / `signature.outputs` as JSON strings inside the YAML.
 */
import { parse } from 'yaml';
import { describe, SlipwayError } from '../../core/errors.js';
import type { ModelSignature, TensorDtype, TensorSpec } from '../types.js';

/** What an `MLmodel` file says about how the model can be loaded. */
export interface MlmodelFlavors {
  /** Flavor names in file order, e.g. `['onnx', 'python_function']`. */
  flavors: string[];
  /** The onnx flavor's `data` file, relative to the MLmodel's folder (e.g. `model.onnx`); null without one. */
  onnxData: string | null;
}

/** MLflow column types (`mlflow.types.DataType`) → dtype; each column becomes a `[-1]` tensor. */
const COLUMN_DTYPES: Record<string, TensorDtype> = {
  double: 'float64',
  float: 'float32',
  long: 'int64',
  integer: 'int32',
  boolean: 'bool',
  string: 'string',
  binary: 'string',
  datetime: 'int64',
};

/** numpy dtype names as MLflow writes them in `tensor-spec.dtype` → dtype. */
const NUMPY_DTYPES: Record<string, TensorDtype> = {
  float16: 'float16',
  float32: 'float32',
  float64: 'float64',
  int8: 'int8',
  int16: 'int16',
  int32: 'int32',
  int64: 'int64',
  uint8: 'uint8',
  uint16: 'uint16',
  uint32: 'uint32',
  uint64: 'uint64',
  bool: 'bool',
  object: 'string',
  str: 'string',
  bytes: 'string',
};

/**
 * The model signature recorded in an MLflow `MLmodel` file, or null when the file has none.
 *
 * Tensor-based entries (`{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 4]}}`)
 * keep their dtype and shape; column-based entries (`{"name": "a", "type": "double"}`) each become a
 * tensor of shape `[-1]`. An entry without a name (MLflow allows positional columns) is named by its
 * position (`"0"`, `"1"`, …).
 *
 * @throws SlipwayError `INVALID_PARAMETER_VALUE` when the YAML or the signature JSON is malformed, or
 *   uses a type a `TensorSpec` cannot describe (arrays, objects, maps, `any`).
 *
 * @example
 * readMlmodelSignature(await readFile('model/MLmodel', 'utf8'));
 * // { inputs: [{ name: 'input', dtype: 'float32', shape: [-1, 20] }], outputs: [...] }
 */
export function readMlmodelSignature(yamlText: string): ModelSignature | null {
  const signature = parseMlmodel(yamlText)['signature'];
  if (signature === undefined || signature === null) return null;
  if (!isRecord(signature)) throw invalid('signature', 'a mapping', signature);
  return {
    inputs: toSpecs(signature['inputs'], 'signature.inputs'),
    outputs: toSpecs(signature['outputs'], 'signature.outputs'),
  };
}

/**
 * The flavors an MLflow `MLmodel` file declares and, for the onnx flavor, its model file.
 *
 * @throws SlipwayError `INVALID_PARAMETER_VALUE` when the YAML is malformed.
 *
 * @example
 * readMlmodelFlavors(text); // { flavors: ['onnx', 'python_function'], onnxData: 'model.onnx' }
 */
export function readMlmodelFlavors(yamlText: string): MlmodelFlavors {
  const flavors = parseMlmodel(yamlText)['flavors'];
  if (!isRecord(flavors)) return { flavors: [], onnxData: null };
  const onnx = flavors['onnx'];
  const data = isRecord(onnx) ? onnx['data'] : undefined;
  return { flavors: Object.keys(flavors), onnxData: typeof data === 'string' && data !== '' ? data : null };
}

function parseMlmodel(yamlText: string): Record<string, unknown> {
  let doc: unknown;
  try {
    // `yaml` only builds plain data: unknown tags (e.g. `!!python/object`) stay strings, never code.
    // logLevel 'error': throw on errors, but do not emit process warnings for unknown tags.
    doc = parse(yamlText, { maxAliasCount: 100, logLevel: 'error' });
  } catch (err) {
    throw new SlipwayError(
      'INVALID_PARAMETER_VALUE',
      `MLmodel is not valid YAML: ${err instanceof Error ? err.message : String(err)}`,
      { file: 'MLmodel' },
    );
  }
  if (doc === null || doc === undefined) return {};
  if (!isRecord(doc)) throw invalid('MLmodel', 'a YAML mapping', doc);
  return doc;
}

function toSpecs(raw: unknown, field: string): TensorSpec[] {
  if (raw === undefined || raw === null) return [];
  let entries: unknown = raw;
  if (typeof raw === 'string') {
    try {
      entries = JSON.parse(raw);
    } catch {
      throw invalid(field, 'a JSON list of column or tensor specs', raw);
    }
  }
  if (!Array.isArray(entries)) throw invalid(field, 'a JSON list of column or tensor specs', entries);
  return entries.map((entry, i) => toSpec(entry, `${field}[${i}]`, i));
}

function toSpec(entry: unknown, field: string, index: number): TensorSpec {
  if (!isRecord(entry)) throw invalid(field, 'an object', entry);
  const name = typeof entry['name'] === 'string' ? entry['name'] : String(index);
  const type = entry['type'];
  if (type === 'tensor') {
    const spec = entry['tensor-spec'];
    if (!isRecord(spec)) throw invalid(`${field}.tensor-spec`, 'an object', spec);
    return {
      name,
      dtype: numpyDtype(spec['dtype'], `${field}.tensor-spec.dtype`),
      shape: toShape(spec['shape'], field),
    };
  }
  const dtype = typeof type === 'string' ? COLUMN_DTYPES[type] : undefined;
  if (!dtype)
    throw invalid(`${field}.type`, `'tensor' or one of ${Object.keys(COLUMN_DTYPES).join(', ')}`, type);
  return { name, dtype, shape: [-1] };
}

function numpyDtype(raw: unknown, field: string): TensorDtype {
  if (typeof raw !== 'string') throw invalid(field, 'a numpy dtype name', raw);
  const dtype = NUMPY_DTYPES[raw];
  if (dtype) return dtype;
  // numpy's fixed-width string dtypes: `<U5`, `|S10`, `<U0`…
  if (/^[<>|=]?[US]\d*$/.test(raw)) return 'string';
  throw invalid(field, 'a numpy dtype name', raw);
}

function toShape(raw: unknown, field: string): number[] {
  if (!Array.isArray(raw) || !raw.every((d) => Number.isInteger(d) && d >= -1)) {
    throw invalid(`${field}.tensor-spec.shape`, 'a list of integers (-1 for a dynamic dimension)', raw);
  }
  return raw as number[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(field: string, expected: string, got: unknown): SlipwayError {
  return new SlipwayError(
    'INVALID_PARAMETER_VALUE',
    `Invalid MLmodel: '${field}' should be ${expected}, got ${describe(got)}`,
    { file: 'MLmodel', field, expected, got: describe(got) },
  );
}
