/**
 * Survival function of the two-sided one-sample Kolmogorov–Smirnov statistic Dₙ
 * (scipy.stats.kstwo.sf(x, n)), which ks_2samp's asymptotic p-value evaluates at n = round(mn/(m+n)).
 *
 * Follows Simard & L'Ecuyer (2011) in choosing, per (n, x), between the exact Ruben–Gambino closed
 * forms, twice the one-sided Smirnov tail (exact once x ≥ ½, and the accurate "Miller" tail
 * elsewhere), Durbin's matrix algorithm in the Marsaglia–Tsang–Wang form, Pomeranz's recursion and
 * the Pelz–Good asymptotic series — the same regions scipy uses, so results agree to ~1e-12.
 *
 * References: Durbin (1968); Pomeranz (1974); Marsaglia, Tsang & Wang, J. Stat. Softw. 8(18)
 * (2003); Pelz & Good, JRSS B 38 (1976); Simard & L'Ecuyer, J. Stat. Softw. 39(11) (2011).
 */
import { smirnovSf } from './smirnov.js';

const TWO_128 = 2 ** 128;
const TWO_M128 = 2 ** -128;
const PI2 = Math.PI ** 2;
const PI4 = Math.PI ** 4;
const PI6 = Math.PI ** 6;
const SQRT_2PI = Math.sqrt(2 * Math.PI);
const LOG_2PI = Math.log(2 * Math.PI);
/** B_{2j} / (2j (2j − 1)) for j = 8…1 (highest first), for Stirling's series of log n!. */
const STIRLING_DESC = [
  -3617 / 122400,
  1 / 156,
  -691 / 360360,
  1 / 1188,
  -1 / 1680,
  1 / 1260,
  -1 / 360,
  1 / 12,
];

function clip01(p: number): number {
  return Math.min(Math.max(p, 0), 1);
}

/** p · 2^e without intermediate overflow or underflow. */
function ldexp(p: number, e: number): number {
  while (e > 1000) {
    p *= 2 ** 1000;
    e -= 1000;
  }
  while (e < -1000) {
    p *= 2 ** -1000;
    e += 1000;
  }
  return p * 2 ** e;
}

/** log(n! / nⁿ) by Stirling's series with n·log n removed up front. */
function logFactorialOverPower(n: number): number {
  const rn = 1 / n;
  const z = rn / n;
  let poly = 0;
  for (const c of STIRLING_DESC) poly = poly * z + c;
  return Math.log(n) / 2 - n + LOG_2PI / 2 + rn * poly;
}

/** C = A·B for m×m row-major matrices. */
function matmul(a: Float64Array, b: Float64Array, m: number): Float64Array<ArrayBuffer> {
  const c = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let k = 0; k < m; k++) {
      const aik = a[i * m + k]!;
      if (aik === 0) continue;
      const row = k * m;
      const out = i * m;
      for (let j = 0; j < m; j++) c[out + j]! += aik * b[row + j]!;
    }
  }
  return c;
}

/** P(Dₙ ≤ d) by Durbin's matrix: the k-th diagonal entry of (n!/nⁿ)·Hⁿ, with scaling. */
function durbinMatrixCdf(n: number, d: number): number {
  if (d >= 1) return 1;
  const nd = n * d;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;
  const v = new Float64Array(m);
  const w = new Float64Array(m);
  let fac = 1;
  for (let j = 1; j <= m; j++) {
    w[j - 1] = fac;
    fac /= j;
    v[j - 1] = (1 - h ** j) * fac;
  }
  v[m - 1] = (1 + (Math.max(2 * h - 1, 0) ** m - 2 * h ** m)) * fac;
  let hm = new Float64Array(m * m);
  for (let i = 1; i < m; i++) {
    for (let r = i - 1; r < m; r++) hm[r * m + i] = w[r - i + 1]!;
  }
  for (let r = 0; r < m; r++) hm[r * m] = v[r]!;
  for (let c = 0; c < m; c++) hm[(m - 1) * m + c] = v[m - 1 - c]!;

  let power = new Float64Array(m * m);
  for (let i = 0; i < m; i++) power[i * m + i] = 1;
  let expnt = 0;
  let hExpnt = 0;
  let nn = n;
  while (nn > 0) {
    if (nn % 2 === 1) {
      power = matmul(power, hm, m);
      expnt += hExpnt;
    }
    hm = matmul(hm, hm, m);
    hExpnt *= 2;
    if (Math.abs(hm[(k - 1) * m + (k - 1)]!) > TWO_128) {
      for (let i = 0; i < hm.length; i++) hm[i]! /= TWO_128;
      hExpnt += 128;
    }
    nn = Math.floor(nn / 2);
  }
  let p = power[(k - 1) * m + (k - 1)]!;
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < TWO_M128) {
      p *= TWO_128;
      expnt -= 128;
    }
  }
  return clip01(expnt !== 0 ? ldexp(p, expnt) : p);
}

