/**
 * JSON request bodies in TF Serving's two layouts → tensors typed by the model signature:
 * rows (`"instances"`: one entry per example, stacked along a new first dimension) and columns
 * (`"inputs"`: one value per input, shaped as sent). KServe V1 and most TorchServe clients send
 * the same rows, so the TorchServe adapter maps through here too.
 *
 * Datatypes come from the signature, shapes from the JSON nesting; the engine then checks the
 * shapes against the signature. Every error names the JSON field (`instances[1].x[2]`).
 */
import { invalidParameter, SlipwayError } from '../../../core/errors.js';
import { describeSpec, MAX_TENSOR_RANK, tensorFromValues } from '../../../serving/tensor.js';
import type {
  InferenceEngine,
  ModelSignature,
  ModelVersionStatus,
  Tensor,
  TensorSpec,
} from '../../../serving/types.js';

/** A version whose signature is known, so JSON values can be typed. */
export type ServableVersion = ModelVersionStatus & { signature: ModelSignature };

/**
 * The version a request names, with its signature; 503 while it is still loading or when it
 * failed to load (the reason is in the message), 404 when there is no such model or version.
 */
export function servableVersion(
  engine: InferenceEngine,
  name: string,
  ref?: { version?: string; label?: string },
): ServableVersion {
  const v = engine.getVersion(name, ref);
  if (v.signature) return v as ServableVersion;
  const why = v.reason ? `: ${v.reason}` : '';
  throw new SlipwayError(
    'TEMPORARILY_UNAVAILABLE',
    `Model '${name}' version ${v.version} is not available (${v.state})${why}`,
    { model: name, version: v.version, state: v.state },
  );
}

/** `{"b64": "..."}`: TF Serving's way to send binary values in JSON. */
export function isB64(v: unknown): v is { b64: string } {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const b64 = (v as { b64?: unknown }).b64;
  return typeof b64 === 'string' && Object.keys(v).length === 1;
}

/** A plain object of input name → value (not a `{"b64"}` value, unless the model has an input named b64). */
export function isNamedInputs(v: unknown, signature: ModelSignature): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  return !isB64(v) || signature.inputs.some((s) => s.name === 'b64');
}

function inputNames(signature: ModelSignature): string {
  return signature.inputs.map((s) => s.name).join(', ');
}

function checkNames(signature: ModelSignature, value: Record<string, unknown>, field: string): void {
  for (const key of Object.keys(value)) {
    if (!signature.inputs.some((s) => s.name === key)) {
      throw invalidParameter(`${field}.${key}`, `one of the model's inputs (${inputNames(signature)})`, key);
    }
  }
}

/**
 * Row layout: `[row, row, ...]` for a single-input model, `[{name: value, ...}, ...]` for any model.
 *
 * @example
 * tensorsFromInstances(signature, [[1, 2, 3]]) // [{ name: 'x', datatype: 'FP32', shape: [1, 3], ... }]
 */
export function tensorsFromInstances(
  signature: ModelSignature,
  instances: unknown,
  field = 'instances',
): Tensor[] {
  if (!Array.isArray(instances) || instances.length === 0) {
    throw invalidParameter(field, 'a non-empty list of instances', instances);
  }
  const specs = signature.inputs;
  if (!isNamedInputs(instances[0], signature)) {
    if (specs.length !== 1) {
      throw invalidParameter(
        `${field}[0]`,
        `an object of named inputs (${inputNames(signature)})`,
        instances[0],
      );
    }
    // The hot path: the parsed JSON goes to tensorFromValues as it is.
    return [toTensor(specs[0], instances, field)];
  }
  for (let i = 0; i < instances.length; i++) {
    const row = instances[i];
    if (!isNamedInputs(row, signature)) {
      throw invalidParameter(`${field}[${i}]`, 'an object of named inputs, like the first instance', row);
    }
    checkNames(signature, row, `${field}[${i}]`);
  }
  return specs.map((spec) => {
    const column = new Array<unknown>(instances.length);
    for (let i = 0; i < instances.length; i++) {
      const v = (instances[i] as Record<string, unknown>)[spec.name];
      if (v === undefined) throw invalidParameter(`${field}[${i}].${spec.name}`, describeSpec(spec), v);
      column[i] = v;
    }
    return toTensor(spec, column, field, (i) => `${field}[${i}].${spec.name}`);
  });
}

