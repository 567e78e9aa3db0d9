/**
 * Decodes a KServe V2 / Open Inference Protocol infer request into engine tensors: plain JSON, or
 * Triton's binary tensor extension (`Inference-Header-Content-Length: N` — N bytes of JSON, then the
 * raw bytes of every input that declares `parameters.binary_data_size`, in input order).
 *
 * Validation is by hand rather than a JSON schema: this is the hot route, and tensorFromValues already
 * walks every element once, so a schema pass would only add a second walk.
 */
import { invalidParameter, SlipwayError } from '../../../core/errors.js';
import { checkShape, isTensorDataType, tensorFromBytes, tensorFromValues } from '../../../serving/tensor.js';
import type { Tensor } from '../../../serving/types.js';

export interface ParsedInferRequest {
  /** The caller's id (echoed by the engine; generated there when absent). */
  id?: string;
  inputs: Tensor[];
  /** Requested output names in request order; undefined means every output. */
  outputs?: string[];
  /** Request-level `parameters.binary_data_output`: every output as binary unless it says otherwise. */
  binaryOutput: boolean;
  /** Per-output `parameters.binary_data`; undefined when no requested output sets it (the usual case). */
  binaryByOutput?: Map<string, boolean>;
}

type JsonObject = Record<string, unknown>;

const DATATYPES = 'BOOL, UINT8, UINT16, UINT32, UINT64, INT8, INT16, INT32, INT64, FP16, FP32, FP64, BYTES';

// Field names for the first inputs, built once: a template literal per input per request adds up
// on a route benchmarked against an echo server.
const FIELDS = Array.from({ length: 8 }, (_, i) => ({
  data: `inputs[${i}].data`,
  shape: `inputs[${i}].shape`,
}));

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// Plain JSON.parse (not Fastify's poisoning-checked parser) is safe here: a `__proto__` key becomes
// an own property, and this module only reads named fields, never merging objects.
function parseJsonText(text: string): unknown {
  if (text.length === 0)
    throw new SlipwayError('BAD_REQUEST', 'Malformed JSON in request body: the body is empty');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new SlipwayError('BAD_REQUEST', `Malformed JSON in request body: ${(err as Error).message}`);
  }
}

/**
 * Splits a request body into its JSON part and (with the binary extension) the bytes after it.
 * Bodies arrive already parsed (application/json), or as a Buffer (octet-stream, no content type,
 * anything else) or string (text/plain) that still needs JSON parsing.
 */
export function splitInferBody(
  body: unknown,
  headerLength: string | string[] | undefined,
): { json: unknown; binary?: Buffer; offset: number } {
  if (headerLength === undefined) {
    if (Buffer.isBuffer(body)) return { json: parseJsonText(body.toString('utf8')), offset: 0 };
    if (typeof body === 'string') return { json: parseJsonText(body), offset: 0 };
    return { json: body, offset: 0 };
  }
  // The plugin's parsers hand over a Buffer whenever the header is set; anything else was already
  // decoded as text, so it can only be JSON with no binary part.
  if (!Buffer.isBuffer(body)) return splitInferBody(body, undefined);
  const raw = Array.isArray(headerLength) ? headerLength[0] : headerLength;
  const n = /^\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n > body.length) {
    throw invalidParameter(
      'Inference-Header-Content-Length',
      `a byte count of at most the body's ${body.length}`,
      raw,
    );
  }
  return { json: parseJsonText(body.toString('utf8', 0, n)), binary: body, offset: n };
}

/** Adds the input's name to a message that only names its position, so the user can find it. */
function namingInput(err: unknown, name: string): unknown {
  if (!(err instanceof SlipwayError)) return err;
  return new SlipwayError(err.code, `${err.message} (input '${name}')`, { ...err.details, input: name });
}

function unsupported(field: string, what: string): SlipwayError {
  const message = `Invalid value for '${field}': ${what} is not supported`;
  return new SlipwayError('INVALID_PARAMETER_VALUE', message, { field });
}

