import { describe, expect, it } from 'vitest';
import { SlipwayError } from '../../core/errors.js';
import { parseRunFilter } from './filter-parser.js';

function errorOf(filter: string): SlipwayError {
  try {
    parseRunFilter(filter);
  } catch (err) {
    if (err instanceof SlipwayError) return err;
    throw err;
  }
  throw new Error(`expected '${filter}' to be rejected`);
}

describe('parseRunFilter', () => {
  it('parses the example filter from the issue into four comparisons', () => {
    const filter =
      "metrics.acc > 0.9 and params.lr = '0.01' and tags.team = 'x' and attributes.status = 'FINISHED'";
    expect(parseRunFilter(filter)).toEqual([
      { type: 'metric', key: 'acc', comparator: '>', value: 0.9 },
      { type: 'param', key: 'lr', comparator: '=', value: '0.01' },
      { type: 'tag', key: 'team', comparator: '=', value: 'x' },
      { type: 'attribute', key: 'status', comparator: '=', value: 'FINISHED' },
    ]);
  });

  it('returns no comparisons for an empty or blank filter', () => {
    expect(parseRunFilter(undefined)).toEqual([]);
    expect(parseRunFilter('')).toEqual([]);
    expect(parseRunFilter('   \n ')).toEqual([]);
  });

  it('accepts AND in any case and needs no spaces around comparators', () => {
    expect(parseRunFilter("metrics.a>=1 AnD params.b!='x'")).toEqual([
      { type: 'metric', key: 'a', comparator: '>=', value: 1 },
      { type: 'param', key: 'b', comparator: '!=', value: 'x' },
    ]);
  });

  it('accepts every entity prefix spelling', () => {
    const keys = parseRunFilter(
      "metric.a = 1 and parameters.b = 'x' and param.c = 'x' and tag.d = 'x' and attr.run_id = 'r' and run.status = 'R' and attribute.user_id = 'u'",
    ).map((c) => `${c.type}:${c.key}`);
    expect(keys).toEqual([
      'metric:a',
      'param:b',
      'param:c',
      'tag:d',
      'attribute:run_id',
      'attribute:status',
      'attribute:user_id',
    ]);
  });

  it('reads bare and camelCase attribute names as snake_case attributes', () => {
    const parsed = parseRunFilter("runName = 'a' and startTime > 5 and created < 9 and `Run Name` LIKE 'b%'");
    expect(parsed.map((c) => c.key)).toEqual(['run_name', 'start_time', 'start_time', 'run_name']);
    expect(parsed.every((c) => c.type === 'attribute')).toBe(true);
  });

  it('reads keys quoted with backticks or double quotes', () => {
    expect(parseRunFilter('tags."mlflow.user" = \'ana\' and metrics.`my-metric` < 2')).toEqual([
      { type: 'tag', key: 'mlflow.user', comparator: '=', value: 'ana' },
      { type: 'metric', key: 'my-metric', comparator: '<', value: 2 },
    ]);
    expect(parseRunFilter("params.`a b` = 'x'")[0].key).toBe('a b');
  });

  it('keeps everything after the prefix as the key of an unquoted dotted name', () => {
    expect(parseRunFilter("tags.mlflow.source.type = 'LOCAL'")[0].key).toBe('mlflow.source.type');
  });

  it('reads single- and double-quoted strings with doubled-quote escapes', () => {
    const values = parseRunFilter(`tags.a = 'it''s' and tags.b = "say ""hi""" and tags.c = "o'neil"`).map(
      (c) => c.value,
    );
    expect(values).toEqual(["it's", 'say "hi"', "o'neil"]);
  });

  it('reads negative, decimal and exponent numbers', () => {
    const values = parseRunFilter(
      'metrics.a > -1 and metrics.b < 0.5 and metrics.c >= 1e-3 and metrics.d = -.5E+2',
    );
    expect(values.map((c) => c.value)).toEqual([-1, 0.5, 0.001, -50]);
  });

  it('parses IN and NOT IN lists of quoted strings', () => {
    expect(parseRunFilter("run_id IN ('a', \"b\") and params.p NOT IN ('x')")).toEqual([
      { type: 'attribute', key: 'run_id', comparator: 'IN', value: ['a', 'b'] },
      { type: 'param', key: 'p', comparator: 'NOT IN', value: ['x'] },
    ]);
  });

  it('parses IS NULL and IS NOT NULL for metrics, params and tags', () => {
    expect(parseRunFilter('metrics.a IS NULL and params.b is not null and tags.c IS NULL')).toEqual([
      { type: 'metric', key: 'a', comparator: 'IS NULL', value: null },
      { type: 'param', key: 'b', comparator: 'IS NOT NULL', value: null },
      { type: 'tag', key: 'c', comparator: 'IS NULL', value: null },
    ]);
  });

  it('parses LIKE and ILIKE on params, tags, string attributes and datasets', () => {
    const parsed = parseRunFilter(
      "params.a LIKE '%x' and tags.b ilike 'Y%' and status LIKE 'F%' and datasets.name ILIKE 'tr%'",
    );
    expect(parsed.map((c) => c.comparator)).toEqual(['LIKE', 'ILIKE', 'LIKE', 'ILIKE']);
    expect(parsed[3]).toEqual({ type: 'dataset', key: 'name', comparator: 'ILIKE', value: 'tr%' });
  });

  it('names the unexpected token and its position', () => {
    expect(errorOf('metrics.acc >> 1').message).toBe(
      "Invalid filter 'metrics.acc >> 1': unexpected token '>>' at position 12 (expected a comparator)",
    );
    expect(errorOf('metrics.acc >> 1').code).toBe('INVALID_PARAMETER_VALUE');
    expect(errorOf('metrics.acc >> 1').details).toMatchObject({ field: 'filter', position: 12 });
  });

  it('rejects a string compared with a metric', () => {
    expect(errorOf("metrics.acc = 'abc'").message).toContain(
      "expected a number for metric 'acc' but got 'abc' at position 14",
    );
  });

  it('rejects a number compared with a param', () => {
    expect(errorOf('params.lr = 1').message).toContain(
      "expected a quoted string for param 'lr' but got '1' at position 12",
    );
  });

  it('rejects comparators the identifier does not support', () => {
    expect(errorOf('params.lr > 1').message).toContain(
      "comparator '>' at position 10 is not valid for param 'lr'",
    );
    expect(errorOf("metrics.acc LIKE '1'").message).toContain("comparator 'LIKE' at position 12");
    expect(errorOf('start_time IS NULL').message).toContain("comparator 'IS NULL' at position 11");
    expect(errorOf("start_time IN ('1')").message).toContain("comparator 'IN' at position 11");
  });

  it('rejects a fractional start time', () => {
    expect(errorOf('start_time > 1.5').message).toContain(
      "expected an integer for attribute 'start_time' but got '1.5'",
    );
  });

  it('rejects unknown attributes, entities and dataset fields', () => {
    expect(errorOf("colour = 'red'").message).toContain("unknown attribute 'colour' at position 0");
    expect(errorOf("foo.x = 'a'").message).toContain("unknown entity 'foo' in 'foo.x' at position 0");
    expect(errorOf("datasets.size = 'a'").message).toContain("unknown dataset field 'size' at position 0");
  });

  it('rejects a missing value, trailing garbage and OR', () => {
    expect(errorOf('metrics.acc >').message).toContain('unexpected end of input at position 13');
    expect(errorOf('metrics.acc > 1 extra').message).toContain("unexpected token 'extra' at position 16");
    expect(errorOf('metrics.acc > 1 and').message).toContain('unexpected end of input at position 19');
    expect(errorOf('metrics.a > 1 OR metrics.b < 2').message).toContain(
      "unexpected token 'OR' at position 14 (only AND is supported)",
    );
  });

  it('rejects malformed IN lists', () => {
    expect(errorOf("run_id IN 'a'").message).toContain("unexpected token 'a' at position 10");
    expect(errorOf('run_id IN ()').message).toContain("unexpected token ')' at position 11");
    expect(errorOf("run_id IN ('a' 'b')").message).toContain("unexpected token 'b' at position 15");
    expect(errorOf("run_id IN ('a', 1)").message).toContain("unexpected token '1' at position 16");
  });

  it('rejects unterminated strings and stray characters', () => {
    expect(errorOf("tags.a = 'open").message).toContain("unterminated ' quote starting at position 9");
    expect(errorOf('metrics.a # 1').message).toContain("unexpected character '#' at position 10");
  });
});
