import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SlipwayError } from '../core/errors.js';
import { MAX_MODEL_BYTES, ModelRepository, readModelArtifact, selectVersions } from './model-repository.js';

const fixtures = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));
const repositoryRoot = join(fixtures, 'serving', 'repository');
const logregBytes = readFileSync(join(fixtures, 'serving', 'logreg.onnx'));

async function rejection(promise: Promise<unknown>): Promise<SlipwayError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof SlipwayError) return err;
    throw err;
  }
  throw new Error('expected a SlipwayError');
}

function refusal(run: () => unknown): SlipwayError {
  try {
    run();
  } catch (err) {
    if (err instanceof SlipwayError) return err;
    throw err;
  }
  throw new Error('expected a SlipwayError');
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'slipway-model-repo-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(path: string, data: string | Buffer): string {
  const full = join(dir, path);
  mkdirSync(join(full, '..'), { recursive: true });
  writeFileSync(full, data);
  return full;
}

describe('readModelArtifact', () => {
  it('reads a single .onnx file with an empty config', async () => {
    const path = join(fixtures, 'serving', 'mlp.onnx');
    const artifact = await readModelArtifact(path);
    expect(artifact.modelBytes.equals(readFileSync(path))).toBe(true);
    expect(artifact.config).toEqual({});
    expect(artifact.source).toBe(path);
  });

  it('reads a folder holding model.onnx and its config.yaml', async () => {
    write('m/model.onnx', logregBytes);
    write('m/config.yaml', 'max_batch_size: 16\n');
    const artifact = await readModelArtifact(join(dir, 'm'));
    expect(artifact.modelBytes.equals(logregBytes)).toBe(true);
    expect(artifact.config).toEqual({ maxBatchSize: 16 });
    expect(artifact.source).toBe(join(dir, 'm', 'model.onnx'));
  });

  it('reads a folder holding model.onnx and a Triton config.pbtxt', async () => {
    write('m/model.onnx', logregBytes);
    write('m/config.pbtxt', 'max_batch_size: 4\ninstance_group [ { count: 3 } ]');
    expect((await readModelArtifact(join(dir, 'm'))).config).toEqual({ maxBatchSize: 4, instanceCount: 3 });
  });

  it('reads the model file an MLflow onnx flavor names', async () => {
    const folder = join(fixtures, 'models', 'mlflow_onnx_model');
    const artifact = await readModelArtifact(folder);
    expect(artifact.modelBytes.equals(readFileSync(join(folder, 'model.onnx')))).toBe(true);
    expect(artifact.source).toBe(join(folder, 'model.onnx'));
  });

  it('follows flavors.onnx.data when the file has another name', async () => {
    write('m/MLmodel', 'flavors:\n  onnx:\n    data: weights.onnx\n');
    write('m/weights.onnx', logregBytes);
    expect((await readModelArtifact(join(dir, 'm'))).source).toBe(join(dir, 'm', 'weights.onnx'));
  });

  it('refuses an MLmodel without an onnx flavor, listing the flavors it has', async () => {
    write('m/MLmodel', 'flavors:\n  sklearn: { pickled_model: model.pkl }\n  python_function: {}\n');
    write('m/model.pkl', 'not to be unpickled');
    const err = await rejection(readModelArtifact(join(dir, 'm')));
    expect(err.code).toBe('INVALID_PARAMETER_VALUE');
    expect(err.message).toContain(join(dir, 'm', 'MLmodel'));
    expect(err.message).toContain('sklearn, python_function');
  });

  it.each([['../outside.onnx'], ['/etc/passwd'], ['a/../../outside.onnx']])(
    'refuses an MLmodel whose onnx data %j points outside the folder',
    async (data) => {
      write('outside.onnx', logregBytes);
      write('m/MLmodel', `flavors:\n  onnx:\n    data: ${data}\n`);
      const err = await rejection(readModelArtifact(join(dir, 'm')));
      expect(err.code).toBe('INVALID_PARAMETER_VALUE');
      expect(err.message).toContain('flavors.onnx.data');
    },
  );

  it('refuses an MLmodel data link that leads outside the folder', async () => {
    write('outside.onnx', logregBytes);
    write('m/MLmodel', 'flavors:\n  onnx:\n    data: model.onnx\n');
    symlinkSync(join(dir, 'outside.onnx'), join(dir, 'm', 'model.onnx'));
    expect((await rejection(readModelArtifact(join(dir, 'm')))).message).toContain('inside the model folder');
  });

  it('refuses an MLmodel that is not YAML, naming it', async () => {
    write('m/MLmodel', 'flavors: [unclosed\n');
    const err = await rejection(readModelArtifact(join(dir, 'm')));
    expect(err.message).toContain(`'${join(dir, 'm', 'MLmodel')}'`);
  });

  it('says a missing path does not exist', async () => {
    const err = await rejection(readModelArtifact(join(dir, 'nope')));
    expect(err.code).toBe('RESOURCE_DOES_NOT_EXIST');
    expect(err.message).toContain(join(dir, 'nope'));
  });

  it('says a folder without a model holds nothing loadable', async () => {
    write('m/readme.txt', 'hello');
    const err = await rejection(readModelArtifact(join(dir, 'm')));
    expect(err.code).toBe('RESOURCE_DOES_NOT_EXIST');
    expect(err.message).toContain(`No model in '${join(dir, 'm')}'`);
  });

  it('points at repository mode for a Triton-style model folder', async () => {
    const err = await rejection(readModelArtifact(join(repositoryRoot, 'logreg')));
    expect(err.message).toContain('model repository');
  });

  it('refuses a file that is not .onnx', async () => {
    const err = await rejection(readModelArtifact(write('model.pkl', 'x')));
    expect(err.code).toBe('INVALID_PARAMETER_VALUE');
    expect(err.message).toContain('model.pkl');
  });

  it('refuses a model file larger than 2 GiB without reading it', async () => {
    const path = write('huge.onnx', '');
    truncateSync(path, MAX_MODEL_BYTES + 1); // sparse: takes no disk space
    const err = await rejection(readModelArtifact(path));
    expect(err.code).toBe('INVALID_PARAMETER_VALUE');
    expect(err.message).toContain('at most 2 GiB');
    expect(err.message).toContain(path);
  });

  it('passes a bad config.yaml error through, naming the file and key', async () => {
    write('m/model.onnx', logregBytes);
    write('m/config.yaml', 'max_batch_size: -3\n');
    const err = await rejection(readModelArtifact(join(dir, 'm')));
    expect(err.message).toContain(`'${join(dir, 'm')}/config.yaml: max_batch_size'`);
  });
});

