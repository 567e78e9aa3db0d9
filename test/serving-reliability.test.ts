/**
 * Serving reliability, end to end against real `slipway serve` processes (the compiled CLI in dist/):
 * a seeded storm of 10,000 malformed requests over TF Serving, KServe V2 and TorchServe; twice the
 * server's saturation against a small queue; 20 hot swaps (and rollbacks) under steady load; and
 * corrupt model versions that must be refused while the previous version keeps serving.
 *
 * Every server runs over a temp copy of the fixture repository, so tests can add version folders.
 * The saturation run lasts SLIPWAY_SATURATION_SECONDS (default 10 for CI time; the issue asks 30).
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  copyFixtureModels,
  FIXTURE_REPOSITORY,
  HttpClient,
  type HttpReply,
  type HttpRequest,
  type ServingProcess,
  startServing,
} from './helpers/serving-process.js';

const MiB = 1024 * 1024;
/**
 * RSS may grow by this much over a baseline taken after warmup. The server keeps no per-request
 * state once a request is answered, so what remains after a load is V8 heap growth and allocator
 * slack: 5-35 MiB measured here after the fuzz storm, ~20 MiB after saturation. A leak of ~16 KiB
 * per request over the 10,000 fuzz requests (or of a couple of the 64 MiB bodies an oversized
 * chunked upload buffers) crosses it; ordinary heap and pool growth does not.
 */
const RSS_HEADROOM = 150 * MiB;

/** The issue asks for 30 s of saturation; CI runs 10 unless SLIPWAY_SATURATION_SECONDS says otherwise. */
const SATURATION_SECONDS =
  Number(process.env.SLIPWAY_SATURATION_SECONDS) > 0 ? Number(process.env.SLIPWAY_SATURATION_SECONDS) : 10;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** The error message of a JSON error body in any of the three protocols' shapes, if it has one. */
function errorMessage(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { error?: unknown; message?: unknown } | null;
    const message = body?.error ?? body?.message;
    return typeof message === 'string' && message.length > 0 ? message : undefined;
  } catch {
    return undefined;
  }
}

/** Polls until RSS is at most `bound` (a short settle) and returns the last reading. */
async function settledRss(server: ServingProcess, bound: number, ms = 5_000): Promise<number> {
  const deadline = Date.now() + ms;
  let rss = server.rssBytes();
  while (rss > bound && Date.now() < deadline) {
    await sleep(250);
    rss = server.rssBytes();
  }
  return rss;
}

const mb = (bytes: number) => `${(bytes / MiB).toFixed(0)} MiB`;

// ---------------------------------------------------------------------------------------------
// Seeded fuzz cases
// ---------------------------------------------------------------------------------------------

/** mulberry32: a small, fast, seedable PRNG, so every run sends the same 10,000 requests. */
function prng(seed: number) {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)],
  };
}
type Rng = ReturnType<typeof prng>;

type Protocol = 'tf' | 'v2' | 'ts';
const PROTOCOLS: readonly Protocol[] = ['tf', 'v2', 'ts'];

/** The batched single-input FP32 fixture models the fuzz cases aim at. */
interface FuzzModel {
  name: string;
  input: string;
  width: number;
}
const FUZZ_MODELS: readonly FuzzModel[] = [
  { name: 'mlp', input: 'x', width: 64 },
  { name: 'mymodel', input: 'x', width: 3 },
  { name: 'logreg', input: 'input', width: 20 },
];
const MLP = FUZZ_MODELS[0];
/** No batch dimension: its input is exactly FP32 [2, 2]. */
const FIXED: FuzzModel = { name: 'fixed', input: 'x', width: 2 };

/** One valid row of every input of the `dtypes` fixture model (inputs [-1, 2] of each type). */
const DTYPES_ROW: Record<string, unknown> = {
  bool_in: [true, false],
  uint8_in: [1, 2],
  uint16_in: [1, 2],
  uint32_in: [1, 2],
  uint64_in: [1, 2],
  int8_in: [1, 2],
  int16_in: [1, 2],
  int32_in: [1, 2],
  int64_in: [1, 2],
  fp16_in: [1, 2],
  fp32_in: [1, 2],
  fp64_in: [1, 2],
  bytes_in: [{ b64: 'YQ==' }, 'b'],
};

interface FuzzCase extends HttpRequest {
  category: string;
}

function predictPath(p: Protocol, model: string, ref: { version?: string; label?: string } = {}): string {
  const v = ref.version ?? ref.label;
  if (p === 'tf') {
    const seg = ref.version ? `/versions/${ref.version}` : ref.label ? `/labels/${ref.label}` : '';
    return `/v1/models/${model}${seg}:predict`;
  }
  if (p === 'v2') return `/v2/models/${model}${v ? `/versions/${v}` : ''}/infer`;
  return `/predictions/${model}${ref.version ? `/${ref.version}` : ''}`;
}

const row = (rng: Rng, width: number) =>
  Array.from({ length: width }, () => Math.round(rng.next() * 1e4) / 1e3);
const rows = (rng: Rng, m: FuzzModel, n: number) => Array.from({ length: n }, () => row(rng, m.width));

/** A request body carrying `values` as the rows of `m`'s input, in protocol `p`'s layout. */
function rowsBody(p: Protocol, m: FuzzModel, values: unknown, v2Shape?: unknown): string {
  if (p === 'tf') return JSON.stringify({ instances: values });
  if (p === 'ts') return JSON.stringify(values);
  const n = Array.isArray(values) ? values.length : 1;
  const shape = v2Shape === undefined ? [n, m.width] : v2Shape;
  return JSON.stringify({ inputs: [{ name: m.input, datatype: 'FP32', shape, data: values }] });
}

function validCase(rng: Rng, p = rng.pick(PROTOCOLS), m = rng.pick(FUZZ_MODELS)): FuzzCase {
  return {
    category: 'valid',
    path: predictPath(p, m.name),
    body: rowsBody(p, m, rows(rng, m, 1 + rng.int(4))),
  };
}

/** Replaces 1..3 random elements of a row matrix by `bad()`. */
function spoil(rng: Rng, values: unknown[][], bad: () => unknown): unknown[][] {
  for (let k = 1 + rng.int(3); k > 0; k--) {
    const r = values[rng.int(values.length)];
    r[rng.int(r.length)] = bad();
  }
  return values;
}

