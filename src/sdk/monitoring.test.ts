/**
 * Monitoring through the SDK, over HTTP (a real server with an inference log) and in-process
 * (`Slipway.open({ home, inferenceLogDir })`) alike, over one inference log written by the log's own
 * writer: labels and outcome events accepted and their request ids verified, performance, business
 * metrics and drift reports read from it; both clients must give the same answers and the same errors.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane } from '../../test/helpers/control-plane.js';
import {
  registerModels,
  T0,
  writeReference,
  writeServedTraffic,
} from '../../test/helpers/drift-report-fixture.js';
import { isSlipwayError } from '../core/errors.js';
import { openParquetInferenceLog } from '../monitoring/inference-log/index.js';
import type { Platform } from '../platform.js';
import type { InferenceRecord } from '../serving/types.js';
import { Slipway } from './index.js';
import type { LocalClient } from './local-client.js';
import type { SlipwayClient } from './types.js';

/** Served predictions of the regression model `price`, per request id (float32-exact values). */
const PRICES: Record<string, number[]> = { p1: [10.5, 20.25], p2: [7], p3: [3.5, 8] };
/** Their labels: every row of p1 and p2, none of p3. */
const TRUTH: Array<{ requestId: string; rowIndex: number; value: number }> = [
  { requestId: 'p1', rowIndex: 0, value: 12 },
  { requestId: 'p1', rowIndex: 1, value: 20 },
  { requestId: 'p2', rowIndex: 0, value: 9 },
];
const FROM = new Date(T0 - 3_600_000);
const TO = new Date(T0 + 3_600_000);

function priceRecord(id: string, i: number): InferenceRecord {
  const preds = PRICES[id]!;
  return {
    id,
    model: 'price',
    version: '1',
    timestamp: T0 + i * 1000,
    latencyMicros: 200,
    inputs: [{ name: 'x', datatype: 'FP32', shape: [preds.length, 1], data: new Float32Array(preds.length) }],
    outputs: [{ name: 'price', datatype: 'FP32', shape: [preds.length, 1], data: new Float32Array(preds) }],
  };
}

/** One inference log (fraud traffic for drift, price traffic for labels) and a reference file. */
const dir = mkdtempSync(join(tmpdir(), 'slipway-sdk-monitoring-'));
const logDir = join(dir, 'inference-log');
const reference = join(dir, 'train.parquet');

interface Opened {
  client: SlipwayClient;
  /** The same way in, without an inference log. */
  bare: SlipwayClient;
  close(): Promise<void>;
}

async function openHttp(): Promise<Opened> {
  const plane = await startControlPlane({ listen: true, server: { inferenceLogDir: logDir } });
  const barePlane = await startControlPlane({ listen: true });
  await registerModels(plane.platform, reference);
  return {
    client: Slipway.connect(plane.url),
    bare: Slipway.connect(barePlane.url),
    close: async () => {
      await plane.close();
      await barePlane.close();
    },
  };
}

