/**
 * (c) The compute ceiling: ONNX Runtime in N worker threads (N = available cores), no HTTP, driven by
 * a closed loop of C concurrent clients that each post a Float32Array and await the answer. Run as
 * its own process (like the servers) so it never shares the bench's event loop.
 *
 *   node --import tsx bench/serving/raw-ort.ts MODEL.onnx DURATION_S WARMUP_S '[{"rows":1,"concurrency":64}]'
 *
 * Prints one JSON line: { workers, results: [{ rows, concurrency, reqPerSec, rowsPerSec, p50, p99, … }] }.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { features, MLP } from './payloads.js';

interface Scenario {
  rows: number;
  concurrency: number;
}

const [modelPath, durationArg, warmupArg, scenariosArg] = process.argv.slice(2);
const scenarios = JSON.parse(scenariosArg) as Scenario[];

interface Pool {
  worker: Worker;
  inFlight: number;
}

/**
 * Worker threads do not inherit tsx's `--import` hooks on Node 20, so the worker registers them
 * itself before importing its TypeScript entry.
 */
const WORKER_BOOT = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
  .then((tsx) => { tsx.register(); return import(${JSON.stringify(new URL('./raw-ort-worker.ts', import.meta.url).href)}); })`;

const pending = new Map<number, () => void>();
let nextId = 0;

async function startWorker(): Promise<Pool> {
  const worker = new Worker(WORKER_BOOT, {
    eval: true,
    workerData: { modelPath, input: MLP.input, output: MLP.output, width: MLP.width },
  });
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
  const pool = { worker, inFlight: 0 };
  worker.on('message', (m: { id: number }) => {
    pool.inFlight--;
    pending.get(m.id)?.();
    pending.delete(m.id);
  });
  return pool;
}

const pools = await Promise.all(Array.from({ length: availableParallelism() }, startWorker));

/** Sends to the least-busy worker, as a server's dispatcher would. */
function infer(data: Float32Array, rows: number): Promise<void> {
  let pool = pools[0];
  for (const p of pools) if (p.inFlight < pool.inFlight) pool = p;
  pool.inFlight++;
  const id = nextId++;
  return new Promise((resolve) => {
    pending.set(id, resolve);
    // Copied, not transferred: every client reuses the one payload, as autocannon reuses its body.
    pool.worker.postMessage({ id, data, rows });
  });
}

async function closedLoop(s: Scenario, seconds: number, record: boolean) {
  const data = features(s.rows, MLP.width);
  const times: number[] = [];
  const start = performance.now();
  const end = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: s.concurrency }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        await infer(data, s.rows);
        if (record) times.push(performance.now() - t0);
      }
    }),
  );
  return { times, elapsed: (performance.now() - start) / 1000 };
}

const results = [];
for (const s of scenarios) {
  await closedLoop(s, Number(warmupArg), false);
  const { times, elapsed } = await closedLoop(s, Number(durationArg), true);
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  results.push({
    ...s,
    seconds: elapsed,
    reqPerSec: times.length / elapsed,
    rowsPerSec: (times.length * s.rows) / elapsed,
    p50: at(0.5),
    p99: at(0.99),
    mean: times.reduce((a, b) => a + b, 0) / times.length,
    ok: times.length,
  });
}
process.stdout.write(`${JSON.stringify({ workers: pools.length, results })}\n`);
await Promise.all(pools.map((p) => p.worker.terminate()));
