import { describe, expect, it } from 'vitest';
import { SlipwayError } from '../../../core/errors.js';
import { parseInferRequest, splitInferBody } from './infer-request.js';

/** A binary-extension body: JSON header, then the parts; returns it with its header length. */
function binaryBody(json: unknown, ...parts: Uint8Array[]): { body: Buffer; headerLength: string } {
  const header = Buffer.from(JSON.stringify(json), 'utf8');
  return { body: Buffer.concat([header, ...parts]), headerLength: String(header.length) };
}

function errorOf(fn: () => unknown): SlipwayError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SlipwayError) return err;
    throw err;
  }
  throw new Error('expected an error');
}

const x = (data: unknown, shape = [1, 3], datatype = 'FP32') => ({ name: 'x', datatype, shape, data });

describe('parseInferRequest (JSON)', () => {
  it('builds a typed tensor from flat data with the declared shape', () => {
    const req = parseInferRequest({ id: 'r1', inputs: [x([1, 2, 3])] });
    expect(req.id).toBe('r1');
    expect(req.inputs).toEqual([
      { name: 'x', datatype: 'FP32', shape: [1, 3], data: new Float32Array([1, 2, 3]) },
    ]);
    expect(req.outputs).toBeUndefined();
    expect(req.binaryOutput).toBe(false);
    expect(req.binaryByOutput).toBeUndefined();
  });

  it('accepts nested row-major data and flattens it like flat data', () => {
    const nested = parseInferRequest({
      inputs: [
        x(
          [
            [1, 2, 3],
            [4, 5, 6],
          ],
          [2, 3],
        ),
      ],
    });
    const flat = parseInferRequest({ inputs: [x([1, 2, 3, 4, 5, 6], [2, 3])] });
    expect(nested.inputs[0].data).toEqual(flat.inputs[0].data);
    expect(nested.inputs[0].shape).toEqual([2, 3]);
  });

  it('converts BYTES, BOOL, INT64 and FP16 values to their storage types', () => {
    const req = parseInferRequest({
      inputs: [
        { name: 's', datatype: 'BYTES', shape: [2], data: ['a', 'héllo'] },
        { name: 'b', datatype: 'BOOL', shape: [2], data: [true, false] },
        { name: 'i', datatype: 'INT64', shape: [2], data: [-1, '9007199254740993'] },
        { name: 'h', datatype: 'FP16', shape: [1], data: [1.5] },
      ],
    });
    expect(req.inputs.map((t) => t.data)).toEqual([
      ['a', 'héllo'],
      new Uint8Array([1, 0]),
      new BigInt64Array([-1n, 9007199254740993n]),
      new Uint16Array([0x3e00]),
    ]);
  });

  it('reads requested outputs and which of them should come back as binary', () => {
    const req = parseInferRequest({
      parameters: { binary_data_output: true },
      inputs: [x([1, 2, 3])],
      outputs: [{ name: 'a' }, { name: 'b', parameters: { binary_data: false } }],
    });
    expect(req.outputs).toEqual(['a', 'b']);
    expect(req.binaryOutput).toBe(true);
    expect(req.binaryByOutput).toEqual(new Map([['b', false]]));
  });

  it('treats an empty outputs array as every output', () => {
    expect(parseInferRequest({ inputs: [x([1, 2, 3])], outputs: [] }).outputs).toBeUndefined();
  });

  it('parses JSON that arrives as a Buffer or a string', () => {
    const body = JSON.stringify({ inputs: [x([1, 2, 3])] });
    expect(parseInferRequest(Buffer.from(body)).inputs[0].data).toEqual(new Float32Array([1, 2, 3]));
    expect(parseInferRequest(body).inputs[0].data).toEqual(new Float32Array([1, 2, 3]));
  });

  it('reports malformed JSON as a bad request with the parser message', () => {
    const e = errorOf(() => parseInferRequest(Buffer.from('{"inputs": [')));
    expect(e.code).toBe('BAD_REQUEST');
    expect(e.message).toMatch(/^Malformed JSON in request body: /);
  });

  it.each([
    ['a missing body', undefined, "'body'"],
    ['missing inputs', {}, "'inputs'"],
    ['an empty inputs array', { inputs: [] }, "'inputs'"],
    ['an input that is not an object', { inputs: [3] }, "'inputs[0]'"],
    ['a missing input name', { inputs: [{ datatype: 'FP32', shape: [1], data: [1] }] }, "'inputs[0].name'"],
    ['an unknown datatype', { inputs: [x([1, 2, 3], [1, 3], 'FLOAT')] }, "'inputs[0].datatype'"],
    ['a bad shape', { inputs: [x([1, 2, 3], [1, -3])] }, "'inputs[0].shape'"],
    ['a non-string id', { id: 7, inputs: [x([1, 2, 3])] }, "'id'"],
    [
      'non-boolean binary_data_output',
      { parameters: { binary_data_output: 1 }, inputs: [x([1, 2, 3])] },
      'binary_data_output',
    ],
    ['outputs that are not an array', { inputs: [x([1, 2, 3])], outputs: {} }, "'outputs'"],
    ['an output without a name', { inputs: [x([1, 2, 3])], outputs: [{}] }, "'outputs[0].name'"],
    [
      'the classification extension',
      { inputs: [x([1, 2, 3])], outputs: [{ name: 'y', parameters: { classification: 2 } }] },
      'classification extension is not supported',
    ],
  ])('rejects %s, naming the field', (_what, body, field) => {
    const e = errorOf(() => parseInferRequest(body));
    expect(e.code).toBe('INVALID_PARAMETER_VALUE');
    expect(e.message).toContain(field);
  });

  it('names the data field and the input when the element count does not match the shape', () => {
    const e = errorOf(() => parseInferRequest({ inputs: [x([1, 2, 3]), { ...x([1, 2]), name: 'z' }] }));
    expect(e.message).toContain("'inputs[1].data'");
    expect(e.message).toContain("(input 'z')");
    expect(e.details.input).toBe('z');
  });

  it('names the element that does not fit the datatype', () => {
    const e = errorOf(() => parseInferRequest({ inputs: [x([1, 'two', 3])] }));
    expect(e.message).toContain("'inputs[0].data[1]'");
    expect(e.message).toContain('FP32');
  });

  it('rejects an input with neither data nor binary_data_size', () => {
    const e = errorOf(() => parseInferRequest({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1] }] }));
    expect(e.message).toContain("'inputs[0].data'");
  });
});