async function openLocal(): Promise<Opened> {
  const home = mkdtempSync(join(tmpdir(), 'slipway-sdk-monitoring-home-'));
  const client = await Slipway.open({ home: join(home, 'a'), inferenceLogDir: logDir });
  const bare = await Slipway.open({ home: join(home, 'b') });
  await registerModels((client as LocalClient).platform as Platform, reference);
  return {
    client,
    bare,
    close: async () => {
      await client.close();
      await bare.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

beforeAll(async () => {
  await writeReference(reference);
  await writeServedTraffic(logDir);
  const log = await openParquetInferenceLog({ dir: logDir, replicaId: 'price' });
  log.write(Object.keys(PRICES).map(priceRecord));
  await log.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What each client answered, compared at the end. */
const seen: Record<string, Record<string, unknown>> = { HTTP: {}, local: {} };

describe.each([
  ['HTTP', openHttp],
  ['local', openLocal],
])('monitoring through the %s client', (name, open) => {
  let o: Opened;
  beforeAll(async () => {
    o = await open();
  });
  afterAll(() => o?.close());

  it('accepts labels, verifying their request ids against the inference log', async () => {
    const accepted = await o.client.monitoring.logLabels('price', [
      ...TRUTH,
      { requestId: 'lost-1', value: 4 },
      { requestId: 'lost-2', value: 4 },
    ]);
    expect(accepted).toEqual({
      model: 'price',
      accepted: 5,
      verified: true,
      unknownRequestIds: 2,
      unknownRequestIdSample: ['lost-1', 'lost-2'],
    });
    seen[name]!.labels = accepted;
  });

  it('measures regression performance from the labels: the MAE of the labelled rows', async () => {
    const report = await o.client.monitoring.performance({
      model: 'price',
      prediction: 'out_price',
      task: 'regression',
      from: FROM,
      to: TO.toISOString(),
    });
    const errors = TRUTH.map((t) => Math.abs(PRICES[t.requestId]![t.rowIndex]! - t.value));
    const mae = errors.reduce((a, b) => a + b, 0) / errors.length;
    expect(report.groups).toHaveLength(1);
    expect(report.groups[0]).toMatchObject({ predictions: 5, labelled: 3 });
    expect(report.groups[0]!.realized.mae).toBeCloseTo(mae, 12);
    expect(report).toMatchObject({ model: 'price', task: 'regression', version: null, unmatchedLabels: 2 });
    expect(report.window).toEqual({
      from: FROM.toISOString(),
      to: TO.toISOString(),
      label: `${FROM.toISOString()} – ${TO.toISOString()}`,
    });
    seen[name]!.performance = report;
  });

  it('accepts outcome events and reports them per version beside the traffic', async () => {
    const accepted = await o.client.monitoring.logEvents('price', [
      { name: 'sold', requestId: 'p1' },
      { name: 'sold', requestId: 'p3', rowIndex: 1, ts: new Date(T0 + 60_000) },
      { name: 'revenue', requestId: 'p3', rowIndex: 1, value: 8.5 },
      { name: 'sold', requestId: 'never-served' },
    ]);
    expect(accepted).toMatchObject({ accepted: 4, verified: true, unknownRequestIds: 1 });
    const report = await o.client.monitoring.business({ model: 'price', from: FROM, to: TO });
    expect(report.groups).toHaveLength(1);
    expect(report.groups[0]).toMatchObject({ version: '1', predictions: 5, requests: 3 });
    expect(report.groups[0]!.events).toEqual([
      { name: 'revenue', events: 1, sum: 8.5, mean: 8.5, rate: 1 / 5 },
      { name: 'sold', events: 2, sum: 2, mean: 1, rate: 2 / 5 },
    ]);
    expect(report.unmatchedEvents).toEqual({ sold: 1 });
    seen[name]!.business = report;
  });

  it('builds the drift report of a version against its training dataset', async () => {
    const report = await o.client.monitoring.driftReport({ model: 'fraud@champion', from: FROM, to: TO });
    expect(report).toMatchObject({ model: 'fraud', version: '1', reference: { trainingDataset: true } });
    expect(report.rows.current.rows).toBe(400);
    const drifted = report.columns.filter((c) => c.drifted).map((c) => c.column);
    expect(drifted).toEqual(['in_x_1']);
    expect(report.columns.map((c) => c.column).sort()).toEqual(['in_country', 'in_x_0', 'in_x_1', 'in_x_2']);
    const { generatedAt: _, ...rest } = report;
    seen[name]!.drift = rest;
  });

  it('refuses a malformed label naming the field, storing nothing of the batch', async () => {
    const err = await o.client.monitoring
      .logLabels('price', [{ requestId: 'p3', value: 1 }, { requestId: 'p3' } as never])
      .catch((e: unknown) => e);
    expect(isSlipwayError(err) && err.code).toBe('INVALID_PARAMETER_VALUE');
    expect(isSlipwayError(err) && err.details.field).toBe('labels[1].value');
    const after = await o.client.monitoring.performance({
      model: 'price',
      prediction: 'out_price',
      task: 'regression',
      from: FROM,
      to: TO,
    });
    expect(after.groups[0]).toMatchObject({ labelled: 3 });
    const nan = await o.client.monitoring
      .logEvents('price', [{ name: 'sold', requestId: 'p1', value: Number.NaN }])
      .catch((e: unknown) => e);
    seen[name]!.errors = [err, nan].map((e) => ({ ...(e as Error), message: (e as Error).message }));
  });

  it('without an inference log, accepts labels unverified and refuses reports naming inference-log', async () => {
    expect(await o.bare.monitoring.logLabels('price', [{ requestId: 'p1', value: 1 }])).toEqual({
      model: 'price',
      accepted: 1,
      verified: false,
      unknownRequestIds: null,
      unknownRequestIdSample: [],
    });
    const err = await o.bare.monitoring
      .performance({ model: 'price', prediction: 'out_price', window: '1h' })
      .catch((e: unknown) => e);
    expect(isSlipwayError(err) && err.code).toBe('INVALID_PARAMETER_VALUE');
    expect(isSlipwayError(err) && err.details.field).toBe('inference-log');
  });
});

describe('both ways in', () => {
  it('give the same answers, reports and errors', () => {
    for (const key of ['labels', 'performance', 'business', 'drift', 'errors'])
      expect(seen.local![key], key).toEqual(seen.HTTP![key]);
    expect((seen.HTTP!.errors as Array<{ message: string }>)[1]!.message).toContain("'events[0].value'");
  });
});