function parseInput(raw: unknown, i: number, body: Buffer | undefined, offset: number): [Tensor, number] {
  if (!isObject(raw)) throw invalidParameter(`inputs[${i}]`, 'an input tensor object', raw);
  const name = raw.name;
  if (typeof name !== 'string' || name.length === 0) {
    throw invalidParameter(`inputs[${i}].name`, 'a non-empty string', name);
  }
  const datatype = raw.datatype;
  if (!isTensorDataType(datatype))
    throw invalidParameter(`inputs[${i}].datatype`, `one of ${DATATYPES}`, datatype);
  const fields = FIELDS[i];
  const shape = checkShape(raw.shape, fields?.shape ?? `inputs[${i}].shape`);
  const params = raw.parameters;
  let size: unknown;
  if (params !== undefined) {
    if (!isObject(params)) throw invalidParameter(`inputs[${i}].parameters`, 'an object', params);
    if (params.shared_memory_region !== undefined) {
      throw unsupported(`inputs[${i}].parameters.shared_memory_region`, 'shared memory');
    }
    size = params.binary_data_size;
  }
  const spec = { name, datatype, shape };
  try {
    if (size === undefined) {
      const field = fields?.data ?? `inputs[${i}].data`;
      if (raw.data === undefined)
        throw invalidParameter(field, 'tensor values (or parameters.binary_data_size)', undefined);
      return [tensorFromValues(spec, raw.data, field), offset];
    }
    const field = `inputs[${i}].parameters.binary_data_size`;
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
      throw invalidParameter(field, 'a non-negative integer byte count', size);
    }
    if (raw.data !== undefined)
      throw invalidParameter(`inputs[${i}].data`, 'no values when binary_data_size is set', raw.data);
    if (body === undefined) {
      throw invalidParameter(
        field,
        'binary data after a JSON header (set Inference-Header-Content-Length)',
        size,
      );
    }
    if (offset + size > body.length) {
      throw invalidParameter(field, `at most the ${body.length - offset} bytes left in the body`, size);
    }
    return [tensorFromBytes(spec, body.subarray(offset, offset + size), field), offset + size];
  } catch (err) {
    throw namingInput(err, name);
  }
}

function parseOutputs(raw: unknown, req: ParsedInferRequest): void {
  if (raw === undefined) return;
  if (!Array.isArray(raw)) throw invalidParameter('outputs', 'an array of requested outputs', raw);
  if (raw.length === 0) return;
  const names = new Array<string>(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const o = raw[i];
    if (!isObject(o)) throw invalidParameter(`outputs[${i}]`, 'a requested output object', o);
    if (typeof o.name !== 'string' || o.name.length === 0) {
      throw invalidParameter(`outputs[${i}].name`, 'a non-empty string', o.name);
    }
    names[i] = o.name;
    const params = o.parameters;
    if (params === undefined) continue;
    if (!isObject(params)) throw invalidParameter(`outputs[${i}].parameters`, 'an object', params);
    // Silently returning raw tensors to a caller that asked for something else would be worse than a 400.
    if (params.classification !== undefined) {
      throw unsupported(`outputs[${i}].parameters.classification`, 'the classification extension');
    }
    if (params.shared_memory_region !== undefined) {
      throw unsupported(`outputs[${i}].parameters.shared_memory_region`, 'shared memory');
    }
    const binary = params.binary_data;
    if (binary === undefined) continue;
    if (typeof binary !== 'boolean')
      throw invalidParameter(`outputs[${i}].parameters.binary_data`, 'a boolean', binary);
    req.binaryByOutput ??= new Map();
    req.binaryByOutput.set(o.name, binary);
  }
  req.outputs = names;
}

/**
 * Parses and checks a V2 infer request. Every error is an INVALID_PARAMETER_VALUE (or BAD_REQUEST for
 * malformed JSON) naming the offending field, e.g. `inputs[0].data`, and the input's name when known.
 *
 * @param headerLength the `Inference-Header-Content-Length` header, when the body uses the binary extension
 * @example
 * parseInferRequest({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3] }] }, undefined)
 * // { inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 3], data: Float32Array [1, 2, 3] }], binaryOutput: false }
 */
export function parseInferRequest(body: unknown, headerLength?: string | string[]): ParsedInferRequest {
  const { json, binary, offset: jsonEnd } = splitInferBody(body, headerLength);
  if (!isObject(json)) throw invalidParameter('body', 'a JSON object with inputs', json);
  const req: ParsedInferRequest = { inputs: [], binaryOutput: false };
  const id = json.id;
  if (id !== undefined) {
    if (typeof id !== 'string') throw invalidParameter('id', 'a string', id);
    req.id = id;
  }
  const params = json.parameters;
  if (params !== undefined) {
    if (!isObject(params)) throw invalidParameter('parameters', 'an object', params);
    const b = params.binary_data_output;
    if (b !== undefined) {
      if (typeof b !== 'boolean') throw invalidParameter('parameters.binary_data_output', 'a boolean', b);
      req.binaryOutput = b;
    }
  }
  const raw = json.inputs;
  if (!Array.isArray(raw) || raw.length === 0)
    throw invalidParameter('inputs', 'a non-empty array of input tensors', raw);
  const inputs = new Array<Tensor>(raw.length);
  let offset = jsonEnd;
  for (let i = 0; i < raw.length; i++) {
    const [t, next] = parseInput(raw[i], i, binary, offset);
    inputs[i] = t;
    offset = next;
  }
  if (binary !== undefined && offset !== binary.length) {
    throw invalidParameter(
      'body',
      `binary data only for inputs that set parameters.binary_data_size (${offset - jsonEnd} bytes)`,
      `${binary.length - jsonEnd} bytes after the JSON header`,
    );
  }
  req.inputs = inputs;
  parseOutputs(json.outputs, req);
  return req;
}
