/**
 * Renders an engine result as a V2 infer response: plain JSON, or (binary tensor extension) a JSON
 * header followed by the raw bytes of the outputs the caller asked to receive as binary.
 */
import { tensorBytes, tensorValues } from '../../../serving/tensor.js';
import type { InferenceResult, Tensor, TensorDataType } from '../../../serving/types.js';
import type { ParsedInferRequest } from './infer-request.js';

export interface V2ResponseOutput {
  name: string;
  datatype: TensorDataType;
  shape: number[];
  parameters?: { binary_data_size: number };
  data?: Array<number | boolean | string>;
}

export interface V2InferResponse {
  model_name: string;
  model_version: string;
  id: string;
  outputs: V2ResponseOutput[];
}

/** What the route sends: a JSON object, or bytes whose first `headerLength` bytes are the JSON header. */
export type RenderedInferResponse =
  | { binary: false; body: V2InferResponse }
  | { binary: true; body: Buffer; headerLength: number };

function jsonOutput(t: Tensor): V2ResponseOutput {
  return { name: t.name, datatype: t.datatype, shape: t.shape, data: tensorValues(t) };
}

/**
 * Builds the response for `result`. Outputs go as binary when the request asked for it
 * (`parameters.binary_data_output`, overridden per output by `outputs[i].parameters.binary_data`);
 * with none binary the response is plain JSON.
 *
 * @example
 * const r = buildInferResponse(result, { inputs, binaryOutput: true });
 * // r.binary === true; r.body = JSON header (r.headerLength bytes) + each output's little-endian bytes
 */
export function buildInferResponse(result: InferenceResult, req: ParsedInferRequest): RenderedInferResponse {
  const tensors = result.outputs;
  const outputs = new Array<V2ResponseOutput>(tensors.length);
  const body: V2InferResponse = {
    model_name: result.model,
    model_version: result.version,
    id: result.id,
    outputs,
  };
  const overrides = req.binaryByOutput;
  if (!req.binaryOutput && overrides === undefined) {
    for (let k = 0; k < tensors.length; k++) outputs[k] = jsonOutput(tensors[k]);
    return { binary: false, body };
  }
  const parts: Buffer[] = [];
  for (let k = 0; k < tensors.length; k++) {
    const t = tensors[k];
    if (overrides?.get(t.name) ?? req.binaryOutput) {
      const bytes = tensorBytes(t);
      parts.push(bytes);
      outputs[k] = {
        name: t.name,
        datatype: t.datatype,
        shape: t.shape,
        parameters: { binary_data_size: bytes.length },
      };
    } else {
      outputs[k] = jsonOutput(t);
    }
  }
  if (parts.length === 0) return { binary: false, body };
  const header = Buffer.from(JSON.stringify(body), 'utf8');
  return { binary: true, body: Buffer.concat([header, ...parts]), headerLength: header.length };
}
