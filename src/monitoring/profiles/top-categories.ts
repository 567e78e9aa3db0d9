/**
 * Category counts of a categorical column: exact while the column has at most `capacity` distinct
 * categories, then a Misra–Gries summary (mergeable as in Agarwal et al., "Mergeable summaries",
 * PODS 2012) of `capacity` counters.
 *
 * Error bound once approximate: every kept count undercounts its category by at most
 * `maxUndercount()` = (n − Σ kept counts) / (capacity + 1) — computable from the summary itself —
 * and any category more frequent than that bound is kept. While exact, the bound is 0.
 *
 * Merging adds counters, then (if more than `capacity` remain) subtracts the (capacity + 1)-th
 * largest count from all and drops those left ≤ 0. Exact summaries merge exactly (as long as the
 * union fits), in any order; approximate ones stay within the bound above for every order.
 */
import { invalidParameter } from '../../core/errors.js';

export const DEFAULT_CATEGORY_CAPACITY = 1000;

export interface TopCategoriesJson {
  capacity: number;
  /** Non-missing values counted. */
  total: number;
  /** [category, count] pairs, most frequent first. */
  counts: Array<[string, number]>;
}

export class TopCategories {
  private counts = new Map<string, number>();
  /** Non-missing values counted. */
  total = 0;

  constructor(readonly capacity = DEFAULT_CATEGORY_CAPACITY) {
    if (!(Number.isSafeInteger(capacity) && capacity >= 1))
      throw invalidParameter('categoryCapacity', 'a whole number ≥ 1', capacity);
  }

  add(category: string, weight = 1): void {
    this.total += weight;
    const c = this.counts.get(category);
    if (c !== undefined) {
      this.counts.set(category, c + weight);
      return;
    }
    this.counts.set(category, weight);
    // Shrinking in batches (at twice the capacity) keeps a high-cardinality column cheap per value.
    if (this.counts.size >= 2 * this.capacity) this.shrink();
  }

  /**
   * Misra–Gries decrement, when more than `capacity` counters are held: subtract the
   * (capacity + 1)-th largest count from every counter. That removes at least (capacity + 1) times
   * what any one category loses, which is where the bound comes from.
   */
  private shrink(): void {
    if (this.counts.size <= this.capacity) return;
    const sorted = [...this.counts.values()].sort((a, b) => b - a);
    const cut = sorted[this.capacity]!;
    for (const [k, c] of this.counts) {
      if (c <= cut) this.counts.delete(k);
      else this.counts.set(k, c - cut);
    }
  }

  merge(other: TopCategories): void {
    if (other.capacity !== this.capacity)
      throw invalidParameter(
        'categoryCapacity',
        `${this.capacity} (as the profile merged into)`,
        other.capacity,
      );
    other.shrink();
    this.total += other.total;
    for (const [k, c] of other.counts) this.counts.set(k, (this.counts.get(k) ?? 0) + c);
    this.shrink();
  }

  /** Whether every count is exact (no category was ever dropped or decremented). */
  get exact(): boolean {
    this.shrink();
    return this.kept() === this.total;
  }

  private kept(): number {
    let s = 0;
    for (const c of this.counts.values()) s += c;
    return s;
  }

  /** The most a kept count can be below the true one (0 while exact). */
  maxUndercount(): number {
    this.shrink();
    return (this.total - this.kept()) / (this.capacity + 1);
  }

  /** Kept categories and counts, most frequent first (ties by name). */
  entries(): Array<[string, number]> {
    this.shrink();
    return [...this.counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  /** The kept counts as a map. */
  toMap(): Map<string, number> {
    this.shrink();
    return new Map(this.counts);
  }

  toJSON(): TopCategoriesJson {
    return { capacity: this.capacity, total: this.total, counts: this.entries() };
  }

  static fromJSON(json: TopCategoriesJson): TopCategories {
    const t = new TopCategories(json.capacity);
    for (const [k, c] of json.counts) t.counts.set(k, c);
    t.total = json.total;
    return t;
  }
}