describe('selectVersions', () => {
  const available = ['1', '10', '2', '9'];

  it('picks the highest N numerically for latest', () => {
    expect(selectVersions(available, { kind: 'latest', count: 1 })).toEqual(['10']);
    expect(selectVersions(available, { kind: 'latest', count: 2 })).toEqual(['9', '10']);
    expect(selectVersions(available, { kind: 'latest', count: 10 })).toEqual(['1', '2', '9', '10']);
  });

  it('picks every version for all, in numeric order', () => {
    expect(selectVersions(available, { kind: 'all' })).toEqual(['1', '2', '9', '10']);
  });

  it('picks the listed versions for specific', () => {
    expect(selectVersions(available, { kind: 'specific', versions: ['10', '1'] })).toEqual(['1', '10']);
  });

  it('names a specific version that is not available', () => {
    const err = refusal(() => selectVersions(available, { kind: 'specific', versions: ['1', '3'] }));
    expect(err.code).toBe('RESOURCE_DOES_NOT_EXIST');
    expect(err.message).toContain("'3'");
    expect(err.message).toContain('available: 1, 2, 9, 10');
  });

  it('gives nothing when nothing is available', () => {
    expect(selectVersions([], { kind: 'latest', count: 1 })).toEqual([]);
  });

  it('refuses a latest count below 1', () => {
    expect(refusal(() => selectVersions(available, { kind: 'latest', count: 0 })).code).toBe(
      'INVALID_PARAMETER_VALUE',
    );
  });
});