const CONTENT_TYPES = ['application/json', 'text/plain', 'application/x-www-form-urlencoded', undefined];
const withType = (type: string | undefined): Record<string, string> => (type ? { 'content-type': type } : {});
const deep = (depth: number, leaf: string) => '['.repeat(depth) + leaf + ']'.repeat(depth);

/** Every generator makes a request that must be refused with a 4xx (none is valid by construction). */
const GENERATORS: Record<string, (rng: Rng, p: Protocol, m: FuzzModel) => FuzzCase> = {
  'bad JSON': (rng, p, m) => {
    const texts = [
      '{"instances": [[1, 2,]]}',
      '{instances: [[1]]}',
      "{'inputs': 1}",
      '[[1 2]]',
      '{"inputs":[{"name":"x",}]}',
      'nul',
      '{"a":1}}',
      ']',
      '{"inputs": [NaN]}',
      '\u0000',
      '{"instances": [[0.1, 0.2]]',
    ];
    const body = rng.next() < 0.3 ? randomGarbage(rng) : rng.pick(texts);
    return {
      category: 'bad JSON',
      path: predictPath(p, m.name),
      body,
      headers: withType(rng.pick(CONTENT_TYPES)),
    };
  },
  'truncated JSON': (rng, p, m) => {
    const body = rowsBody(p, m, rows(rng, m, 1 + rng.int(3)));
    return {
      category: 'truncated JSON',
      path: predictPath(p, m.name),
      body: body.slice(0, 1 + rng.int(body.length - 1)),
      headers: withType(rng.pick(CONTENT_TYPES)),
    };
  },
  'wrong dtype': (rng, p, m) => {
    if (p === 'v2' && rng.next() < 0.4) {
      const datatype = rng.pick([
        'INT64',
        'FP16',
        'BOOL',
        'BYTES',
        'INT32',
        'FP64',
        'float32',
        'fp32',
        '',
        5,
        null,
      ]);
      const data = rows(rng, m, 1);
      const body = JSON.stringify({ inputs: [{ name: m.input, datatype, shape: [1, m.width], data }] });
      return { category: 'wrong dtype', path: predictPath(p, m.name), body };
    }
    // V2 data may nest any way its declared shape allows, so arrays are no dtype error there.
    const scalars = ['abc', true, false, {}, null, { b64: 'AAAA' }, '1.5'];
    const bad = () => rng.pick<unknown>(p === 'v2' ? scalars : [...scalars, [], [1, 2]]);
    return {
      category: 'wrong dtype',
      path: predictPath(p, m.name),
      body: rowsBody(p, m, spoil(rng, rows(rng, m, 2), bad)),
    };
  },
  'wrong shape': (rng, p, m) => {
    const w = m.width;
    const variant = rng.int(p === 'v2' ? 7 : 5);
    let body: string;
    if (variant === 0)
      body = rowsBody(p, m, rows(rng, { ...m, width: w + rng.pick([-1, 1]) }, 2)); // 63 / 65 floats
    else if (variant === 1)
      body = rowsBody(p, m, [...rows(rng, m, 2), row(rng, w - 1)]); // ragged
    else if (variant === 2) {
      // Rank 1. A flat row is a valid single row for TorchServe, so it gets two rows' worth there.
      body = p === 'ts' ? JSON.stringify(row(rng, 2 * w)) : rowsBody(p, m, row(rng, w), [w]);
    } else if (variant === 3)
      body = rowsBody(p, m, [rows(rng, m, 1)], [1, 1, w]); // rank 3
    else if (variant === 4) {
      // The `fixed` model takes exactly [2, 2] and has no batch dimension.
      const bad = rng.pick([
        [
          [1, 2, 3],
          [4, 5, 6],
        ],
        [
          [1, 2],
          [3, 4],
          [5, 6],
        ],
        [1, 2, 3, 4],
        [
          [
            [1, 2],
            [3, 4],
          ],
        ],
      ]);
      const shape = Array.isArray(bad[0]) ? [bad.length, (bad[0] as unknown[]).length] : [bad.length];
      return {
        category: 'wrong shape',
        path: predictPath(p, FIXED.name),
        body: rowsBody(p, FIXED, bad, shape),
      };
    } else if (variant === 5) {
      // V2: the declared shape disagrees with the values, or is not a shape at all.
      const shape = rng.pick<unknown>([
        [1, w + 1],
        [2, w],
        [1.5, w],
        [-1, w],
        ['1', w],
        `1,${w}`,
        null,
        {},
        Array(17).fill(1),
      ]);
      body = rowsBody(p, m, rows(rng, m, 1), shape);
    } else body = rowsBody(p, m, row(rng, w - 1), [1, w - 1]);
    return { category: 'wrong shape', path: predictPath(p, m.name), body };
  },
  'missing input': (rng, p, m) => {
    const w = m.width;
    const bodies: Record<Protocol, unknown[]> = {
      tf: [{}, { signature_name: 'serving_default' }, { inputs: {} }, { instances: [] }, { instances: [{}] }],
      v2: [
        {},
        { inputs: [] },
        { inputs: null },
        { inputs: [{ name: m.input, datatype: 'FP32', shape: [1, w] }] },
        { outputs: [{ name: 'logits' }] },
      ],
      ts: [{}, [], { data: null }, { instances: [] }],
    };
    if (rng.next() < 0.25) {
      // A multi-input model missing one of its inputs.
      const { fp32_in: _, ...partial } = DTYPES_ROW;
      const body =
        p === 'v2'
          ? { inputs: [{ name: 'bool_in', datatype: 'BOOL', shape: [1, 2], data: [true, false] }] }
          : p === 'tf'
            ? { instances: [partial] }
            : partial;
      return { category: 'missing input', path: predictPath(p, 'dtypes'), body: JSON.stringify(body) };
    }
    return {
      category: 'missing input',
      path: predictPath(p, m.name),
      body: JSON.stringify(rng.pick(bodies[p])),
    };
  },
  'unknown input name': (rng, p, m) => {
    const r = row(rng, m.width);
    const name = rng.pick(['y', `${m.input}_`, 'X', 'b64', '__proto__x', 'input0']);
    const bodies: Record<Protocol, unknown[]> = {
      tf: [
        { instances: [{ [name]: r }] },
        { inputs: { [name]: [r] } },
        { instances: [{ [m.input]: r, extra: 1 }] },
      ],
      v2: [
        { inputs: [{ name, datatype: 'FP32', shape: [1, m.width], data: r }] },
        { inputs: [{ name: '', datatype: 'FP32', shape: [1, m.width], data: r }] },
        { inputs: [{ name: 5, datatype: 'FP32', shape: [1, m.width], data: r }] },
        {
          inputs: [
            { name: m.input, datatype: 'FP32', shape: [1, m.width], data: r },
            { name, datatype: 'FP32', shape: [1, m.width], data: r },
          ],
        },
      ],
      ts: [{ [name]: [r] }, { data: { [name]: r } }],
    };
    return {
      category: 'unknown input name',
      path: predictPath(p, m.name),
      body: JSON.stringify(rng.pick(bodies[p])),
    };
  },
  'huge dims': (rng, p, m) => {
    if (p !== 'v2') {
      // TF Serving and TorchServe take shapes from the nesting: more rows than mlp's max_batch_size 256.
      const n = 257 + rng.int(100);
      const zeros = Array.from({ length: n }, () => Array(MLP.width).fill(rng.int(2)));
      return { category: 'huge dims', path: predictPath(p, MLP.name), body: rowsBody(p, MLP, zeros) };
    }
    const shape = rng.pick([
      [1e9, m.width],
      [2147483647],
      [2147483647, 2147483647],
      [1, 1e9],
      [4294967296, m.width],
      [1e308, m.width],
      [2 ** 53 + 2, m.width],
      [65536, 65536],
    ]);
    const input: Record<string, unknown> = { name: m.input, datatype: 'FP32', shape };
    if (rng.next() < 0.5) {
      input.data = row(rng, m.width);
      return {
        category: 'huge dims',
        path: predictPath(p, m.name),
        body: JSON.stringify({ inputs: [input] }),
      };
    }
    input.parameters = { binary_data_size: 4 * m.width };
    return binaryCase('huge dims', m, { inputs: [input] }, Buffer.alloc(4 * m.width));
  },
  'unknown model, version or label': (rng, p, m) => {
    const kind = rng.int(3);
    const body = rowsBody(p, m, rows(rng, m, 1));
    if (kind === 0) {
      const name = rng.pick([
        'nope',
        `${m.name}2`,
        m.name.toUpperCase(),
        `${m.name}.onnx`,
        '..',
        '%2e%2e',
        'a'.repeat(300),
      ]);
      return { category: 'unknown model, version or label', path: predictPath(p, name), body };
    }
    if (kind === 1 || p === 'ts') {
      const version = rng.pick(['7', '99', '0', '18446744073709551616', '01', 'abc']);
      return { category: 'unknown model, version or label', path: predictPath(p, m.name, { version }), body };
    }
    // logreg has the labels stable and canary; the others have none.
    const label = rng.pick(
      m.name === 'logreg' ? ['prod', 'Stable', 'canary2'] : ['stable', 'canary', 'nope'],
    );
    return { category: 'unknown model, version or label', path: predictPath(p, m.name, { label }), body };
  },
  'non-numeric strings': (rng, p, m) => {
    const bad = () =>
      rng.pick(['abc', '1e999x', '1,5', ' 1', '0x1F', '', 'nan', 'Infinityx', '+1', '1_000', '١']);
    return {
      category: 'non-numeric strings',
      path: predictPath(p, m.name),
      body: rowsBody(p, m, spoil(rng, rows(rng, m, 2), bad)),
    };
  },
  'deep nesting': (rng, p, m) => {
    const depth = 10_000;
    const nested = deep(depth, rng.pick(['1', '"a"', '{}']));
    const hole = '"@@"';
    let template: string;
    let path = predictPath(p, m.name);
    if (rng.next() < 0.2) {
      // BYTES inputs go through base64 decoding first.
      path = predictPath(p, 'dtypes');
      if (p === 'v2')
        template = JSON.stringify({
          inputs: [{ name: 'bytes_in', datatype: 'BYTES', shape: [1, 2], data: '@@' }],
        });
      else if (p === 'tf') template = JSON.stringify({ instances: [{ ...DTYPES_ROW, bytes_in: '@@' }] });
      else
        template = JSON.stringify(
          Object.fromEntries(
            Object.keys(DTYPES_ROW).map((k) => [k, k === 'bytes_in' ? '@@' : [DTYPES_ROW[k]]]),
          ),
        );
    } else if (p === 'v2')
      template = JSON.stringify({
        inputs: [{ name: m.input, datatype: 'FP32', shape: [1, m.width], data: '@@' }],
      });
    else if (p === 'tf')
      template = rng.pick(['{"instances":"@@"}', '{"inputs":"@@"}', `{"instances":[{"${m.input}":"@@"}]}`]);
    else template = rng.pick([hole, '{"data":"@@"}', '{"instances":"@@"}']);
    return { category: 'deep nesting', path, body: template.replace(hole, nested) };
  },
  'binary header': (rng, _p, m) => {
    const bytes = 4 * m.width;
    const header = {
      inputs: [
        { name: m.input, datatype: 'FP32', shape: [1, m.width], parameters: { binary_data_size: bytes } },
      ],
    };
    const json = JSON.stringify(header);
    const variant = rng.int(4);
    if (variant <= 1) {
      // A well-formed body with a wrong Inference-Header-Content-Length.
      const total = json.length + bytes;
      const length = rng.pick([
        '-1',
        `-${json.length}`,
        String(total + 1 + rng.int(1000)),
        'abc',
        '',
        '1e2',
        '0x10',
        `${json.length}.5`,
        '99999999999999999999',
        String(json.length - 1 - rng.int(json.length - 1)),
        '0',
        String(json.length + 1 + rng.int(bytes - 1)),
      ]);
      return binaryCase('binary header', m, header, Buffer.alloc(bytes, 1), length, rng);
    }
    if (variant === 2) {
      // The right header length, but binary_data_size disagrees with the bytes or the shape.
      const size = rng.pick<unknown>([bytes - 4, bytes + 4, -bytes, bytes / 3, String(bytes), null, 0]);
      const extra = rng.int(3) * 4;
      const bad = { inputs: [{ ...header.inputs[0], parameters: { binary_data_size: size } }] };
      return binaryCase('binary header', m, bad, Buffer.alloc(bytes + extra, 1), undefined, rng);
    }
    // binary_data_size without a binary part, or data and binary_data_size both.
    const input = { ...header.inputs[0], ...(rng.next() < 0.5 ? {} : { data: row(rng, m.width) }) };
    return {
      category: 'binary header',
      path: predictPath('v2', m.name),
      body: JSON.stringify({ inputs: [input] }),
    };
  },
  'NaN and Infinity': (rng, p, m) => {
    const values = spoil(rng, rows(rng, m, 2), () =>
      rng.pick(['NaN', 'Infinity', '-Infinity', '@1e999@', '@-1e999@']),
    );
    // JSON has no literal for 1e999: it parses as Infinity, so it goes in as raw text.
    const body = rowsBody(p, m, values).replace(/"@(-?1e999)@"/g, '$1');
    return { category: 'NaN and Infinity', path: predictPath(p, m.name), body };
  },
  'bad envelope': (rng, p, m) => {
    const r = row(rng, m.width);
    const bodies: Record<Protocol, unknown[]> = {
      tf: [
        { instances: [r], inputs: [r] },
        { instances: [r], signature_name: 'predict_images' },
        null,
        5,
        'str',
        [r],
        { instances: 'abc' },
      ],
      v2: [
        {
          inputs: [{ name: m.input, datatype: 'FP32', shape: [1, m.width], data: r }],
          outputs: [{ name: 'nope' }],
        },
        { inputs: [{ name: m.input, datatype: 'FP32', shape: [1, m.width], data: r }], outputs: 'x' },
        { inputs: [{ name: m.input, datatype: 'FP32', shape: [1, m.width], data: r }], id: 5 },
        { inputs: [{ name: m.input, datatype: 'FP32', shape: [1, m.width], data: r }], parameters: 5 },
        {
          inputs: [{ name: m.input, datatype: 'FP32', shape: [1, m.width], data: r }],
          parameters: { binary_data_output: 'yes' },
        },
        {
          inputs: [
            {
              name: m.input,
              datatype: 'FP32',
              shape: [1, m.width],
              parameters: { shared_memory_region: 'r' },
            },
          ],
        },
        [r],
        null,
      ],
      ts: [null, 'str', true, { data: 'abc' }],
    };
    if (p === 'tf' && rng.next() < 0.2) {
      const verb = rng.pick(['classify', 'regress', 'explain', '']);
      return { category: 'bad envelope', path: `/v1/models/${m.name}:${verb}`, body: rowsBody(p, m, [r]) };
    }
    return {
      category: 'bad envelope',
      path: predictPath(p, m.name),
      body: JSON.stringify(rng.pick(bodies[p])),
    };
  },
};
const CATEGORIES = Object.keys(GENERATORS);