/**
 * Columnar layout: a value for a single-input model, or `{name: value, ...}`; each value keeps
 * the shape it is sent in.
 *
 * @example
 * tensorsFromColumns(signature, { a: [[1, 2]], b: [[3, 4]] })
 */
export function tensorsFromColumns(signature: ModelSignature, inputs: unknown, field = 'inputs'): Tensor[] {
  const specs = signature.inputs;
  if (!isNamedInputs(inputs, signature)) {
    if (specs.length !== 1) {
      throw invalidParameter(field, `an object of named inputs (${inputNames(signature)})`, inputs);
    }
    return [toTensor(specs[0], inputs, field)];
  }
  checkNames(signature, inputs, field);
  return specs.map((spec) => {
    const v = inputs[spec.name];
    if (v === undefined) throw invalidParameter(`${field}.${spec.name}`, describeSpec(spec), v);
    return toTensor(spec, v, `${field}.${spec.name}`);
  });
}

/** `field[i]`: how the i-th entry of a list is named (built only on the BYTES and error paths). */
const entryOf = (field: string) => (i: number) => `${field}[${i}]`;

/**
 * One input's values → tensor. `pathOf(i)` names the i-th top-level entry in errors, which for
 * named rows is not `field[i]` but `instances[i].name`.
 */
function toTensor(spec: TensorSpec, values: unknown, field: string, pathOf?: (i: number) => string): Tensor {
  const v = spec.datatype === 'BYTES' ? decodeB64(values, field, pathOf ?? entryOf(field)) : values;
  try {
    return tensorFromValues({ name: spec.name, datatype: spec.datatype }, v, field);
  } catch (err) {
    // tensorFromValues names flat positions; find the nested one (only on this slow path).
    throw locateBadValue(spec, v, field, pathOf ?? entryOf(field)) ?? err;
  }
}

const BASE64 = /^[A-Za-z0-9+/\-_]*={0,2}$/;

/** Replaces `{"b64": ...}` leaves by their decoded text (the engine's BYTES elements are strings). */
function decodeB64(values: unknown, field: string, pathOf: (i: number) => string): unknown {
  const decode = (v: unknown, path: () => string, depth = 0): unknown => {
    if (Array.isArray(v)) {
      // The same bound tensorFromValues enforces, checked before recursing (a 10,000-deep array
      // would otherwise overflow the stack here).
      if (depth >= MAX_TENSOR_RANK)
        throw invalidParameter(field, `at most ${MAX_TENSOR_RANK} levels of nesting`, 'deeper arrays');
      return v.map((e, k) => decode(e, () => `${path()}[${k}]`, depth + 1));
    }
    if (!isB64(v)) return v;
    if (!BASE64.test(v.b64)) throw invalidParameter(`${path()}.b64`, 'base64 text', v.b64);
    return Buffer.from(v.b64, 'base64').toString('utf8');
  };
  if (!Array.isArray(values)) return decode(values, () => field);
  return values.map((e, i) => decode(e, () => pathOf(i), 1));
}

/** The first element that breaks the regular nesting or the datatype, named by its JSON path. */
function locateBadValue(
  spec: TensorSpec,
  values: unknown,
  field: string,
  pathOf: (i: number) => string,
): SlipwayError | undefined {
  const shape: number[] = [];
  for (let v = values; Array.isArray(v); v = v[0]) {
    // Too deep to name one element: the caller's own error says so.
    if (shape.length >= MAX_TENSOR_RANK) return undefined;
    shape.push(v.length);
    if (v.length === 0) break;
  }
  const walk = (v: unknown, depth: number, path: string): SlipwayError | undefined => {
    if (depth === shape.length) {
      if (Array.isArray(v))
        return invalidParameter(path, `a value of type ${spec.datatype}, like the first`, v);
      try {
        tensorFromValues({ name: spec.name, datatype: spec.datatype, shape: [1] }, [v], path);
        return undefined;
      } catch {
        return invalidParameter(path, `a value of type ${spec.datatype}`, v);
      }
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      return invalidParameter(path, `an array of ${shape[depth]}, like the first`, v);
    }
    for (let k = 0; k < v.length; k++) {
      const bad = walk(v[k], depth + 1, depth === 0 ? pathOf(k) : `${path}[${k}]`);
      if (bad) return bad;
    }
    return undefined;
  };
  return walk(values, 0, field);
}