describe('ModelRepository', () => {
  const repo = new ModelRepository(repositoryRoot);

  it('lists the fixture models in order', async () => {
    expect(await repo.listModels()).toEqual(['broken', 'dtypes', 'fixed', 'logreg', 'mlp', 'mymodel']);
  });

  it('lists only folders with a numeric version folder', async () => {
    write('r/a/1/model.onnx', logregBytes);
    write('r/b/latest/model.onnx', logregBytes);
    write('r/c/config.yaml', 'max_batch_size: 1\n');
    write('r/notes.txt', 'not a model');
    mkdirSync(join(dir, 'r', 'd', '2'), { recursive: true });
    expect(await new ModelRepository(join(dir, 'r')).listModels()).toEqual(['a', 'd']);
  });

  it('follows linked model folders', async () => {
    write('elsewhere/m/1/model.onnx', logregBytes);
    mkdirSync(join(dir, 'r'));
    symlinkSync(join(dir, 'elsewhere', 'm'), join(dir, 'r', 'linked'));
    const linked = new ModelRepository(join(dir, 'r'));
    expect(await linked.listModels()).toEqual(['linked']);
    expect(await linked.availableVersions('linked')).toEqual(['1']);
  });

  it('says a missing repository root does not exist', async () => {
    const err = await rejection(new ModelRepository(join(dir, 'none')).listModels());
    expect(err.code).toBe('RESOURCE_DOES_NOT_EXIST');
  });

  it('reads config.pbtxt for mlp and config.yaml for logreg', async () => {
    expect(await repo.modelConfig('mlp')).toEqual({
      maxBatchSize: 256,
      maxQueueDelayMicros: 0,
      instanceCount: 2,
    });
    expect(await repo.modelConfig('logreg')).toEqual({
      maxBatchSize: 64,
      versionPolicy: { kind: 'all' },
      labels: { stable: '1', canary: '2' },
    });
    expect(await repo.modelConfig('fixed')).toEqual({ maxBatchSize: 0 });
  });

  it('gives an empty config when the model has none', async () => {
    expect(await repo.modelConfig('mymodel')).toEqual({});
  });

  it('prefers config.yaml over config.pbtxt', async () => {
    write('r/m/1/model.onnx', logregBytes);
    write('r/m/config.yaml', 'max_batch_size: 2\n');
    write('r/m/config.pbtxt', 'max_batch_size: 3');
    expect(await new ModelRepository(join(dir, 'r')).modelConfig('m')).toEqual({ maxBatchSize: 2 });
  });

  it('names the model folder and key in a config error', async () => {
    write('r/m/1/model.onnx', logregBytes);
    write('r/m/config.pbtxt', 'max_batch_size: -1');
    const err = await rejection(new ModelRepository(join(dir, 'r')).modelConfig('m'));
    expect(err.message).toContain("'m/config.pbtxt: max_batch_size'");
  });

  it('lists versions holding model.onnx in numeric order', async () => {
    expect(await repo.availableVersions('logreg')).toEqual(['1', '2']);
    for (const v of ['10', '2', '9']) write(`r/m/${v}/model.onnx`, logregBytes);
    mkdirSync(join(dir, 'r', 'm', '11'));
    write('r/m/12/model.savedmodel', 'not onnx');
    write('r/m/01/model.onnx', logregBytes);
    write('r/m/v3/model.onnx', logregBytes);
    expect(await new ModelRepository(join(dir, 'r')).availableVersions('m')).toEqual(['2', '9', '10']);
  });

  it('reads one version with the model config', async () => {
    const v1 = await repo.readVersion('logreg', '1');
    const v2 = await repo.readVersion('logreg', '2');
    expect(v1.modelBytes.equals(logregBytes)).toBe(true);
    expect(v2.modelBytes.equals(v1.modelBytes)).toBe(false);
    expect(v1.config.maxBatchSize).toBe(64);
    expect(v1.source).toBe(join(repositoryRoot, 'logreg', '1', 'model.onnx'));
  });

  it('reads the broken model bytes as they are (loading is what fails)', async () => {
    expect((await repo.readVersion('broken', '1')).modelBytes.length).toBe(64);
  });

  it('says an unknown model does not exist', async () => {
    // Each call starts only when its turn comes, so no rejection is left unobserved meanwhile.
    for (const call of [
      () => repo.modelConfig('nope'),
      () => repo.availableVersions('nope'),
      () => repo.readVersion('nope', '1'),
    ]) {
      const err = await rejection(call());
      expect(err.code).toBe('RESOURCE_DOES_NOT_EXIST');
      expect(err.message).toContain("'nope'");
      expect(err.message).not.toContain(repositoryRoot);
    }
  });

  it('says an unknown version does not exist', async () => {
    const err = await rejection(repo.readVersion('logreg', '3'));
    expect(err.code).toBe('RESOURCE_DOES_NOT_EXIST');
    expect(err.message).toContain('version 3');
  });

  it.each([['..'], ['.'], ['../serving'], ['a/b'], ['a\\b'], [''], ['%2e%2e'], ['x\u0000']])(
    'refuses the model name %j naming model',
    async (name) => {
      for (const call of [
        () => repo.modelConfig(name),
        () => repo.availableVersions(name),
        () => repo.readVersion(name, '1'),
      ]) {
        const err = await rejection(call());
        expect(err.code).toBe('INVALID_PARAMETER_VALUE');
        expect(err.message).toContain("'model'");
      }
    },
  );

  it.each([['../1'], ['1/..'], ['v1'], ['']])('refuses the version %j', async (version) => {
    const err = await rejection(repo.readVersion('logreg', version));
    expect(err.code).toBe('INVALID_PARAMETER_VALUE');
    expect(err.message).toContain("'version'");
  });
});
