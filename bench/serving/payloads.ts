/**
 * The request bodies, built once per scenario from seeded random floats, so every server (and the
 * raw ONNX Runtime loop, in its own process) sees exactly the same numbers. Values are rounded to
 * float32 first, so the JSON and the binary bodies carry the same tensor.
 */

export interface ModelShape {
  name: string;
  input: string;
  output: string;
  /** Features per row. */
  width: number;
  /** Output values per row. */
  outWidth: number;
}

export const MLP: ModelShape = { name: 'mlp', input: 'x', output: 'logits', width: 64, outWidth: 10 };
export const LOGREG: ModelShape = {
  name: 'logreg',
  input: 'input',
  output: 'probability',
  width: 20,
  outWidth: 1,
};

/** mulberry32: tiny, seedable, good enough for benchmark inputs. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `rows × width` floats in [-2, 2), the same for the same shape in every process. */
export function features(rows: number, width: number): Float32Array {
  const next = random(rows * 1000 + width);
  const out = new Float32Array(rows * width);
  for (let i = 0; i < out.length; i++) out[i] = next() * 4 - 2;
  return out;
}

function nested(flat: Float32Array, width: number): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < flat.length; i += width) rows.push(Array.from(flat.subarray(i, i + width)));
  return rows;
}

/** TF Serving row format: `{"instances": [[…], …]}`. */
export function tfBody(model: ModelShape, rows: number): string {
  return JSON.stringify({ instances: nested(features(rows, model.width), model.width) });
}

/** KServe V2 JSON: one flat `data` array. */
export function v2JsonBody(model: ModelShape, rows: number): string {
  return JSON.stringify({
    inputs: [
      {
        name: model.input,
        datatype: 'FP32',
        shape: [rows, model.width],
        data: Array.from(features(rows, model.width)),
      },
    ],
  });
}

/** KServe V2 binary extension: a JSON header, then the raw little-endian float32 bytes. */
export function v2BinaryBody(model: ModelShape, rows: number): { body: Buffer; headerLength: number } {
  const data = features(rows, model.width);
  const header = Buffer.from(
    JSON.stringify({
      inputs: [
        {
          name: model.input,
          datatype: 'FP32',
          shape: [rows, model.width],
          parameters: { binary_data_size: data.byteLength },
        },
      ],
      outputs: [{ name: model.output, parameters: { binary_data: true } }],
    }),
  );
  // Float32Array is host-endian; every machine this runs on is little-endian, as the wire format is.
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return { body: Buffer.concat([header, bytes]), headerLength: header.length };
}
