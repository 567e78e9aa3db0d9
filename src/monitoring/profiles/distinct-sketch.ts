/**
 * HyperLogLog distinct counts (Flajolet et al. 2007) with Ertl's improved estimator ("New
 * cardinality estimation algorithms for HyperLogLog sketches", 2017), which needs no bias tables
 * and no switch to linear counting: relative standard error ≈ 1.04/√m over the whole range, with
 * m = 2^precision registers (precision 12: 4,096 one-byte registers, ≈ 1.6 %; 3 standard errors
 * ≈ 4.9 %). Up to 2^precision·~0.1 distinct values the estimate is practically exact.
 *
 * The hash is 64 bits (two seeded MurmurHash3 words): `precision` bits pick the register, the
 * other 64 − precision give the rank. Merging takes the register-wise maximum: associative,
 * commutative and identical to the sketch of the concatenated values.
 */
import { invalidParameter } from '../../core/errors.js';
import { hashNumber, hashString } from './hash.js';

export const DEFAULT_HLL_PRECISION = 12;

export interface DistinctSketchJson {
  precision: number;
  /** Registers, base64. */
  registers: string;
}

const scratch = new Uint32Array(2);

export class DistinctSketch {
  private readonly registers: Uint8Array;
  /** Bits of the hash left for the rank. */
  private readonly q: number;

  constructor(readonly precision = DEFAULT_HLL_PRECISION) {
    if (!(Number.isInteger(precision) && precision >= 4 && precision <= 18))
      throw invalidParameter('precision', 'a whole number in [4, 18]', precision);
    this.registers = new Uint8Array(1 << precision);
    this.q = 64 - precision;
  }

  /** Adds a string (categories). */
  addString(s: string): void {
    hashString(s, scratch);
    this.addHash(scratch[0]!, scratch[1]!);
  }

  /** Adds a number. */
  addNumber(x: number): void {
    hashNumber(x, scratch);
    this.addHash(scratch[0]!, scratch[1]!);
  }

  private addHash(high: number, low: number): void {
    const p = this.precision;
    const index = high >>> (32 - p);
    // The rank: 1 + leading zeros of the 64 − p bits after the index.
    const rest = (high << p) >>> 0;
    let rank: number;
    if (rest !== 0) rank = Math.clz32(rest) + 1;
    else rank = low !== 0 ? 32 - p + Math.clz32(low) + 1 : this.q + 1;
    if (rank > this.registers[index]!) this.registers[index] = rank;
  }

  merge(other: DistinctSketch): void {
    if (other.precision !== this.precision)
      throw invalidParameter(
        'precision',
        `a distinct sketch of precision ${this.precision}`,
        other.precision,
      );
    const r = this.registers;
    const o = other.registers;
    for (let i = 0; i < r.length; i++) if (o[i]! > r[i]!) r[i] = o[i]!;
  }

  /** Estimated number of distinct values added. */
  estimate(): number {
    const m = this.registers.length;
    const q = this.q;
    const histogram = new Float64Array(q + 2);
    for (const r of this.registers) histogram[r]!++;
    let z = m * tau(1 - histogram[q + 1]! / m);
    for (let k = q; k >= 1; k--) z = 0.5 * (z + histogram[k]!);
    z += m * sigma(histogram[0]! / m);
    return Math.round((m * m) / (2 * Math.LN2 * z));
  }

  toJSON(): DistinctSketchJson {
    return { precision: this.precision, registers: Buffer.from(this.registers).toString('base64') };
  }

  static fromJSON(json: DistinctSketchJson): DistinctSketch {
    const sketch = new DistinctSketch(json.precision);
    const bytes = Buffer.from(json.registers, 'base64');
    if (bytes.length !== sketch.registers.length)
      throw invalidParameter('registers', `${sketch.registers.length} bytes`, `${bytes.length} bytes`);
    sketch.registers.set(bytes);
    return sketch;
  }
}

/** Ertl's σ(x) = x + Σ_{k≥1} x^(2^k)·2^(k−1). */
function sigma(x: number): number {
  if (x === 1) return Number.POSITIVE_INFINITY;
  let y = 1;
  let z = x;
  for (;;) {
    x *= x;
    const previous = z;
    z += x * y;
    y += y;
    if (z === previous) return z;
  }
}

/** Ertl's τ(x) = (1 − x − Σ_{k≥1} (1 − x^(2^−k))²·2^−k) / 3. */
function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  for (;;) {
    x = Math.sqrt(x);
    const previous = z;
    y *= 0.5;
    z -= (1 - x) ** 2 * y;
    if (z === previous) return z / 3;
  }
}
