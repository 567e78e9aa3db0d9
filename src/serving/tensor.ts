/**
 * Tensors between wire formats and ONNX Runtime: element types, typed-array storage, JSON values in
 * and out. Every protocol adapter converts through here, so a value is checked the same way whichever
 * API it came from.
 */
import { invalidParameter } from '../core/errors.js';
import type { Tensor, TensorData, TensorDataType, TensorSpec } from './types.js';

interface TypeInfo {
  ort: string;
  bytes: number;
  make: (n: number) => TensorData;
  /** Accepts a JSON element; returns the stored value or undefined when it does not fit. */
  accept: (v: unknown) => number | bigint | string | undefined;
}

const NON_FINITE: Record<string, number> = { NaN: Number.NaN, Infinity: Infinity, '-Infinity': -Infinity };

function float(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v in NON_FINITE) return NON_FINITE[v];
  return undefined;
}

function int(min: number, max: number) {
  return (v: unknown) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : undefined;
}

function bigint(min: bigint, max: bigint) {
  return (v: unknown) => {
    if (typeof v !== 'number' && typeof v !== 'bigint' && typeof v !== 'string') return undefined;
    if (typeof v === 'number' && !Number.isInteger(v)) return undefined;
    if (typeof v === 'string' && !/^-?\d+$/.test(v)) return undefined;
    const b = BigInt(v);
    return b >= min && b <= max ? b : undefined;
  };
}

const TYPES: Record<TensorDataType, TypeInfo> = {
  BOOL: {
    ort: 'bool',
    bytes: 1,
    make: (n) => new Uint8Array(n),
    accept: (v) => (v === true || v === 1 ? 1 : v === false || v === 0 ? 0 : undefined),
  },
  UINT8: { ort: 'uint8', bytes: 1, make: (n) => new Uint8Array(n), accept: int(0, 255) },
  UINT16: { ort: 'uint16', bytes: 2, make: (n) => new Uint16Array(n), accept: int(0, 65535) },
  UINT32: { ort: 'uint32', bytes: 4, make: (n) => new Uint32Array(n), accept: int(0, 4294967295) },
  UINT64: { ort: 'uint64', bytes: 8, make: (n) => new BigUint64Array(n), accept: bigint(0n, 2n ** 64n - 1n) },
  INT8: { ort: 'int8', bytes: 1, make: (n) => new Int8Array(n), accept: int(-128, 127) },
  INT16: { ort: 'int16', bytes: 2, make: (n) => new Int16Array(n), accept: int(-32768, 32767) },
  INT32: { ort: 'int32', bytes: 4, make: (n) => new Int32Array(n), accept: int(-2147483648, 2147483647) },
  INT64: {
    ort: 'int64',
    bytes: 8,
    make: (n) => new BigInt64Array(n),
    accept: bigint(-(2n ** 63n), 2n ** 63n - 1n),
  },
  FP16: {
    ort: 'float16',
    bytes: 2,
    make: (n) => new Uint16Array(n),
    accept: (v) => {
      const x = float(v);
      return x === undefined ? undefined : floatToHalf(x);
    },
  },
  FP32: { ort: 'float32', bytes: 4, make: (n) => new Float32Array(n), accept: float },
  FP64: { ort: 'float64', bytes: 8, make: (n) => new Float64Array(n), accept: float },
  BYTES: {
    ort: 'string',
    bytes: 0,
    make: (n) => new Array<string>(n).fill(''),
    accept: (v) => (typeof v === 'string' ? v : undefined),
  },
};

const BY_ORT = new Map(Object.entries(TYPES).map(([dt, info]) => [info.ort, dt as TensorDataType]));

export const TENSOR_DATATYPES = Object.keys(TYPES) as TensorDataType[];

export function isTensorDataType(v: unknown): v is TensorDataType {
  return typeof v === 'string' && v in TYPES;
}

/** ONNX Runtime's name for a type (`FP32` → `float32`). */
export function ortTypeOf(datatype: TensorDataType): string {
  return TYPES[datatype].ort;
}

/** The V2 name of an ONNX Runtime type; undefined for types serving does not support. */
export function datatypeOfOrt(ortType: string): TensorDataType | undefined {
  return BY_ORT.get(ortType);
}

/** Bytes per element (0 for BYTES, whose elements vary). */
export function elementBytes(datatype: TensorDataType): number {
  return TYPES[datatype].bytes;
}

export function allocate(datatype: TensorDataType, length: number): TensorData {
  return TYPES[datatype].make(length);
}

export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Deepest nesting (and highest rank) a request may use; checked before any recursion. */
export const MAX_TENSOR_RANK = 16;

/** Largest tensor a request may declare (elements), so `shape: [1e12]` is a 400, not an allocation. */
export const MAX_TENSOR_ELEMENTS = 64 * 1024 * 1024;

