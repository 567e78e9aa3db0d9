import { describe, expect, it } from 'vitest';
import { sparkline } from './sparkline.js';

describe('sparkline', () => {
  it('draws a rising series from the lowest bar to the highest', () => {
    expect(sparkline([1, 2, 3, 4, 5, 6, 7, 8])).toBe('▁▂▃▄▅▆▇█');
  });

  it('downsamples long histories to the requested width by averaging buckets', () => {
    const line = sparkline(
      Array.from({ length: 1000 }, (_, i) => i),
      10,
    );
    expect(line).toHaveLength(10);
    expect(line[0]).toBe('▁');
    expect(line[9]).toBe('█');
  });

  it('draws a flat line for a constant series and skips NaN', () => {
    expect(sparkline([0.5, Number.NaN, 0.5, 0.5])).toBe('▁▁▁');
  });

  it('is empty when nothing finite was logged', () => {
    expect(sparkline([Number.NaN])).toBe('');
  });
});
