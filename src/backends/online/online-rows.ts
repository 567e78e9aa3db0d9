/**
 * What every online-store backend shares: input checks, so that SQLite and Redis reject the same
 * inputs with the same messages (one place builds them, as BullMQ does for its backends), and the
 * building of the rows a read returns.
 */
import { invalidParameter, SlipwayError } from '../../core/errors.js';
import type { FeatureScalar, OnlineRow } from '../../features/types.js';

/** Throws unless `view` names a feature view. */
export function checkView(view: unknown): asserts view is string {
  if (typeof view !== 'string' || view === '') throw invalidParameter('view', 'a feature view name', view);
}

/**
 * Checks a whole batch before anything is written, so that a bad row fails the call without
 * leaving the rows before it half-applied.
 */
export function checkRows(rows: unknown): asserts rows is OnlineRow[] {
  if (!Array.isArray(rows)) throw invalidParameter('rows', 'an array of rows', rows);
  for (let i = 0; i < rows.length; i++) checkRow(rows[i], `rows[${i}]`);
}

function checkRow(row: unknown, at: string): void {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) {
    throw invalidParameter(at, 'an object with entityKey, values and eventTimestamp', row);
  }
  const { entityKey, values, eventTimestamp, createdTimestamp } = row as Record<string, unknown>;
  if (typeof entityKey !== 'string' || entityKey === '') {
    throw invalidParameter(`${at}.entityKey`, 'a non-empty entity key', entityKey);
  }
  if (!isFiniteNumber(eventTimestamp)) {
    throw invalidParameter(`${at}.eventTimestamp`, 'epoch milliseconds (a finite number)', eventTimestamp);
  }
  if (createdTimestamp !== undefined && !isFiniteNumber(createdTimestamp)) {
    throw invalidParameter(
      `${at}.createdTimestamp`,
      'epoch milliseconds (a finite number) or nothing',
      createdTimestamp,
    );
  }
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw invalidParameter(`${at}.values`, 'an object of feature values', values);
  }
  for (const [name, value] of Object.entries(values)) {
    checkFeatureName(name, `${at}.values`);
    if (!isFeatureScalar(value)) {
      // JSON (both backends' encoding) has no NaN or Infinity; storing them as null would silently
      // turn a bad value into a missing one.
      throw invalidParameter(
        `${at}.values.${name}`,
        'a finite number, a string, a boolean or null',
        typeof value === 'number' ? String(value) : value,
      );
    }
  }
}

/** Throws unless `entityKeys` and `features` are lists a read can use. */
export function checkReadArguments(entityKeys: unknown, features: unknown): void {
  if (!Array.isArray(entityKeys)) throw invalidParameter('entityKeys', 'an array of entity keys', entityKeys);
  for (let i = 0; i < entityKeys.length; i++) {
    const key = entityKeys[i];
    if (typeof key !== 'string' || key === '') {
      throw invalidParameter(`entityKeys[${i}]`, 'a non-empty entity key', key);
    }
  }
  if (!Array.isArray(features)) throw invalidParameter('features', 'an array of feature names', features);
  for (let i = 0; i < features.length; i++) checkFeatureName(features[i], `features[${i}]`);
}

function checkFeatureName(name: unknown, at: string): void {
  if (typeof name !== 'string' || name === '') throw invalidParameter(at, 'a feature name', name);
}

/** The error every backend throws when it is used before `init()` or after `close()`. */
export function storeNotOpen(backend: string): SlipwayError {
  return new SlipwayError('INVALID_STATE', `The ${backend} online store is not open: call init() first`, {
    backend,
  });
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function isFeatureScalar(v: unknown): v is FeatureScalar {
  return v === null || typeof v === 'string' || typeof v === 'boolean' || isFiniteNumber(v);
}

/** Turns one stored row (its values as the JSON text both backends keep) into what a read returns. */
export type StoredRowDecoder = (
  entityKey: string,
  valuesJson: string,
  eventTimestamp: number,
  createdTimestamp: number | null,
) => OnlineRow;

/**
 * A decoder picking `features`, in that order, out of stored rows (null for those a row lacks).
 * Reads decode every row, so this is the serving hot path: plain assignment is about twice as fast
 * as `Object.fromEntries`, which only a feature named `__proto__` needs (assigning it would set the
 * object's prototype instead of a value).
 */
export function storedRowDecoder(features: readonly string[]): StoredRowDecoder {
  const pick = features.includes('__proto__')
    ? (stored: Record<string, FeatureScalar>) =>
        Object.fromEntries(features.map((name) => [name, Object.hasOwn(stored, name) ? stored[name] : null]))
    : (stored: Record<string, FeatureScalar>) => {
        const values: Record<string, FeatureScalar> = {};
        for (const name of features) values[name] = Object.hasOwn(stored, name) ? stored[name] : null;
        return values;
      };
  return (entityKey, valuesJson, eventTimestamp, createdTimestamp) => {
    const values = pick(JSON.parse(valuesJson) as Record<string, FeatureScalar>);
    return createdTimestamp === null
      ? { entityKey, values, eventTimestamp }
      : { entityKey, values, eventTimestamp, createdTimestamp };
  };
}
