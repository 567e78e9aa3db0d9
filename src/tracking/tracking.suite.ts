/**
 * The tracking behaviour every metadata backend must show, exercised through `TrackingService`
 * (what the MLflow API, the native API and the SDK all call). Backend test files run it with a
 * platform over their engine: `describeTracking('SQLite', makePlatform)`.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorCode } from '../core/errors.js';
import type { Platform } from '../platform.js';
import type { CreateRunOptions } from './service.js';
import type { Metric, Run } from './types.js';

/** A platform over one backend, and how to throw it away. */
export interface PlatformFixture {
  platform: Platform;
  cleanup(): Promise<void>;
}

export type MakePlatform = () => Promise<PlatformFixture>;

/** A name no other test in the run uses, so tests share one platform without seeing each other. */
export const unique = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;

/** Expects `promise` to fail with a SlipwayError of `code` whose message matches `message`. */
export async function expectFailure(
  promise: Promise<unknown>,
  code: ErrorCode,
  message?: string | RegExp,
): Promise<void> {
  const err = await promise.then(
    () => {
      throw new Error(`expected a ${code} failure, but the call succeeded`);
    },
    (e: unknown) => e as { code?: unknown; message?: unknown },
  );
  expect(err.code, String(err.message)).toBe(code);
  if (message !== undefined) expect(err.message).toMatch(message);
}

const tagsOf = (run: Run) => Object.fromEntries(run.data.tags.map((t) => [t.key, t.value]));
const paramsOf = (run: Run) => Object.fromEntries(run.data.params.map((p) => [p.key, p.value]));
const metric = (key: string, value: number, step = 0, timestamp = 1_000 + step): Metric => ({
  key,
  value,
  step,
  timestamp,
});

