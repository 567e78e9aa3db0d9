import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SlipwayError } from '../core/errors.js';
import { asList, parsePbtxt } from './pbtxt.js';
import { parseTritonConfig } from './triton-config.js';

function refusal(run: () => unknown): SlipwayError {
  try {
    run();
  } catch (err) {
    if (err instanceof SlipwayError) return err;
    throw err;
  }
  throw new Error('expected a SlipwayError');
}

const plain = (v: unknown) => JSON.parse(JSON.stringify(v));

describe('parsePbtxt', () => {
  it('reads scalar fields: strings, integers, floats, enums and booleans', () => {
    const tree = parsePbtxt(
      'name: "mlp"\nmax_batch_size: 8\nscale: 0.5\nbig: 1e3\nhex: 0x1F\nf: 1.5f\nneg: -3\nkind: KIND_GPU\non: true\noff: False\n',
      'config.pbtxt',
    );
    expect(plain(tree)).toEqual({
      name: 'mlp',
      max_batch_size: 8,
      scale: 0.5,
      big: 1000,
      hex: 31,
      f: 1.5,
      neg: -3,
      kind: 'KIND_GPU',
      on: true,
      off: false,
    });
  });

  it('reads nested messages written with and without a colon, and with angle brackets', () => {
    const tree = parsePbtxt('a { x: 1 }\nb: { y: 2 }\nc < z: 3 >', 'config.pbtxt');
    expect(plain(tree)).toEqual({ a: { x: 1 }, b: { y: 2 }, c: { z: 3 } });
  });

  it('collects a repeated field into an array', () => {
    const tree = parsePbtxt('preferred_batch_size: 4\npreferred_batch_size: 8\ng { n: 1 }\ng { n: 2 }', 'c');
    expect(plain(tree)).toEqual({ preferred_batch_size: [4, 8], g: [{ n: 1 }, { n: 2 }] });
  });

  it('reads lists of scalars and of messages, and appends repeats to a list', () => {
    const tree = parsePbtxt(
      'dims: [ 1, -1, 3 ]\ndims: 4\ninstance_group [ { count: 1 }, { count: 2 } ]\ne: []',
      'c',
    );
    expect(plain(tree)).toEqual({ dims: [1, -1, 3, 4], instance_group: [{ count: 1 }, { count: 2 }], e: [] });
  });

  it('accepts commas and semicolons between fields, and # comments anywhere', () => {
    const tree = parsePbtxt('# header\na: 1, b: 2; # trailing\nc { d: "#not a comment" } # end', 'c');
    expect(plain(tree)).toEqual({ a: 1, b: 2, c: { d: '#not a comment' } });
  });

  it('decodes escapes in double- and single-quoted strings and joins adjacent strings', () => {
    const tree = parsePbtxt(
      String.raw`a: "tab\there \"q\" \\ \n" b: 'it\'s' c: "caf\303\251" d: "\x41\u00e9" e: "ab" 'cd'`,
      'c',
    );
    expect(plain(tree)).toEqual({ a: 'tab\there "q" \\ \n', b: "it's", c: 'café', d: 'Aé', e: 'abcd' });
  });

  it('reads inf and nan as numbers', () => {
    const tree = parsePbtxt('a: inf b: -inf c: nan', 'c');
    expect(tree.a).toBe(Infinity);
    expect(tree.b).toBe(-Infinity);
    expect(tree.c).toBeNaN();
  });

  it('keeps __proto__ as an ordinary field', () => {
    const tree = parsePbtxt('__proto__ { polluted: 1 }', 'c');
    expect(Object.getPrototypeOf(tree)).toBeNull();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(plain(Object.getOwnPropertyDescriptor(tree, '__proto__')?.value)).toEqual({ polluted: 1 });
  });

  it.each([
    ['max_batch_size 8', 1, 16, "':' or '{' after 'max_batch_size'"],
    ['a {\n  b: 1\n', 3, 1, "a field name or '}'"],
    ['a: [1, 2', 1, 9, "',' or ']'"],
    ['a: "open\n"', 1, 4, 'a closing "'],
    ['x: 1\ny: }', 2, 4, "a value for 'y'"],
    ['x: 12abc', 1, 4, 'a number'],
    ['x: "\\q"', 1, 4, 'a known escape'],
    ['x: 1 @', 1, 6, 'a field, value or punctuation'],
    ['}', 1, 1, 'a field name'],
  ])('names the file, line and column of a syntax error in %j', (text, line, column, expected) => {
    const err = refusal(() => parsePbtxt(text, 'models/mlp/config.pbtxt'));
    expect(err.code).toBe('INVALID_PARAMETER_VALUE');
    expect(err.message).toContain("'models/mlp/config.pbtxt'");
    expect(err.message).toContain(`expected ${expected}`);
    expect(err.message).toContain(`at line ${line}, column ${column}`);
    expect(err.details).toMatchObject({ line, column });
  });

  it('refuses nesting deeper than 64 levels instead of overflowing the stack', () => {
    const text = `${'a { '.repeat(10_000)}${'} '.repeat(10_000)}`;
    expect(refusal(() => parsePbtxt(text, 'c')).message).toContain('levels of nesting');
  });
});

describe('asList', () => {
  it('gives a repeated field as a list whether it was written once, repeated or as a list', () => {
    expect(asList(undefined)).toEqual([]);
    expect(asList(4)).toEqual([4]);
    expect(asList([4, 8])).toEqual([4, 8]);
  });
});