/** Checks a declared shape: non-negative integers, a bounded element count. */
export function checkShape(shape: unknown, field: string): number[] {
  if (!Array.isArray(shape) || shape.length > MAX_TENSOR_RANK)
    throw invalidParameter(field, `an array of at most ${MAX_TENSOR_RANK} dimensions`, shape);
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw invalidParameter(field, 'non-negative integer dimensions', shape);
    }
  }
  if (elementCount(shape) > MAX_TENSOR_ELEMENTS) {
    throw invalidParameter(
      field,
      `at most ${MAX_TENSOR_ELEMENTS} elements`,
      `${elementCount(shape)} elements`,
    );
  }
  return shape as number[];
}

/** Walks nested arrays down their first elements to find the shape they claim. */
function inferShape(values: unknown, field: string): number[] {
  const shape: number[] = [];
  let v = values;
  while (Array.isArray(v)) {
    if (shape.length >= MAX_TENSOR_RANK)
      throw invalidParameter(field, `at most ${MAX_TENSOR_RANK} levels of nesting`, 'deeper arrays');
    shape.push(v.length);
    if (v.length === 0) break;
    v = v[0];
  }
  return shape;
}

/**
 * Builds a tensor from JSON values, flat or nested (row-major). With `spec.shape` given, the values
 * must hold exactly that many elements; without it, the shape is read off the nesting, which must be
 * regular. Every element is checked against the datatype.
 *
 * @example
 * tensorFromValues({ name: 'x', datatype: 'FP32' }, [[1, 2, 3]], 'instances') // shape [1, 3]
 */
export function tensorFromValues(
  spec: { name: string; datatype: TensorDataType; shape?: number[] },
  values: unknown,
  field: string,
): Tensor {
  const fast = spec.datatype === 'FP32' || spec.datatype === 'FP64' ? floatsFast(spec, values) : undefined;
  return fast ?? tensorFromValuesGeneric(spec, values, field);
}

/**
 * The commonest case — plain numbers, flat with a given shape or as regular rows — copied in plain
 * loops. A closure call per element (the generic walk) costs several times as much on the hot path.
 * Anything unusual returns undefined and takes the generic path, which owns the error messages.
 */
function floatsFast(
  spec: { name: string; datatype: TensorDataType; shape?: number[] },
  values: unknown,
): Tensor | undefined {
  if (!Array.isArray(values)) return undefined;
  const make =
    spec.datatype === 'FP32' ? (n: number) => new Float32Array(n) : (n: number) => new Float64Array(n);
  if (spec.shape) {
    const n = values.length;
    if (n !== elementCount(spec.shape)) return undefined;
    const data = make(n);
    for (let k = 0; k < n; k++) {
      const v = values[k];
      if (typeof v !== 'number') return undefined;
      data[k] = v;
    }
    return { name: spec.name, datatype: spec.datatype, shape: spec.shape, data };
  }
  const rows = values.length;
  const first = values[0];
  if (rows === 0 || !Array.isArray(first)) return undefined;
  const width = first.length;
  if (rows * width > MAX_TENSOR_ELEMENTS) return undefined;
  const data = make(rows * width);
  let i = 0;
  for (let r = 0; r < rows; r++) {
    const row = values[r];
    if (!Array.isArray(row) || row.length !== width) return undefined;
    for (let k = 0; k < width; k++) {
      const v = row[k];
      if (typeof v !== 'number') return undefined;
      data[i++] = v;
    }
  }
  return { name: spec.name, datatype: spec.datatype, shape: [rows, width], data };
}

function tensorFromValuesGeneric(
  spec: { name: string; datatype: TensorDataType; shape?: number[] },
  values: unknown,
  field: string,
): Tensor {
  const info = TYPES[spec.datatype];
  const shape = spec.shape ?? inferShape(values, field);
  const n = elementCount(shape);
  if (n > MAX_TENSOR_ELEMENTS)
    throw invalidParameter(field, `at most ${MAX_TENSOR_ELEMENTS} elements`, `${n} elements`);
  const data = info.make(n);
  let i = 0;
  const put = (v: unknown): void => {
    const x = info.accept(v);
    if (x === undefined) {
      throw invalidParameter(`${field}[${i}]`, `${spec.datatype} values`, v);
    }
    if (i >= n) throw invalidParameter(field, `${n} elements for shape [${shape}]`, 'more');
    (data as unknown as Array<unknown>)[i++] = x;
  };
  if (spec.shape === undefined) {
    // Regular nesting: every array at depth d has length shape[d].
    const walk = (v: unknown, depth: number): void => {
      if (depth === shape.length) {
        if (Array.isArray(v))
          throw invalidParameter(field, `a regular array of shape [${shape}]`, 'ragged nesting');
        put(v);
        return;
      }
      if (!Array.isArray(v) || v.length !== shape[depth]) {
        throw invalidParameter(field, `a regular array of shape [${shape}]`, 'ragged nesting');
      }
      for (const e of v) walk(e, depth + 1);
    };
    walk(values, 0);
  } else {
    const walk = (v: unknown, depth: number): void => {
      if (depth > MAX_TENSOR_RANK)
        throw invalidParameter(field, `at most ${MAX_TENSOR_RANK} levels of nesting`, 'deeper arrays');
      if (Array.isArray(v)) for (const e of v) walk(e, depth + 1);
      else put(v);
    };
    walk(values, 0);
  }
  if (i !== n) throw invalidParameter(field, `${n} elements for shape [${shape}]`, `${i}`);
  return { name: spec.name, datatype: spec.datatype, shape, data };
}

