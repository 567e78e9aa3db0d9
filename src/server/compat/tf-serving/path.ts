/**
 * TF Serving's model URLs: `/v1/models/{name}[/versions/{v}|/labels/{l}][/metadata][:verb]`.
 * The `:verb` suffix cannot be a Fastify route (`:` starts a parameter there), so one wildcard
 * route takes everything under /v1/models/ and this parses the rest.
 */

/** What a TF Serving model URL names. */
export interface ModelPath {
  name: string;
  version?: string;
  label?: string;
  /** `/metadata` was asked for. */
  metadata: boolean;
  /** The part after the last segment's `:` (`predict`, `classify`, ...), when present. */
  verb?: string;
}

/**
 * Parses the part of a URL after `/v1/models/`; undefined when it is not a TF Serving model URL.
 *
 * @example
 * parseModelPath('mymodel/labels/stable:predict') // { name: 'mymodel', label: 'stable', metadata: false, verb: 'predict' }
 */
export function parseModelPath(rest: string): ModelPath | undefined {
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.indexOf(':', lastSlash + 1);
  const verb = colon >= 0 ? rest.slice(colon + 1) : undefined;
  const head = colon >= 0 ? rest.slice(0, colon) : rest;
  // The common case, `name:predict`, needs no split.
  if (lastSlash < 0) return head ? { name: head, metadata: false, verb } : undefined;

  const segments = head.split('/');
  const path: ModelPath = { name: segments[0], metadata: false, verb };
  if (!path.name) return undefined;
  let k = 1;
  const kind = segments[k];
  if (kind === 'versions' || kind === 'labels') {
    const ref = segments[k + 1];
    if (!ref) return undefined;
    if (kind === 'versions') path.version = ref;
    else path.label = ref;
    k += 2;
  }
  if (segments[k] === 'metadata') {
    path.metadata = true;
    k++;
  }
  return k === segments.length ? path : undefined;
}