describe('parseTritonConfig', () => {
  it('reads the fixture repository mlp config', () => {
    const url = new URL('../../test/fixtures/serving/repository/mlp/config.pbtxt', import.meta.url);
    const config = parseTritonConfig(readFileSync(url, 'utf8'), 'mlp/config.pbtxt');
    expect(config).toEqual({ maxBatchSize: 256, maxQueueDelayMicros: 0, instanceCount: 2 });
  });

  it('reads dynamic batching with preferred sizes and the default queue policy', () => {
    const config = parseTritonConfig(
      `dynamic_batching {
         max_queue_delay_microseconds: 500
         preferred_batch_size: [ 4, 8 ]
         default_queue_policy { max_queue_size: 64 timeout_action: REJECT }
       }`,
      'config.pbtxt',
    );
    expect(config).toEqual({ maxQueueDelayMicros: 500, preferredBatchSizes: [4, 8], maxQueueSize: 64 });
  });

  it("keeps the bounded default queue for Triton's unbounded max_queue_size 0", () => {
    const config = parseTritonConfig('dynamic_batching { default_queue_policy { max_queue_size: 0 } }', 'c');
    expect(config.maxQueueSize).toBeUndefined();
  });

  it('reads a single preferred batch size as a list', () => {
    expect(
      parseTritonConfig('dynamic_batching { preferred_batch_size: 16 }', 'c').preferredBatchSizes,
    ).toEqual([16]);
  });

  it('sums instance group counts, one instance for a group without a count', () => {
    const config = parseTritonConfig(
      'instance_group [ { count: 2 kind: KIND_CPU }, { kind: KIND_CPU } ]',
      'c',
    );
    expect(config.instanceCount).toBe(3);
    expect(config.executionProviders).toBeUndefined();
  });

  it('maps a KIND_GPU instance group to CUDA with CPU fallback', () => {
    const config = parseTritonConfig('instance_group { count: 1 kind: KIND_GPU gpus: [ 0 ] }', 'c');
    expect(config).toEqual({ instanceCount: 1, executionProviders: ['cuda', 'cpu'] });
  });

  it('maps a TensorRT GPU execution accelerator to tensorrt, cuda, cpu', () => {
    const config = parseTritonConfig(
      `optimization { execution_accelerators {
         gpu_execution_accelerator : [ { name : "tensorrt" parameters { key: "precision_mode" value: "FP16" } } ]
       } }`,
      'c',
    );
    expect(config.executionProviders).toEqual(['tensorrt', 'cuda', 'cpu']);
  });

  it.each([
    ['version_policy: { latest: { num_versions: 2 } }', { kind: 'latest', count: 2 }],
    ['version_policy { latest { } }', { kind: 'latest', count: 1 }],
    ['version_policy: { all: {} }', { kind: 'all' }],
    ['version_policy { specific { versions: [1, 3] } }', { kind: 'specific', versions: ['1', '3'] }],
    ['version_policy { specific { versions: 2 versions: 5 } }', { kind: 'specific', versions: ['2', '5'] }],
  ])('reads %s', (text, policy) => {
    expect(parseTritonConfig(text, 'c').versionPolicy).toEqual(policy);
  });

  it('accepts and ignores the fields it does not use', () => {
    const config = parseTritonConfig(
      `name: "m" platform: "onnxruntime_onnx" backend: "onnxruntime" default_model_filename: "model.onnx"
       input [ { name: "x" data_type: TYPE_FP32 dims: [ 3 ] reshape: { shape: [ 1, 3 ] } } ]
       output [ { name: "y" data_type: TYPE_FP32 dims: [ 1 ] label_filename: "labels.txt" } ]
       parameters { key: "intra_op_thread_count" value: { string_value: "1" } }
       model_warmup [ { name: "w" batch_size: 1 inputs { key: "x" value: { data_type: TYPE_FP32 dims: [3] zero_data: true } } } ]`,
      'c',
    );
    expect(config).toEqual({});
  });

  it('rejects a negative max_batch_size naming the file and key', () => {
    const err = refusal(() => parseTritonConfig('max_batch_size: -1', 'mlp/config.pbtxt'));
    expect(err.message).toBe(
      "Invalid value for 'mlp/config.pbtxt: max_batch_size': expected a non-negative integer, got -1",
    );
  });

  it('rejects a non-integer queue delay naming the nested key', () => {
    const err = refusal(() =>
      parseTritonConfig('dynamic_batching { max_queue_delay_microseconds: 1.5 }', 'c'),
    );
    expect(err.message).toContain("'c: dynamic_batching.max_queue_delay_microseconds'");
  });

  it('rejects an instance group count of zero', () => {
    const err = refusal(() => parseTritonConfig('instance_group [ { count: 0 } ]', 'c'));
    expect(err.message).toContain("'c: instance_group[0].count': expected an integer ≥ 1, got 0");
  });

  it('rejects a version policy naming two kinds', () => {
    const err = refusal(() => parseTritonConfig('version_policy { all {} latest {} }', 'c'));
    expect(err.message).toContain("'c: version_policy'");
    expect(err.message).toContain('exactly one of latest, all, specific');
  });

  it('rejects a message field given a scalar', () => {
    const err = refusal(() => parseTritonConfig('dynamic_batching: 5', 'c'));
    expect(err.message).toContain("'c: dynamic_batching': expected a message");
  });
});
