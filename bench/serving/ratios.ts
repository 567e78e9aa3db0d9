/**
 * The targets, each a ratio (or a difference) between two measurements of the same run, so
 * that the verdicts survive the drift of absolute numbers on a shared machine.
 */

/** What every measurement (HTTP or raw ONNX Runtime) reports. */
export interface Measured {
  reqPerSec: number;
  rowsPerSec: number;
  /** Milliseconds. */
  p50: number;
  p99: number;
}

export interface Measurement {
  scenario: string;
  label: string;
  /** Connections (HTTP) or closed-loop clients (raw ONNX Runtime). */
  concurrency: number;
  result?: Measured;
  /** Why there is no result (the server or the probe failed). */
  failed?: string;
}

export interface Ratio {
  name: string;
  value: number;
  shown: string;
  target: string;
  /** undefined: reported for context, no target. */
  pass?: boolean;
}

type Find = (scenario: string, label: string, concurrency?: number) => Measured | undefined;

const SLIPWAY_TF = 'Slipway, TF JSON';
const ECHO_TF = 'echo (Fastify), TF JSON';
const NAIVE = 'naive (node:http + ORT)';
export const RAW = 'raw ORT, worker threads (no HTTP)';

function ratio(
  name: string,
  a: number | undefined,
  b: number | undefined,
  min?: number,
  max?: number,
): Ratio {
  const value = a !== undefined && b !== undefined ? a / b : Number.NaN;
  const target = min !== undefined ? `≥ ${min}` : max !== undefined ? `≤ ${max}` : '—';
  const pass = min !== undefined ? value >= min : max !== undefined ? value <= max : undefined;
  return { name, value, shown: Number.isNaN(value) ? 'n/a' : `${value.toFixed(2)}×`, target, pass };
}

/** Every ratio the issue asks for, plus a few that explain them. */
export function computeRatios(find: Find): Ratio[] {
  const out: Ratio[] = [];
  for (const [id, model] of [
    ['mlp-b1-c64', 'mlp'],
    ['logreg-b1-c64', 'logreg'],
  ] as const) {
    const s = find(id, SLIPWAY_TF);
    const echo = find(id, ECHO_TF);
    const naive = find(id, NAIVE);
    out.push(ratio(`${model} b1 c64: Slipway / echo req/s`, s?.reqPerSec, echo?.reqPerSec, 0.85));
    out.push(ratio(`${model} b1 c64: Slipway / naive req/s`, s?.reqPerSec, naive?.reqPerSec, 1.7));
    out.push(ratio(`${model} b1 c64: Slipway p99 / echo p99`, s?.p99, echo?.p99, undefined, 1.5));
    out.push(ratio(`${model} b1 c64: naive / echo req/s`, naive?.reqPerSec, echo?.reqPerSec));
  }
  const s1 = find('mlp-b1-c1', SLIPWAY_TF);
  const raw1 = find('mlp-b1-c1', RAW, 1);
  const diff = s1 && raw1 ? s1.p50 - raw1.p50 : Number.NaN;
  out.push({
    name: 'mlp b1 c1: Slipway p50 − raw ORT p50',
    value: diff,
    shown: Number.isNaN(diff) ? 'n/a' : `${diff.toFixed(3)} ms`,
    target: '≤ 0.3 ms',
    pass: diff <= 0.3,
  });
  out.push(ratio('mlp b1 c1: Slipway p50 / echo p50', s1?.p50, find('mlp-b1-c1', ECHO_TF)?.p50));

  const json = 'mlp-b256-json';
  const tf = find(json, SLIPWAY_TF);
  const v2 = find(json, 'Slipway, V2 JSON');
  out.push(
    ratio(
      '256×64 JSON: Slipway TF / echo (same body) req/s',
      tf?.reqPerSec,
      find(json, ECHO_TF)?.reqPerSec,
      0.85,
    ),
  );
  out.push(
    ratio(
      '256×64 JSON: Slipway V2 / echo (same body) req/s',
      v2?.reqPerSec,
      find(json, 'echo (Fastify), V2 JSON')?.reqPerSec,
      0.85,
    ),
  );
  out.push(ratio('256×64 JSON: Slipway TF / naive req/s', tf?.reqPerSec, find(json, NAIVE)?.reqPerSec));

  const bin = find('mlp-b256-binary', 'Slipway, V2 binary');
  const raw256 = find('mlp-b256-binary', RAW, 16);
  out.push(
    ratio(
      '256×64 V2 binary: Slipway / raw ORT (batch 256, 16 clients) rows/s',
      bin?.rowsPerSec,
      raw256?.rowsPerSec,
      0.8,
    ),
  );
  const raw256Best = find('mlp-b256-binary', RAW, 64);
  out.push(
    ratio(
      '256×64 V2 binary: Slipway / raw ORT (batch 256, 64 clients) rows/s',
      bin?.rowsPerSec,
      raw256Best?.rowsPerSec,
    ),
  );
  out.push(ratio('256×64: Slipway V2 binary / Slipway TF JSON rows/s', bin?.rowsPerSec, tf?.rowsPerSec, 2.5));
  out.push(ratio('256×64: Slipway V2 binary / Slipway V2 JSON rows/s', bin?.rowsPerSec, v2?.rowsPerSec, 2.5));
  return out;
}
