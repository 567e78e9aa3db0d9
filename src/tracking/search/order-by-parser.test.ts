import { describe, expect, it } from 'vitest';
import { parseOrderBy } from './order-by-parser.js';

describe('parseOrderBy', () => {
  it('parses run clauses with directions in any case, ascending by default', () => {
    expect(
      parseOrderBy(['metrics.acc DESC', 'params.lr', 'attributes.start_time ASC', 'tags.x desc'], 'runs'),
    ).toEqual([
      { type: 'metric', key: 'acc', ascending: false },
      { type: 'param', key: 'lr', ascending: true },
      { type: 'attribute', key: 'start_time', ascending: true },
      { type: 'tag', key: 'x', ascending: false },
    ]);
  });

  it('returns no clauses when none are given', () => {
    expect(parseOrderBy(undefined, 'runs')).toEqual([]);
    expect(parseOrderBy([], 'models')).toEqual([]);
  });

  it('reads quoted keys and camelCase attributes', () => {
    expect(
      parseOrderBy(['metrics.`val-loss` DESC', 'tags."mlflow.user"', 'startTime', 'created'], 'runs'),
    ).toEqual([
      { type: 'metric', key: 'val-loss', ascending: false },
      { type: 'tag', key: 'mlflow.user', ascending: true },
      { type: 'attribute', key: 'start_time', ascending: true },
      { type: 'attribute', key: 'start_time', ascending: true },
    ]);
  });

  it('orders experiments by their attributes', () => {
    expect(
      parseOrderBy(['name', 'creation_time DESC', 'experiment_id', 'last_update_time'], 'experiments'),
    ).toEqual([
      { type: 'attribute', key: 'name', ascending: true },
      { type: 'attribute', key: 'creation_time', ascending: false },
      { type: 'attribute', key: 'experiment_id', ascending: true },
      { type: 'attribute', key: 'last_update_time', ascending: true },
    ]);
  });

  it('normalises registry timestamp and version spellings', () => {
    expect(parseOrderBy(['last_updated_timestamp DESC', 'timestamp'], 'models').map((c) => c.key)).toEqual([
      'last_updated_timestamp',
      'creation_timestamp',
    ]);
    expect(
      parseOrderBy(['version_number DESC', 'name', 'source_path'], 'versions').map((c) => c.key),
    ).toEqual(['version', 'name', 'source']);
  });

  it('rejects an unknown direction naming the token and its position', () => {
    expect(() => parseOrderBy(['metrics.acc DOWN'], 'runs')).toThrow(
      "Invalid order_by clause 'metrics.acc DOWN': unexpected token 'DOWN' at position 12",
    );
  });

  it('rejects identifiers the search cannot order by', () => {
    expect(() => parseOrderBy(['metrics.acc'], 'models')).toThrow(
      "unknown entity 'metrics' in 'metrics.acc'",
    );
    expect(() => parseOrderBy(['datasets.name'], 'runs')).toThrow("unknown entity 'datasets'");
    expect(() => parseOrderBy(['colour'], 'experiments')).toThrow("unknown attribute 'colour' at position 0");
  });

  it('rejects an empty clause and extra tokens', () => {
    expect(() => parseOrderBy([''], 'runs')).toThrow('unexpected end of input at position 0');
    expect(() => parseOrderBy(['name ASC DESC'], 'models')).toThrow("unexpected token 'DESC' at position 9");
  });
});
