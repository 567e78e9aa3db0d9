import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openInferenceEngine } from '../../../serving/engine.js';
import { TENSOR_DATATYPES, tensorBytes, tensorFromValues } from '../../../serving/tensor.js';
import type { InferenceEngine, TensorDataType } from '../../../serving/types.js';
import { kserveV2Api } from './index.js';

let engine: InferenceEngine;
let app: FastifyInstance;

beforeAll(async () => {
  engine = await openInferenceEngine({
    repository: 'test/fixtures/serving/repository',
    models: ['dtypes', 'mlp'],
    defaults: { instanceCount: 1 },
  });
  app = Fastify();
  await app.register(kserveV2Api(engine));
});

afterAll(async () => {
  await app?.close();
  await engine?.close();
});

/** Two values per datatype, at the edges of its range where JSON can carry them exactly. */
const VALUES: Record<TensorDataType, unknown[]> = {
  BOOL: [true, false],
  UINT8: [0, 255],
  UINT16: [1, 65535],
  UINT32: [2, 4294967295],
  UINT64: [3, Number.MAX_SAFE_INTEGER],
  INT8: [-128, 127],
  INT16: [-32768, 32767],
  INT32: [-2147483648, 2147483647],
  INT64: [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  FP16: [0.5, -2],
  FP32: [0.25, -1.5],
  FP64: [0.1, 1e300],
  BYTES: ['héllo', ''],
};

const base = (dt: TensorDataType) => dt.toLowerCase();

/** The dtypes model's inputs: `<type>_in`, shape [1, 2], one per datatype. */
function inputs(binary: boolean) {
  const parts: Buffer[] = [];
  const list = TENSOR_DATATYPES.map((dt) => {
    const input = { name: `${base(dt)}_in`, datatype: dt, shape: [1, 2] };
    if (!binary) return { ...input, data: VALUES[dt] };
    const bytes = tensorBytes(tensorFromValues(input, VALUES[dt], dt));
    parts.push(bytes);
    return { ...input, parameters: { binary_data_size: bytes.length } };
  });
  return { list, parts };
}

function binaryRequest(json: unknown, parts: Buffer[], contentType?: string) {
  const header = Buffer.from(JSON.stringify(json));
  const headers: Record<string, string> = { 'inference-header-content-length': String(header.length) };
  if (contentType) headers['content-type'] = contentType;
  return app.inject({
    method: 'POST',
    url: '/v2/models/dtypes/infer',
    headers,
    payload: Buffer.concat([header, ...parts]),
  });
}

/** Splits a binary response into its JSON header and each binary output's bytes, by name. */
function readBinary(body: Buffer, headerLength: number) {
  const json = JSON.parse(body.toString('utf8', 0, headerLength));
  const bytes = new Map<string, Buffer>();
  let off = headerLength;
  for (const o of json.outputs) {
    const n = o.parameters?.binary_data_size;
    if (n === undefined) continue;
    bytes.set(o.name, body.subarray(off, off + n));
    off += n;
  }
  expect(off).toBe(body.length);
  return { json, bytes };
}

describe('every datatype through the dtypes model', () => {
  it('round-trips as JSON', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v2/models/dtypes/infer',
      payload: { inputs: inputs(false).list },
    });
    expect(res.statusCode).toBe(200);
    const outputs = new Map(res.json().outputs.map((o: { name: string }) => [o.name, o]));
    for (const dt of TENSOR_DATATYPES) {
      expect(outputs.get(`${base(dt)}_out`), dt).toEqual({
        name: `${base(dt)}_out`,
        datatype: dt,
        shape: [1, 2],
        data: VALUES[dt],
      });
    }
  });

  it.each([undefined, 'application/octet-stream', 'application/json'])(
    'round-trips as binary, byte-exact, with content type %s',
    async (contentType) => {
      const { list, parts } = inputs(true);
      const res = await binaryRequest(
        { inputs: list, parameters: { binary_data_output: true } },
        parts,
        contentType,
      );
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/octet-stream');
      const { json, bytes } = readBinary(
        res.rawPayload,
        Number(res.headers['inference-header-content-length']),
      );
      TENSOR_DATATYPES.forEach((dt, k) => {
        const out = json.outputs.find((o: { name: string }) => o.name === `${base(dt)}_out`);
        expect(out, dt).toEqual({
          name: `${base(dt)}_out`,
          datatype: dt,
          shape: [1, 2],
          parameters: { binary_data_size: parts[k].length },
        });
        expect(bytes.get(out.name)?.equals(parts[k]), dt).toBe(true);
      });
    },
  );

  it('returns only the requested outputs, each as JSON or binary as asked', async () => {
    const { list, parts } = inputs(true);
    const res = await binaryRequest(
      {
        inputs: list,
        outputs: [{ name: 'fp32_out' }, { name: 'bytes_out', parameters: { binary_data: true } }],
      },
      parts,
    );
    const { json, bytes } = readBinary(
      res.rawPayload,
      Number(res.headers['inference-header-content-length']),
    );
    expect(json.outputs.map((o: { name: string }) => o.name).sort()).toEqual(['bytes_out', 'fp32_out']);
    expect(json.outputs.find((o: { name: string }) => o.name === 'fp32_out').data).toEqual([0.25, -1.5]);
    expect(bytes.get('bytes_out')?.equals(parts[TENSOR_DATATYPES.indexOf('BYTES')])).toBe(true);
  });

  it('answers 400 naming the input when binary bytes do not fit the shape', async () => {
    const { list, parts } = inputs(true);
    parts[0] = parts[0].subarray(1);
    Object.assign(list[0], { parameters: { binary_data_size: parts[0].length } });
    const res = await binaryRequest({ inputs: list }, parts);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toContain("input 'bool_in'");
  });
});

describe('binary inputs on a real model', () => {
  it('give the same logits as the same values sent as JSON', async () => {
    const data = Array.from({ length: 4 * 64 }, (_, k) => Math.sin(k));
    const x = { name: 'x', datatype: 'FP32', shape: [4, 64] };
    const asJson = await app.inject({
      method: 'POST',
      url: '/v2/models/mlp/infer',
      payload: { inputs: [{ ...x, data }] },
    });
    const bytes = Buffer.from(new Float32Array(data).buffer);
    const header = Buffer.from(
      JSON.stringify({ inputs: [{ ...x, parameters: { binary_data_size: bytes.length } }] }),
    );
    const asBinary = await app.inject({
      method: 'POST',
      url: '/v2/models/mlp/infer',
      headers: {
        'content-type': 'application/octet-stream',
        'inference-header-content-length': `${header.length}`,
      },
      payload: Buffer.concat([header, bytes]),
    });
    expect(asBinary.statusCode).toBe(200);
    expect(asBinary.json().outputs).toEqual(asJson.json().outputs);
    expect(asJson.json().outputs[0].shape).toEqual([4, 10]);
  });
});
