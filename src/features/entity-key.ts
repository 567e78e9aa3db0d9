/**
 * The canonical key of an entity row in the online store: join keys sorted by name, each as
 * `name=<JSON value>`, joined by `|` — `driver_id=1001`, `customer_id="c7"|merchant_id=3`. The same
 * row always gives the same key whatever order its keys were given in.
 */
import { invalidParameter } from '../core/errors.js';
import type { FeatureScalar } from './types.js';

export function entityKeyOf(
  joinKeys: readonly string[],
  row: Record<string, FeatureScalar | undefined>,
): string {
  const names = [...joinKeys].sort();
  let key = '';
  for (let k = 0; k < names.length; k++) {
    const v = row[names[k]];
    if (v === undefined || v === null) throw invalidParameter(names[k], 'a value for the join key', v);
    if (k > 0) key += '|';
    key += `${names[k]}=${JSON.stringify(v)}`;
  }
  return key;
}