describe('parseInferRequest (binary tensor extension)', () => {
  const f32 = (...v: number[]) => new Uint8Array(new Float32Array(v).buffer);

  it('splits binary inputs in order, leaving JSON inputs in between untouched', () => {
    const { body, headerLength } = binaryBody(
      {
        inputs: [
          { name: 'a', datatype: 'FP32', shape: [2], parameters: { binary_data_size: 8 } },
          { name: 'b', datatype: 'INT32', shape: [1], data: [7] },
          { name: 'c', datatype: 'UINT8', shape: [3], parameters: { binary_data_size: 3 } },
        ],
      },
      f32(1.5, -2),
      new Uint8Array([9, 8, 7]),
    );
    const req = parseInferRequest(body, headerLength);
    expect(req.inputs.map((t) => t.data)).toEqual([
      new Float32Array([1.5, -2]),
      new Int32Array([7]),
      new Uint8Array([9, 8, 7]),
    ]);
  });

  it('decodes BYTES elements from 4-byte little-endian length prefixes', () => {
    const bytes = Buffer.from([2, 0, 0, 0, 0x68, 0x69, 0, 0, 0, 0]);
    const { body, headerLength } = binaryBody(
      {
        inputs: [
          { name: 's', datatype: 'BYTES', shape: [2], parameters: { binary_data_size: bytes.length } },
        ],
      },
      bytes,
    );
    expect(parseInferRequest(body, headerLength).inputs[0].data).toEqual(['hi', '']);
  });

  it('rejects a byte count that does not match the shape, naming the input', () => {
    const { body, headerLength } = binaryBody(
      { inputs: [{ name: 'a', datatype: 'FP32', shape: [3], parameters: { binary_data_size: 8 } }] },
      f32(1, 2),
    );
    const e = errorOf(() => parseInferRequest(body, headerLength));
    expect(e.message).toContain("'inputs[0].parameters.binary_data_size'");
    expect(e.message).toContain('12 bytes');
    expect(e.message).toContain("(input 'a')");
  });

  it('rejects a binary_data_size beyond the end of the body', () => {
    const { body, headerLength } = binaryBody(
      { inputs: [{ name: 'a', datatype: 'FP32', shape: [4], parameters: { binary_data_size: 16 } }] },
      f32(1, 2),
    );
    expect(errorOf(() => parseInferRequest(body, headerLength)).message).toContain('8 bytes left');
  });

  it('rejects binary bytes that no input claims', () => {
    const { body, headerLength } = binaryBody(
      { inputs: [{ name: 'a', datatype: 'FP32', shape: [1], parameters: { binary_data_size: 4 } }] },
      f32(1, 2),
    );
    expect(errorOf(() => parseInferRequest(body, headerLength)).message).toContain("'body'");
  });

  it('rejects a header length that is not a byte count within the body', () => {
    const body = Buffer.from('{"inputs":[]}');
    for (const h of ['abc', '-1', '999']) {
      expect(errorOf(() => splitInferBody(body, h)).message).toContain('Inference-Header-Content-Length');
    }
  });

  it('rejects binary_data_size without the header, and data alongside binary_data_size', () => {
    const input = { name: 'a', datatype: 'FP32', shape: [1], parameters: { binary_data_size: 4 } };
    expect(errorOf(() => parseInferRequest({ inputs: [input] })).message).toContain(
      'Inference-Header-Content-Length',
    );
    const { body, headerLength } = binaryBody({ inputs: [{ ...input, data: [1] }] }, f32(1));
    expect(errorOf(() => parseInferRequest(body, headerLength)).message).toContain("'inputs[0].data'");
  });

  it('takes a header length of the whole body as JSON with no binary part', () => {
    const { body, headerLength } = binaryBody({ inputs: [x([1, 2, 3])] });
    expect(parseInferRequest(body, headerLength).inputs[0].data).toEqual(new Float32Array([1, 2, 3]));
  });
});