function pomeranzBounds(i: number, n: number, ll: number, ceilf: number, roundf: number): [number, number] {
  let j1: number;
  let j2: number;
  if (i === 0) {
    j1 = -ll - ceilf - 1;
    j2 = ll + ceilf - 1;
  } else {
    const half = Math.floor((i + 1) / 2);
    if ((i + 1) % 2 === 0) {
      if (half === n + 1) {
        j1 = n - ll - ceilf - 1;
        j2 = n + ll + ceilf - 1;
      } else {
        j1 = half - 1 - ll - roundf - 1;
        j2 = half + ll - 1 + ceilf - 1;
      }
    } else {
      j1 = half - 1 - ll - 1;
      j2 = half + ll + roundf - 1;
    }
  }
  return [Math.max(j1 + 2, 0), Math.min(j2, n)];
}

/** P(Dₙ ≤ x) by Pomeranz's recursion (rows are convolutions with Poisson-like weights). */
function pomeranzCdf(n: number, x: number): number {
  const t = n * x;
  const ll = Math.floor(t);
  const f = t - ll;
  const g = Math.min(f, 1 - f);
  const ceilf = f > 0 ? 1 : 0;
  const roundf = f > 0.5 ? 1 : 0;
  const npwrs = 2 * (ll + 1);
  const gp = new Float64Array(npwrs);
  const twoGp = new Float64Array(npwrs);
  const oneM2Gp = new Float64Array(npwrs);
  gp[0] = twoGp[0] = oneM2Gp[0] = 1;
  for (let m = 1; m < npwrs; m++) {
    gp[m] = (gp[m - 1]! * (g / n)) / m;
    twoGp[m] = (twoGp[m - 1]! * ((2 * g) / n)) / m;
    oneM2Gp[m] = (oneM2Gp[m - 1]! * ((1 - 2 * g) / n)) / m;
  }
  let v0 = new Float64Array(npwrs);
  let v1 = new Float64Array(npwrs);
  v1[0] = 1;
  let v0s = 0;
  let v1s = 0;
  let expnt = 0;
  let [j1, j2] = pomeranzBounds(0, n, ll, ceilf, roundf);
  for (let i = 1; i < 2 * n + 2; i++) {
    const k1 = j1;
    [v0, v1] = [v1, v0];
    [v0s, v1s] = [v1s, v0s];
    v1.fill(0);
    [j1, j2] = pomeranzBounds(i, n, ll, ceilf, roundf);
    const pw = i === 1 || i === 2 * n + 1 ? gp : i % 2 === 1 ? twoGp : oneM2Gp;
    const len = j2 - k1 + 1;
    if (len <= 0) continue;
    // Entries conv[start … start + count) of the full convolution of V0[k1−V0s, +len) with pw[0, len).
    const src = k1 - v0s;
    const srcLen = Math.min(len, npwrs - src);
    const start = j1 - k1;
    const count = j2 - j1 + 1;
    let max = 0;
    for (let c = 0; c < count; c++) {
      const idx = start + c;
      let s = 0;
      const lo = Math.max(0, idx - (len - 1));
      const hi = Math.min(idx, srcLen - 1);
      for (let a = lo; a <= hi; a++) s += v0[src + a]! * pw[idx - a]!;
      v1[c] = s;
      if (s > max) max = s;
    }
    if (max > 0 && max < TWO_M128) {
      for (let c = 0; c < count; c++) v1[c]! *= TWO_128;
      expnt -= 128;
    }
    v1s = v0s + j1 - k1;
  }
  let ans = v1[n - v1s]!;
  for (let m = 1; m <= n; m++) {
    if (Math.abs(ans) > TWO_128) {
      ans *= TWO_M128;
      expnt += 128;
    }
    ans *= m;
  }
  return clip01(expnt !== 0 ? ldexp(ans, expnt) : ans);
}

