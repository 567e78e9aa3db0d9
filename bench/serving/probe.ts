/**
 * One request before each load run: the route must answer 200 with the right number of outputs,
 * and Slipway's numbers must match the naive server's (the same model on the same payload), so a
 * fast wrong answer cannot pass for a fast right one.
 */
import type { HttpCase } from './scenarios.js';

export interface Probe {
  ok: boolean;
  /** Why it failed, or the output count when it did not. */
  detail: string;
  outputs?: Float32Array;
}

function decodeBinary(bytes: Buffer, headerLength: number): Float32Array {
  const header = JSON.parse(bytes.subarray(0, headerLength).toString('utf8')) as {
    outputs: Array<{ parameters?: { binary_data_size?: number }; data?: number[] }>;
  };
  const out = header.outputs[0];
  const size = out.parameters?.binary_data_size;
  if (size === undefined) return Float32Array.from(out.data ?? []);
  // Copy into an aligned buffer: the tensor bytes start wherever the JSON header ends.
  const raw = Uint8Array.prototype.slice.call(bytes, headerLength, headerLength + size);
  return new Float32Array(raw.buffer);
}

function decode(c: HttpCase, bytes: Buffer, headerLength: string | null): Float32Array {
  if (c.wire === 'v2-binary' && headerLength !== null) return decodeBinary(bytes, Number(headerLength));
  const json = JSON.parse(bytes.toString('utf8')) as {
    predictions?: number[][];
    outputs?: Array<{ data: number[] }>;
  };
  if (json.predictions) return Float32Array.from(json.predictions.flat());
  if (json.outputs) return Float32Array.from(json.outputs[0].data);
  throw new Error(`no predictions or outputs in ${bytes.toString('utf8').slice(0, 200)}`);
}

export async function probe(base: string, c: HttpCase): Promise<Probe> {
  try {
    const r = await fetch(base + c.path, {
      method: 'POST',
      headers: c.headers,
      body: typeof c.body === 'string' ? c.body : new Uint8Array(c.body),
    });
    const bytes = Buffer.from(await r.arrayBuffer());
    if (r.status !== 200)
      return { ok: false, detail: `HTTP ${r.status}: ${bytes.toString('utf8').slice(0, 300)}` };
    const outputs = decode(c, bytes, r.headers.get('inference-header-content-length'));
    const want = c.scenario.rows * c.scenario.model.outWidth;
    if (outputs.length !== want) return { ok: false, detail: `${outputs.length} outputs, expected ${want}` };
    return { ok: true, detail: `${outputs.length} outputs`, outputs };
  } catch (err) {
    return { ok: false, detail: err instanceof Error ? err.message : String(err) };
  }
}

/** Largest absolute difference between two output vectors (Infinity when their lengths differ). */
export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}
