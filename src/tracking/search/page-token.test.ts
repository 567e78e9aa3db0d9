import { describe, expect, it } from 'vitest';
import { checkPageSize, decodePageToken, encodePageToken } from './page-token.js';

describe('page tokens', () => {
  it('round-trips an offset', () => {
    expect(decodePageToken(encodePageToken(0))).toBe(0);
    expect(decodePageToken(encodePageToken(1500))).toBe(1500);
  });

  it('encodes base64 of a JSON offset', () => {
    expect(JSON.parse(Buffer.from(encodePageToken(42), 'base64').toString('utf8'))).toEqual({ offset: 42 });
  });

  it('starts at the first row when there is no token', () => {
    expect(decodePageToken(undefined)).toBe(0);
    expect(decodePageToken('')).toBe(0);
  });

  it('rejects tokens it did not make, naming page_token', () => {
    const bad = [
      'not a token!',
      Buffer.from('not json').toString('base64'),
      Buffer.from('{"offset":-1}').toString('base64'),
      Buffer.from('{"offset":1.5}').toString('base64'),
      Buffer.from('{"page":2}').toString('base64'),
      Buffer.from('null').toString('base64'),
    ];
    for (const token of bad) {
      expect(() => decodePageToken(token)).toThrow(/Invalid value for 'page_token'/);
    }
  });
});

describe('page sizes', () => {
  it('use the fallback when none is asked for and keep a valid request', () => {
    expect(checkPageSize(undefined, 100)).toBe(100);
    expect(checkPageSize(7, 100)).toBe(7);
  });

  it('refuse zero, negative, fractional and oversized pages, naming the field', () => {
    for (const bad of [0, -5, 1.5, 50_001]) {
      expect(() => checkPageSize(bad, 100)).toThrow(/Invalid value for 'max_results'/);
    }
  });
});
