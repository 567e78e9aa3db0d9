/**
 * The model-registry behaviour every metadata backend must show, exercised through
 * `RegistryService` with real model artifacts uploaded through `platform.artifacts`.
 * Backend test files run it with a platform over their engine: `describeRegistry('SQLite', makePlatform)`.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectFailure,
  type MakePlatform,
  type PlatformFixture,
  unique,
} from '../tracking/tracking.suite.js';
import type { DatasetInput } from '../tracking/types.js';
import type { ModelSignature } from './types.js';

const FIXTURES = new URL('../../test/fixtures/models/', import.meta.url);
const fixture = (rel: string) => readFileSync(new URL(rel, FIXTURES));

const LOGREG_SIGNATURE: ModelSignature = {
  inputs: [{ name: 'input', dtype: 'float32', shape: [-1, 20] }],
  outputs: [{ name: 'probability', dtype: 'float32', shape: [-1, 1] }],
};

const TRAINING_DATA: DatasetInput = {
  dataset: { name: 'transactions', digest: 'd1g35t', sourceType: 'local', source: 'file:///data/tx.parquet' },
  tags: [{ key: 'mlflow.data.context', value: 'training' }],
};

export function describeRegistry(name: string, makePlatform: MakePlatform): void {
  describe(`registry on ${name}`, () => {
    let fx: PlatformFixture;
    let experimentId: string;
    /** A run with a git commit (dirty), a training dataset and logreg.onnx at `model/model.onnx`. */
    let runId: string;
    const registry = () => fx.platform.registry;
    const tracking = () => fx.platform.tracking;

    const newRunWithModel = async (model: Buffer, tags: { key: string; value: string }[] = []) => {
      const run = await tracking().createRun({ experimentId, tags });
      await fx.platform.artifacts.upload(run.info.runId, 'model/model.onnx', model);
      return run.info.runId;
    };
    const newModel = async () => (await registry().createRegisteredModel({ name: unique('model') })).name;
    const register = (model: string, opts: { runId?: string; source?: string } = {}) => {
      const run = opts.runId ?? runId;
      return registry().createModelVersion({
        name: model,
        source: opts.source ?? `runs:/${run}/model`,
        runId: run,
      });
    };

    beforeAll(async () => {
      fx = await makePlatform();
      experimentId = (await tracking().createExperiment({ name: unique('registry') })).experimentId;
      runId = await newRunWithModel(fixture('logreg.onnx'), [
        { key: 'mlflow.source.git.commit', value: '3f2a9c1' },
        { key: 'slipway.source.git.dirty', value: 'true' },
      ]);
      await tracking().logInputs(runId, [TRAINING_DATA]);
    });
    afterAll(async () => {
      await fx?.cleanup();
    });

    describe('registered models', () => {
      it('creates, reads, describes, renames and deletes a model', async () => {
        const first = unique('fraud');
        const created = await registry().createRegisteredModel({
          name: first,
          description: 'scores card transactions',
          tags: [{ key: 'owner', value: 'risk' }],
        });
        expect(await registry().getRegisteredModel(first)).toEqual(created);
        expect(created).toMatchObject({
          description: 'scores card transactions',
          tags: [{ key: 'owner', value: 'risk' }],
        });
        await register(first);

        expect((await registry().updateRegisteredModel(first, 'v2 of the scorer')).description).toBe(
          'v2 of the scorer',
        );
        const second = unique('fraud');
        expect((await registry().renameRegisteredModel(first, second)).name).toBe(second);
        await expectFailure(registry().getRegisteredModel(first), 'RESOURCE_DOES_NOT_EXIST', first);
        expect((await registry().getModelVersion(second, '1')).name).toBe(second);

        await registry().deleteRegisteredModel(second);
        await expectFailure(registry().getRegisteredModel(second), 'RESOURCE_DOES_NOT_EXIST');
        await expectFailure(registry().getModelVersion(second, '1'), 'RESOURCE_DOES_NOT_EXIST');
      });

      it('refuses a name that is taken, on create and on rename', async () => {
        const a = await newModel();
        const b = await newModel();
        await expectFailure(registry().createRegisteredModel({ name: a }), 'RESOURCE_ALREADY_EXISTS', a);
        await expectFailure(registry().renameRegisteredModel(b, a), 'RESOURCE_ALREADY_EXISTS', a);
        expect((await registry().getRegisteredModel(b)).name).toBe(b);
      });

      it('searches models by name pattern and by tag', async () => {
        const prefix = unique('search');
        await registry().createRegisteredModel({
          name: `${prefix}-a`,
          tags: [{ key: 'flavor', value: 'onnx' }],
        });
        await registry().createRegisteredModel({
          name: `${prefix}-b`,
          tags: [{ key: 'flavor', value: 'sklearn' }],
        });
        const names = async (filter: string) =>
          (await registry().searchRegisteredModels({ filter, orderBy: ['name ASC'] })).items.map(
            (m) => m.name,
          );
        expect(await names(`name LIKE '${prefix}%'`)).toEqual([`${prefix}-a`, `${prefix}-b`]);
        expect(await names(`name LIKE '${prefix}%' and tags.flavor = 'onnx'`)).toEqual([`${prefix}-a`]);
      });
    });

    describe('model versions', () => {
      it('numbers versions 1, 2, 3 and never reuses a deleted number', async () => {
        const model = await newModel();
        const numbers = [];
        for (let i = 0; i < 3; i++) numbers.push((await register(model)).version);
        expect(numbers).toEqual(['1', '2', '3']);
        await registry().deleteModelVersion(model, '3');
        await expectFailure(registry().getModelVersion(model, '3'), 'RESOURCE_DOES_NOT_EXIST');
        expect((await register(model)).version).toBe('4');
      });

      it('records the lineage of a version registered from runs:/<run>/model', async () => {
        const v = await register(await newModel());
        expect(v.source).toBe(`runs:/${runId}/model`);
        expect(v.runId).toBe(runId);
        expect(v.lineage.artifactUri).toBe(`mlflow-artifacts:/${experimentId}/${runId}/artifacts/model`);
        expect(v.lineage.contentHash).toMatch(/^sha256:[0-9a-f]{64}$/);
        expect(v.lineage.signature).toEqual(LOGREG_SIGNATURE);
        expect(v.lineage.codeVersion).toEqual({ gitCommit: '3f2a9c1', dirty: true });
        expect(v.lineage.datasets).toEqual([TRAINING_DATA]);
        expect(await registry().getDownloadUri(v.name, v.version)).toBe(v.lineage.artifactUri);
      });

      it('hashes identical content the same and different content differently', async () => {
        const model = await newModel();
        const same = await newRunWithModel(fixture('logreg.onnx'));
        const other = await newRunWithModel(fixture('mlp.onnx'));
        const [a, b, c] = [
          await register(model),
          await register(model, { runId: same }),
          await register(model, { runId: other }),
        ];
        expect(b.lineage.contentHash).toBe(a.lineage.contentHash);
        expect(c.lineage.contentHash).not.toBe(a.lineage.contentHash);
      });

      it('records a clean commit, or no code version when the run has none', async () => {
        const model = await newModel();
        const clean = await newRunWithModel(fixture('logreg.onnx'), [
          { key: 'mlflow.source.git.commit', value: 'c0ffee1' },
        ]);
        const unknown = await newRunWithModel(fixture('logreg.onnx'));
        expect((await register(model, { runId: clean })).lineage.codeVersion).toEqual({
          gitCommit: 'c0ffee1',
          dirty: false,
        });
        expect((await register(model, { runId: unknown })).lineage.codeVersion).toBeNull();
      });

      it('reads the signature from the MLmodel of an MLflow model folder', async () => {
        const run = (await tracking().createRun({ experimentId })).info.runId;
        await fx.platform.artifacts.upload(run, 'mlflow_model/MLmodel', fixture('mlflow_onnx_model/MLmodel'));
        await fx.platform.artifacts.upload(
          run,
          'mlflow_model/model.onnx',
          fixture('mlflow_onnx_model/model.onnx'),
        );
        // A folder with only the MLmodel shows the signature really comes from it.
        await fx.platform.artifacts.upload(run, 'only_mlmodel/MLmodel', fixture('mlflow_onnx_model/MLmodel'));
        const model = await newModel();
        const full = await register(model, { runId: run, source: `runs:/${run}/mlflow_model` });
        const bare = await register(model, { runId: run, source: `runs:/${run}/only_mlmodel` });
        expect(full.lineage.signature).toEqual(LOGREG_SIGNATURE);
        expect(bare.lineage.signature).toEqual(LOGREG_SIGNATURE);
        expect(full.lineage.contentHash).not.toBe(bare.lineage.contentHash);
      });

      it('sets, overwrites and deletes version tags, and updates the description', async () => {
        const v = await register(await newModel());
        await registry().setModelVersionTag(v.name, v.version, { key: 'validated', value: 'no' });
        await registry().setModelVersionTag(v.name, v.version, { key: 'validated', value: 'yes' });
        expect((await registry().getModelVersion(v.name, v.version)).tags).toEqual([
          { key: 'validated', value: 'yes' },
        ]);
        await registry().deleteModelVersionTag(v.name, v.version, 'validated');
        expect((await registry().getModelVersion(v.name, v.version)).tags).toEqual([]);
        expect((await registry().updateModelVersion(v.name, v.version, 'AUC 0.91')).description).toBe(
          'AUC 0.91',
        );
      });

      it('searches versions by model name and by run id', async () => {
        const model = await newModel();
        const otherRun = await newRunWithModel(fixture('logreg.onnx'));
        await register(model);
        await register(model, { runId: otherRun });
        const found = async (filter: string) =>
          (await registry().searchModelVersions({ filter })).items
            .map((v) => `${v.name}/${v.version}`)
            .sort();
        expect(await found(`name = '${model}'`)).toEqual([`${model}/1`, `${model}/2`]);
        expect(await found(`run_id = '${otherRun}'`)).toEqual([`${model}/2`]);
      });

      it('numbers 20 concurrent registrations 1 to 20 without collisions', async () => {
        const model = await newModel();
        const created = await Promise.all(Array.from({ length: 20 }, () => register(model)));
        const numbers = created.map((v) => Number(v.version)).sort((a, b) => a - b);
        expect(numbers).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      });
    });

    describe('aliases and stages', () => {
      it('points an alias at a version, moves it, and deletes it', async () => {
        const model = await newModel();
        await register(model);
        await register(model);
        await registry().setAlias(model, 'champion', '1');
        expect((await registry().getVersionByAlias(model, 'champion')).version).toBe('1');
        await registry().setAlias(model, 'champion', '2');
        expect((await registry().getVersionByAlias(model, 'champion')).version).toBe('2');
        expect((await registry().getRegisteredModel(model)).aliases).toEqual([
          { alias: 'champion', version: '2' },
        ]);
        expect((await registry().getModelVersion(model, '2')).aliases).toEqual(['champion']);
        expect((await registry().getModelVersion(model, '1')).aliases).toEqual([]);

        await registry().deleteAlias(model, 'champion');
        await expectFailure(
          registry().getVersionByAlias(model, 'champion'),
          'RESOURCE_DOES_NOT_EXIST',
          'champion',
        );
      });

      it("removes a version's aliases when the version is deleted", async () => {
        const model = await newModel();
        await register(model);
        await registry().setAlias(model, 'challenger', '1');
        await registry().deleteModelVersion(model, '1');
        await expectFailure(registry().getVersionByAlias(model, 'challenger'), 'RESOURCE_DOES_NOT_EXIST');
        expect((await registry().getRegisteredModel(model)).aliases).toEqual([]);
      });

      it("refuses aliases that look like versions: 'latest' and 'v1'", async () => {
        const model = await newModel();
        await register(model);
        await expectFailure(registry().setAlias(model, 'latest', '1'), 'INVALID_PARAMETER_VALUE', 'latest');
        await expectFailure(registry().setAlias(model, 'v1', '1'), 'INVALID_PARAMETER_VALUE', 'v1');
      });

      it('archives the previous Production version and lists the newest version per stage', async () => {
        const model = await newModel();
        for (let i = 0; i < 4; i++) await register(model);
        await registry().transitionStage(model, '1', 'Production');
        await registry().transitionStage(model, '2', 'production', true);
        await registry().transitionStage(model, '3', 'Staging');
        expect((await registry().getModelVersion(model, '1')).currentStage).toBe('Archived');
        expect((await registry().getModelVersion(model, '2')).currentStage).toBe('Production');
        const latest = (await registry().getRegisteredModel(model)).latestVersions;
        const byStage = Object.fromEntries(latest.map((v) => [v.currentStage, v.version]));
        expect(byStage).toEqual({ Archived: '1', Production: '2', Staging: '3', None: '4' });
        await expectFailure(
          registry().transitionStage(model, '4', 'Canary'),
          'INVALID_PARAMETER_VALUE',
          'Canary',
        );
      });

      it('resolves name@alias, name/version and name (the latest version)', async () => {
        const model = await newModel();
        for (let i = 0; i < 3; i++) await register(model);
        await registry().setAlias(model, 'champion', '2');
        expect((await registry().resolve(`${model}@champion`)).version).toBe('2');
        expect((await registry().resolve(`${model}/1`)).version).toBe('1');
        expect((await registry().resolve(model)).version).toBe('3');
        await expectFailure(registry().resolve(`${model}/9`), 'RESOURCE_DOES_NOT_EXIST');
      });
    });
  });
}
