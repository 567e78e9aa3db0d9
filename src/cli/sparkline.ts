/** A one-line plot of a series (a metric's history) in block characters: `▁▂▃▅▇█`. */
const BARS = '▁▂▃▄▅▆▇█';

/**
 * Downsamples `values` to at most `width` buckets (each the mean of its slice) and draws one bar per
 * bucket, scaled between the series' min and max. Non-finite values are skipped; a flat series is a
 * flat line.
 *
 * @example sparkline([1, 2, 3, 4]) // '▁▃▆█'
 */
export function sparkline(values: readonly number[], width = 40): string {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return '';
  const buckets = Math.min(width, finite.length);
  const means: number[] = [];
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor((b * finite.length) / buckets);
    const to = Math.floor(((b + 1) * finite.length) / buckets);
    const slice = finite.slice(from, to);
    means.push(slice.reduce((a, v) => a + v, 0) / slice.length);
  }
  const min = Math.min(...means);
  const span = Math.max(...means) - min;
  return means.map((v) => BARS[span === 0 ? 0 : Math.round(((v - min) / span) * (BARS.length - 1))]).join('');
}
