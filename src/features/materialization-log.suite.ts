/**
 * The materialization-log behaviour every metadata backend must show, exercised through
 * `MaterializationLog` (with a real `FeatureRegistry` over the same database for view versions).
 * Backend test files run it: `describeMaterializationLog('SQLite', makeStores)`.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../core/clock.js';
import { entity, featureRepo, featureView, fileSource } from './definitions/define.js';
import { FeatureRegistry, type FeatureRegistryStore } from './feature-registry.js';
import {
  MaterializationLog,
  type MaterializationOutcome,
  type MaterializationStore,
} from './materialization-log.js';
import { emptyValidationReport } from './materialization-report.js';

export interface MaterializationLogFixture {
  store: MaterializationStore;
  registry: FeatureRegistryStore;
  cleanup(): Promise<void>;
}

const project = () => `p_${randomBytes(4).toString('hex')}`;

function outcome(rows: number, refused = 0): MaterializationOutcome {
  return {
    rowsRead: rows,
    rowsWritten: rows - refused,
    rowsRefused: refused,
    newestEventTimestamp: 1_000 + rows,
    report: { ...emptyValidationReport(), rowsChecked: rows, rowsRefused: refused },
    statistics: {
      rows,
      features: [
        { feature: 'trips', type: 'int64', count: rows, nulls: 0, nullShare: 0, min: 1, max: 9, mean: 4.5 },
      ],
    },
  };
}

/** Registers the suite under `describe(name)`. */
export function describeMaterializationLog(
  name: string,
  make: () => Promise<MaterializationLogFixture>,
): void {
  describe(`materialization log (${name})`, () => {
    let fixture: MaterializationLogFixture;
    let now = 1_000_000;
    const clock: Clock = { now: () => now++ };
    let log: MaterializationLog;
    let registry: FeatureRegistry;

    beforeAll(async () => {
      fixture = await make();
      registry = new FeatureRegistry(fixture.registry, clock);
      log = new MaterializationLog(fixture.store, registry, clock);
    });
    afterAll(() => fixture?.cleanup());

    it('records a run with the view version, its report and statistics, and reads it back', async () => {
      const p = project();
      await registry.apply(
        featureRepo({
          project: p,
          entities: [entity({ name: 'driver', joinKey: 'driver_id', valueType: 'int64' })],
          sources: [fileSource({ name: 'trips_src', path: 'trips.parquet', timestampField: 'ts' })],
          featureViews: [
            featureView({
              name: 'trips',
              entities: ['driver'],
              source: 'trips_src',
              schema: [{ name: 'trips', type: 'int64' }],
            }),
          ],
        }),
      );
      const run = await log.start({ project: p, view: 'trips', windowStart: 0, windowEnd: 100 });
      expect(run).toMatchObject({ status: 'running', viewVersion: 1 });
      const done = await log.finish(run, outcome(10, 3));
      expect(done.status).toBe('partial');
      const [stored] = await log.history(p, 'trips');
      expect(stored).toEqual(done);
      const details = await log.view('trips', p);
      expect(details.version).toBe(1);
      expect(details.report?.rowsRefused).toBe(3);
      expect(details.statistics?.features[0]).toMatchObject({ feature: 'trips', mean: 4.5 });
      expect(details.lastSucceeded).toBeNull();
    });

    it('resumes incremental runs from the last succeeded window, not from partial, failed or killed ones', async () => {
      const p = project();
      expect(await log.resumeFrom(p, 'v')).toBeUndefined();
      await log.finish(
        await log.start({ project: p, view: 'v', windowStart: 0, windowEnd: 100 }),
        outcome(5),
      );
      await log.finish(
        await log.start({ project: p, view: 'v', windowStart: 100, windowEnd: 200 }),
        outcome(5, 1),
      );
      await log.fail(
        await log.start({ project: p, view: 'v', windowStart: 100, windowEnd: 300 }),
        new Error('boom'),
      );
      await log.start({ project: p, view: 'v', windowStart: 100, windowEnd: 400 }); // killed: stays running
      await log.finish(
        await log.start({ project: p, view: 'w', windowStart: 0, windowEnd: 900 }),
        outcome(1),
      );
      expect(await log.resumeFrom(p, 'v')).toBe(100);
      expect(await log.resumeFrom(p, 'w')).toBe(900);
      const history = await log.history(p, 'v');
      expect(history.map((r) => r.status)).toEqual(['running', 'failed', 'partial', 'succeeded']);
      expect(history[1].error).toBe('boom');
    });

    it('lists each view with its latest run and last success, and registry views never materialized', async () => {
      const p = project();
      await registry.apply(
        featureRepo({
          project: p,
          entities: [entity({ name: 'driver', joinKey: 'driver_id', valueType: 'int64' })],
          sources: [fileSource({ name: 'src', path: 'x.parquet', timestampField: 'ts' })],
          featureViews: ['a', 'b', 'c'].map((name) =>
            featureView({
              name,
              entities: ['driver'],
              source: 'src',
              schema: [{ name: 'x', type: 'float64' }],
              online: name !== 'c',
            }),
          ),
        }),
      );
      await log.finish(await log.start({ project: p, view: 'a', windowStart: 0, windowEnd: 50 }), outcome(7));
      await log.start({ project: p, view: 'a', windowStart: 50, windowEnd: 60 });
      const views = await log.views(p);
      expect(views.map((v) => [v.view, v.version, v.lastRun?.status ?? null])).toEqual([
        ['a', 1, 'running'],
        ['b', 1, null],
      ]);
      expect(views[0].lastSucceeded).toMatchObject({ windowEnd: 50, rows: 7, newestEventTimestamp: 1_007 });
      // The details show the statistics of the last finished run, not the running one.
      expect((await log.view('a', p)).statistics?.rows).toBe(7);
      await expect(log.view('nope', p)).rejects.toThrow(/No online feature view 'nope'/);
    });
  });
}
