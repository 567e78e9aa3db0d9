/**
 * On-demand transforms, run one way for training sets and online reads alike: the same input row
 * (request fields, then each stored input under both `feature` and `view__feature`), the same call,
 * the same error. Keeping this in one function is what stops training and serving from diverging.
 */
import { SlipwayError } from '../core/errors.js';
import type { FeatureScalar, OnDemandFeatureView } from './types.js';

/** A stored input of an on-demand view: its `view:feature` reference, split. */
export interface OnDemandSource {
  ref: string;
  view: string;
  feature: string;
}

/** The stored features an on-demand view reads, in declaration order. */
export function onDemandSources(odfv: OnDemandFeatureView): OnDemandSource[] {
  return odfv.sources.map((ref) => {
    const at = ref.indexOf(':');
    return { ref, view: ref.slice(0, at), feature: ref.slice(at + 1) };
  });
}

/**
 * Runs `odfv`'s transform for one entity row and returns its outputs in schema order (missing
 * outputs are null). `request` gives a request field's value, `stored` a stored input's value by
 * `view:feature`. A transform that throws becomes INVALID_PARAMETER_VALUE naming the view and row.
 *
 * @example
 * const [ratio] = applyOnDemand(tripRatio, 0, (f) => request[f], (ref) => stored[ref]);
 */
export function applyOnDemand(
  odfv: OnDemandFeatureView,
  row: number,
  request: (field: string) => FeatureScalar | undefined,
  stored: (ref: string) => FeatureScalar | undefined,
  sources: OnDemandSource[] = onDemandSources(odfv),
): FeatureScalar[] {
  const input: Record<string, FeatureScalar> = {};
  for (const f of odfv.requestSchema) input[f.name] = request(f.name) ?? null;
  for (const s of sources) {
    const v = stored(s.ref) ?? null;
    input[s.feature] = v;
    input[`${s.view}__${s.feature}`] = v;
  }
  let out: Record<string, FeatureScalar>;
  try {
    out = odfv.transform(input);
  } catch (err) {
    throw new SlipwayError(
      'INVALID_PARAMETER_VALUE',
      `On-demand view '${odfv.name}' failed on entity row ${row}: ${err instanceof Error ? err.message : String(err)}`,
      { view: odfv.name, row },
    );
  }
  return odfv.schema.map((f) => out?.[f.name] ?? null);
}
