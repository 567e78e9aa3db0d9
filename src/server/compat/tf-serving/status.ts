/**
 * TF Serving's model status (GetModelStatusResponse) and metadata (GetModelMetadataResponse) JSON,
 * from the engine's version status and ONNX signature.
 */
import type {
  ModelVersionState,
  ModelVersionStatus,
  TensorDataType,
  TensorSpec,
} from '../../../serving/types.js';
import type { ServableVersion } from './instances.js';

const STATE: Record<ModelVersionState, string> = {
  LOADING: 'LOADING',
  READY: 'AVAILABLE',
  UNLOADING: 'UNLOADING',
  UNAVAILABLE: 'END',
};

/** TensorFlow's DataType enum names of the V2 datatypes. */
export const TF_DTYPES: Record<TensorDataType, string> = {
  BOOL: 'DT_BOOL',
  UINT8: 'DT_UINT8',
  UINT16: 'DT_UINT16',
  UINT32: 'DT_UINT32',
  UINT64: 'DT_UINT64',
  INT8: 'DT_INT8',
  INT16: 'DT_INT16',
  INT32: 'DT_INT32',
  INT64: 'DT_INT64',
  FP16: 'DT_HALF',
  FP32: 'DT_FLOAT',
  FP64: 'DT_DOUBLE',
  BYTES: 'DT_STRING',
};

/** `{"model_version_status": [{version, state, status: {error_code, error_message}}]}` */
export function modelStatusJson(versions: ModelVersionStatus[]) {
  return {
    model_version_status: versions.map((v) => ({
      version: v.version,
      state: STATE[v.state],
      status:
        v.state === 'UNAVAILABLE' && v.reason
          ? { error_code: 'UNKNOWN', error_message: v.reason }
          : { error_code: 'OK', error_message: '' },
    })),
  };
}

function tensorInfo(spec: TensorSpec) {
  return {
    dtype: TF_DTYPES[spec.datatype],
    tensor_shape: {
      // proto3 JSON writes int64 as strings; -1 is TensorFlow's unknown dimension too.
      dim: spec.shape.map((d) => ({ size: String(d < 0 ? -1 : d), name: '' })),
      unknown_rank: false,
    },
    name: spec.name,
  };
}

function tensorMap(specs: TensorSpec[]) {
  const out: Record<string, ReturnType<typeof tensorInfo>> = {};
  for (const s of specs) out[s.name] = tensorInfo(s);
  return out;
}

/** GetModelMetadataResponse with the one `serving_default` signature an ONNX model has. */
export function modelMetadataJson(v: ServableVersion) {
  return {
    model_spec: { name: v.name, signature_name: '', version: v.version },
    metadata: {
      signature_def: {
        signature_def: {
          serving_default: {
            inputs: tensorMap(v.signature.inputs),
            outputs: tensorMap(v.signature.outputs),
            method_name: 'tensorflow/serving/predict',
          },
        },
      },
    },
  };
}
