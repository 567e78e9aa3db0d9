/**
 * The run-search half of the shared tracking suite: MLflow's filter language, ordering and paging,
 * as every metadata backend must answer them. Run by each backend's test file beside describeTracking.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFailure, type MakePlatform, type PlatformFixture, unique } from './tracking.suite.js';
import type { Metric } from './types.js';

const metric = (key: string, value: number, step = 0, timestamp = 1_000 + step): Metric => ({
  key,
  value,
  step,
  timestamp,
});

export function describeRunSearch(name: string, makePlatform: MakePlatform): void {
  describe(`run search on ${name}`, () => {
    let fixture: PlatformFixture;
    const tracking = () => fixture.platform.tracking;
    const newExperiment = (prefix = 'exp') => tracking().createExperiment({ name: unique(prefix) });

    beforeAll(async () => {
      fixture = await makePlatform();
    });
    afterAll(async () => {
      await fixture?.cleanup();
    });

    describe('searching runs', () => {
      let experimentId: string;
      const ids: Record<string, string> = {};
      const search = async (filter?: string, orderBy?: string[]) =>
        (await tracking().searchRuns({ experimentIds: [experimentId], filter, orderBy })).items.map(
          (r) => r.info.runName,
        );

      beforeAll(async () => {
        experimentId = (await newExperiment('search-runs')).experimentId;
        const runs: [string, number | undefined, string, string, 'FINISHED' | 'RUNNING'][] = [
          ['Alpha', 0.95, '0.01', 'x', 'FINISHED'],
          ['alpha-2', 0.8, '0.01', 'x', 'FINISHED'],
          ['beta', 0.97, '0.1', 'y', 'RUNNING'],
          ['gamma', undefined, '0.01', 'x', 'FINISHED'],
          ['delta', 0.92, '0.01', 'x', 'FINISHED'],
        ];
        for (const [runName, acc, lr, team, status] of runs) {
          const { runId } = (await tracking().createRun({ experimentId, runName })).info;
          ids[runName] = runId;
          await tracking().logBatch(runId, {
            metrics: acc === undefined ? [] : [metric('acc', acc)],
            params: [{ key: 'lr', value: lr }],
            tags: [{ key: 'team', value: team }],
          });
          if (status === 'FINISHED') await tracking().updateRun(runId, { status });
        }
      });

      it('combines metric, param, tag and attribute comparisons', async () => {
        const filter =
          "metrics.acc > 0.9 and params.lr = '0.01' and tags.team = 'x' and attributes.status = 'FINISHED'";
        expect((await search(filter)).sort()).toEqual(['Alpha', 'delta']);
      });

      it('matches LIKE case-sensitively and ILIKE case-insensitively', async () => {
        expect(await search("attributes.run_name LIKE 'alpha%'")).toEqual(['alpha-2']);
        expect((await search("attributes.run_name ILIKE 'alpha%'")).sort()).toEqual(['Alpha', 'alpha-2']);
      });

      it('matches IN lists', async () => {
        expect(await search("params.lr IN ('0.1', '0.001')")).toEqual(['beta']);
        expect((await search("tags.team IN ('x', 'z') and metrics.acc < 0.9")).sort()).toEqual(['alpha-2']);
      });

      it('orders by a metric descending, with runs lacking the metric last', async () => {
        expect(await search(undefined, ['metrics.acc DESC'])).toEqual([
          'beta',
          'Alpha',
          'delta',
          'alpha-2',
          'gamma',
        ]);
      });

      it('walks every page of max_results runs without duplicates', async () => {
        const seen: string[] = [];
        let pageToken: string | undefined;
        let pages = 0;
        do {
          const page = await tracking().searchRuns({
            experimentIds: [experimentId],
            maxResults: 2,
            pageToken,
          });
          seen.push(...page.items.map((r) => r.info.runId));
          pageToken = page.nextPageToken;
          pages++;
        } while (pageToken);
        expect(pages).toBe(3);
        expect(seen.sort()).toEqual(Object.values(ids).sort());
      });

      it('refuses a malformed filter, naming the offending token', async () => {
        await expectFailure(search('metrics.acc >> 0.9'), 'INVALID_PARAMETER_VALUE', "unexpected token '>>'");
        await expectFailure(search("weird.key = 'x'"), 'INVALID_PARAMETER_VALUE', "unknown entity 'weird'");
        await expectFailure(search("metrics.acc = 'high'"), 'INVALID_PARAMETER_VALUE', "'high'");
      });
    });
  });
}
