import { describe, expect, it } from 'vitest';
import type { OnlineFeaturesResponse } from '../../../features/online-features.js';
import { onlineFeaturesJson } from './response-json.js';

const text = (r: OnlineFeaturesResponse) => onlineFeaturesJson(r).toString('utf8');

describe('onlineFeaturesJson', () => {
  it('writes the bytes of JSON.stringify, shared timestamps, uniform and mixed statuses, unicode included', () => {
    const ts = ['2026-01-01T00:00:00.000Z', '1970-01-01T00:00:00.000Z'];
    const response: OnlineFeaturesResponse = {
      metadata: { feature_names: ['driver_id', 'trips', 'name "quoted"', 'città'] },
      results: [
        { values: [1, 2], statuses: ['PRESENT', 'PRESENT'], event_timestamps: ts },
        { values: [3, null], statuses: ['PRESENT', 'NOT_FOUND'], event_timestamps: ts },
        { values: ['a\nb', '\u2028é😀'], statuses: ['PRESENT', 'PRESENT'], event_timestamps: ts },
        { values: [true, 0.1], statuses: ['OUTSIDE_MAX_AGE', 'OUTSIDE_MAX_AGE'], event_timestamps: [...ts] },
      ],
    };
    expect(text(response)).toBe(JSON.stringify(response));
    expect(JSON.parse(text(response))).toEqual(response);
  });

  it('grows past its first buffer for a large response', () => {
    const n = 300;
    const ts = Array.from({ length: n }, (_, i) => new Date(i * 1000).toISOString());
    const response: OnlineFeaturesResponse = {
      metadata: { feature_names: Array.from({ length: 60 }, (_, j) => `f${j}`) },
      results: Array.from({ length: 60 }, (_, j) => ({
        values: Array.from({ length: n }, (_, i) => (j % 7 === 0 ? `ü${i}` : (i * 31 + j) / 997)),
        statuses: Array.from({ length: n }, (_, i) => (i % 50 === j ? 'NULL_VALUE' : 'PRESENT')),
        event_timestamps: ts,
      })),
    };
    const bytes = onlineFeaturesJson(response);
    expect(bytes.length).toBeGreaterThan(1 << 16);
    expect(bytes.equals(Buffer.from(JSON.stringify(response)))).toBe(true);
  });

  it('handles a single row, and a response without results', () => {
    const one: OnlineFeaturesResponse = {
      metadata: { feature_names: ['k'] },
      results: [{ values: [7], statuses: ['NULL_VALUE'], event_timestamps: ['x'] }],
    };
    expect(text(one)).toBe(JSON.stringify(one));
    const none: OnlineFeaturesResponse = { metadata: { feature_names: [] }, results: [] };
    expect(text(none)).toBe(JSON.stringify(none));
  });
});
