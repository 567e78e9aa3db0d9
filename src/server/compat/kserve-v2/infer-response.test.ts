import { describe, expect, it } from 'vitest';
import type { InferenceResult, Tensor } from '../../../serving/types.js';
import type { ParsedInferRequest } from './infer-request.js';
import { buildInferResponse } from './infer-response.js';

const y: Tensor = { name: 'y', datatype: 'FP32', shape: [1, 2], data: new Float32Array([0.5, -1]) };
const s: Tensor = { name: 's', datatype: 'BYTES', shape: [2], data: ['ab', ''] };

function result(...outputs: Tensor[]): InferenceResult {
  return { id: 'r1', model: 'm', version: '2', outputs, queueMicros: 0, computeMicros: 0, cached: false };
}

function request(extra: Partial<ParsedInferRequest> = {}): ParsedInferRequest {
  return { inputs: [], binaryOutput: false, ...extra };
}

/** Splits a binary response back into its JSON header and the bytes after it. */
function split(
  body: Buffer,
  headerLength: number,
): { json: { outputs: Array<Record<string, unknown>> }; rest: Buffer } {
  return { json: JSON.parse(body.toString('utf8', 0, headerLength)), rest: body.subarray(headerLength) };
}

describe('buildInferResponse', () => {
  it('renders outputs as flat JSON data with the model, version and id', () => {
    const r = buildInferResponse(result(y), request());
    expect(r).toEqual({
      binary: false,
      body: {
        model_name: 'm',
        model_version: '2',
        id: 'r1',
        outputs: [{ name: 'y', datatype: 'FP32', shape: [1, 2], data: [0.5, -1] }],
      },
    });
  });

  it('renders BOOL as booleans, INT64 as numbers and FP16 as floats in JSON', () => {
    const r = buildInferResponse(
      result(
        { name: 'b', datatype: 'BOOL', shape: [2], data: new Uint8Array([1, 0]) },
        { name: 'i', datatype: 'INT64', shape: [1], data: new BigInt64Array([-5n]) },
        { name: 'h', datatype: 'FP16', shape: [1], data: new Uint16Array([0x3e00]) },
      ),
      request(),
    );
    if (r.binary) throw new Error('expected JSON');
    expect(r.body.outputs.map((o) => o.data)).toEqual([[true, false], [-5], [1.5]]);
  });

  it('sends every output as binary when binary_data_output is set, byte-exact and in order', () => {
    const r = buildInferResponse(result(y, s), request({ binaryOutput: true }));
    if (!r.binary) throw new Error('expected binary');
    const { json, rest } = split(r.body, r.headerLength);
    expect(json.outputs).toEqual([
      { name: 'y', datatype: 'FP32', shape: [1, 2], parameters: { binary_data_size: 8 } },
      { name: 's', datatype: 'BYTES', shape: [2], parameters: { binary_data_size: 10 } },
    ]);
    const yBytes = Buffer.from(new Float32Array([0.5, -1]).buffer);
    const sBytes = Buffer.from([2, 0, 0, 0, 0x61, 0x62, 0, 0, 0, 0]);
    expect(rest.equals(Buffer.concat([yBytes, sBytes]))).toBe(true);
  });

  it('lets a per-output binary_data override the request-level default', () => {
    const r = buildInferResponse(
      result(y, s),
      request({ binaryOutput: false, binaryByOutput: new Map([['s', true]]) }),
    );
    if (!r.binary) throw new Error('expected binary');
    const { json, rest } = split(r.body, r.headerLength);
    expect(json.outputs[0]).toEqual({ name: 'y', datatype: 'FP32', shape: [1, 2], data: [0.5, -1] });
    expect(json.outputs[1].parameters).toEqual({ binary_data_size: 10 });
    expect(rest.length).toBe(10);
  });

  it('falls back to plain JSON when every output opts out of binary', () => {
    const r = buildInferResponse(
      result(y),
      request({ binaryOutput: true, binaryByOutput: new Map([['y', false]]) }),
    );
    expect(r.binary).toBe(false);
  });
});
