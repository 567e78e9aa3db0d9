/**
 * The inference log's worker thread: everything slow about logging happens here, off the serving
 * event loop — row batches are gathered per segment, written through DuckDB's appender and COPY
 * (segment-writer.ts), old segments swept (retention.ts), and the logged columns profiled per time
 * window (window-profiler.ts), closed windows going to JSON sidecars or back to the front for its
 * profile store. It acts only on the front's orders (log-worker-protocol.ts) and in their order.
 */
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DatasetProfile } from '../profiles/dataset-profile.js';
import { writeProfileSidecar } from '../profiles/profile-sidecars.js';
import type { FromLogWorker, LogWorkerInit, ToLogWorker } from './log-worker-protocol.js';
import type { LogRows } from './record-rows.js';
import { sweepInferenceLog } from './retention.js';
import { concatRows } from './row-batches.js';
import { checkPathPart, segmentPath } from './segment-path.js';
import { writeSegment } from './segment-writer.js';
import { WindowProfiler } from './window-profiler.js';

const port = parentPort;
if (!port) throw new Error('log-worker must run in a worker thread');
const init = workerData as LogWorkerInit;
const send = (msg: FromLogWorker) => port.postMessage(msg);
const report = (err: unknown) => send({ kind: 'error', message: (err as Error)?.message ?? String(err) });

/**
 * Logging yields the CPU to serving: on a saturated machine this worker falls behind (and, past its
 * bound, records are dropped and counted) rather than taking cycles from requests. On Linux a
 * thread's nice value is its own (threads it starts inherit it), so this lowers only this worker and
 * DuckDB's threads; elsewhere it would lower the whole serving process, so it is left alone there.
 */
const LOG_WORKER_NICE = 10;
if (process.platform === 'linux') setPriority(LOG_WORKER_NICE);

const instance = await DuckDBInstance.create(':memory:', {
  threads: String(init.threads),
  memory_limit: '512MB',
});
const conn = await instance.connect();
const profiler = init.profileWindowMs ? new WindowProfiler(init.profileWindowMs) : undefined;

/** Row batches per segment to be: model, version and UTC day. */
let pending = new Map<string, { date: string; batches: LogRows[] }>();
let seq = 0;
let chain: Promise<void> = Promise.resolve();

async function writeAll(now: number): Promise<void> {
  const batch = pending;
  pending = new Map();
  const done = { segments: 0, rows: 0, failedRows: 0 };
  for (const { date, batches } of batch.values()) {
    const rows = concatRows(batches);
    try {
      const path = segmentPath(init.dir, {
        model: checkPathPart('model', rows.model),
        version: checkPathPart('version', rows.version),
        date,
        replica: init.replica,
        writtenMs: now,
        seq: seq++,
      });
      await writeSegment(conn, rows, path);
      done.segments++;
      done.rows += rows.rowCount;
    } catch (err) {
      done.failedRows += rows.rowCount;
      report(err);
    }
  }
  if (done.rows + done.failedRows > 0) send({ kind: 'written', ...done });
}

async function emit(profiles: DatasetProfile[]): Promise<void> {
  for (const p of profiles) {
    if (init.profilesToFront) send({ kind: 'profile', profile: p.toJSON() });
    else await writeProfileSidecar(init.dir, init.replica, p).catch(report);
  }
}

function handle(msg: ToLogWorker): Promise<void> | undefined {
  switch (msg.kind) {
    case 'rows': {
      const key = `${msg.rows.model}\0${msg.rows.version}\0${msg.date}`;
      const entry = pending.get(key) ?? { date: msg.date, batches: [] };
      entry.batches.push(msg.rows);
      pending.set(key, entry);
      try {
        profiler?.add(msg.rows);
      } catch (err) {
        report(err);
      }
      return undefined;
    }
    case 'flush':
      return writeAll(msg.now).then(async () => {
        if (profiler) await emit(profiler.closeBefore(msg.now));
        send({ kind: 'done', id: msg.id });
      });
    case 'tick':
      return profiler ? emit(profiler.closeBefore(msg.now)) : undefined;
    case 'sweep':
      return sweepInferenceLog(init.dir, init.retention ?? {}, msg.now).then(
        (sweep) => send({ kind: 'done', id: msg.id, sweep }),
        (err) => {
          report(err);
          send({ kind: 'done', id: msg.id, sweep: { deletedFiles: 0, deletedBytes: 0 } });
        },
      );
    case 'close':
      return writeAll(msg.now).then(async () => {
        if (profiler) await emit(profiler.closeBefore(Number.POSITIVE_INFINITY));
        conn.closeSync();
        instance.closeSync();
        // The front terminates this thread once it has read this answer (and all before it).
        send({ kind: 'done', id: msg.id });
      });
  }
}

port.on('message', (msg: ToLogWorker) => {
  // Rows are taken at once; orders that write wait for the ones before them.
  if (msg.kind === 'rows') {
    handle(msg);
    return;
  }
  chain = chain.then(() => handle(msg)).catch(report);
});
send({ kind: 'done', id: -1 });
