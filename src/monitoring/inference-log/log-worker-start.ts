/**
 * Starting the inference log's worker thread (log-worker.ts) and what moves to it: built code runs
 * the compiled worker; tests run the TypeScript source, where the worker registers tsx before
 * importing it (as the ONNX session workers do, see serving/runtime/instance-pool.ts).
 */
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { LogWorkerInit } from './log-worker-protocol.js';
import type { LogRows } from './record-rows.js';

const FROM_SOURCE = import.meta.url.endsWith('.ts');
const WORKER_URL = new URL(FROM_SOURCE ? './log-worker.ts' : './log-worker.js', import.meta.url);
const WORKER_SOURCE = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(WORKER_URL.href)}); })`;

/**
 * Starts the worker and resolves once it has opened DuckDB (it says so first); rejects if it fails.
 *
 * @example const worker = await startLogWorker({ dir, replica: 'serve-a', threads: 1, profilesToFront: false });
 */
export async function startLogWorker(init: LogWorkerInit): Promise<Worker> {
  const worker = new Worker(FROM_SOURCE ? WORKER_SOURCE : fileURLToPath(WORKER_URL), {
    eval: FROM_SOURCE,
    workerData: init,
  });
  await new Promise<void>((ready, fail) => {
    worker.once('error', fail);
    worker.once('message', () => {
      worker.off('error', fail);
      ready();
    });
  });
  return worker;
}

/** The buffers behind a batch's typed columns, moved to the worker instead of copied. */
export function buffersOf(rows: LogRows): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const c of rows.columns) {
    if (c.store !== 'str') out.add(c.values.buffer as ArrayBuffer);
    if (c.valid) out.add(c.valid.buffer as ArrayBuffer);
  }
  return [...out];
}
