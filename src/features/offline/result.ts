/** Turning a DuckDB result into what callers and the dataset registry need: scalars and a content hash. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { JS } from '@duckdb/node-api';
import type { FeatureScalar } from '../types.js';

/**
 * A DuckDB value as a `FeatureScalar`: integers as numbers (exact up to 2^53), timestamps and
 * dates as epoch milliseconds (the `timestamp` feature type's unit), anything composite as JSON text.
 */
export function toFeatureScalar(value: JS): FeatureScalar {
  if (
    value === null ||
    typeof value === 'number' ||
    typeof value === 'string' ||
    typeof value === 'boolean'
  ) {
    return value;
  }
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.getTime();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? Number(v) : v));
}

/** `sha256:<hex>` of a file, streamed (training sets can be gigabytes). */
export async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}

/** `sha256:<hex>` of the column names as a JSON line, then each row's values as a JSON line. */
export function hashRows(columns: string[], rows: ReadonlyArray<Record<string, FeatureScalar>>): string {
  const hash = createHash('sha256');
  hash.update(`${JSON.stringify(columns)}\n`);
  for (const row of rows) hash.update(`${JSON.stringify(columns.map((c) => row[c]))}\n`);
  return `sha256:${hash.digest('hex')}`;
}