/** Flat JSON-ready values: bigint → number (exact up to 2^53), BOOL → boolean, FP16 → number. */
export function tensorValues(t: Tensor): Array<number | boolean | string> {
  const d = t.data;
  if (Array.isArray(d)) return d;
  if (t.datatype === 'BOOL') return Array.from(d as Uint8Array, (v) => v !== 0);
  if (t.datatype === 'FP16') return Array.from(d as Uint16Array, halfToFloat);
  if (d instanceof BigInt64Array || d instanceof BigUint64Array) return Array.from(d, Number);
  // push keeps the array packed, which JSON.stringify walks faster than Array.from's result.
  const out: number[] = [];
  const f = d as Float32Array;
  for (let k = 0; k < f.length; k++) out.push(f[k]);
  return out;
}

/** Nested row-major arrays of `t.shape` (TF Serving's `predictions`). */
export function tensorNested(t: Tensor): unknown {
  const flat = tensorValues(t);
  if (t.shape.length === 0) return flat[0];
  let pos = 0;
  const build = (depth: number): unknown[] => {
    const len = t.shape[depth] ?? 0;
    const out = new Array<unknown>(len);
    if (depth === t.shape.length - 1) {
      for (let k = 0; k < len; k++) out[k] = flat[pos++];
    } else {
      for (let k = 0; k < len; k++) out[k] = build(depth + 1);
    }
    return out;
  };
  return build(0);
}

/** Raw little-endian bytes of a numeric tensor (V2 binary extension); BYTES as 4-byte length-prefixed. */
export function tensorBytes(t: Tensor): Buffer {
  if (Array.isArray(t.data)) {
    const parts: Buffer[] = [];
    for (const s of t.data) {
      const b = Buffer.from(s, 'utf8');
      const len = Buffer.alloc(4);
      len.writeUInt32LE(b.length);
      parts.push(len, b);
    }
    return Buffer.concat(parts);
  }
  return Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

/** A tensor from raw little-endian bytes (V2 binary extension). Copies, so the result is aligned. */
export function tensorFromBytes(
  spec: { name: string; datatype: TensorDataType; shape: number[] },
  bytes: Uint8Array,
  field: string,
): Tensor {
  const n = elementCount(spec.shape);
  if (spec.datatype === 'BYTES') {
    const out: string[] = [];
    let off = 0;
    const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    while (off < view.length) {
      if (off + 4 > view.length)
        throw invalidParameter(field, 'length-prefixed BYTES elements', 'a truncated length');
      const len = view.readUInt32LE(off);
      off += 4;
      if (off + len > view.length)
        throw invalidParameter(field, 'length-prefixed BYTES elements', 'a truncated element');
      out.push(view.toString('utf8', off, off + len));
      off += len;
    }
    if (out.length !== n)
      throw invalidParameter(field, `${n} elements for shape [${spec.shape}]`, out.length);
    return { ...spec, data: out };
  }
  const size = TYPES[spec.datatype].bytes;
  if (bytes.byteLength !== n * size) {
    throw invalidParameter(field, `${n * size} bytes (${n} × ${spec.datatype})`, `${bytes.byteLength} bytes`);
  }
  const data = TYPES[spec.datatype].make(n) as Exclude<TensorData, string[]>;
  new Uint8Array(data.buffer).set(bytes);
  return { ...spec, data };
}

/** True when any element of a floating-point tensor is NaN or ±Infinity. */
export function hasNonFinite(t: Tensor): boolean {
  if (t.datatype === 'FP32' || t.datatype === 'FP64') {
    const d = t.data as Float32Array;
    for (let k = 0; k < d.length; k++) if (!Number.isFinite(d[k])) return true;
  } else if (t.datatype === 'FP16') {
    const d = t.data as Uint16Array;
    for (let k = 0; k < d.length; k++) if ((d[k] & 0x7c00) === 0x7c00) return true;
  }
  return false;
}

/** IEEE 754 half → number. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? Number.NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** number → IEEE 754 half (round to nearest even). */
export function floatToHalf(x: number): number {
  const f32 = new Float32Array([x]);
  const u = new Uint32Array(f32.buffer)[0];
  const sign = (u >>> 16) & 0x8000;
  const exp = (u >>> 23) & 0xff;
  let mant = u & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  return sign | half;
}

/** `x: FP32 [1,64]` — how messages name a tensor. */
export function describeTensor(t: { name: string; datatype: TensorDataType; shape: number[] }): string {
  return `${t.name}: ${t.datatype} [${t.shape.join(',')}]`;
}

export function describeSpec(s: TensorSpec): string {
  return `${s.datatype} [${s.shape.map((d) => (d < 0 ? '-1' : String(d))).join(',')}]`;
}
