import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane } from '../../../test/helpers/control-plane.js';
import {
  NOW,
  registerModels,
  SCRIPT,
  writeReference,
  writeServedTraffic,
} from '../../../test/helpers/drift-report-fixture.js';
import type { Platform } from '../../platform.js';
import { detectColumnDrift } from '../drift/index.js';
import { queryInferenceLog } from '../inference-log/index.js';
import { buildDriftReport } from './build-report.js';
import { renderDriftReportHtml } from './html-report.js';
import type { ReportStores } from './reference.js';

describe('buildDriftReport', () => {
  let platform: Platform;
  let close: () => Promise<void>;
  let stores: ReportStores;
  const dir = mkdtempSync(join(tmpdir(), 'slipway-report-'));
  const logDir = join(dir, 'inference-log');
  const referencePath = join(dir, 'train.parquet');

  beforeAll(async () => {
    ({ platform, close } = await startControlPlane());
    stores = {
      registry: platform.registry,
      datasets: platform.datasets,
      artifacts: platform.artifacts.store,
    };
    await writeReference(referencePath);
    await writeServedTraffic(logDir);
    await writeServedTraffic(logDir, 'repo-model', '1');
    await registerModels(platform, referencePath);
  });
  afterAll(async () => {
    await close?.();
    rmSync(dir, { recursive: true, force: true });
  });

  it("flags the shifted column against the training set from the model's lineage, and only that one", async () => {
    const report = await buildDriftReport({
      stores,
      inferenceLogDir: logDir,
      model: 'fraud@champion',
      window: '24h',
      now: NOW,
    });
    expect(report).toMatchObject({ model: 'fraud', version: '1', method: 'exact' });
    expect(report.reference).toEqual({ kind: 'dataset', source: 'fraud_train/1', trainingDataset: true });
    expect(report.rows.current).toEqual({ rows: 400, used: 400, sampled: false });
    expect(report.rows.reference.rows).toBe(600);
    const verdicts = Object.fromEntries(report.columns.map((c) => [c.column, [c.test, c.drifted]]));
    expect(verdicts).toEqual({
      in_x_0: ['ks', false],
      in_x_1: ['ks', true],
      in_x_2: ['ks', false],
      in_country: ['chisquare', false],
    });
    expect(report.datasetDrift).toMatchObject({
      drifted: false,
      testedColumns: 4,
      driftedColumns: 1,
      share: 0.25,
    });
    expect(report.predictionDrift).toMatchObject({
      column: 'out_score',
      referenceColumn: 'score',
      drifted: false,
    });
    const x1 = report.columns.find((c) => c.column === 'in_x_1')!;
    expect(x1.pValue).toBeLessThan(1e-6);
    expect(x1.histogram!.reference.reduce((a, b) => a + b, 0)).toBe(600);
    expect(x1.histogram!.current.reduce((a, b) => a + b, 0)).toBe(400);
    const country = report.columns.find((c) => c.column === 'in_country')!;
    expect(country.categories!.categories).toContain(SCRIPT);
  });

  it("gives the drift tests' own verdict on the values read straight from the files", async () => {
    const report = await buildDriftReport({
      stores,
      inferenceLogDir: logDir,
      model: 'fraud',
      window: '24h',
      now: NOW,
    });
    const log = await queryInferenceLog({ dir: logDir, model: 'fraud' });
    const current = (await log.rows('SELECT in_x_1 FROM inference_log')).map((r) => Number(r['in_x_1']));
    log.close();
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const reference = (await conn.runAndReadAll(`SELECT x_1 FROM read_parquet('${referencePath}')`))
      .getRowsJS()
      .map((r) => Number(r[0]));
    conn.closeSync();
    db.closeSync();
    const expected = detectColumnDrift({ column: 'in_x_1', kind: 'numeric', reference, current });
    const x1 = report.columns.find((c) => c.column === 'in_x_1')!;
    expect([x1.test, x1.score, x1.pValue, x1.drifted]).toEqual([
      expected.test,
      expected.score,
      expected.pValue,
      expected.drifted,
    ]);
  });

  it("tests a seeded uniform sample beyond the row cap when asked for 'sample', and says so", async () => {
    const report = await buildDriftReport({
      stores,
      inferenceLogDir: logDir,
      model: 'fraud/1',
      window: '24h',
      reference: referencePath,
      rowCap: 300,
      largeMethod: 'sample',
      now: NOW,
    });
    expect(report.method).toBe('sample');
    expect(report.rows.reference).toEqual({ rows: 600, used: 300, sampled: true });
    expect(report.rows.current).toEqual({ rows: 400, used: 300, sampled: true });
    expect(report.reference).toMatchObject({ kind: 'file', trainingDataset: false });
    expect(report.columns.find((c) => c.column === 'in_x_1')!.drifted).toBe(true);
  });

  it('beyond the row cap reads every row through DuckDB by default, with the exact verdicts', async () => {
    const base = { stores, inferenceLogDir: logDir, model: 'fraud/1', window: '24h', now: NOW };
    const exact = await buildDriftReport({ ...base, reference: referencePath });
    const large = await buildDriftReport({ ...base, reference: referencePath, rowCap: 100 });
    expect(large.rows.current).toEqual({ rows: 400, used: 400, sampled: false });
    // A 600-row reference gets KS and chi-squared, both exact from counts on the large-data path.
    expect(large.method).toBe('exact');
    for (const [i, col] of large.columns.entries()) {
      const want = exact.columns[i]!;
      expect([col.column, col.test, col.method, col.drifted]).toEqual([
        want.column,
        want.test,
        'exact',
        want.drifted,
      ]);
      expect(col.score!).toBeCloseTo(want.score!, 12);
    }
  });

  it('renders one self-contained HTML page with an <svg> per feature and every string escaped', async () => {
    const report = await buildDriftReport({
      stores,
      inferenceLogDir: logDir,
      model: 'fraud',
      window: '24h',
      now: NOW,
    });
    report.columns[0]!.column = '<script>';
    const html = renderDriftReportHtml(report);
    expect(html.match(/<svg /g)).toHaveLength(report.columns.length + 1);
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;script&gt;');
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(html).toContain('1 / 4 (25 %)');
  });

  it('reports a model served from a repository folder (not in the registry) against a given reference', async () => {
    const base = { stores, inferenceLogDir: logDir, model: 'repo-model/1', window: '24h', now: NOW };
    const report = await buildDriftReport({ ...base, reference: referencePath });
    expect([report.model, report.version]).toEqual(['repo-model', '1']);
    expect(report.columns.filter((c) => c.drifted).map((c) => c.column)).toEqual(['in_x_1']);
    await expect(buildDriftReport(base)).rejects.toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST' });
  });

  it('names what to pass when the model records no training dataset', async () => {
    await expect(
      buildDriftReport({ stores, inferenceLogDir: logDir, model: 'plain', window: '24h', now: NOW }),
    ).rejects.toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
      message: expect.stringMatching(/--reference/),
    });
  });

  it('refuses an unknown model, a bad window and an empty window', async () => {
    const base = { stores, inferenceLogDir: logDir, now: NOW, reference: referencePath };
    await expect(buildDriftReport({ ...base, model: 'nope', window: '24h' })).rejects.toMatchObject({
      code: 'RESOURCE_DOES_NOT_EXIST',
    });
    await expect(buildDriftReport({ ...base, model: 'fraud', window: 'yesterday' })).rejects.toThrow(
      /'window'.*'yesterday'/,
    );
    await expect(buildDriftReport({ ...base, model: 'fraud', window: '1m' })).rejects.toMatchObject({
      code: 'RESOURCE_DOES_NOT_EXIST',
      message: expect.stringMatching(/No predictions/),
    });
  });
});
