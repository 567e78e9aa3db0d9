import { describe, expect, it } from 'vitest';
import { parseModelPath } from './path.js';

describe('parseModelPath', () => {
  it('reads a model name and the predict verb', () => {
    expect(parseModelPath('mymodel:predict')).toEqual({ name: 'mymodel', metadata: false, verb: 'predict' });
  });

  it('reads a version or a label before the verb', () => {
    expect(parseModelPath('logreg/versions/2:predict')).toEqual({
      name: 'logreg',
      version: '2',
      metadata: false,
      verb: 'predict',
    });
    expect(parseModelPath('logreg/labels/canary:predict')).toMatchObject({
      label: 'canary',
      verb: 'predict',
    });
  });

  it('reads status and metadata URLs, which have no verb', () => {
    expect(parseModelPath('mymodel')).toEqual({ name: 'mymodel', metadata: false, verb: undefined });
    expect(parseModelPath('logreg/versions/1')).toMatchObject({ version: '1', metadata: false });
    expect(parseModelPath('logreg/labels/stable/metadata')).toMatchObject({
      label: 'stable',
      metadata: true,
    });
    expect(parseModelPath('logreg/metadata')).toMatchObject({ name: 'logreg', metadata: true });
  });

  it('keeps colons that are not in the last segment out of the verb', () => {
    expect(parseModelPath('m/versions/1:classify')).toMatchObject({ version: '1', verb: 'classify' });
  });

  it('rejects paths that are not model URLs', () => {
    for (const p of [
      '',
      ':predict',
      'm/versions',
      'm/versions/:predict',
      'm/other/1',
      'm/metadata/x',
      'm/',
    ]) {
      expect(parseModelPath(p), p).toBeUndefined();
    }
  });
});
