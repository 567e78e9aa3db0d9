import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { SlipwayError } from '../core/errors.js';
import { ByteCounter, checkArtifactPath, joinArtifactPath } from './artifact-path.js';

function refusal(run: () => unknown): SlipwayError {
  try {
    run();
  } catch (err) {
    if (err instanceof SlipwayError) return err;
    throw err;
  }
  throw new Error('expected a SlipwayError');
}

describe('checkArtifactPath', () => {
  it('returns a plain relative path unchanged', () => {
    expect(checkArtifactPath('model/MLmodel')).toBe('model/MLmodel');
  });

  it('returns the empty string for the root', () => {
    expect(checkArtifactPath('')).toBe('');
    expect(checkArtifactPath('.')).toBe('');
    expect(checkArtifactPath('./')).toBe('');
  });

  it('collapses empty segments, drops dot segments and a trailing slash', () => {
    expect(checkArtifactPath('a//b')).toBe('a/b');
    expect(checkArtifactPath('./a/./b/')).toBe('a/b');
    expect(checkArtifactPath('a///b//c/')).toBe('a/b/c');
  });

  it('keeps names that merely contain dots or percent signs', () => {
    expect(checkArtifactPath('model.onnx')).toBe('model.onnx');
    expect(checkArtifactPath('a/..b/c..')).toBe('a/..b/c..');
    expect(checkArtifactPath('...')).toBe('...');
    expect(checkArtifactPath('100%/accuracy%41')).toBe('100%/accuracy%41');
  });

  it.each([['..'], ['../x'], ['a/../b'], ['a/b/..'], ['a/../../etc/passwd']])(
    'refuses the parent segment in %j',
    (path) => {
      const err = refusal(() => checkArtifactPath(path));
      expect(err.code).toBe('INVALID_PARAMETER_VALUE');
      expect(err.message).toContain("'..'");
    },
  );

  it.each([['/etc/passwd'], ['/'], ['C:/Windows'], ['c:evil'], ['C:\\Windows']])(
    'refuses the absolute path %j',
    (path) => {
      expect(refusal(() => checkArtifactPath(path)).code).toBe('INVALID_PARAMETER_VALUE');
    },
  );

  it('refuses backslashes', () => {
    expect(refusal(() => checkArtifactPath('a\\..\\b')).message).toContain('backslash');
  });

  it('refuses NUL bytes and never echoes them in the message', () => {
    const err = refusal(() => checkArtifactPath('a\u0000b'));
    expect(err.code).toBe('INVALID_PARAMETER_VALUE');
    expect(err.message).toContain('NUL');
    expect(err.message).not.toContain('\u0000');
    expect(err.message).toContain('a\\x00b');
  });

  it.each([
    ['a/%2e%2e/b'],
    ['%2E%2E/etc'],
    ['a%2fb'],
    ['a%2F..%2Fb'],
    ['a%5cb'],
    ['a%00b'],
    ['%252e%252e/x'],
    ['%c0%ae%c0%ae/x'],
  ])('refuses the percent-encoded traversal %j', (path) => {
    const err = refusal(() => checkArtifactPath(path));
    expect(err.code).toBe('INVALID_PARAMETER_VALUE');
    expect(err.message).toContain('percent-encoded');
  });

  it('names the field in the message', () => {
    const err = refusal(() => checkArtifactPath('../x', 'artifact_path'));
    expect(err.message).toContain("'artifact_path'");
    expect(err.details).toMatchObject({ field: 'artifact_path' });
  });
});

describe('joinArtifactPath', () => {
  it('joins parts with single slashes and skips empty parts', () => {
    expect(joinArtifactPath('1', 'abc/artifacts/', '', 'model')).toBe('1/abc/artifacts/model');
  });

  it('returns the root for no parts', () => {
    expect(joinArtifactPath()).toBe('');
  });

  it('refuses a part that would climb out of the parts before it', () => {
    expect(refusal(() => joinArtifactPath('runs/1', '../2')).code).toBe('INVALID_PARAMETER_VALUE');
    expect(refusal(() => joinArtifactPath('runs/1', '/etc')).code).toBe('INVALID_PARAMETER_VALUE');
  });
});

describe('ByteCounter', () => {
  it('passes bytes through and counts them', async () => {
    const counter = new ByteCounter('f', 10);
    const chunks: Buffer[] = [];
    counter.on('data', (chunk: Buffer) => chunks.push(chunk));
    await pipeline(Readable.from([Buffer.from('abc'), Buffer.from('defg')]), counter);
    expect(Buffer.concat(chunks).toString()).toBe('abcdefg');
    expect(counter.bytes).toBe(7);
    expect(counter.exceeded).toBe(false);
  });

  it('fails with PAYLOAD_TOO_LARGE naming the limit once the count passes it', async () => {
    const counter = new ByteCounter('model.onnx', 5);
    counter.resume();
    const done = pipeline(Readable.from([Buffer.from('abc'), Buffer.from('def')]), counter);
    await expect(done).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    await expect(done).rejects.toThrow(/5 bytes/);
    expect(counter.exceeded).toBe(true);
  });
});
