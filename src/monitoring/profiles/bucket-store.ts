/**
 * The counts of a quantile sketch for one sign: a dense run of bucket counts, grown as keys arrive.
 * At most `binLimit` buckets are kept: keys below `highest key − binLimit + 1` (the smallest
 * magnitudes) are folded into that lowest kept key. The kept range only ever moves up, with the
 * highest key seen, so the counts do not depend on the order values or merges came in: merging
 * stores is exactly associative and commutative (counts are whole numbers).
 */

/** A run of bucket counts starting at key `offset`. */
export interface BucketCountsJson {
  offset: number;
  counts: number[];
}

export class BucketStore {
  /** Key of slot 0 of `counts`. */
  private offset = 0;
  private counts = new Float64Array(0);
  /** Lowest and highest non-empty keys (meaningless while total is 0). */
  private minKey = 0;
  private maxKey = 0;
  /** Number of values held. */
  total = 0;

  constructor(readonly binLimit: number) {}

  /** Adds `weight` (> 0) values to bucket `key`. */
  add(key: number, weight = 1): void {
    if (this.total === 0) {
      if (this.counts.length === 0) this.counts = new Float64Array(16);
      this.offset = key - (this.counts.length >> 1);
      this.minKey = key;
      this.maxKey = key;
    } else {
      if (key > this.maxKey) {
        this.maxKey = key;
        const floor = key - this.binLimit + 1;
        if (this.minKey < floor) this.foldBelow(floor);
      }
      const floor = this.maxKey - this.binLimit + 1;
      if (key < floor) key = floor;
      if (key < this.minKey) this.minKey = key;
    }
    if (key < this.offset || key >= this.offset + this.counts.length) this.reserve();
    this.counts[key - this.offset]! += weight;
    this.total += weight;
  }

  /** Moves the counts of keys below `floor` into `floor`. */
  private foldBelow(floor: number): void {
    let moved = 0;
    const end = Math.min(floor, this.offset + this.counts.length);
    for (let k = this.minKey; k < end; k++) {
      moved += this.counts[k - this.offset]!;
      this.counts[k - this.offset] = 0;
    }
    this.minKey = floor;
    if (moved > 0) {
      if (floor < this.offset || floor >= this.offset + this.counts.length) this.reserve();
      this.counts[floor - this.offset]! += moved;
    }
  }

  /** Reallocates so that [minKey, maxKey] fits, with as much headroom again on each side. */
  private reserve(): void {
    const span = this.maxKey - this.minKey + 1;
    const size = Math.max(16, span * 2);
    const start = this.minKey - ((size - span) >> 1);
    const next = new Float64Array(size);
    for (let i = 0; i < this.counts.length; i++) {
      const c = this.counts[i]!;
      if (c !== 0) next[this.offset + i - start] = c;
    }
    this.offset = start;
    this.counts = next;
  }

  lowestKey(): number | undefined {
    return this.total === 0 ? undefined : this.minKey;
  }

  highestKey(): number | undefined {
    return this.total === 0 ? undefined : this.maxKey;
  }

  /** Calls `fn(key, count)` for every non-empty bucket, ascending keys. */
  forEach(fn: (key: number, count: number) => void): void {
    if (this.total === 0) return;
    for (let k = this.minKey; k <= this.maxKey; k++) {
      const c = this.counts[k - this.offset]!;
      if (c !== 0) fn(k, c);
    }
  }

  /** Adds every bucket of `other` (same bin limit). */
  merge(other: BucketStore): void {
    other.forEach((k, c) => {
      this.add(k, c);
    });
  }

  toJSON(): BucketCountsJson {
    if (this.total === 0) return { offset: 0, counts: [] };
    const from = this.minKey - this.offset;
    return {
      offset: this.minKey,
      counts: Array.from(this.counts.subarray(from, from + this.maxKey - this.minKey + 1)),
    };
  }

  static fromJSON(json: BucketCountsJson, binLimit: number): BucketStore {
    const store = new BucketStore(binLimit);
    json.counts.forEach((c, i) => {
      if (c > 0) store.add(json.offset + i, c);
    });
    return store;
  }
}
