import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { type Engine, openInferenceEngine } from '../../serving/engine.js';
import type { Tensor } from '../../serving/types.js';
import { openParquetInferenceLog } from './parquet-inference-log.js';
import { queryInferenceLog } from './query.js';

const FIXTURES = 'test/fixtures/serving/repository';
const tmp: string[] = [];
const newDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'slipway-inference-log-'));
  tmp.push(d);
  return d;
};
afterAll(() => {
  for (const d of tmp) rmSync(d, { recursive: true, force: true });
});

/** Every file under `dir`, relative to it. */
function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

const rowsOf = (n: number, width: number, seed: number): Tensor => ({
  name: 'x',
  datatype: 'FP32',
  shape: [n, width],
  data: Float32Array.from({ length: n * width }, (_, k) => Math.sin(seed * 7 + k) * 3),
});

describe('Parquet inference log fed by a served model', () => {
  let dir: string;
  let engine: Engine | undefined;
  afterEach(async () => {
    await engine?.close();
    engine = undefined;
  });

  async function serve(sampleRate: number, models: string[]) {
    dir = newDir();
    const log = await openParquetInferenceLog({
      dir,
      replicaId: 'replica-a',
      flushRows: 50,
      flushIntervalMs: 3_600_000,
    });
    engine = await openInferenceEngine({
      repository: FIXTURES,
      models,
      defaults: { instanceCount: 1 },
      inferenceLog: { sink: log, sampleRate },
    });
    return { log, engine };
  }

  it('records the inputs sent and the outputs answered, one row per prediction', async () => {
    const { log, engine } = await serve(1, ['mymodel', 'mlp']);
    const sent = [rowsOf(1, 3, 1), rowsOf(2, 3, 2), rowsOf(3, 3, 3)];
    const answers = [];
    for (const x of sent)
      answers.push(await engine.infer({ model: 'mymodel', inputs: [x], id: `req-${answers.length}` }));
    const mlpInput = rowsOf(2, 64, 9);
    const mlp = await engine.infer({ model: 'mlp', inputs: [mlpInput] });
    await engine.close();
    await log.close();

    expect(log.stats).toMatchObject({ rows: 8, droppedRecords: 0, failedRows: 0 });
    const today = new Date().toISOString().slice(0, 10);
    const written = files(dir);
    expect(written).toHaveLength(2);
    expect(written[0]).toMatch(new RegExp(`^mlp/1/date=${today}/replica-a-\\d{13}-\\d+\\.parquet$`));
    expect(written[1]).toMatch(new RegExp(`^mymodel/1/date=${today}/replica-a-\\d{13}-\\d+\\.parquet$`));

    const q = await queryInferenceLog({ dir, model: 'mymodel' });
    const rows = await q.rows('SELECT * FROM inference_log ORDER BY request_id, row_index');
    expect(rows).toHaveLength(6);
    let r = 0;
    for (let i = 0; i < sent.length; i++) {
      const x = sent[i].data as Float32Array;
      const y = answers[i].outputs[0].data as Float32Array;
      for (let row = 0; row < sent[i].shape[0]; row++, r++) {
        expect(rows[r]).toMatchObject({
          request_id: `req-${i}`,
          row_index: row,
          model: 'mymodel',
          version: '1',
          replica: 'replica-a',
          in_x_0: x[row * 3],
          in_x_1: x[row * 3 + 1],
          in_x_2: x[row * 3 + 2],
          out_y: y[row],
        });
        expect(Number(rows[r]['latency_us'])).toBeGreaterThan(0);
        expect(Math.abs((rows[r]['ts'] as Date).getTime() - Date.now())).toBeLessThan(600_000);
      }
    }
    q.close();

    const m = await queryInferenceLog({ dir, model: 'mlp' });
    const cols = (await m.columns()).map((c) => c.name);
    expect(cols).toContain('in_x_63');
    expect(cols).toContain('out_logits_9');
    const second = await m.rows('SELECT in_x_10, out_logits_4 FROM inference_log WHERE row_index = 1');
    expect(second[0]['in_x_10']).toBe((mlpInput.data as Float32Array)[64 + 10]);
    expect(second[0]['out_logits_4']).toBe((mlp.outputs[0].data as Float32Array)[10 + 4]);
    m.close();
  });

  it('records about the configured share of requests', async () => {
    const { log, engine } = await serve(0.25, ['mymodel']);
    const n = 400;
    for (let i = 0; i < n; i++) await engine.infer({ model: 'mymodel', inputs: [rowsOf(1, 3, i)] });
    await engine.close();
    await log.close();
    const q = await queryInferenceLog({ dir, model: 'mymodel' });
    const logged = await q.count();
    q.close();
    // Binomial(400, 0.25): mean 100, sd 8.7; ±5 sd fails by chance about once in 3 million runs.
    expect(logged).toBeGreaterThan(56);
    expect(logged).toBeLessThan(144);
  });

  it('records nothing at sample rate 0, and the query over an empty log has no rows', async () => {
    const { log, engine } = await serve(0, ['mymodel']);
    for (let i = 0; i < 20; i++) await engine.infer({ model: 'mymodel', inputs: [rowsOf(1, 3, i)] });
    await engine.close();
    await log.close();
    expect(files(dir)).toEqual([]);
    const q = await queryInferenceLog({ dir, model: 'mymodel' });
    expect(await q.count()).toBe(0);
    q.close();
  });

  it('writes a segment once flushRows rows are buffered, before close', async () => {
    const { log, engine } = await serve(1, ['mymodel']);
    for (let i = 0; i < 60; i++) await engine.infer({ model: 'mymodel', inputs: [rowsOf(1, 3, i)] });
    // The flush interval is an hour: only the 50-row threshold can have written this segment.
    await vi.waitFor(() => expect(log.stats.segments).toBe(1), { timeout: 20_000 });
    await engine.close();
    await log.close();
    const q = await queryInferenceLog({ dir, model: 'mymodel' });
    expect(await q.count()).toBe(60);
    q.close();
  });
  it('starts a new worker when the worker dies: serving goes on, what was lost is counted, later requests are logged', async () => {
    const { log, engine } = await serve(1, ['mymodel']);
    const errors: unknown[] = [];
    (log as unknown as { opts: { onError?: (e: unknown) => void } }).opts.onError = (e) => errors.push(e);
    const infer = (id: string) => engine.infer({ model: 'mymodel', inputs: [rowsOf(1, 3, 1)], id });
    for (let i = 0; i < 10; i++) await infer(`before-${i}`);
    // The engine hands records over just after answering: flush until all ten are written.
    for (let tries = 0; log.stats.rows < 10 && tries < 500; tries++) {
      await new Promise((r) => setTimeout(r, 10));
      await log.flush();
    }
    expect(log.stats.rows).toBe(10);
    // Kill the worker as a crash would; requests go on being answered.
    await (log as unknown as { worker: Worker }).worker.terminate();
    for (let i = 0; i < 10; i++) expect((await infer(`down-${i}`)).outputs).toHaveLength(1);
    await vi.waitFor(() => expect(log.stats.workerRestarts).toBe(1), { timeout: 20_000 });
    for (let i = 0; i < 10; i++) await infer(`after-${i}`);
    await engine.close();
    await log.close();

    expect(String(errors[0])).toContain('inference log worker exited');
    const q = await queryInferenceLog({ dir, model: 'mymodel' });
    const ids = (await q.rows('SELECT request_id FROM inference_log')).map((r) => String(r['request_id']));
    q.close();
    const { droppedRecords, failedRows } = log.stats;
    expect(ids.filter((id) => id.startsWith('before-'))).toHaveLength(10);
    expect(ids.filter((id) => id.startsWith('after-'))).toHaveLength(10);
    // Requests answered while the worker was down are written, or dropped or lost and counted.
    expect(ids.filter((id) => id.startsWith('down-')).length + droppedRecords + failedRows).toBe(10);
  });
});