export function describeTracking(name: string, makePlatform: MakePlatform): void {
  describe(`tracking on ${name}`, () => {
    let fixture: PlatformFixture;
    const tracking = () => fixture.platform.tracking;
    const newExperiment = (prefix = 'exp') => tracking().createExperiment({ name: unique(prefix) });
    const newRun = async (opts: CreateRunOptions = {}) =>
      tracking().createRun({ experimentId: (await newExperiment()).experimentId, ...opts });

    beforeAll(async () => {
      fixture = await makePlatform();
    });
    afterAll(async () => {
      await fixture?.cleanup();
    });

    describe('experiments', () => {
      it('has the Default experiment with id 0', async () => {
        const dflt = await tracking().getExperiment('0');
        expect(dflt).toMatchObject({ experimentId: '0', name: 'Default', lifecycleStage: 'active' });
      });

      it('creates an experiment and reads it back by id and by name', async () => {
        const name = unique('fraud');
        const created = await tracking().createExperiment({ name, tags: [{ key: 'team', value: 'risk' }] });
        expect(created.artifactLocation).toBe(`mlflow-artifacts:/${created.experimentId}`);
        expect(await tracking().getExperiment(created.experimentId)).toEqual(created);
        expect(await tracking().getExperimentByName(name)).toEqual(created);
        expect(created.tags).toEqual([{ key: 'team', value: 'risk' }]);
      });

      it("reports a missing experiment name with MLflow's message", async () => {
        await expectFailure(
          tracking().getExperimentByName('no-such-experiment'),
          'RESOURCE_DOES_NOT_EXIST',
          "Could not find experiment with name 'no-such-experiment'",
        );
      });

      it('refuses a second experiment with the same name', async () => {
        const { name } = await newExperiment();
        await expectFailure(tracking().createExperiment({ name }), 'RESOURCE_ALREADY_EXISTS', name);
      });

      it('searches experiments by view type, filter, order and page', async () => {
        const prefix = unique('search');
        const ids: string[] = [];
        for (const suffix of ['a', 'b', 'c'])
          ids.push((await tracking().createExperiment({ name: `${prefix}-${suffix}` })).experimentId);
        await tracking().deleteExperiment(ids[1]);
        const names = async (view: 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL', orderBy = ['name ASC']) =>
          (await tracking().searchExperiments({ filter: `name LIKE '${prefix}%'`, view, orderBy })).items.map(
            (e) => e.name.slice(prefix.length + 1),
          );
        expect(await names('ACTIVE_ONLY')).toEqual(['a', 'c']);
        expect(await names('DELETED_ONLY')).toEqual(['b']);
        expect(await names('ALL', ['name DESC'])).toEqual(['c', 'b', 'a']);

        const seen: string[] = [];
        let pageToken: string | undefined;
        do {
          const page = await tracking().searchExperiments({
            filter: `name LIKE '${prefix}%'`,
            view: 'ALL',
            orderBy: ['name'],
            maxResults: 2,
            pageToken,
          });
          seen.push(...page.items.map((e) => e.experimentId));
          pageToken = page.nextPageToken;
        } while (pageToken);
        expect(seen).toEqual(ids);
      });

      it('renames an experiment, and refuses a taken name without changing anything', async () => {
        const a = await newExperiment();
        const b = await newExperiment();
        const renamed = unique('renamed');
        await tracking().renameExperiment(a.experimentId, renamed);
        expect((await tracking().getExperiment(a.experimentId)).name).toBe(renamed);

        await expectFailure(tracking().renameExperiment(b.experimentId, renamed), 'RESOURCE_ALREADY_EXISTS');
        expect((await tracking().getExperiment(b.experimentId)).name).toBe(b.name);
        expect((await tracking().getExperiment(a.experimentId)).name).toBe(renamed);
      });

      it('deletes an experiment with its runs, and restores both', async () => {
        const exp = await newExperiment();
        const run = await tracking().createRun({ experimentId: exp.experimentId });
        await tracking().deleteExperiment(exp.experimentId);
        expect((await tracking().getExperiment(exp.experimentId)).lifecycleStage).toBe('deleted');
        expect((await tracking().getRun(run.info.runId)).info.lifecycleStage).toBe('deleted');
        expect((await tracking().searchRuns({ experimentIds: [exp.experimentId] })).items).toEqual([]);

        await tracking().restoreExperiment(exp.experimentId);
        expect((await tracking().getExperiment(exp.experimentId)).lifecycleStage).toBe('active');
        expect((await tracking().getRun(run.info.runId)).info.lifecycleStage).toBe('active');
      });

      it('sets experiment tags, overwriting an existing key', async () => {
        const exp = await newExperiment();
        await tracking().setExperimentTag(exp.experimentId, { key: 'owner', value: 'ana' });
        await tracking().setExperimentTag(exp.experimentId, { key: 'owner', value: 'bob' });
        expect((await tracking().getExperiment(exp.experimentId)).tags).toEqual([
          { key: 'owner', value: 'bob' },
        ]);
      });
    });

    describe('runs', () => {
      it('creates a run with a name and tags', async () => {
        const exp = await newExperiment();
        const run = await tracking().createRun({
          experimentId: exp.experimentId,
          runName: 'baseline',
          tags: [{ key: 'team', value: 'risk' }],
        });
        expect(run.info).toMatchObject({ runName: 'baseline', status: 'RUNNING', lifecycleStage: 'active' });
        expect(run.info.artifactUri).toBe(
          `mlflow-artifacts:/${exp.experimentId}/${run.info.runId}/artifacts`,
        );
        const stored = await tracking().getRun(run.info.runId);
        expect(tagsOf(stored)).toMatchObject({ team: 'risk', 'mlflow.runName': 'baseline' });
      });

      it('gives an unnamed run a generated name, mirrored in mlflow.runName', async () => {
        const run = await tracking().getRun((await newRun()).info.runId);
        expect(run.info.runName).toMatch(/\S/);
        expect(tagsOf(run)['mlflow.runName']).toBe(run.info.runName);
      });

      it('nests a run under its parent, and refuses a parent that does not exist', async () => {
        const parent = await newRun();
        const child = await tracking().createRun({
          experimentId: parent.info.experimentId,
          parentRunId: parent.info.runId,
        });
        expect(tagsOf(await tracking().getRun(child.info.runId))['mlflow.parentRunId']).toBe(
          parent.info.runId,
        );
        await expectFailure(tracking().createRun({ parentRunId: 'f'.repeat(32) }), 'RESOURCE_DOES_NOT_EXIST');
      });

      it('updates the status and end time', async () => {
        const run = await newRun();
        const info = await tracking().updateRun(run.info.runId, { status: 'FINISHED', endTime: 123_456 });
        expect(info).toMatchObject({ status: 'FINISHED', endTime: 123_456 });
        expect((await tracking().getRun(run.info.runId)).info.status).toBe('FINISHED');
      });

      it('deletes and restores a run, refusing to log to it while deleted', async () => {
        const { runId } = (await newRun()).info;
        await tracking().deleteRun(runId);
        expect((await tracking().getRun(runId)).info.lifecycleStage).toBe('deleted');
        await expectFailure(tracking().logMetric(runId, 'acc', 1), 'INVALID_STATE', /active/);
        await tracking().restoreRun(runId);
        await tracking().logMetric(runId, 'acc', 1);
        expect((await tracking().getRun(runId)).data.metrics).toHaveLength(1);
      });
    });

    describe('logged data', () => {
      it('keeps params immutable: the same value again is fine, a new value fails the whole batch', async () => {
        const { runId } = (await newRun()).info;
        await tracking().logParam(runId, 'lr', '0.01');
        await tracking().logParam(runId, 'lr', '0.01');
        await expectFailure(
          tracking().logBatch(runId, {
            metrics: [metric('acc', 0.5)],
            params: [
              { key: 'depth', value: '3' },
              { key: 'lr', value: '0.02' },
            ],
            tags: [{ key: 'note', value: 'x' }],
          }),
          'INVALID_PARAMETER_VALUE',
          /lr/,
        );
        const run = await tracking().getRun(runId);
        expect(paramsOf(run)).toEqual({ lr: '0.01' });
        expect(run.data.metrics).toEqual([]);
        expect(tagsOf(run).note).toBeUndefined();
        expect((await tracking().getMetricHistory(runId, 'acc')).items).toEqual([]);
      });

      it('keeps the full history of a metric; the latest value is the one at the highest step', async () => {
        const { runId } = (await newRun()).info;
        await tracking().logBatch(runId, {
          metrics: [metric('loss', 0.9, 0, 10), metric('loss', 0.3, 2, 30)],
        });
        await tracking().logMetric(runId, 'loss', 0.5, { step: 1, timestamp: 40 });
        const history = await tracking().getMetricHistory(runId, 'loss');
        expect(history.items).toEqual([
          metric('loss', 0.9, 0, 10),
          metric('loss', 0.5, 1, 40),
          metric('loss', 0.3, 2, 30),
        ]);
        expect((await tracking().getRun(runId)).data.metrics).toEqual([metric('loss', 0.3, 2, 30)]);
      });

      it('round-trips NaN and infinite metric values', async () => {
        const { runId } = (await newRun()).info;
        const values = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
        await tracking().logBatch(runId, { metrics: values.map((v, step) => metric('odd', v, step)) });
        const history = (await tracking().getMetricHistory(runId, 'odd')).items.map((m) => m.value);
        expect(history).toEqual(values);
        expect((await tracking().getRun(runId)).data.metrics[0].value).toBe(Number.NEGATIVE_INFINITY);
      });

      it('logs a batch of 1000 metrics in one call', async () => {
        const { runId } = (await newRun()).info;
        await tracking().logBatch(runId, {
          metrics: Array.from({ length: 1000 }, (_, step) => metric('step_loss', 1 / (step + 1), step)),
        });
        const history = (await tracking().getMetricHistory(runId, 'step_loss')).items;
        expect(history.map((m) => m.step)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
        expect((await tracking().getRun(runId)).data.metrics[0]).toMatchObject({
          step: 999,
          value: 1 / 1000,
        });
      });

      it('overwrites a tag and deletes one', async () => {
        const { runId } = (await newRun()).info;
        await tracking().setTag(runId, 'stage', 'draft');
        await tracking().setTag(runId, 'stage', 'final');
        expect(tagsOf(await tracking().getRun(runId)).stage).toBe('final');
        await tracking().deleteTag(runId, 'stage');
        expect(tagsOf(await tracking().getRun(runId)).stage).toBeUndefined();
        await expectFailure(tracking().deleteTag(runId, 'stage'), 'RESOURCE_DOES_NOT_EXIST');
      });

      it('records dataset inputs on the run, once per dataset', async () => {
        const { runId } = (await newRun()).info;
        const input = {
          dataset: {
            name: 'transactions',
            digest: 'abc123',
            sourceType: 'local',
            source: 'file:///data/tx.parquet',
            schema: '{"mlflow_colspec": []}',
          },
          tags: [{ key: 'mlflow.data.context', value: 'training' }],
        };
        await tracking().logInputs(runId, [input]);
        await tracking().logInputs(runId, [input]);
        expect((await tracking().getRun(runId)).inputs.datasetInputs).toEqual([input]);
      });
    });
  });
}
