import { describe, expect, it } from 'vitest';
import { parseLikePattern, toGlobPattern, toLikePattern } from './like-pattern.js';

describe('LIKE patterns', () => {
  it('splits a pattern into literals and wildcards', () => {
    expect(parseLikePattern('a%b_c')).toEqual([
      { literal: 'a' },
      '%',
      { literal: 'b' },
      '_',
      { literal: 'c' },
    ]);
  });

  it('turns backslash-escaped wildcards into literal text', () => {
    expect(parseLikePattern('50\\%\\_x\\\\')).toEqual([{ literal: '50%_x\\' }]);
  });

  it('keeps a trailing lone backslash as a literal backslash', () => {
    expect(parseLikePattern('a\\')).toEqual([{ literal: 'a\\' }]);
    expect(toLikePattern(parseLikePattern('a\\'))).toBe('a\\\\');
  });

  it('renders wildcards as GLOB stars and question marks', () => {
    expect(toGlobPattern(parseLikePattern('%run_1%'))).toBe('*run?1*');
  });

  it('brackets GLOB metacharacters in literal text', () => {
    expect(toGlobPattern(parseLikePattern('a*b?c[d]'))).toBe('a[*]b[?]c[[]d]');
  });

  it('re-escapes literal percent signs and underscores for LIKE', () => {
    expect(toLikePattern(parseLikePattern('50\\%_'))).toBe('50\\%_');
  });
});