function randomGarbage(rng: Rng): Buffer {
  const b = Buffer.alloc(1 + rng.int(64));
  for (let k = 0; k < b.length; k++) b[k] = rng.int(256);
  // A lone digit or quote-free word could be valid JSON; prefix a byte that never starts JSON.
  b[0] = 0xff;
  return b;
}

/** A V2 binary-extension body: JSON header, then raw tensor bytes; any content type (or none). */
function binaryCase(
  category: string,
  m: FuzzModel,
  header: object,
  bin: Buffer,
  length?: string,
  rng?: Rng,
): FuzzCase {
  const json = Buffer.from(JSON.stringify(header));
  const type = rng ? rng.pick(['application/octet-stream', 'application/json', undefined]) : undefined;
  return {
    category,
    path: predictPath('v2', m.name),
    body: Buffer.concat([json, bin]),
    headers: { ...withType(type), 'inference-header-content-length': length ?? String(json.length) },
  };
}

/** Fuzz case `i` of the run: the same request every run (its own seed), whatever ran before it. */
function fuzzCase(i: number): FuzzCase {
  const rng = prng(0x5eed0000 + i);
  const category = CATEGORIES[i % CATEGORIES.length];
  return GENERATORS[category](rng, rng.pick(PROTOCOLS), rng.pick(FUZZ_MODELS));
}