/** P(Dₙ ≤ x) by the Pelz–Good asymptotic series (large n, small x). */
function pelzGoodCdf(n: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const z = Math.sqrt(n) * x;
  const z2 = z * z;
  const z3 = z2 * z;
  const z4 = z2 * z2;
  const z6 = z4 * z2;
  const qlog = -PI2 / 8 / z2;
  if (qlog < -708) return 0;
  let q = Math.exp(qlog);
  const k1a = -z2;
  const k1b = PI2 / 4;
  const k2a = 6 * z6 + 2 * z4;
  const k2b = ((2 * z4 - 5 * z2) * PI2) / 4;
  const k2c = (PI4 * (1 - 2 * z2)) / 16;
  const k3d = (PI6 * (5 - 30 * z2)) / 64;
  const k3c = (PI4 * (-60 * z2 + 212 * z4)) / 16;
  const k3b = (PI2 * (135 * z4 - 96 * z6)) / 4;
  const k3a = -30 * z6 - 90 * z ** 8;
  const K = [0, 0, 0, 0];
  const maxk = Math.ceil((16 * z) / Math.PI);
  // Horner over odd m = 2k − 1 of c_m q^(m²).
  for (let k = maxk; k >= 1; k--) {
    const m = 2 * k - 1;
    const m2 = m * m;
    const m4 = m2 * m2;
    const m6 = m4 * m2;
    const qp = q ** (8 * k);
    K[0] = K[0]! * qp + 1;
    K[1] = K[1]! * qp + (k1a + k1b * m2);
    K[2] = K[2]! * qp + (k2a + k2b * m2 + k2c * m4);
    K[3] = K[3]! * qp + (k3a + k3b * m2 + k3c * m4 + k3d * m6);
  }
  const den = [z, 6 * z4, 72 * z ** 7, 6480 * z ** 10];
  for (let i = 0; i < 4; i++) K[i] = (K[i]! * q * SQRT_2PI) / den[i]!;
  q = Math.exp(-PI2 / 2 / z2);
  const sqrt3z = Math.sqrt(3) * z;
  let k2extra = 0;
  let k3extra = 0;
  for (let k = maxk; k >= 1; k--) {
    const k2 = k * k;
    const qk = q ** k2;
    const kpi = Math.PI * k;
    k2extra += k2 * qk;
    k3extra += (sqrt3z + kpi) * (sqrt3z - kpi) * k2 * qk;
  }
  K[2] = K[2]! + (k2extra * PI2 * SQRT_2PI) / (-36 * z3);
  K[3] = K[3]! + (k3extra * PI2 * SQRT_2PI) / (216 * z6);
  let sum = 0;
  for (let i = 0; i < 4; i++) sum += K[i]! / n ** (i / 2);
  return sum;
}

/** P(Dₙ ≥ x) for the two-sided one-sample statistic (scipy.stats.kstwo.sf(x, n)); n ≥ 1 integer. */
export function kolmogorovSf(n: number, x: number): number {
  if (!Number.isInteger(n) || n <= 0 || Number.isNaN(x)) return Number.NaN;
  if (x >= 1) return 0;
  if (x <= 0) return 1;
  const t = n * x;
  if (t <= 1) {
    if (t <= 0.5) return 1;
    let cdf: number;
    if (n <= 140) {
      cdf = 1;
      for (let i = 1; i <= n; i++) cdf *= i * (1 / n) * (2 * t - 1);
    } else {
      cdf = Math.exp(logFactorialOverPower(n) + n * Math.log(2 * t - 1));
    }
    return clip01(1 - cdf);
  }
  if (t >= n - 1) return clip01(2 * (1 - x) ** n);
  if (x >= 0.5) return clip01(2 * smirnovSf(n, x));
  const nx2 = t * x;
  if (n <= 140) {
    if (nx2 <= 0.754693) return clip01(1 - durbinMatrixCdf(n, x));
    if (nx2 <= 4) return clip01(1 - pomeranzCdf(n, x));
    return clip01(2 * smirnovSf(n, x));
  }
  if (nx2 >= 370) return 0;
  if (nx2 >= 2.2) return clip01(2 * smirnovSf(n, x));
  const cdf = n <= 100_000 && n * x ** 1.5 <= 1.4 ? durbinMatrixCdf(n, x) : pelzGoodCdf(n, x);
  return clip01(1 - cdf);
}
