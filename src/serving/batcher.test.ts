import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Batcher, type BatcherOptions } from './batcher.js';
import { InstancePool } from './runtime/instance-pool.js';
import type { Tensor } from './types.js';

const MLP = readFileSync('test/fixtures/serving/repository/mlp/1/model.onnx');

function rows(n: number, seed: number): Tensor {
  const data = new Float32Array(n * 64);
  for (let k = 0; k < data.length; k++) data[k] = Math.sin(seed * 131 + k);
  return { name: 'x', datatype: 'FP32', shape: [n, 64], data };
}

describe('Batcher', () => {
  let pool: InstancePool;
  const batches: number[] = [];
  const options = (o: Partial<BatcherOptions> = {}): BatcherOptions => ({
    maxBatchSize: 64,
    maxQueueDelayMicros: 0,
    maxQueueSize: 1000,
    timeoutMs: 0,
    ragged: false,
    onBatch: (r) => batches.push(r),
    ...o,
  });

  beforeAll(async () => {
    pool = await InstancePool.open({
      modelBytes: MLP,
      count: 1,
      providers: ['cpu'],
      session: { intraOpNumThreads: 1 },
    });
  });
  afterAll(() => pool.close());

  it('merges concurrent requests and hands each its own rows back, in order', async () => {
    const batcher = new Batcher(pool, options());
    const inputs = Array.from({ length: 40 }, (_, k) => rows(1 + (k % 3), k));
    // Reference: each request alone.
    const alone: Awaited<ReturnType<Batcher['submit']>>[] = [];
    for (const t of inputs) alone.push(await batcher.submit([t], t.shape[0]));
    batches.length = 0;
    const together = await Promise.all(inputs.map((t) => batcher.submit([t], t.shape[0])));
    expect(Math.max(...batches)).toBeGreaterThan(3);
    together.forEach((r, k) => {
      expect(r.outputs[0].shape).toEqual([inputs[k].shape[0], 10]);
      const got = Array.from(r.outputs[0].data as Float32Array);
      const want = Array.from(alone[k].outputs[0].data as Float32Array);
      for (let j = 0; j < got.length; j++) expect(got[j]).toBeCloseTo(want[j], 5);
    });
  });

  it('never merges beyond max_batch_size rows', async () => {
    const batcher = new Batcher(pool, options({ maxBatchSize: 5 }));
    batches.length = 0;
    await Promise.all(Array.from({ length: 30 }, (_, k) => batcher.submit([rows(2, k)], 2)));
    expect(Math.max(...batches)).toBeLessThanOrEqual(5);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(60);
  });

  it('runs each request alone when max_batch_size is 0', async () => {
    const batcher = new Batcher(pool, options({ maxBatchSize: 0 }));
    batches.length = 0;
    await Promise.all(Array.from({ length: 10 }, (_, k) => batcher.submit([rows(1, k)], 1)));
    expect(batches).toEqual(Array(10).fill(1));
  });

  it('waits up to max_queue_delay to fill a batch when an instance is idle', async () => {
    const batcher = new Batcher(pool, options({ maxQueueDelayMicros: 50_000 }));
    batches.length = 0;
    const first = batcher.submit([rows(1, 1)], 1);
    await new Promise((r) => setTimeout(r, 5));
    const second = batcher.submit([rows(1, 2)], 1);
    await Promise.all([first, second]);
    expect(batches).toEqual([2]);
  });

  it('refuses with REQUEST_LIMIT_EXCEEDED once the queue is full', async () => {
    const batcher = new Batcher(pool, options({ maxQueueSize: 4, maxBatchSize: 1 }));
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, k) => batcher.submit([rows(1, k)], 1)),
    );
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) expect((r as PromiseRejectedResult).reason.code).toBe('REQUEST_LIMIT_EXCEEDED');
    expect(results.filter((r) => r.status === 'fulfilled').length).toBeGreaterThanOrEqual(4);
  });

  it('times out requests still waiting past timeout_ms with DEADLINE_EXCEEDED', async () => {
    const busy = new Batcher(pool, options({ maxBatchSize: 0 }));
    // Keep the only instance busy with large batches, so the short-deadline request waits.
    const load = Array.from({ length: 6 }, (_, k) => busy.submit([rows(4096, k)], 4096));
    const hurried = new Batcher(pool, options({ timeoutMs: 1 }));
    await expect(hurried.submit([rows(1, 0)], 1)).rejects.toMatchObject({ code: 'DEADLINE_EXCEEDED' });
    await Promise.all(load);
  });

  it('drops a queued request whose client went away, without computing it', async () => {
    const batcher = new Batcher(pool, options({ maxBatchSize: 1 }));
    const load = Array.from({ length: 4 }, (_, k) =>
      batcher.submit([rows(4096, k)], 4096).catch(() => undefined),
    );
    const ac = new AbortController();
    const gone = batcher.submit([rows(1, 0)], 1, undefined, { signal: ac.signal });
    ac.abort();
    await expect(gone).rejects.toMatchObject({ code: 'CANCELLED' });
    await Promise.all(load);
    expect(batcher.inFlight).toBe(0);
  });

  it('drops a queued request whose cancellation check says its client is gone', async () => {
    const batcher = new Batcher(pool, options({ maxBatchSize: 1 }));
    const load = Array.from({ length: 4 }, (_, k) => batcher.submit([rows(4096, k)], 4096));
    let gone = false;
    const waiting = batcher.submit([rows(1, 0)], 1, undefined, { isCancelled: () => gone });
    gone = true;
    await expect(waiting).rejects.toMatchObject({ code: 'CANCELLED' });
    await Promise.all(load);
  });

  it('replaces a session worker that died, so the model keeps answering', async () => {
    const own = await InstancePool.open({ modelBytes: MLP, count: 1, providers: ['cpu'], session: {} });
    try {
      const batcher = new Batcher(own, options());
      await own.crashOne();
      expect(own.liveCount).toBe(0);
      const deadline = Date.now() + 10_000;
      while (own.liveCount < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(own.liveCount).toBe(1);
      const r = await batcher.submit([rows(1, 5)], 1);
      expect(r.outputs[0].shape).toEqual([1, 10]);
    } finally {
      await own.close();
    }
  });

  it('drain resolves only after queued and running requests finish', async () => {
    const batcher = new Batcher(pool, options());
    let finished = 0;
    const work = Array.from({ length: 8 }, (_, k) =>
      batcher.submit([rows(512, k)], 512).then(() => finished++),
    );
    await batcher.drain();
    expect(finished).toBe(8);
    await Promise.all(work);
  });
});
