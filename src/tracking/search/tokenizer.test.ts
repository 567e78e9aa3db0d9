import { describe, expect, it } from 'vitest';
import { isKeyword, tokenize } from './tokenizer.js';

describe('tokenize', () => {
  it('splits a clause into identifier, operator and value tokens with positions', () => {
    expect(
      tokenize("metrics.acc>=0.5 and tags.t = 'x'", 'filter').map((t) => [t.kind, t.text, t.position]),
    ).toEqual([
      ['identifier', 'metrics.acc', 0],
      ['operator', '>=', 11],
      ['number', '0.5', 13],
      ['identifier', 'and', 17],
      ['identifier', 'tags.t', 21],
      ['operator', '=', 28],
      ['string', "'x'", 30],
      ['end', '', 33],
    ]);
  });

  it('unquotes identifier parts written with backticks or double quotes', () => {
    const [token] = tokenize('tags.`a.b`.c."d e"', 'filter');
    expect(token).toMatchObject({ kind: 'identifier', parts: ['tags', 'a.b', 'c', 'd e'], quoted: true });
  });

  it('reads a leading double-quoted word as a string, not an identifier', () => {
    expect(tokenize('"x"', 'filter')[0]).toMatchObject({ kind: 'string', value: 'x' });
  });

  it('keeps a run of comparison characters together as one operator', () => {
    expect(tokenize('a <>= b', 'filter')[1]).toMatchObject({ kind: 'operator', text: '<>=' });
  });

  it('treats only unquoted, undotted words as keywords', () => {
    const [and, quoted, dotted] = tokenize('AND `and` and.x', 'filter');
    expect(isKeyword(and, 'AND')).toBe(true);
    expect(isKeyword(quoted, 'AND')).toBe(false);
    expect(isKeyword(dotted, 'AND')).toBe(false);
  });
});
