/**
 * Reads a model signature (input/output names, dtypes, shapes) out of an ONNX `ModelProto`.
 *
 * Only the handful of fields needed are declared (field numbers from onnx/onnx.proto); protobufjs
 * skips everything else — nodes, weight data, metadata — without copying it. Nothing in the file is
 * ever executed: this is a plain protobuf decode.
 */
import protobuf from 'protobufjs';
import { SlipwayError } from '../../core/errors.js';
import type { ModelSignature, TensorDtype, TensorSpec } from '../types.js';

const onnxRoot = protobuf.Root.fromJSON({
  nested: {
    onnx: {
      nested: {
        ModelProto: { fields: { graph: { type: 'GraphProto', id: 7 } } },
        GraphProto: {
          fields: {
            initializer: { rule: 'repeated', type: 'TensorProto', id: 5 },
            input: { rule: 'repeated', type: 'ValueInfoProto', id: 11 },
            output: { rule: 'repeated', type: 'ValueInfoProto', id: 12 },
          },
        },
        TensorProto: { fields: { name: { type: 'string', id: 8 } } },
        ValueInfoProto: {
          fields: { name: { type: 'string', id: 1 }, type: { type: 'TypeProto', id: 2 } },
        },
        TypeProto: {
          fields: {
            tensor_type: { type: 'Tensor', id: 1 },
            // Declared as bytes only to tell these kinds apart in messages; their content is not read.
            sequence_type: { type: 'bytes', id: 4 },
            map_type: { type: 'bytes', id: 5 },
            sparse_tensor_type: { type: 'bytes', id: 8 },
            optional_type: { type: 'bytes', id: 9 },
          },
          nested: {
            Tensor: {
              fields: {
                elem_type: { type: 'int32', id: 1 },
                shape: { type: 'TensorShapeProto', id: 2 },
              },
            },
          },
        },
        TensorShapeProto: {
          fields: { dim: { rule: 'repeated', type: 'Dimension', id: 1 } },
          nested: {
            Dimension: {
              fields: { dim_value: { type: 'int64', id: 1 }, dim_param: { type: 'string', id: 2 } },
            },
          },
        },
      },
    },
  },
});
const ModelProto = onnxRoot.lookupType('onnx.ModelProto');

/** ONNX `TensorProto.DataType` → Slipway dtype; the others (complex, float8, int4…) are unsupported. */
const ONNX_DTYPES: Record<number, TensorDtype> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
  16: 'bfloat16',
};

/** Names of the unsupported ONNX element types, for error messages only. */
const UNSUPPORTED_DTYPES: Record<number, string> = {
  0: 'undefined',
  14: 'complex64',
  15: 'complex128',
  17: 'float8e4m3fn',
  18: 'float8e4m3fnuz',
  19: 'float8e5m2',
  20: 'float8e5m2fnuz',
  21: 'uint4',
  22: 'int4',
  23: 'float4e2m1',
};

// Shapes of the decoded messages as `toObject` returns them (longs as strings, absent fields omitted).
interface DecodedDim {
  dim_value?: string;
  dim_param?: string;
}
interface DecodedType {
  tensor_type?: { elem_type?: number; shape?: { dim?: DecodedDim[] } };
}
interface DecodedValueInfo {
  name?: string;
  type?: DecodedType;
}
interface DecodedGraph {
  initializer?: { name?: string }[];
  input?: DecodedValueInfo[];
  output?: DecodedValueInfo[];
}

/**
 * The signature of an ONNX model, decoded from the model file's bytes.
 *
 * - Graph inputs that are also initializers are weights, not model inputs (exporters before ONNX IR 4
 *   listed every weight as an input), so they are left out.
 * - A dimension with a symbolic name (`dim_param`, e.g. `"N"`) or no value is `-1`.
 * - A tensor whose shape is not recorded at all (unknown rank) gets `shape: []`.
 * - Non-tensor values (sequences, maps, optionals, sparse tensors — e.g. the `ZipMap` output of
 *   scikit-learn classifiers) are left out: a `TensorSpec` cannot describe them.
 *
 * @throws SlipwayError `INVALID_PARAMETER_VALUE` when the bytes are not an ONNX model, or a tensor's
 *   element type has no Slipway dtype (complex, float8, int4…).
 *
 * @example
 * const sig = readOnnxSignature(await readFile('model.onnx'));
 * // { inputs: [{ name: 'input', dtype: 'float32', shape: [-1, 20] }], outputs: [...] }
 */
export function readOnnxSignature(bytes: Uint8Array): ModelSignature {
  const graph = decodeGraph(bytes);
  const weights = new Set((graph.initializer ?? []).map((t) => t.name ?? ''));
  const inputs = (graph.input ?? []).filter((v) => !weights.has(v.name ?? ''));
  return {
    inputs: toSpecs(inputs, 'input'),
    outputs: toSpecs(graph.output ?? [], 'output'),
  };
}

function decodeGraph(bytes: Uint8Array): DecodedGraph {
  let decoded: { graph?: DecodedGraph };
  try {
    const message = ModelProto.decode(bytes);
    decoded = ModelProto.toObject(message, { longs: String }) as { graph?: DecodedGraph };
  } catch (err) {
    // protobufjs throws on truncated or malformed wire data (and RangeError on absurd nesting).
    throw notOnnx(`it is not a valid protobuf message (${err instanceof Error ? err.message : String(err)})`);
  }
  // Arbitrary bytes sometimes decode as a protobuf message that simply lacks the fields we want.
  if (!decoded.graph) throw notOnnx('it has no graph (field 7 of ModelProto)');
  return decoded.graph;
}

function toSpecs(values: DecodedValueInfo[], role: 'input' | 'output'): TensorSpec[] {
  const specs: TensorSpec[] = [];
  for (const value of values) {
    const name = value.name ?? '';
    if (!value.type) throw notOnnx(`its graph ${role} '${name}' has no type`);
    const tensor = value.type.tensor_type;
    if (!tensor) continue; // sequence / map / optional / sparse: not describable as a TensorSpec
    specs.push({
      name,
      dtype: toDtype(tensor.elem_type ?? 0, name, role),
      shape: toShape(tensor.shape?.dim),
    });
  }
  return specs;
}

function toDtype(elemType: number, name: string, role: string): TensorDtype {
  const dtype = ONNX_DTYPES[elemType];
  if (dtype) return dtype;
  const known = UNSUPPORTED_DTYPES[elemType];
  throw new SlipwayError(
    'INVALID_PARAMETER_VALUE',
    `ONNX model ${role} '${name}' has element type ${elemType}${known ? ` (${known})` : ''}, which Slipway does not support`,
    { tensor: name, role, elemType },
  );
}

function toShape(dims: DecodedDim[] | undefined): number[] {
  if (!dims) return [];
  return dims.map((dim) => {
    if (dim.dim_param || dim.dim_value === undefined) return -1;
    const value = Number(dim.dim_value);
    return Number.isSafeInteger(value) && value >= 0 ? value : -1;
  });
}

function notOnnx(why: string): SlipwayError {
  return new SlipwayError('INVALID_PARAMETER_VALUE', `Not an ONNX model: ${why}`, { format: 'onnx' });
}
