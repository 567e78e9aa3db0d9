import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import type { InferenceRecord } from '../../serving/types.js';
import { openParquetInferenceLog } from './parquet-inference-log.js';
import { inferenceLogScans, inferenceLogSql, queryInferenceLog } from './query.js';

const tmp: string[] = [];
const newDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'slipway-inference-query-'));
  tmp.push(d);
  return d;
};
afterAll(() => {
  for (const d of tmp) rmSync(d, { recursive: true, force: true });
});

const DAY = 86_400_000;
const T0 = Date.parse('2024-05-01T12:00:00Z');

/** A one-row record of a two-feature model, as the engine's hook hands it over. */
function record(id: string, timestamp: number, a: number, version = '1'): InferenceRecord {
  return {
    id,
    model: 'fraud',
    version,
    timestamp,
    latencyMicros: 250,
    inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 2], data: new Float32Array([a, a + 0.5]) }],
    outputs: [{ name: 'score', datatype: 'FP32', shape: [1, 1], data: new Float32Array([a / 10]) }],
  };
}

describe('queryInferenceLog', () => {
  it('reads segments from two replicas in one folder together', async () => {
    const dir = newDir();
    const a = await openParquetInferenceLog({ dir, replicaId: 'serve-a' });
    const b = await openParquetInferenceLog({ dir, replicaId: 'serve-b' });
    a.write([record('a1', T0, 1), record('a2', T0 + 1000, 2)]);
    b.write([record('b1', T0 + 500, 3)]);
    await Promise.all([a.close(), b.close()]);

    const q = await queryInferenceLog({ dir, model: 'fraud' });
    const rows = await q.rows('SELECT request_id, replica, in_x_1 FROM inference_log ORDER BY ts');
    expect(rows).toEqual([
      { request_id: 'a1', replica: 'serve-a', in_x_1: 1.5 },
      { request_id: 'b1', replica: 'serve-b', in_x_1: 3.5 },
      { request_id: 'a2', replica: 'serve-a', in_x_1: 2.5 },
    ]);
    q.close();
  });

  it('selects a version and a time window, reading segments of several days', async () => {
    const dir = newDir();
    const log = await openParquetInferenceLog({ dir, replicaId: 'r' });
    log.write([
      record('d0', T0, 1),
      record('d1', T0 + DAY, 2),
      record('d2', T0 + 2 * DAY, 3),
      record('v2', T0 + DAY, 4, '2'),
    ]);
    await log.close();

    const all = await queryInferenceLog({ uri: pathToFileURL(dir).href, model: 'fraud' });
    expect(await all.count()).toBe(4);
    all.close();
    const window = await queryInferenceLog({
      dir,
      model: 'fraud',
      version: '1',
      from: new Date(T0 + DAY),
      to: new Date(T0 + 2 * DAY),
    });
    expect(await window.rows('SELECT request_id, date FROM inference_log')).toEqual([
      { request_id: 'd1', date: new Date('2024-05-02T00:00:00Z') },
    ]);
    window.close();
  });

  it('streams the log in chunks without changing a row', async () => {
    const dir = newDir();
    const log = await openParquetInferenceLog({ dir, replicaId: 'r' });
    log.write(Array.from({ length: 5000 }, (_, i) => record(`r${i}`, T0 + i, i)));
    await log.close();
    const q = await queryInferenceLog({ dir, model: 'fraud' });
    let seen = 0;
    let sum = 0;
    let chunks = 0;
    for await (const rows of q.chunks(2048, 'SELECT in_x_0 FROM inference_log')) {
      chunks++;
      seen += rows.length;
      for (const r of rows) sum += r['in_x_0'] as number;
    }
    expect(seen).toBe(5000);
    expect(sum).toBe((4999 * 5000) / 2);
    expect(chunks).toBeGreaterThan(1);
    q.close();
  });

  it('names the field in errors for a bad selection', async () => {
    await expect(queryInferenceLog({ dir: newDir(), model: '../etc' })).rejects.toThrow(
      "Invalid value for 'model'",
    );
    await expect(queryInferenceLog({ uri: 's3://bucket/log', model: 'fraud' })).rejects.toThrow(
      "Invalid value for 'uri': expected a file:// URI",
    );
    await expect(
      queryInferenceLog({ dir: newDir(), model: 'fraud', from: new Date('nope') }),
    ).rejects.toThrow("Invalid value for 'from': expected a valid Date");
  });
  it('splits a long window into scans of a few segments that read, together, the same rows', async () => {
    const dir = newDir();
    // Five replicas' segments on each of three days; the window starts an hour before the second
    // day's rows and ends after the third's.
    for (let r = 0; r < 5; r++) {
      const log = await openParquetInferenceLog({ dir, replicaId: `r${r}` });
      log.write([0, 1, 2].map((d) => record(`r${r}-d${d}`, T0 + d * DAY + r, d * 10 + r)));
      await log.close();
    }
    const sel = { dir, model: 'fraud', from: new Date(T0 + DAY - 3_600_000), to: new Date(T0 + 3 * DAY) };
    const conn = await (await DuckDBInstance.create(':memory:')).connect();
    const scans = await inferenceLogScans(conn, sel, 3);
    expect(scans).toHaveLength(4); // 10 segment files in range (day 0 left out by its folder), 3 per scan
    const ids = async (sql: string) =>
      ((await conn.runAndReadAll(`SELECT request_id FROM (${sql})`)).getRowsJS() as string[][]).map(
        (r) => r[0],
      );
    const fromScans = (await Promise.all(scans.map(ids))).flat().sort();
    const whole = (await ids((await inferenceLogSql(conn, sel))!)).sort();
    expect(fromScans).toEqual(whole);
    expect(whole).toHaveLength(10);
    expect(whole).not.toContain('r0-d0');
    expect(await inferenceLogScans(conn, { dir: newDir(), model: 'fraud' })).toEqual([]);
    conn.closeSync();
  });
});