/**
 * Sends a body of `bytes` (default 70 MiB, over the server's 64 MiB limit) in 1 MiB writes, its
 * length declared up front or chunked, and stops writing as soon as a response arrives (as curl
 * does), or after `stopAfter` bytes. The server answers 413 and closes the connection (Fastify sets
 * `Connection: close` on body errors); a client still writing then gets a TCP reset that can beat
 * the 413 to it, and that outcome comes back as status 0 with the socket error (EPIPE/ECONNRESET).
 */
function sendOversized(
  url: string,
  path: string,
  declared: boolean,
  opts: { bytes?: number; stopAfter?: number } = {},
): Promise<HttpReply> {
  const bytes = opts.bytes ?? 70 * MiB;
  const stopAfter = opts.stopAfter ?? bytes;
  const chunk = Buffer.alloc(MiB, 0x31);
  const started = performance.now();
  return new Promise((resolve) => {
    let answered = false;
    const done = (r: Omit<HttpReply, 'ms'>) => {
      if (answered) return;
      answered = true;
      resolve({ ...r, ms: performance.now() - started });
    };
    let responded = false;
    const headers: Record<string, string | number> = { 'content-type': 'application/json' };
    if (declared) headers['content-length'] = bytes;
    const req = request(`${url}${path}`, { method: 'POST', headers, agent: false }, (res) => {
      responded = true;
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => {
        done({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(parts).toString() });
        req.destroy();
      });
      res.on('error', (err) => done({ status: 0, headers: {}, text: '', error: err.message }));
    });
    req.on('error', (err) => {
      // The response may still be on its way when the write fails; give it a moment.
      setTimeout(() => done({ status: 0, headers: {}, text: '', error: err.message }), 200);
    });
    (async () => {
      for (let sent = 0; sent < stopAfter && !responded && !req.destroyed; sent += MiB) {
        if (!req.write(chunk)) {
          await new Promise<void>((resolve) => {
            const go = () => {
              req.off('drain', go).off('close', go);
              resolve();
            };
            req.on('drain', go).on('close', go);
          });
        }
      }
      if (stopAfter >= bytes && !responded && !req.destroyed) req.end();
    })();
  });
}

