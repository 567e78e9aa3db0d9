/** Checks shared by both SDK clients' feature calls, made before any work (or upload) starts. */
import { invalidParameter } from '../core/errors.js';
import type { HistoricalFeaturesInput } from './types.js';

/** `input` with exactly one of `entityRows` / `entitiesPath` and an `out` path; throws naming the field otherwise. */
export function checkHistoricalInput(input: HistoricalFeaturesInput): HistoricalFeaturesInput {
  if (typeof input !== 'object' || input === null) throw invalidParameter('input', 'an object', input);
  if ((input.entityRows === undefined) === (input.entitiesPath === undefined))
    throw invalidParameter('entityRows', 'either entityRows or entitiesPath', input.entityRows);
  if (
    input.entitiesPath !== undefined &&
    (typeof input.entitiesPath !== 'string' || input.entitiesPath === '')
  )
    throw invalidParameter('entitiesPath', 'a Parquet or CSV file path', input.entitiesPath);
  if (typeof input.out !== 'string' || input.out === '')
    throw invalidParameter('out', 'the Parquet file to write', input.out);
  return input;
}
