/**
 * What TorchServe clients POST to /predictions/{model}, mapped onto the model's inputs. Handlers
 * in the wild read `{"data": ...}`, KServe-style `{"instances": ...}` / `{"inputs": ...}`, a bare
 * list of rows, or a single row; all of them land here, and the row/column mapping itself is the
 * TF Serving adapter's (one mapping for every JSON protocol).
 */
import type { Tensor } from '../../../serving/types.js';
import {
  isNamedInputs,
  type ServableVersion,
  tensorsFromColumns,
  tensorsFromInstances,
} from '../tf-serving/instances.js';

/** Nesting depth along first elements: `[[1, 2]]` → 2. */
function depthOf(v: unknown): number {
  let depth = 0;
  for (let e = v; Array.isArray(e); e = e[0] as unknown) {
    depth++;
    if (e.length === 0) break;
  }
  return depth;
}

/** A single row gains the batch dimension it left out. */
function asBatchOfOne(tensors: Tensor[]): Tensor[] {
  for (const t of tensors) t.shape.unshift(1);
  return tensors;
}

/**
 * Rows, or one row, of a model: `[[...], [...]]`, `[...]`, `[{name: ...}, ...]` or `{name: ...}`.
 * A row is told from a batch by its depth: one less than the input's rank.
 */
function tensorsFromRows(version: ServableVersion, value: unknown, field: string): Tensor[] {
  const { signature } = version;
  const first = signature.inputs[0];
  const batched = version.config ? version.config.maxBatchSize > 0 : first?.shape[0] === -1;
  // Without a batch dimension the body is the model's input exactly as it is shaped.
  if (!batched) return tensorsFromColumns(signature, value, field);
  const single =
    isNamedInputs(value, signature) ||
    (signature.inputs.length === 1 &&
      (!Array.isArray(value) ||
        (!isNamedInputs(value[0], signature) && depthOf(value) === first.shape.length - 1)));
  if (single) return asBatchOfOne(tensorsFromColumns(signature, value, field));
  return tensorsFromInstances(signature, value, field);
}

/**
 * A TorchServe request body → the model's input tensors.
 *
 * @example
 * tensorsFromTorchServeBody(mymodel, [1, 2, 3])            // x: [1, 3]
 * tensorsFromTorchServeBody(mymodel, { data: [[1, 2, 3]] }) // x: [1, 3]
 */
export function tensorsFromTorchServeBody(version: ServableVersion, body: unknown): Tensor[] {
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    const b = body as Record<string, unknown>;
    const named = version.signature.inputs.some((s) => s.name in b);
    if (!named) {
      if (b.instances !== undefined) return tensorsFromInstances(version.signature, b.instances, 'instances');
      if (b.inputs !== undefined) return tensorsFromColumns(version.signature, b.inputs, 'inputs');
      if (b.data !== undefined) return tensorsFromRows(version, b.data, 'data');
    }
  }
  return tensorsFromRows(version, body, 'body');
}
