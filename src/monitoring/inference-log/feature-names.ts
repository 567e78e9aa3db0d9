/**
 * Feature names for the input columns of a model fed by a feature service: when the model takes its
 * features as one concatenated input, its columns are named after them (`in_<view>_<feature>`)
 * instead of by position (`in_<input>_<j>`).
 */
import type { InferenceEngine } from '../../serving/types.js';
import type { FeatureNameResolver } from './types.js';

/**
 * Names from the engine's view of each version (`featureRefs`, service order). `engine` is a
 * function because the log is opened before the engine it records.
 */
export function engineFeatureNames(engine: () => InferenceEngine | undefined): FeatureNameResolver {
  return (model, version, tensor, width) => {
    let status: ReturnType<InferenceEngine['getVersion']> | undefined;
    try {
      status = engine()?.getVersion(model, { version });
    } catch {
      return undefined;
    }
    const refs = status?.featureRefs;
    const inputs = status?.modelSignature?.inputs;
    if (!refs || refs.length !== width || inputs?.length !== 1 || inputs[0].name !== tensor) return undefined;
    return refs.map((r) => r.replace(':', '__'));
  };
}