/** Runs `cases` through `client`, at most `concurrency` at a time, and hands every reply to `check`. */
async function runBounded(
  count: number,
  concurrency: number,
  make: (k: number) => FuzzCase,
  send: (c: FuzzCase) => Promise<HttpReply>,
  check: (c: FuzzCase, reply: HttpReply, k: number) => void,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const k = next++;
        const c = make(k);
        check(c, await send(c), k);
      }
    }),
  );
}

// ---------------------------------------------------------------------------------------------

describe('slipway serve reliability', () => {
  const repositories: string[] = [];
  const servers: ServingProcess[] = [];
  const clients: HttpClient[] = [];

  /** A server over a fresh copy of `models`; stopped (and its folder removed) after the file. */
  async function serve(models: string[], args: string[] = [], ready = models) {
    const repository = await copyFixtureModels(models);
    repositories.push(repository);
    const server = await startServing({ repository, args, models: ready });
    servers.push(server);
    const client = new HttpClient(server.url, 256);
    clients.push(client);
    return { repository, server, client };
  }

  afterAll(async () => {
    for (const c of clients) c.close();
    await Promise.all(servers.map((s) => s.stop()));
    await Promise.all(repositories.map((r) => rm(r, { recursive: true, force: true })));
  });

  describe('a storm of malformed requests', () => {
    let server: ServingProcess;
    let client: HttpClient;

    beforeAll(async () => {
      ({ server, client } = await serve(['mlp', 'mymodel', 'logreg', 'fixed', 'dtypes']));
    });

    it('answers arrays nested 10,000 deep with 400 on every protocol, not 500', async () => {
      const nested = deep(10_000, '1');
      const nestedText = deep(10_000, '"a"');
      const dtypesColumns = Object.fromEntries(
        Object.entries(DTYPES_ROW).map(([k, v]) => [k, k === 'bytes_in' ? '@@' : [v]]),
      );
      const cases: Array<[string, string]> = [
        ['/v1/models/mlp:predict', `{"instances":${nested}}`],
        ['/v1/models/mlp:predict', `{"inputs":${nested}}`],
        [
          '/v2/models/mlp/infer',
          `{"inputs":[{"name":"x","datatype":"FP32","shape":[1,64],"data":${nested}}]}`,
        ],
        ['/predictions/mlp', nested],
        ['/predictions/mlp', `{"data":${nested}}`],
        // BYTES inputs: the base64 decoding pass walks the nesting first.
        ['/v1/models/dtypes:predict', JSON.stringify({ instances: [{ ...DTYPES_ROW, bytes_in: '@@' }] })],
        ['/v1/models/dtypes:predict', JSON.stringify({ inputs: dtypesColumns })],
        ['/predictions/dtypes', JSON.stringify(dtypesColumns)],
      ];
      const answers = [];
      for (const [path, body] of cases) {
        const reply = await client.send({ path, body: body.replace('"@@"', nestedText) });
        answers.push(`${path} ${body.slice(0, 24)}… → ${reply.status} ${reply.text.slice(0, 100)}`);
      }
      expect(answers.filter((a) => !/ → 400 /.test(a))).toEqual([]);
    });

    it('refuses a declared 70 MiB body with 413 and a JSON error from its Content-Length alone', async () => {
      // Only 1 MiB of the declared 70 is sent: the answer must come without the rest of the body.
      for (const path of ['/v1/models/mlp:predict', '/v2/models/mlp/infer', '/predictions/mlp']) {
        const r = await sendOversized(server.url, path, true, { stopAfter: MiB });
        expect(r.status, `${path}: ${r.error ?? r.text}`).toBe(413);
        expect(errorMessage(r.text), path).toMatch(/too large/);
      }
    });

    it('answers 10,000 malformed requests with 4xx JSON errors and stays up within its memory', async () => {
      const TOTAL = 10_000;
      const WARMUP = 1_000;
      // Bodies over the 64 MiB limit: Content-Length declared, or chunked (then the server buffers
      // up to the limit before refusing). Two run in the warmup, since the first ones grow the
      // allocator's pools by ~64-90 MiB that it keeps for reuse; the rest run during the storm.
      const OVERSIZED: Array<[string, boolean]> = [
        ['/v2/models/mlp/infer', false],
        ['/v1/models/mlp:predict', true],
        ...['/v1/models/mlp:predict', '/v2/models/mlp/infer', '/predictions/mlp'].flatMap(
          (path): Array<[string, boolean]> => [
            [path, true],
            [path, false],
          ],
        ),
      ];
      const oversized: Array<[string, boolean, HttpReply]> = [];
      const sendOversizedCases = async (cases: Array<[string, boolean]>) => {
        for (const [path, declared] of cases)
          oversized.push([path, declared, await sendOversized(server.url, path, declared)]);
      };
      const problems = new Map<string, { count: number; sample: string }>();
      const byStatus: Record<string, number> = {};
      let answered = 0;
      const check = (c: FuzzCase, r: HttpReply, k: number) => {
        answered++;
        byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
        const ok = r.status >= 400 && r.status < 500 && errorMessage(r.text) !== undefined;
        if (ok) return;
        const key = `${c.category}: ${r.status || r.error}`;
        const seen = problems.get(key);
        if (seen) seen.count++;
        else {
          const body = (typeof c.body === 'string' ? c.body : (c.body?.toString('utf8') ?? '')).slice(0, 100);
          problems.set(key, {
            count: 1,
            sample: `case #${k} POST ${c.path.slice(0, 80)} ${JSON.stringify(body)} → ${r.text.slice(0, 160)}`,
          });
        }
      };
      const send = (c: FuzzCase) => client.send(c);

      // Warmup: valid requests on every protocol and model, then the first 1,000 fuzz cases and two
      // oversized bodies, so the baseline includes JIT, heap and allocator growth from the very code
      // paths the storm uses.
      const warm = prng(1);
      await runBounded(
        300,
        32,
        () => validCase(warm),
        send,
        (c, r) => {
          expect(r.status, `${c.path} → ${r.text}`).toBe(200);
        },
      );
      await runBounded(WARMUP, 32, fuzzCase, send, check);
      await sendOversizedCases(OVERSIZED.slice(0, 2));
      await sleep(1_000);
      const baseline = server.rssBytes();

      const generated = TOTAL - WARMUP - OVERSIZED.length;
      const storm = runBounded(generated, 32, (k) => fuzzCase(WARMUP + k), send, check);
      await sendOversizedCases(OVERSIZED.slice(2));
      await storm;
      for (const [path, declared, r] of oversized) {
        // A reset while still writing, after the server refused and closed: no answer, but no 5xx
        // either (the 413 itself is checked without that race in the test below).
        if (r.status === 0 && /EPIPE|ECONNRESET/.test(r.error ?? '')) {
          answered++;
          continue;
        }
        check({ category: `oversized (${declared ? 'Content-Length' : 'chunked'})`, path }, r, -1);
        expect.soft(r.status, `oversized ${path}: ${r.text}`).toBe(413);
      }
      expect.soft(Object.fromEntries(problems), `status counts: ${JSON.stringify(byStatus)}`).toEqual({});
      expect(answered).toBe(TOTAL);
      expect(server.alive(), server.output().slice(-2000)).toBe(true);
      const after = await client.send({
        path: '/v1/models/mlp:predict',
        body: rowsBody('tf', MLP, [Array(64).fill(0.5)]),
      });
      expect(after.status, after.text).toBe(200);
      expect((JSON.parse(after.text) as { predictions: number[][] }).predictions[0]).toHaveLength(10);

      const rss = await settledRss(server, baseline + RSS_HEADROOM);
      console.log(
        `[fuzz] statuses ${JSON.stringify(byStatus)}, oversized ${oversized.map(([, , r]) => r.status || r.error)}, ` +
          `RSS baseline ${mb(baseline)}, after ${mb(rss)}`,
      );
      expect(rss, `RSS ${mb(rss)} after the storm, baseline ${mb(baseline)}`).toBeLessThan(
        baseline + RSS_HEADROOM,
      );
    }, 120_000);
  });

  it(
    `stays up and refuses with 429 + Retry-After at twice its saturation with --max-queue-size 32`,
    async () => {
      const seconds = SATURATION_SECONDS;
      const { server, client } = await serve(['mlp'], ['--max-queue-size', '32']);
      const valid: HttpRequest = {
        path: '/v2/models/mlp/infer',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          inputs: [
            {
              name: 'x',
              datatype: 'FP32',
              shape: [1, 64],
              data: Array.from({ length: 64 }, (_, i) => i / 64),
            },
          ],
        }),
      };

      // Saturation: what 16 closed-loop clients get through, after a warmup.
      const closedLoop = async (ms: number) => {
        let ok = 0;
        const end = Date.now() + ms;
        await Promise.all(
          Array.from({ length: 16 }, async () => {
            while (Date.now() < end) if ((await client.send(valid)).status === 200) ok++;
          }),
        );
        return (ok * 1000) / ms;
      };
      await closedLoop(1_000);
      const saturation = await closedLoop(2_000);
      const baseline = server.rssBytes();

      // Open loop at twice that rate, up to 256 requests in flight (arrivals beyond that are dropped).
      const rate = 2 * saturation;
      const statuses: Record<string, number> = {};
      const latency = { ok: [] as number[], refused: [] as number[] };
      const odd: string[] = [];
      let inFlight = 0;
      let launched = 0;
      let dropped = 0;
      let maxRss = baseline;
      const pending = new Set<Promise<void>>();
      const started = performance.now();
      let lastRss = started;
      while (performance.now() - started < seconds * 1000) {
        const due = Math.floor(((performance.now() - started) / 1000) * rate);
        if (due - launched > 256) {
          dropped += due - launched - 256;
          launched = due - 256;
        }
        while (launched < due && inFlight < 256) {
          launched++;
          inFlight++;
          const p = client.send(valid).then((r) => {
            inFlight--;
            statuses[r.status] = (statuses[r.status] ?? 0) + 1;
            if (r.status === 200) latency.ok.push(r.ms);
            else if (r.status === 429) {
              latency.refused.push(r.ms);
              if (!/^\d+$/.test(String(r.headers['retry-after'])) || errorMessage(r.text) === undefined) {
                odd.push(`429 without Retry-After or error body: ${JSON.stringify(r.headers)} ${r.text}`);
              }
            } else if (odd.length < 20) odd.push(`${r.status || r.error}: ${r.text.slice(0, 200)}`);
          });
          pending.add(p);
          p.finally(() => pending.delete(p));
        }
        if (performance.now() - lastRss > 250) {
          lastRss = performance.now();
          maxRss = Math.max(maxRss, server.rssBytes());
        }
        await sleep(2);
      }
      await Promise.all(pending);
      const elapsed = (performance.now() - started) / 1000;
      const summary =
        `saturation ${saturation.toFixed(0)}/s, offered ${(launched / elapsed).toFixed(0)}/s ` +
        `(${dropped} arrivals dropped at 256 in flight), statuses ${JSON.stringify(statuses)}, ` +
        `p99 200: ${percentile(latency.ok, 0.99).toFixed(0)} ms, p99 429: ${percentile(latency.refused, 0.99).toFixed(0)} ms, ` +
        `RSS baseline ${mb(baseline)}, max ${mb(maxRss)}`;
      console.log(`[saturation, ${seconds} s] ${summary}`);

      expect(server.alive(), server.output().slice(-2000)).toBe(true);
      expect(odd, summary).toEqual([]);
      expect(Object.keys(statuses).sort(), summary).toEqual(['200', '429']);
      // Loose sanity bounds, not a benchmark (on a 2-core machine with the load generator on the same
      // cores, the p99 of refusals measured 40-55 ms, and 200-650 ms while other work ran beside it):
      // a refusal must not wait behind the queue it was refused from, and accepted requests must not
      // approach the 30 s request deadline.
      expect(percentile(latency.refused, 0.99), summary).toBeLessThan(1_500);
      expect(percentile(latency.ok, 0.99), summary).toBeLessThan(5_000);
      expect(maxRss, summary).toBeLessThan(baseline + RSS_HEADROOM);

      const after = await client.send(valid);
      expect(after.status, after.text).toBe(200);
      expect(after.headers['x-model-version']).toBe('1');
      // Readiness may lag one pressure sample behind the load.
      let ready = 0;
      for (let k = 0; k < 50 && ready !== 200; k++) {
        ready = (await client.send({ method: 'GET', path: '/readyz' })).status;
        if (ready !== 200) await sleep(100);
      }
      expect(ready).toBe(200);
    },
    60_000 + SATURATION_SECONDS * 1000,
  );

  describe('model versions on disk', () => {
    /** Serves only the newest version folder, on one session, so every load is a swap. */
    const LATEST_ONLY = [
      'max_batch_size: 64',
      'instance_count: 1',
      'version_policy:',
      '  latest:',
      '    num_versions: 1',
      '',
    ].join('\n');
    const ALL_VERSIONS =
      'max_batch_size: 64\ninstance_count: 1\nversion_policy:\n  all: {}\nlabels:\n  canary: 2\n';
    const ROW = Array.from({ length: 20 }, (_, i) => ((i % 5) - 2) / 4);
    const predictBody = JSON.stringify({ instances: [ROW] });
    let files: { v1: Buffer; v2: Buffer };

    beforeAll(async () => {
      files = {
        v1: await readFile(join(FIXTURE_REPOSITORY, 'logreg', '1', 'model.onnx')),
        v2: await readFile(join(FIXTURE_REPOSITORY, 'logreg', '2', 'model.onnx')),
      };
    });

    /**
     * A repository with `logreg` (version 1 = the fixture's v1 file, newest version only) and
     * `logreg-files` (the fixture's v1 and v2 files as versions 1 and 2, both served), which tells
     * what each file answers.
     */
    async function swappable(extra: string[] = [], ready = ['logreg', 'logreg-files']) {
      const repository = await copyFixtureModels(extra);
      repositories.push(repository);
      await writeVersion(repository, 'logreg', '1', files.v1);
      await writeFile(join(repository, 'logreg', 'config.yaml'), LATEST_ONLY);
      await writeVersion(repository, 'logreg-files', '1', files.v1);
      await writeVersion(repository, 'logreg-files', '2', files.v2);
      await writeFile(join(repository, 'logreg-files', 'config.yaml'), ALL_VERSIONS);
      const server = await startServing({ repository, models: ready });
      servers.push(server);
      const client = new HttpClient(server.url, 64);
      clients.push(client);
      const probability = async (path: string) => {
        const r = await client.send({ path, body: predictBody });
        expect(r.status, r.text).toBe(200);
        return (JSON.parse(r.text) as { predictions: number[][] }).predictions[0][0];
      };
      const expected = {
        v1: await probability('/v1/models/logreg-files/versions/1:predict'),
        v2: await probability('/v1/models/logreg-files/versions/2:predict'),
      };
      // Otherwise a response could not tell which file answered.
      expect(Math.abs(expected.v1 - expected.v2)).toBeGreaterThan(1e-3);
      return { repository, server, client, expected };
    }

    async function writeVersion(repository: string, model: string, version: string, bytes: Buffer) {
      await mkdir(join(repository, model, version), { recursive: true });
      await writeFile(join(repository, model, version, 'model.onnx'), bytes);
    }

    interface Answer {
      start: number;
      end: number;
      status: number;
      version?: string;
      name?: string;
      value?: number;
      text: string;
    }

    /** `clients` loops of TF Serving predicts on `logreg` (no version) until `stop()`. */
    function steadyLoad(client: HttpClient, clients: number) {
      const answers: Answer[] = [];
      let running = true;
      const loops = Array.from({ length: clients }, async () => {
        while (running) {
          const start = performance.now();
          const r = await client.send({ path: '/v1/models/logreg:predict', body: predictBody });
          const a: Answer = { start, end: performance.now(), status: r.status, text: r.text.slice(0, 300) };
          if (r.status === 200) {
            a.version = r.headers['x-model-version'] as string | undefined;
            a.name = r.headers['x-model-name'] as string | undefined;
            a.value = (JSON.parse(r.text) as { predictions: number[][] }).predictions[0][0];
          }
          answers.push(a);
        }
      });
      return {
        answers,
        stop: async () => {
          running = false;
          await Promise.all(loops);
          return answers;
        },
      };
    }

    async function load(client: HttpClient, model: string): Promise<HttpReply> {
      return client.send({
        path: `/v2/repository/models/${model}/load`,
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
    }

    it('hot-swaps 20 new versions and 4 rollbacks under steady load without failing a request', async () => {
      const { repository, client, expected } = await swappable();
      const fileOf = new Map<string, 'v1' | 'v2'>([['1', 'v1']]);
      const onDisk = ['1'];
      const swaps: Array<{ start: number; end: number; version: string }> = [];
      const load16 = steadyLoad(client, 16);
      await sleep(200);

      const swapTo = async (change: () => Promise<void>) => {
        const start = performance.now();
        await change();
        const r = await load(client, 'logreg');
        expect(r.status, r.text).toBe(200);
        swaps.push({ start, end: performance.now(), version: onDisk[onDisk.length - 1] });
        // Some requests between swaps, to see the new version answer on its own.
        await sleep(100);
      };
      let next = 2;
      for (let i = 1; i <= 20; i++) {
        const version = String(next++);
        const file = i % 2 === 1 ? 'v2' : 'v1';
        await swapTo(async () => {
          await mkdir(join(repository, 'logreg', version));
          await writeFile(join(repository, 'logreg', version, 'model.onnx'), files[file]);
          fileOf.set(version, file);
          onDisk.push(version);
        });
        if (i % 5 === 0) {
          // Roll back: the newest folder goes, and the load serves the one before it again.
          await swapTo(async () => {
            await rm(join(repository, 'logreg', onDisk.pop() as string), { recursive: true });
          });
        }
      }
      const answers = await load16.stop();

      const failures = answers.filter((a) => a.status !== 200);
      expect(failures.slice(0, 5), `${failures.length} of ${answers.length} requests failed`).toEqual([]);
      expect(answers.filter((a) => a.name !== 'logreg' || a.version === undefined)).toEqual([]);
      const loaded = new Set(['1', ...swaps.map((s) => s.version)]);
      const seen = new Set(answers.map((a) => a.version as string));
      expect([...seen].filter((v) => !loaded.has(v))).toEqual([]);
      // Every version loaded answered at least once in the pause after its load.
      expect([...loaded].filter((v) => !seen.has(v))).toEqual([]);

      const wrong: string[] = [];
      for (const a of answers) {
        const version = a.version as string;
        const want = expected[fileOf.get(version) as 'v1' | 'v2'];
        if (Math.abs((a.value as number) - want) > 1e-6)
          wrong.push(`version ${version} answered ${a.value}, its file gives ${want}`);
        // Allowed: the version of the last swap done before the request started, and that of any
        // swap in progress while it ran.
        const before = swaps.filter((s) => s.end <= a.start).pop()?.version ?? '1';
        const during = swaps.filter((s) => s.start < a.end && s.end > a.start).map((s) => s.version);
        if (version !== before && !during.includes(version))
          wrong.push(
            `a request at ${a.start.toFixed(0)} ms answered version ${version}, expected ${[before, ...during]}`,
          );
      }
      console.log(
        `[hot swap] ${answers.length} requests over ${swaps.length} loads ` +
          `(${percentile(
            swaps.map((s) => s.end - s.start),
            0.5,
          ).toFixed(0)} ms median), versions ${[...seen].join(',')}`,
      );
      expect(wrong.slice(0, 10), `${wrong.length} wrong answers of ${answers.length}`).toEqual([]);
      expect(swaps).toHaveLength(24);
    }, 90_000);

    it('refuses corrupt versions with a 400 naming the model, version and parse failure, and keeps serving', async () => {
      const { repository, client, expected } = await swappable(['broken']);
      const load4 = steadyLoad(client, 4);
      const rng = prng(42);
      const corrupt: Array<[string, Buffer]> = [
        ['random bytes', Buffer.from(Array.from({ length: 4096 }, () => rng.int(256)))],
        ['a text file', Buffer.from('this is not an ONNX model\n')],
        ['a truncated model', files.v2.subarray(0, Math.floor(files.v2.length / 2))],
        ['an empty file', Buffer.alloc(0)],
      ];
      const index = async () => {
        const r = await client.send({
          path: '/v2/repository/index',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        });
        expect(r.status, r.text).toBe(200);
        return JSON.parse(r.text) as Array<{
          name: string;
          version?: string;
          state: string;
          reason?: string;
        }>;
      };

      for (const [what, bytes] of corrupt) {
        await mkdir(join(repository, 'logreg', '2'));
        await writeFile(join(repository, 'logreg', '2', 'model.onnx'), bytes);
        const r = await load(client, 'logreg');
        expect(r.status, `${what}: ${r.text}`).toBe(400);
        expect(errorMessage(r.text), what).toMatch(
          /Model 'logreg' version 2 failed to load: ONNX Runtime .*(protobuf|pars)/i,
        );
        const reply = await client.send({ path: '/v1/models/logreg:predict', body: predictBody });
        expect(reply.status, `${what}: ${reply.text}`).toBe(200);
        expect(reply.headers['x-model-version'], what).toBe('1');
        expect((JSON.parse(reply.text) as { predictions: number[][] }).predictions[0][0]).toBeCloseTo(
          expected.v1,
          6,
        );
        expect((await client.send({ method: 'GET', path: '/v2/models/logreg/ready' })).status, what).toBe(
          200,
        );
        expect(
          (await index()).find((e) => e.name === 'logreg' && e.version === '2'),
          what,
        ).toEqual({
          name: 'logreg',
          version: '2',
          state: 'UNAVAILABLE',
          reason: expect.stringMatching(/ONNX Runtime/),
        });
        await rm(join(repository, 'logreg', '2'), { recursive: true });
      }

      // A model whose every version is served keeps the others when a new one is corrupt.
      await mkdir(join(repository, 'logreg-files', '3'));
      await writeFile(join(repository, 'logreg-files', '3', 'model.onnx'), corrupt[0][1]);
      const r = await load(client, 'logreg-files');
      expect(r.status, r.text).toBe(400);
      expect(errorMessage(r.text)).toMatch(/Model 'logreg-files' version 3 failed to load: ONNX Runtime/);
      for (const [path, version, want] of [
        ['/v1/models/logreg-files:predict', '2', expected.v2],
        ['/v1/models/logreg-files/versions/1:predict', '1', expected.v1],
        ['/v1/models/logreg-files/labels/canary:predict', '2', expected.v2],
      ] as const) {
        const reply = await client.send({ path, body: predictBody });
        expect(reply.status, `${path}: ${reply.text}`).toBe(200);
        expect(reply.headers['x-model-version'], path).toBe(version);
        expect((JSON.parse(reply.text) as { predictions: number[][] }).predictions[0][0]).toBeCloseTo(
          want,
          6,
        );
      }

      // Repaired: a valid file under the same version loads and serves.
      await mkdir(join(repository, 'logreg', '2'));
      await writeFile(join(repository, 'logreg', '2', 'model.onnx'), files.v2);
      const repaired = await load(client, 'logreg');
      expect(repaired.status, repaired.text).toBe(200);
      const reply = await client.send({ path: '/v1/models/logreg:predict', body: predictBody });
      expect(reply.headers['x-model-version']).toBe('2');
      expect((JSON.parse(reply.text) as { predictions: number[][] }).predictions[0][0]).toBeCloseTo(
        expected.v2,
        6,
      );

      await sleep(100);
      const answers = await load4.stop();
      expect(answers.filter((a) => a.status !== 200).slice(0, 5)).toEqual([]);
      expect(new Set(answers.map((a) => a.version))).toEqual(new Set(['1', '2']));

      // The fixture `broken` (not ONNX) is listed with its reason, and loading it says why it fails.
      expect((await index()).filter((e) => e.name === 'broken')).toEqual([
        { name: 'broken', version: '1', state: 'UNAVAILABLE', reason: expect.stringMatching(/ONNX Runtime/) },
      ]);
      const broken = await load(client, 'broken');
      expect(broken.status, broken.text).toBe(400);
      expect(errorMessage(broken.text)).toMatch(/Model 'broken' version 1 failed to load: ONNX Runtime/);
    }, 60_000);
  });
});
