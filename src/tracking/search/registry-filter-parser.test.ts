import { describe, expect, it } from 'vitest';
import {
  parseExperimentFilter,
  parseModelVersionFilter,
  parseRegisteredModelFilter,
} from './registry-filter-parser.js';

describe('parseExperimentFilter', () => {
  it('parses names, tags and times', () => {
    expect(
      parseExperimentFilter("name LIKE 'fraud%' and tags.team = 'risk' and attributes.creation_time > 123"),
    ).toEqual([
      { type: 'attribute', key: 'name', comparator: 'LIKE', value: 'fraud%' },
      { type: 'tag', key: 'team', comparator: '=', value: 'risk' },
      { type: 'attribute', key: 'creation_time', comparator: '>', value: 123 },
    ]);
    expect(parseExperimentFilter('lastUpdateTime <= 5')[0].key).toBe('last_update_time');
  });

  it('rejects run-only identifiers', () => {
    expect(() => parseExperimentFilter('metrics.acc > 1')).toThrow(
      "unknown entity 'metrics' in 'metrics.acc'",
    );
    expect(() => parseExperimentFilter("status = 'x'")).toThrow("unknown attribute 'status' at position 0");
  });
});

describe('parseRegisteredModelFilter', () => {
  it('parses name comparisons and tags', () => {
    expect(parseRegisteredModelFilter("name ILIKE '%churn%' and tags.`team.name` LIKE 'r%'")).toEqual([
      { type: 'attribute', key: 'name', comparator: 'ILIKE', value: '%churn%' },
      { type: 'tag', key: 'team.name', comparator: 'LIKE', value: 'r%' },
    ]);
  });

  it('rejects attributes registered models do not have', () => {
    expect(() => parseRegisteredModelFilter("run_id = 'a'")).toThrow("unknown attribute 'run_id'");
    expect(() => parseRegisteredModelFilter("name > 'a'")).toThrow("comparator '>' at position 5");
  });
});

describe('parseModelVersionFilter', () => {
  it('parses run ids, sources, versions and stages with their aliases', () => {
    expect(
      parseModelVersionFilter(
        "name = 'm' and run_id IN ('a', 'b') and source_path = 's3://x' and version_number >= 3 and current_stage = 'Production'",
      ),
    ).toEqual([
      { type: 'attribute', key: 'name', comparator: '=', value: 'm' },
      { type: 'attribute', key: 'run_id', comparator: 'IN', value: ['a', 'b'] },
      { type: 'attribute', key: 'source', comparator: '=', value: 's3://x' },
      { type: 'attribute', key: 'version', comparator: '>=', value: 3 },
      { type: 'attribute', key: 'current_stage', comparator: '=', value: 'Production' },
    ]);
    expect(parseModelVersionFilter("source LIKE 's3://%' and version = 2").map((c) => c.key)).toEqual([
      'source',
      'version',
    ]);
  });

  it('rejects a quoted version number naming the value and its position', () => {
    expect(() => parseModelVersionFilter("version = '3'")).toThrow(
      "Invalid filter 'version = '3'': expected a number for attribute 'version' but got '3' at position 10",
    );
  });
});
