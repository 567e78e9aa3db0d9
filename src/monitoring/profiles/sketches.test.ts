import { describe, expect, it } from 'vitest';
import { DistinctSketch } from './distinct-sketch.js';
import { QuantileSketch } from './quantile-sketch.js';
import { seededRandom } from './seeded-random.js';
import { TopCategories } from './top-categories.js';

const rng = seededRandom;

function lowerQuantile(sorted: Float64Array, q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

describe('QuantileSketch', () => {
  it('returns every quantile within 1 % of the exact one, for values of both signs and zeros', () => {
    const r = rng(1);
    const values = new Float64Array(50_000);
    for (let i = 0; i < values.length; i++) {
      const u = r();
      values[i] = u < 0.05 ? 0 : (u < 0.4 ? -1 : 1) * Math.exp(10 * r() - 3);
    }
    const sketch = new QuantileSketch(0.01);
    for (const v of values) sketch.add(v);
    const sorted = values.slice().sort();
    for (const q of [0, 0.001, 0.01, 0.1, 0.25, 0.39, 0.4, 0.5, 0.75, 0.9, 0.99, 0.999, 1]) {
      const exact = lowerQuantile(sorted, q);
      expect(Math.abs(sketch.quantile(q)! - exact)).toBeLessThanOrEqual(0.01 * Math.abs(exact) * (1 + 1e-9));
    }
  });

  it('merges in any order into exactly the sketch of the concatenated values', () => {
    const r = rng(2);
    const parts = [0, 1, 2, 3].map(() => Array.from({ length: 3000 }, () => (r() - 0.3) * 10 ** (6 * r())));
    const whole = new QuantileSketch();
    for (const p of parts) for (const v of p) whole.add(v);
    const sketches = parts.map((p) => {
      const s = new QuantileSketch();
      for (const v of p) s.add(v);
      return s;
    });
    const left = QuantileSketch.fromJSON(sketches[3]!.toJSON());
    left.merge(sketches[1]!);
    left.merge(sketches[0]!);
    left.merge(sketches[2]!);
    const pair = QuantileSketch.fromJSON(sketches[0]!.toJSON());
    pair.merge(sketches[2]!);
    const other = QuantileSketch.fromJSON(sketches[1]!.toJSON());
    other.merge(sketches[3]!);
    pair.merge(other);
    expect(left.toJSON()).toEqual(whole.toJSON());
    expect(pair.toJSON()).toEqual(whole.toJSON());
  });

  it('keeps at most binLimit buckets, folding the smallest magnitudes whatever the order', () => {
    const values = Array.from({ length: 400 }, (_, i) => 1.1 ** (i - 200));
    const up = new QuantileSketch(0.01, 64);
    const down = new QuantileSketch(0.01, 64);
    for (const v of values) up.add(v);
    for (const v of [...values].reverse()) down.add(v);
    expect(up.toJSON().positive.counts.length).toBeLessThanOrEqual(64);
    expect(up.toJSON()).toEqual(down.toJSON());
    expect(up.count).toBe(400);
    // The largest values keep their accuracy.
    expect(up.quantile(1)! / values[399]!).toBeCloseTo(1, 1);
  });

  it('round-trips through JSON', () => {
    const s = new QuantileSketch();
    for (const v of [-3, 0, 0, 2.5, 1e9]) s.add(v);
    const back = QuantileSketch.fromJSON(JSON.parse(JSON.stringify(s)));
    expect(back.toJSON()).toEqual(s.toJSON());
    expect(back.quantile(0.5)).toBe(s.quantile(0.5));
  });
});

describe('DistinctSketch', () => {
  it('counts small sets exactly and large ones within 3 standard errors (≈ 4.9 %)', () => {
    const small = new DistinctSketch();
    for (let i = 0; i < 200; i++) small.addString(`user-${i % 100}`);
    expect(small.estimate()).toBe(100);
    for (const n of [5_000, 100_000, 1_000_000]) {
      const s = new DistinctSketch();
      for (let i = 0; i < n; i++) s.addNumber(i * 0.5);
      expect(Math.abs(s.estimate() - n) / n).toBeLessThan(3 * (1.04 / 64));
    }
  });

  it('merges to the sketch of the union, in any order', () => {
    const a = new DistinctSketch();
    const b = new DistinctSketch();
    const all = new DistinctSketch();
    for (let i = 0; i < 20_000; i++) {
      (i % 3 ? a : b).addString(`k${i}`);
      all.addString(`k${i}`);
    }
    const ab = DistinctSketch.fromJSON(a.toJSON());
    ab.merge(b);
    const ba = DistinctSketch.fromJSON(b.toJSON());
    ba.merge(a);
    expect(ab.toJSON()).toEqual(all.toJSON());
    expect(ba.toJSON()).toEqual(all.toJSON());
  });
});

describe('TopCategories', () => {
  it('counts exactly up to its capacity', () => {
    const t = new TopCategories(3);
    for (const c of ['a', 'b', 'a', 'c', 'a', 'b']) t.add(c);
    expect(t.exact).toBe(true);
    expect(t.entries()).toEqual([
      ['a', 3],
      ['b', 2],
      ['c', 1],
    ]);
  });

  it('undercounts by at most its stated bound beyond capacity, and keeps the heavy hitters', () => {
    const r = rng(3);
    const t = new TopCategories(20);
    const truth = new Map<string, number>();
    for (let i = 0; i < 50_000; i++) {
      const u = r();
      const c = u < 0.3 ? 'heavy' : u < 0.45 ? 'medium' : `rare-${Math.floor(r() * 5000)}`;
      t.add(c);
      truth.set(c, (truth.get(c) ?? 0) + 1);
    }
    expect(t.exact).toBe(false);
    const bound = t.maxUndercount();
    expect(bound).toBeLessThanOrEqual(50_000 / 21);
    const kept = t.toMap();
    for (const [c, n] of kept) {
      expect(n).toBeLessThanOrEqual(truth.get(c)!);
      expect(n).toBeGreaterThanOrEqual(truth.get(c)! - bound);
    }
    expect(kept.has('heavy') && kept.has('medium')).toBe(true);
    expect(kept.size).toBeLessThanOrEqual(20);
  });

  it('stays within the bound when summaries are merged', () => {
    const parts = [0, 1, 2].map((s) => {
      const r = rng(10 + s);
      const t = new TopCategories(10);
      const truth = new Map<string, number>();
      for (let i = 0; i < 5000; i++) {
        const c = r() < 0.5 ? `hot-${s % 2}` : `cold-${Math.floor(r() * 300)}`;
        t.add(c);
        truth.set(c, (truth.get(c) ?? 0) + 1);
      }
      return { t, truth };
    });
    const merged = TopCategories.fromJSON(parts[2]!.t.toJSON());
    merged.merge(parts[0]!.t);
    merged.merge(parts[1]!.t);
    const truth = new Map<string, number>();
    for (const p of parts) for (const [c, n] of p.truth) truth.set(c, (truth.get(c) ?? 0) + n);
    expect(merged.total).toBe(15_000);
    const bound = merged.maxUndercount();
    for (const [c, n] of merged.toMap()) {
      expect(n).toBeLessThanOrEqual(truth.get(c)!);
      expect(n).toBeGreaterThanOrEqual(truth.get(c)! - bound);
    }
    expect(merged.toMap().get('hot-0')).toBeGreaterThan(5000 - bound);
  });
});
