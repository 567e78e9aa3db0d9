/**
 * `slipway monitor business` in process over a real home (SQLite metadata with posted events) and a
 * real inference log: the table of versions × events, the JSON report, and refusals naming the flag.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../test/helpers/run-cli.js';
import { resolveConfig } from '../core/config.js';
import { openParquetInferenceLog } from '../monitoring/inference-log/index.js';
import { openPlatform } from '../platform.js';
import type { InferenceRecord } from '../serving/types.js';

const T0 = Date.parse('2025-03-01T10:00:00Z');
const FROM = new Date(T0 - 3_600_000).toISOString();
const TO = new Date(T0 + 3_600_000).toISOString();

function record(id: string, version: string, latencyMicros: number): InferenceRecord {
  return {
    id,
    model: 'shop',
    version,
    timestamp: T0,
    latencyMicros,
    inputs: [{ name: 'x', datatype: 'FP32', shape: [1], data: new Float32Array([1]) }],
    outputs: [{ name: 'score', datatype: 'FP32', shape: [1], data: new Float32Array([0.5]) }],
  };
}

describe('slipway monitor business', () => {
  let home: string;
  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'slipway-business-cli-'));
    const log = await openParquetInferenceLog({ dir: join(home, 'inference-log'), replicaId: 'r' });
    // Version 1: 4 requests at 1, 2, 3, 4 ms; version 2: 2 requests at 10 and 20 ms.
    log.write([1, 2, 3, 4].map((ms) => record(`a${ms}`, '1', ms * 1000)));
    log.write([10, 20].map((ms) => record(`b${ms}`, '2', ms * 1000)));
    await log.close();
    const platform = await openPlatform(resolveConfig({ home }));
    try {
      await platform.events.upsert(
        [
          { model: 'shop', name: 'converted', requestId: 'a1', rowIndex: 0, value: 1, ts: T0 },
          { model: 'shop', name: 'converted', requestId: 'a3', rowIndex: 0, value: 1, ts: T0 },
          { model: 'shop', name: 'order_value', requestId: 'a3', rowIndex: 0, value: 30, ts: T0 },
          { model: 'shop', name: 'order_value', requestId: 'b10', rowIndex: 0, value: 12.5, ts: T0 },
          { model: 'shop', name: 'converted', requestId: 'never', rowIndex: 0, value: 1, ts: T0 },
        ],
        T0,
      );
    } finally {
      await platform.close();
    }
  });
  afterAll(() => rm(home, { recursive: true, force: true }));

  const args = (model: string, ...more: string[]) => [
    'monitor',
    'business',
    '--model',
    model,
    '--from',
    FROM,
    '--to',
    TO,
    '--inference-log',
    'inference-log',
    '--home',
    home,
    ...more,
  ];

  it('prints one row per version and event, with predictions, p99 latency, count, sum, mean and rate', async () => {
    const { out, exitCode } = await runCli(args('shop'), home);
    expect(exitCode).toBeUndefined();
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toBe(`shop, ${FROM} → ${TO}`);
    expect(lines[1].split(/\s+/)).toEqual([
      'VERSION',
      'PREDICTIONS',
      'P99',
      'MS',
      'EVENT',
      'COUNT',
      'SUM',
      'MEAN',
      'RATE',
    ]);
    // p99 of 1, 2, 3, 4 ms: 3 + 0.97 × 1 = 3.97; of 10, 20 ms: 10 + 0.99 × 10 = 19.9.
    expect(lines.slice(2).map((l) => l.trim().split(/\s+/))).toEqual([
      ['1', '4', '3.97', 'converted', '2', '2', '1', '0.5'],
      ['1', '4', '3.97', 'order_value', '1', '30', '30', '0.25'],
      ['2', '2', '19.9', 'converted', '0', '0', '0'],
      ['2', '2', '19.9', 'order_value', '1', '12.5', '12.5', '0.5'],
      ['events', 'with', 'no', 'logged', 'prediction:', 'converted', '1'],
    ]);
  });

  it('prints the report as JSON with --json, one version with --model NAME/VERSION', async () => {
    const { out } = await runCli(args('shop/2', '--json'), home);
    const report = JSON.parse(out);
    expect(report).toMatchObject({ model: 'shop', version: '2', from: FROM, to: TO });
    expect(report.groups).toMatchObject([{ version: '2', predictions: 2, requests: 2, latencyP50Ms: 15 }]);
  });

  it('refuses a bad window naming the flag', async () => {
    const { err, exitCode } = await runCli(
      ['monitor', 'business', '--model', 'shop', '--window', 'soon', '--inference-log', 'x', '--home', home],
      home,
    );
    expect(exitCode).not.toBe(0);
    expect(exitCode).toBeDefined();
    expect(err).toContain("'window'");
  });
});
