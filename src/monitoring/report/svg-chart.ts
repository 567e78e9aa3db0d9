/**
 * A small SVG renderer for the report's histograms: reference and current overlaid as two
 * semi-transparent bar series, bars as shares of each side's rows (so windows of any size compare),
 * with the axis range labelled. Plain SVG markup, no script, every label escaped.
 */
import { escapeHtml } from './escape.js';
import type { CategoryHistogram, NumericHistogram } from './types.js';

const WIDTH = 360;
const HEIGHT = 120;
const PAD = { top: 6, right: 6, bottom: 22, left: 6 };

/** Colours of the two series (also used by the legend in html-report.ts). */
export const SERIES_COLOURS = { reference: '#5b7db1', current: '#e8893a' } as const;

function shares(counts: readonly number[], extra = 0): number[] {
  const total = counts.reduce((a, b) => a + b, 0) + extra;
  return counts.map((c) => (total === 0 ? 0 : c / total));
}

/** Compact number for axis labels. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(2);
  return Number(v.toPrecision(4)).toString();
}

function bars(
  ref: readonly number[],
  cur: readonly number[],
  labels: { left: string; right: string },
  title: (i: number) => string,
): string {
  const n = ref.length;
  const innerW = WIDTH - PAD.left - PAD.right;
  const innerH = HEIGHT - PAD.top - PAD.bottom;
  const max = Math.max(1e-12, ...ref, ...cur);
  const slot = innerW / Math.max(1, n);
  const y = (s: number) => PAD.top + innerH - (s / max) * innerH;
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    const x = PAD.left + i * slot;
    const w = Math.max(1, slot - 1);
    const tip = `<title>${escapeHtml(title(i))}</title>`;
    for (const [series, values] of [
      ['reference', ref],
      ['current', cur],
    ] as const) {
      const v = values[i] ?? 0;
      const h = (v / max) * innerH;
      parts.push(
        `<rect x="${x.toFixed(2)}" y="${y(v).toFixed(2)}" width="${w.toFixed(2)}" height="${h.toFixed(2)}" fill="${SERIES_COLOURS[series]}" fill-opacity="0.55">${tip}</rect>`,
      );
    }
  }
  const base = PAD.top + innerH;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="hist" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img">`,
    `<line x1="${PAD.left}" y1="${base}" x2="${WIDTH - PAD.right}" y2="${base}" stroke="#9aa3ad" stroke-width="1"/>`,
    ...parts,
    `<text x="${PAD.left}" y="${HEIGHT - 6}" font-size="10" fill="#5f6b76">${escapeHtml(labels.left)}</text>`,
    `<text x="${WIDTH - PAD.right}" y="${HEIGHT - 6}" font-size="10" fill="#5f6b76" text-anchor="end">${escapeHtml(labels.right)}</text>`,
    '</svg>',
  ].join('');
}

/** Overlaid histogram of a numeric column (shares of each side's non-missing rows per bin). */
export function numericHistogramSvg(h: NumericHistogram): string {
  const ref = shares(h.reference);
  const cur = shares(h.current);
  const e = h.edges;
  return bars(
    ref,
    cur,
    { left: formatNumber(e[0]!), right: formatNumber(e[e.length - 1]!) },
    (i) =>
      `[${formatNumber(e[i]!)}, ${formatNumber(e[i + 1]!)}): reference ${h.reference[i]}, current ${h.current[i]}`,
  );
}

/** Bars per category (shares of each side's rows), the unlisted categories as a last 'other' bar. */
export function categoryHistogramSvg(h: CategoryHistogram): string {
  const hasOther = h.other.reference + h.other.current > 0;
  const names = hasOther ? [...h.categories, '(other)'] : h.categories;
  const refCounts = hasOther ? [...h.reference, h.other.reference] : h.reference;
  const curCounts = hasOther ? [...h.current, h.other.current] : h.current;
  return bars(
    shares(refCounts),
    shares(curCounts),
    { left: names[0] ?? '', right: names.length > 1 ? names[names.length - 1]! : '' },
    (i) => `${names[i]}: reference ${refCounts[i]}, current ${curCounts[i]}`,
  );
}
