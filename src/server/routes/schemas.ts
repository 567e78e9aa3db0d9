/**
 * JSON-schema building blocks for the native API. Fastify validates requests against them before a
 * handler runs, so a wrong type or a missing field is a 400 naming the field (see ../errors.ts).
 */
import type { ViewType } from '../../core/types.js';
import { bool, int, str, strList, viewType } from '../json-schema.js';

export { bool, int, str, strList, viewType };

export const nonEmpty = { type: 'string', minLength: 1 } as const;
export const num = { type: 'number' } as const;

/** A closed object: unknown fields are refused rather than silently ignored. */
export function obj(properties: Record<string, object>, required: string[] = []) {
  return { type: 'object', properties, required, additionalProperties: false } as const;
}

export const tag = obj({ key: nonEmpty, value: str }, ['key', 'value']);
export const tagList = { type: 'array', items: tag } as const;

/** Path parameters, all non-empty strings. */
export function params(...names: string[]) {
  return obj(Object.fromEntries(names.map((n) => [n, nonEmpty])), names);
}

/** The body of `PUT …/tags/:key`. */
export const tagValueBody = obj({ value: str }, ['value']);

/** Query string of a listing: `?filter=…&orderBy=…&orderBy=…&maxResults=…&pageToken=…`. */
export interface SearchQuery {
  filter?: string;
  orderBy?: string[];
  maxResults?: number;
  pageToken?: string;
  view?: ViewType;
}

const searchFields = {
  filter: str,
  orderBy: strList,
  maxResults: { type: 'integer', minimum: 1 },
  pageToken: str,
};

/** Search query schema; `withView` adds the lifecycle filter (experiments and runs only). */
export function searchQuery(withView = false) {
  return obj(withView ? { ...searchFields, view: viewType } : searchFields);
}

/** Search fields in a JSON body (runs search, whose experiment id list is too long for a URL). */
export const searchBodyFields = { ...searchFields, view: viewType };
