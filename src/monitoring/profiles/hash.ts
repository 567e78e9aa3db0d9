/**
 * 64-bit hashes (as two 32-bit halves) of category values and numbers for the distinct-count
 * sketch: MurmurHash3's 32-bit mixing over UTF-16 code units or over a double's two words, run
 * with two seeds. Stable across processes and machines, so sketches built on different replicas
 * merge.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

function mixWord(h: number, k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function finalize(h: number, length: number): number {
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const SEED_HIGH = 0x9747b28c;
const SEED_LOW = 0x5bd1e995;

/** Writes the two 32-bit halves of the hash of `s` into out[0], out[1]. */
export function hashString(s: string, out: Uint32Array): void {
  let a = SEED_HIGH;
  let b = SEED_LOW;
  const n = s.length;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const k = s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16);
    a = mixWord(a, k);
    b = mixWord(b, k);
  }
  if (i < n) {
    const k = s.charCodeAt(i);
    a = mixWord(a, k);
    b = mixWord(b, k);
  }
  out[0] = finalize(a, n);
  out[1] = finalize(b, n);
}

const f64 = new Float64Array(1);
const words = new Uint32Array(f64.buffer);

/** Writes the two 32-bit halves of the hash of the double `x` (−0 hashed as 0) into out. */
export function hashNumber(x: number, out: Uint32Array): void {
  f64[0] = x === 0 ? 0 : x;
  const lo = words[0]!;
  const hi = words[1]!;
  out[0] = finalize(mixWord(mixWord(SEED_HIGH, lo), hi), 8);
  out[1] = finalize(mixWord(mixWord(SEED_LOW, lo), hi), 8);
}
