/**
 * Output tensors → TF Serving's JSON: per-row `predictions` for row requests, per-output `outputs`
 * for columnar ones. The TorchServe adapter answers with the same per-row list.
 */
import { SlipwayError } from '../../../core/errors.js';
import { tensorNested } from '../../../serving/tensor.js';
import type { Tensor } from '../../../serving/types.js';

/**
 * How BYTES elements are written: TF Serving's `{"b64": ...}` (binary-safe), or plain text
 * (TorchServe handlers return JSON strings).
 */
export type BytesEncoding = 'b64' | 'text';

function mapLeaves(v: unknown, f: (s: string) => unknown): unknown {
  return Array.isArray(v) ? v.map((e) => mapLeaves(e, f)) : f(v as string);
}

const toB64 = (s: string) => ({ b64: Buffer.from(s, 'utf8').toString('base64') });

/** One tensor as nested JSON arrays (a bare value for a scalar). */
export function outputValue(t: Tensor, bytes: BytesEncoding): unknown {
  const nested = tensorNested(t);
  return t.datatype === 'BYTES' && bytes === 'b64' ? mapLeaves(nested, toB64) : nested;
}

/**
 * Row-layout answer: one entry per row. With one output, each entry is that output's row; with
 * several, an object of output name → row (so every output needs the same first dimension).
 *
 * @example
 * rowPredictions([y], 'b64') // [[14.5]] for y: FP32 [1, 1]
 */
export function rowPredictions(outputs: Tensor[], bytes: BytesEncoding): unknown {
  if (outputs.length === 1) return outputValue(outputs[0], bytes);
  const rows = outputs[0]?.shape[0] ?? 0;
  const columns = outputs.map((t) => {
    if (t.shape.length === 0 || t.shape[0] !== rows) {
      throw new SlipwayError(
        'BAD_REQUEST',
        `The model's outputs do not share a first dimension (${outputs
          .map((o) => `${o.name}: [${o.shape.join(',')}]`)
          .join(', ')}), so they cannot be split into rows; send "inputs" (the columnar format) instead`,
      );
    }
    return outputValue(t, bytes) as unknown[];
  });
  const predictions = new Array<Record<string, unknown>>(rows);
  for (let i = 0; i < rows; i++) {
    const row: Record<string, unknown> = {};
    for (let k = 0; k < outputs.length; k++) row[outputs[k].name] = columns[k][i];
    predictions[i] = row;
  }
  return predictions;
}

/** Columnar answer: the value for a single-output model, else an object of output name → value. */
export function columnOutputs(outputs: Tensor[], bytes: BytesEncoding): unknown {
  if (outputs.length === 1) return outputValue(outputs[0], bytes);
  const out: Record<string, unknown> = {};
  for (const t of outputs) out[t.name] = outputValue(t, bytes);
  return out;
}
