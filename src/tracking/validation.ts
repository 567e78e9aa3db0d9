/** Input rules for tracking data, as MLflow enforces them (so clients see the same limits). */
import { invalidParameter, SlipwayError } from '../core/errors.js';
import type { Tag } from '../core/types.js';
import type { Metric, Param, RunBatch } from './types.js';

export const LIMITS = {
  keyLength: 250,
  paramValueLength: 6000,
  tagValueLength: 8000,
  batchMetrics: 1000,
  batchParams: 100,
  batchTags: 100,
  batchTotal: 1000,
  experimentNameLength: 500,
} as const;

// Letters, digits, underscores, dashes, periods, spaces, slashes and colons, like MLflow's key rule.
const KEY_RE = /^[\w\-. /:]+$/;

export function checkKey(kind: string, key: unknown): string {
  if (typeof key !== 'string' || key.length === 0)
    throw invalidParameter(`${kind}.key`, 'a non-empty string', key);
  if (key.length > LIMITS.keyLength)
    throw invalidParameter(
      `${kind}.key`,
      `at most ${LIMITS.keyLength} characters`,
      `${key.length} characters`,
    );
  if (!KEY_RE.test(key) || key.split('/').includes('..') || key.startsWith('/'))
    throw invalidParameter(
      `${kind}.key`,
      'only letters, digits, underscores, dashes, periods, spaces, colons and slashes (no .. or leading /)',
      key,
    );
  return key;
}

function checkValue(kind: string, value: unknown, max: number): string {
  if (typeof value !== 'string') throw invalidParameter(`${kind}.value`, 'a string', value);
  if (value.length > max)
    throw invalidParameter(`${kind}.value`, `at most ${max} characters`, `${value.length} characters`);
  return value;
}

export function checkParam(p: Param): Param {
  return { key: checkKey('param', p.key), value: checkValue('param', p.value, LIMITS.paramValueLength) };
}

export function checkTag(t: Tag): Tag {
  return { key: checkKey('tag', t.key), value: checkValue('tag', t.value, LIMITS.tagValueLength) };
}

export function checkMetric(m: Metric): Metric {
  const key = checkKey('metric', m.key);
  if (typeof m.value !== 'number') throw invalidParameter('metric.value', 'a number', m.value);
  if (!Number.isSafeInteger(m.timestamp))
    throw invalidParameter('metric.timestamp', 'integer milliseconds', m.timestamp);
  if (!Number.isSafeInteger(m.step)) throw invalidParameter('metric.step', 'an integer', m.step);
  return { key, value: m.value, timestamp: m.timestamp, step: m.step };
}

export function checkBatch(batch: RunBatch): RunBatch {
  const { metrics, params, tags } = batch;
  if (metrics.length > LIMITS.batchMetrics)
    throw invalidParameter(
      'metrics',
      `at most ${LIMITS.batchMetrics} metrics per batch`,
      `${metrics.length}`,
    );
  if (params.length > LIMITS.batchParams)
    throw invalidParameter('params', `at most ${LIMITS.batchParams} params per batch`, `${params.length}`);
  if (tags.length > LIMITS.batchTags)
    throw invalidParameter('tags', `at most ${LIMITS.batchTags} tags per batch`, `${tags.length}`);
  if (metrics.length + params.length + tags.length > LIMITS.batchTotal)
    throw invalidParameter(
      'batch',
      `at most ${LIMITS.batchTotal} items in total`,
      `${metrics.length + params.length + tags.length}`,
    );
  const checkedParams = params.map(checkParam);
  const seen = new Map<string, string>();
  for (const p of checkedParams) {
    const prev = seen.get(p.key);
    if (prev !== undefined && prev !== p.value)
      throw new SlipwayError(
        'INVALID_PARAMETER_VALUE',
        `Duplicate parameter keys have been submitted with different values: '${p.key}' = '${prev}' and '${p.value}'`,
        { field: 'params', key: p.key },
      );
    seen.set(p.key, p.value);
  }
  return { metrics: metrics.map(checkMetric), params: checkedParams, tags: tags.map(checkTag) };
}

export function checkExperimentName(name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '')
    throw invalidParameter('name', 'a non-empty string', name);
  if (name.length > LIMITS.experimentNameLength)
    throw invalidParameter(
      'name',
      `at most ${LIMITS.experimentNameLength} characters`,
      `${name.length} characters`,
    );
  return name;
}
