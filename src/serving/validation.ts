/**
 * Checks a request's tensors against the model signature before anything is queued: names, dtypes,
 * ranks, fixed dimensions, the batch dimension and (unless the model allows them) NaN/±Infinity.
 * Every message names the input, what the model expects and what arrived.
 */
import { SlipwayError } from '../core/errors.js';
import { describeSpec, elementCount, hasNonFinite } from './tensor.js';
import type { ModelSignature, Tensor, TensorSpec } from './types.js';

export interface ValidatedInputs {
  /** In signature order. */
  inputs: Tensor[];
  /** Rows along the batch dimension (1 when the model is not batched). */
  rows: number;
}

function invalidInput(spec: TensorSpec, got: string, why: string): SlipwayError {
  return new SlipwayError(
    'INVALID_PARAMETER_VALUE',
    `Invalid input '${spec.name}': ${why}: expected ${describeSpec(spec)}, got ${got}`,
    { field: spec.name, expected: describeSpec(spec), got },
  );
}

function shapeMatches(spec: number[], shape: number[]): boolean {
  if (spec.length !== shape.length) return false;
  for (let k = 0; k < spec.length; k++) if (spec[k] >= 0 && spec[k] !== shape[k]) return false;
  return true;
}

/**
 * @param batched the model's `max_batch_size` > 0: the first dimension is the batch and must agree
 *   across inputs, and may not exceed `maxBatchSize`.
 */
export function validateInputs(
  signature: ModelSignature,
  tensors: Tensor[],
  opts: { batched: boolean; maxBatchSize: number; allowNonFinite: boolean },
): ValidatedInputs {
  const specs = signature.inputs;
  if (tensors.length !== specs.length || specs.some((s, k) => tensors[k]?.name !== s.name)) {
    tensors = orderBySignature(specs, tensors);
  }
  let rows = opts.batched ? -1 : 1;
  for (let k = 0; k < specs.length; k++) {
    const spec = specs[k];
    const t = tensors[k];
    const got = `${t.datatype} [${t.shape.join(',')}]`;
    if (t.datatype !== spec.datatype) throw invalidInput(spec, got, 'wrong datatype');
    if (!shapeMatches(spec.shape, t.shape)) throw invalidInput(spec, got, 'wrong shape');
    if (t.data.length !== elementCount(t.shape)) {
      throw invalidInput(
        spec,
        `${t.data.length} elements`,
        `shape [${t.shape}] needs ${elementCount(t.shape)} elements`,
      );
    }
    if (opts.batched) {
      const b = t.shape[0];
      if (rows === -1) rows = b;
      else if (b !== rows)
        throw invalidInput(spec, got, `batch size ${b} differs from the other inputs' ${rows}`);
    }
    if (!opts.allowNonFinite && hasNonFinite(t)) {
      throw new SlipwayError(
        'INVALID_PARAMETER_VALUE',
        `Invalid input '${spec.name}': NaN or Infinity values are not accepted by this model (set allow_non_finite to let them through)`,
        { field: spec.name, expected: 'finite numbers', got: 'NaN or Infinity' },
      );
    }
  }
  if (opts.batched && rows > opts.maxBatchSize) {
    throw new SlipwayError(
      'INVALID_PARAMETER_VALUE',
      `Invalid batch size: expected at most ${opts.maxBatchSize} rows (max_batch_size), got ${rows}`,
      { field: 'batch', expected: `<= ${opts.maxBatchSize}`, got: rows },
    );
  }
  return { inputs: tensors, rows: Math.max(rows, 0) };
}

function orderBySignature(specs: TensorSpec[], tensors: Tensor[]): Tensor[] {
  const byName = new Map<string, Tensor>();
  for (const t of tensors) {
    if (byName.has(t.name)) throw duplicate(t.name);
    byName.set(t.name, t);
  }
  for (const t of tensors) {
    if (!specs.some((s) => s.name === t.name)) {
      throw new SlipwayError(
        'INVALID_PARAMETER_VALUE',
        `Unknown input '${t.name}': the model's inputs are ${specs.map((s) => `'${s.name}'`).join(', ')}`,
        { field: t.name, expected: specs.map((s) => s.name), got: t.name },
      );
    }
  }
  return specs.map((s) => {
    const t = byName.get(s.name);
    if (!t) {
      throw new SlipwayError(
        'INVALID_PARAMETER_VALUE',
        `Missing input '${s.name}': expected ${describeSpec(s)}`,
        {
          field: s.name,
          expected: describeSpec(s),
          got: 'nothing',
        },
      );
    }
    return t;
  });
}

function duplicate(name: string): SlipwayError {
  return new SlipwayError('INVALID_PARAMETER_VALUE', `Input '${name}' is given more than once`, {
    field: name,
    expected: 'each input once',
    got: 'duplicates',
  });
}

/** Checks requested output names against the signature. */
export function validateOutputNames(signature: ModelSignature, names: string[] | undefined): void {
  if (!names) return;
  for (const n of names) {
    if (!signature.outputs.some((o) => o.name === n)) {
      throw new SlipwayError(
        'INVALID_PARAMETER_VALUE',
        `Unknown output '${n}': the model's outputs are ${signature.outputs.map((o) => `'${o.name}'`).join(', ')}`,
        { field: 'outputs', expected: signature.outputs.map((o) => o.name), got: n },
      );
    }
  }
}
