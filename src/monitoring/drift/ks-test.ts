/**
 * Two-sample Kolmogorov–Smirnov test, two-sided, as scipy.stats.ks_2samp(method='auto').
 *
 * Statistic: D = sup |F₁(x) − F₂(x)| over the pooled sample, by one merge walk over both sorted
 * samples (ties consumed together, as searchsorted(side='right') does).
 * p-value: exact when both samples have at most 10,000 values — Hodges' lattice-path count, with
 * Viehmann's recursion for 1 − p when the sizes differ and the closed alternating sum when they are
 * equal; otherwise the asymptotic kstwo.sf(D, round(mn/(m+n))). Like scipy, an exact computation
 * that fails numerically falls back to the asymptotic one.
 *
 * References: Hodges, Arkiv för Matematik 3(43) (1958); Viehmann, arXiv:2102.08037 (2021).
 */
import { kolmogorovSf } from './kolmogorov.js';

/** scipy switches from exact to asymptotic p-values above this sample size. */
export const KS_EXACT_MAX_N = 10_000;

export interface KsResult {
  statistic: number;
  pValue: number;
  method: 'exact' | 'asymptotic';
}

/** The KS statistic D of two non-empty ascending samples (no NaN). */
export function ksStatistic(a: Float64Array, b: Float64Array): number {
  const n1 = a.length;
  const n2 = b.length;
  let i = 0;
  let j = 0;
  let maxDiff = 0;
  let minDiff = 0;
  while (i < n1 || j < n2) {
    const x = j >= n2 || (i < n1 && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    while (i < n1 && a[i] === x) i++;
    while (j < n2 && b[j] === x) j++;
    const diff = i / n1 - j / n2;
    if (diff > maxDiff) maxDiff = diff;
    else if (diff < minDiff) minDiff = diff;
  }
  return Math.max(maxDiff, Math.min(-minDiff, 1));
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Round half to even, like numpy.round. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** P(D_{n,n} ≥ h/n): Horner form of 2 Σ (−1)^{k+1} C(2n, n−kh)/C(2n, n). */
function probOutsideSquare(n: number, h: number): number {
  let p = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let a = 1;
    for (let j = 0; j < h; j++) a = ((n - k * h - j) * a) / (n + k * h + j + 1);
    p = a * (1 - p);
  }
  return 2 * p;
}

/**
 * Share of lattice paths from (0,0) to (m,n) that leave the band |x/m − y/n| < h/lcm(m,n),
 * computed directly as 1 − p one column at a time (Viehmann's stable recursion).
 */
function probOutsideBand(m: number, n: number, g: number, h: number): number {
  if (m < n) [m, n] = [n, m];
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(lenA).fill(1);
  A.fill(0, minj, maxj);
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (A[jj + minj - lastminj]! * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) A.fill(1, maxj - minj, maxj - minj + (lastlen - curlen));
  }
  return A[maxj - minj - 1]!;
}

/**
 * ks_2samp p-value for statistic `d` between samples of sizes n1 and n2 (two-sided, 'auto').
 * Returns the statistic too, because the exact method snaps it to the lattice h / lcm(n1, n2).
 */
export function ksPValue(d: number, n1: number, n2: number): KsResult {
  if (Math.max(n1, n2) <= KS_EXACT_MAX_N) {
    const g = gcd(n1, n2);
    const lcm = (n1 / g) * n2;
    const h = roundHalfEven(d * lcm);
    const snapped = h / lcm;
    if (h === 0) return { statistic: snapped, pValue: 1, method: 'exact' };
    const p = n1 === n2 ? probOutsideSquare(n1, h) : probOutsideBand(n1, n2, g, h);
    if (p >= 0 && p <= 1) return { statistic: snapped, pValue: p, method: 'exact' };
    d = snapped;
  }
  const [m, n] = n1 >= n2 ? [n1, n2] : [n2, n1];
  const en = (m * n) / (m + n);
  const p = kolmogorovSf(roundHalfEven(en), d);
  return { statistic: d, pValue: Math.min(1, Math.max(0, p)), method: 'asymptotic' };
}

/** Two-sided two-sample KS test of two non-empty ascending samples (scipy.stats.ks_2samp). */
export function ksTwoSample(sortedA: Float64Array, sortedB: Float64Array): KsResult {
  return ksPValue(ksStatistic(sortedA, sortedB), sortedA.length, sortedB.length);
}
