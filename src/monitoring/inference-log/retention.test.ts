import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { InferenceRecord } from '../../serving/types.js';
import { openParquetInferenceLog } from './parquet-inference-log.js';
import { queryInferenceLog } from './query.js';
import { sweepInferenceLog } from './retention.js';

const tmp: string[] = [];
const newDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'slipway-inference-retention-'));
  tmp.push(d);
  return d;
};
afterAll(() => {
  for (const d of tmp) rmSync(d, { recursive: true, force: true });
});

const DAY = 86_400_000;
const T0 = Date.parse('2024-05-01T12:00:00Z');

function records(model: string, timestamp: number, n: number): InferenceRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `${model}-${timestamp}-${i}`,
    model,
    version: '1',
    timestamp,
    latencyMicros: 100,
    inputs: [
      { name: 'x', datatype: 'FP64', shape: [1, 4], data: Float64Array.from([i, i * 2, i * 3, i * 5]) },
    ],
    outputs: [{ name: 'y', datatype: 'FP64', shape: [1, 1], data: new Float64Array([Math.sqrt(i)]) }],
  }));
}

function segments(dir: string): Array<{ path: string; bytes: number }> {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .map((p) => ({ path: relative(dir, p), bytes: statSync(p).size }))
    .sort((a, b) => a.path.localeCompare(b.path));
}

/** Writes one segment per (model, time) with the log's clock pinned at that time. */
async function writeAt(dir: string, writes: Array<[string, number, number]>): Promise<void> {
  let now = 0;
  const log = await openParquetInferenceLog({ dir, replicaId: 'r', clock: { now: () => now } });
  for (const [model, at, n] of writes) {
    now = at;
    log.write(records(model, at, n));
    await log.flush();
  }
  await log.close();
}

async function count(dir: string, model: string): Promise<number> {
  const q = await queryInferenceLog({ dir, model });
  const n = await q.count();
  q.close();
  return n;
}

describe('inference log retention', () => {
  it('deletes segments older than the maximum age, on open and when swept', async () => {
    const dir = newDir();
    await writeAt(dir, [
      ['fraud', T0, 10],
      ['fraud', T0 + 3 * DAY, 20],
      ['churn', T0 + 5 * DAY, 30],
    ]);
    expect(await count(dir, 'fraud')).toBe(30);

    // Opening with a 7-day policy at T0 + 8 days sweeps the first segment (and its emptied date folder).
    let now = T0 + 8 * DAY;
    const log = await openParquetInferenceLog({
      dir,
      replicaId: 'r',
      clock: { now: () => now },
      retention: { maxAgeMs: 7 * DAY },
    });
    expect(await count(dir, 'fraud')).toBe(20);
    expect(segments(dir).map((s) => s.path.split('/').slice(0, 3).join('/'))).toEqual([
      'churn/1/date=2024-05-06',
      'fraud/1/date=2024-05-04',
    ]);

    now = T0 + 11 * DAY;
    expect(await log.sweep()).toMatchObject({ deletedFiles: 1 });
    expect(await count(dir, 'fraud')).toBe(0);
    expect(await count(dir, 'churn')).toBe(30);
    await log.close();
  });

  it('deletes the oldest segments of a model beyond its byte budget, leaving other models alone', async () => {
    const dir = newDir();
    await writeAt(dir, [
      ['fraud', T0, 100],
      ['fraud', T0 + 1000, 200],
      ['fraud', T0 + 2000, 300],
      ['churn', T0, 100],
    ]);
    const fraud = segments(dir).filter((s) => s.path.startsWith('fraud/'));
    const [oldest, middle, newest] = fraud.sort((a, b) => a.path.localeCompare(b.path));
    expect(oldest.path).toContain(`-${T0}-`);
    const budget = middle.bytes + newest.bytes;

    const swept = await sweepInferenceLog(dir, { maxBytes: budget }, T0 + 3000);
    expect(swept).toEqual({ deletedFiles: 1, deletedBytes: oldest.bytes });
    expect(await count(dir, 'fraud')).toBe(500);
    expect(await count(dir, 'churn')).toBe(100);

    await sweepInferenceLog(dir, { maxBytes: newest.bytes - 1 }, T0 + 3000);
    expect(await count(dir, 'fraud')).toBe(0);
    expect(await count(dir, 'churn')).toBe(100);
  });
});
