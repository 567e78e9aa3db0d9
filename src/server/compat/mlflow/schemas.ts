/** JSON-schema building blocks for MLflow requests (validated by Fastify before a handler runs). */
import { invalidParameter } from '../../../core/errors.js';
import { bool, int, str, strList, viewType } from '../../json-schema.js';

export { bool, int, str, strList, viewType };

export const tagList = {
  type: 'array',
  items: {
    type: 'object',
    required: ['key'],
    properties: { key: str, value: str },
  },
} as const;

/** An object schema; MLflow clients add fields over time, so unknown ones are allowed. */
export function obj(properties: Record<string, object>, required: string[] = []) {
  return { type: 'object', properties, required } as const;
}

/** Schema for a route that reads its input from the query string (GET) or the JSON body (others). */
export function input(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', schema: object) {
  return method === 'GET' ? { querystring: schema } : { body: schema };
}

/** The run id, which clients send as `run_id`, `run_uuid` or both. */
export function runIdOf(body: { run_id?: string; run_uuid?: string }): string {
  const id = body.run_id || body.run_uuid;
  if (!id) throw invalidParameter('run_id', 'a run id', undefined);
  return id;
}

/** Metric values arrive as numbers, or as strings for non-finite values ("NaN", "Infinity"). */
export function metricValue(value: unknown, field = 'value'): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    if (value === 'NaN') return Number.NaN;
    if (value === 'Infinity') return Number.POSITIVE_INFINITY;
    if (value === '-Infinity') return Number.NEGATIVE_INFINITY;
    const n = Number(value);
    if (value.trim() !== '' && !Number.isNaN(n)) return n;
  }
  throw invalidParameter(field, 'a number', value);
}
