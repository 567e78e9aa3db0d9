/**
 * Messages between the inference log's front (parquet-inference-log.ts, on the serving thread) and
 * its worker (log-worker.ts). The front owns every decision about time — when to flush, sweep and
 * close profile windows — and sends its clock's `now` with each order, so a pinned test clock
 * reaches the worker; the worker only writes, sweeps and profiles what it is told.
 */
import type { DatasetProfileJson } from '../profiles/dataset-profile.js';
import type { LogRows } from './record-rows.js';
import type { SweepResult } from './retention.js';
import type { RetentionPolicy } from './types.js';

/** What the worker is started with (`workerData`). */
export interface LogWorkerInit {
  dir: string;
  replica: string;
  threads: number;
  retention?: RetentionPolicy;
  /** Profile window length (ms); absent: no profiles. */
  profileWindowMs?: number;
  /** true: closed windows go back to the front (for its ProfileStore); false: JSON sidecars. */
  profilesToFront: boolean;
}

export type ToLogWorker =
  /** Rows of one segment to be (model, version, UTC day); their buffers were transferred. */
  | { kind: 'rows'; date: string; rows: LogRows }
  /** Write every row held now, as segments named at `now`; then close windows ended before `now`. */
  | { kind: 'flush'; id: number; now: number }
  /** Close profile windows that ended (plus the grace) before `now`. */
  | { kind: 'tick'; now: number }
  | { kind: 'sweep'; id: number; now: number }
  /** Flush, emit every open profile window, release DuckDB and answer `done`. */
  | { kind: 'close'; id: number; now: number };

export type FromLogWorker =
  /** A write finished: rows it put in segments, rows it lost. */
  | { kind: 'written'; segments: number; rows: number; failedRows: number }
  | { kind: 'error'; message: string }
  /** A closed profile window, for the front's ProfileStore. */
  | { kind: 'profile'; profile: DatasetProfileJson }
  | { kind: 'done'; id: number; sweep?: SweepResult };
