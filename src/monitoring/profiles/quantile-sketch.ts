/**
 * A DDSketch-style quantile sketch (Masson, Rim & Lee, VLDB 2019): values go to logarithmic buckets
 * (γ^(k−1), γ^k] with γ = (1 + α)/(1 − α), one run of buckets per sign plus a count of zeros, and a
 * bucket stands for 2γ^k/(1 + γ).
 *
 * Error bounds (α = `relativeAccuracy`, 0.01 by default):
 * - every quantile it returns is within α·|x| of the true sample quantile x (rank q·(n − 1), lower);
 * - its CDF is exact at bucket boundaries, so two sketches with the same α compare exactly there
 *   (see `sketchKs` in sketch-distances.ts);
 * - moving every value to its bucket's representative moves it by at most α·|x|, which bounds the
 *   Wasserstein error (see `sketchWasserstein`).
 * These hold while a sign's buckets span at most `binLimit` (2048: a ratio of γ^2048 ≈ 6·10¹⁷
 * between the largest and smallest magnitude at α = 0.01); beyond it the smallest magnitudes are
 * folded together and lose their relative accuracy (the largest keep theirs).
 *
 * Merging adds bucket counts: associative, commutative and exactly equal to a sketch built over the
 * concatenated values. (We do not use @datadog/sketches-js: its 2.1.1 `merge` drops the other
 * sketch's negative values and its `fromProto` needs an undeclared protobufjs and loses min/max.)
 */
import { invalidParameter } from '../../core/errors.js';
import { type BucketCountsJson, BucketStore } from './bucket-store.js';

export const DEFAULT_RELATIVE_ACCURACY = 0.01;
export const DEFAULT_BIN_LIMIT = 2048;

/** The serialized sketch. */
export interface QuantileSketchJson {
  alpha: number;
  binLimit: number;
  zeros: number;
  positive: BucketCountsJson;
  negative: BucketCountsJson;
}

/** Sketch contents as ascending points: value (bucket representative) and how many values it holds. */
export interface SketchPoints {
  values: Float64Array;
  weights: Float64Array;
  /** Σ weights. */
  total: number;
}

export class QuantileSketch {
  readonly gamma: number;
  private readonly logGamma: number;
  private readonly positive: BucketStore;
  private readonly negative: BucketStore;
  private zeros = 0;

  constructor(
    readonly relativeAccuracy = DEFAULT_RELATIVE_ACCURACY,
    readonly binLimit = DEFAULT_BIN_LIMIT,
  ) {
    if (!(relativeAccuracy > 0 && relativeAccuracy < 1))
      throw invalidParameter('relativeAccuracy', 'a number in (0, 1)', relativeAccuracy);
    if (!(Number.isSafeInteger(binLimit) && binLimit >= 16))
      throw invalidParameter('binLimit', 'a whole number ≥ 16', binLimit);
    this.gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy);
    this.logGamma = Math.log(this.gamma);
    this.positive = new BucketStore(binLimit);
    this.negative = new BucketStore(binLimit);
  }

  /** Values held. */
  get count(): number {
    return this.zeros + this.positive.total + this.negative.total;
  }

  /** The bucket key of a magnitude > 0. */
  private key(magnitude: number): number {
    return Math.ceil(Math.log(magnitude) / this.logGamma);
  }

  /** The representative magnitude of bucket `key`. */
  private representative(key: number): number {
    return (2 * Math.exp(key * this.logGamma)) / (1 + this.gamma);
  }

  /** Adds one finite value. */
  add(x: number): void {
    if (x > 0) this.positive.add(this.key(x));
    else if (x < 0) this.negative.add(this.key(-x));
    else this.zeros++;
  }

  /** Adds every value of `other` (which must have the same accuracy and bin limit). */
  merge(other: QuantileSketch): void {
    if (other.relativeAccuracy !== this.relativeAccuracy || other.binLimit !== this.binLimit) {
      throw invalidParameter(
        'sketch',
        `a quantile sketch with relativeAccuracy ${this.relativeAccuracy} and binLimit ${this.binLimit}`,
        `relativeAccuracy ${other.relativeAccuracy}, binLimit ${other.binLimit}`,
      );
    }
    this.positive.merge(other.positive);
    this.negative.merge(other.negative);
    this.zeros += other.zeros;
  }

  /** The sketch as ascending (representative, count) points. */
  points(): SketchPoints {
    const n = this.negative.total > 0 ? this.countBuckets(this.negative) : 0;
    const p = this.positive.total > 0 ? this.countBuckets(this.positive) : 0;
    const size = n + p + (this.zeros > 0 ? 1 : 0);
    const values = new Float64Array(size);
    const weights = new Float64Array(size);
    let i = n;
    this.negative.forEach((k, c) => {
      i--;
      values[i] = -this.representative(k);
      weights[i] = c;
    });
    i = n;
    if (this.zeros > 0) {
      values[i] = 0;
      weights[i++] = this.zeros;
    }
    this.positive.forEach((k, c) => {
      values[i] = this.representative(k);
      weights[i++] = c;
    });
    return { values, weights, total: this.count };
  }

  private countBuckets(store: BucketStore): number {
    let n = 0;
    store.forEach(() => {
      n++;
    });
    return n;
  }

  /**
   * The lower q-quantile (the value at rank ⌊q·(n − 1)⌋ of the sorted sample) within α relative
   * error; null when empty.
   */
  quantile(q: number): number | null {
    if (!(q >= 0 && q <= 1)) throw invalidParameter('quantile', 'a number in [0, 1]', q);
    const total = this.count;
    if (total === 0) return null;
    const rank = Math.floor(q * (total - 1));
    const { values, weights } = this.points();
    let seen = 0;
    for (let i = 0; i < values.length; i++) {
      seen += weights[i]!;
      if (seen > rank) return values[i]!;
    }
    return values[values.length - 1]!;
  }

  toJSON(): QuantileSketchJson {
    return {
      alpha: this.relativeAccuracy,
      binLimit: this.binLimit,
      zeros: this.zeros,
      positive: this.positive.toJSON(),
      negative: this.negative.toJSON(),
    };
  }

  static fromJSON(json: QuantileSketchJson): QuantileSketch {
    const sketch = new QuantileSketch(json.alpha, json.binLimit);
    sketch.zeros = json.zeros;
    const pos = BucketStore.fromJSON(json.positive, json.binLimit);
    const neg = BucketStore.fromJSON(json.negative, json.binLimit);
    sketch.positive.merge(pos);
    sketch.negative.merge(neg);
    return sketch;
  }
}
