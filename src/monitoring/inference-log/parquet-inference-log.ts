/**
 * The inference log's sink, as the serving thread sees it: records from the engine's hook are
 * flattened into typed columns (record-rows.ts) and handed in batches, their buffers transferred,
 * to a worker thread (log-worker.ts) that writes the Parquet segments, sweeps retention and builds
 * profiles — so DuckDB never runs on the event loop. A segment is written per model version and
 * day once `flushRows` rows were taken or the oldest has waited `flushIntervalMs`. Memory is
 * bounded: rows taken but not yet written are at most `maxBufferedRows`; records beyond that are
 * dropped and counted (`stats.droppedRecords`, `onDrop`), and a request never waits for the log.
 */
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { type Clock, systemClock } from '../../core/clock.js';
import type { InferenceLogSink, InferenceRecord } from '../../serving/types.js';
import { DatasetProfile } from '../profiles/dataset-profile.js';
import { checkLogOptions } from './config.js';
import type { FromLogWorker, LogWorkerInit, ToLogWorker } from './log-worker-protocol.js';
import { buffersOf, startLogWorker } from './log-worker-start.js';
import { loggedModels } from './query.js';
import { rowsOf, SegmentRows } from './record-rows.js';
import type { SweepResult } from './retention.js';
import { checkPathPart, utcDate } from './segment-path.js';
import type { InferenceLogStats, ParquetInferenceLogOptions } from './types.js';

const DEFAULT_SWEEP_MS = 600_000;

const DAY_MS = 86_400_000;
/** Rows gathered on the serving thread before they go to the worker in one message… */
const HANDOFF_ROWS = 2_048;
/** …or after this long (ms). */
const HANDOFF_MS = 100;
/** How often open profile windows are checked for having ended (ms, at most). */
const PROFILE_TICK_MS = 5_000;
/** A dead worker is started again after this, doubling on each death in a row up to the max. */
const RESTART_MS = 1_000;
const RESTART_MAX_MS = 60_000;

/**
 * Opens a Parquet inference log under `opts.dir` (its worker started, retention swept once first).
 *
 * @example
 * const log = await openParquetInferenceLog({ dir: './inference-log', retention: { maxAgeMs: 7 * 86_400_000 } });
 * const engine = await openInferenceEngine({ repository: './models', inferenceLog: { sink: log, sampleRate: 0.1 } });
 * // … on shutdown: close the engine first (its hook hands over what it holds), then the log.
 * await engine.close();
 * await log.close();
 */
export async function openParquetInferenceLog(
  opts: ParquetInferenceLogOptions,
): Promise<ParquetInferenceLog> {
  checkLogOptions(opts);
  const replica = checkPathPart(
    'replicaId',
    opts.replicaId ?? `${hostname()}-${process.pid}`.replace(/[^A-Za-z0-9_.-]/g, '_'),
  );
  const init: LogWorkerInit = {
    dir: resolve(opts.dir),
    replica,
    threads: opts.threads ?? 1,
    retention: opts.retention,
    profileWindowMs: opts.profileWindowMs,
    profilesToFront: opts.profiles !== undefined,
  };
  const log = new ParquetInferenceLog(opts, replica, await startLogWorker(init), () => startLogWorker(init));
  if (opts.retention) await log.sweep();
  log.startTimers();
  return log;
}

export class ParquetInferenceLog implements InferenceLogSink {
  readonly dir: string;
  /** Rows gathered per segment to be (model, version, UTC day), not yet sent to the worker. */
  private pending = new Map<string, SegmentRows>();
  private pendingRows = 0;
  private last?: { key: string; rows: SegmentRows; dayStart: number };
  /** Rows sent to the worker and not yet written (or lost). */
  private inFlightRows = 0;
  /** Rows taken since the last flush order. */
  private sinceFlush = 0;
  private handoffTimer?: NodeJS.Timeout;
  private flushTimer?: NodeJS.Timeout;
  private readonly intervals: NodeJS.Timeout[] = [];
  private nextId = 0;
  private readonly waiting = new Map<number, (sweep?: SweepResult) => void>();
  private profileSaves: Promise<void> = Promise.resolve();
  private closing?: Promise<void>;
  private accepting = true;
  private dead?: Error;
  private readonly flushRows: number;
  private readonly flushIntervalMs: number;
  private readonly maxBufferedRows: number;
  private readonly clock: Clock;
  private readonly counters: InferenceLogStats = {
    segments: 0,
    rows: 0,
    droppedRecords: 0,
    failedRows: 0,
    workerRestarts: 0,
  };
  private restartDelayMs = RESTART_MS;
  private restartTimer?: NodeJS.Timeout;

  /** Use `openParquetInferenceLog`. */
  constructor(
    private readonly opts: ParquetInferenceLogOptions,
    readonly replicaId: string,
    private worker: Worker,
    /** Starts a new worker (after the current one died); absent: the log stays down. */
    private readonly startWorker?: () => Promise<Worker>,
  ) {
    this.dir = resolve(opts.dir);
    this.flushRows = opts.flushRows ?? 10_000;
    this.flushIntervalMs = opts.flushIntervalMs ?? 10_000;
    this.maxBufferedRows = opts.maxBufferedRows ?? 4 * this.flushRows;
    this.clock = opts.clock ?? systemClock;
    this.attach(worker);
  }

  private attach(worker: Worker): void {
    this.worker = worker;
    worker.on('message', (msg: FromLogWorker) => this.onMessage(msg));
    worker.on('error', (err) => this.onDeath(worker, err));
    worker.on('exit', (code) =>
      this.onDeath(worker, new Error(`inference log worker exited with code ${code}`)),
    );
  }

  /** What was written, dropped and lost so far. */
  get stats(): InferenceLogStats {
    return { ...this.counters };
  }

  /** Takes records (never waits): beyond `maxBufferedRows` not yet written, they are dropped and counted. */
  write(records: InferenceRecord[]): undefined {
    let dropped = 0;
    for (const rec of records) {
      const rows = rowsOf(rec);
      if (
        !this.accepting ||
        this.dead ||
        this.pendingRows + this.inFlightRows + rows > this.maxBufferedRows
      ) {
        dropped++;
        continue;
      }
      this.segmentOf(rec).add(rec);
      this.pendingRows += rows;
      this.sinceFlush += rows;
    }
    if (dropped > 0) {
      this.counters.droppedRecords += dropped;
      this.opts.onDrop?.(dropped);
    }
    if (this.sinceFlush >= this.flushRows) void this.flush();
    else if (this.pendingRows >= HANDOFF_ROWS) this.handOff();
    if (this.pendingRows > 0 && !this.handoffTimer) {
      this.handoffTimer = setTimeout(() => this.handOff(), HANDOFF_MS);
      this.handoffTimer.unref();
    }
    if (this.sinceFlush > 0 && !this.flushTimer) {
      this.flushTimer = setTimeout(() => void this.flush(), this.flushIntervalMs);
      this.flushTimer.unref();
    }
    return undefined;
  }

  /** The gathered rows a record joins: its model version's on its UTC day (the last one found is checked first). */
  private segmentOf(rec: InferenceRecord): SegmentRows {
    const last = this.last;
    if (
      last?.rows.model === rec.model &&
      last.rows.version === rec.version &&
      rec.timestamp >= last.dayStart &&
      rec.timestamp < last.dayStart + DAY_MS &&
      this.pending.get(last.key) === last.rows
    )
      return last.rows;
    const date = utcDate(rec.timestamp);
    const key = `${rec.model}\0${rec.version}\0${date}`;
    let rows = this.pending.get(key);
    if (!rows) {
      rows = new SegmentRows(rec.model, rec.version, this.replicaId, this.opts.featureNames, HANDOFF_ROWS);
      this.pending.set(key, rows);
    }
    this.last = { key, rows, dayStart: Date.parse(date) };
    return rows;
  }

  /** Writes everything taken so far; resolves when its segments are in place. */
  async flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.sinceFlush = 0;
    await this.order('flush');
  }

  /** Applies the retention policy once (a no-op without one). */
  async sweep(): Promise<SweepResult> {
    const retention = this.opts.retention;
    if (!retention) return { deletedFiles: 0, deletedBytes: 0 };
    if (this.dead) throw this.dead;
    // Listed first: the sweep removes the folders it empties.
    const models = await loggedModels(this.dir);
    const swept = (await this.order('sweep')) ?? { deletedFiles: 0, deletedBytes: 0 };
    const store = this.opts.profiles;
    if (!store || retention.maxAgeMs === undefined) return swept;
    // The serving profiles in the store age out with the segments they were built from.
    const before = this.clock.now() - retention.maxAgeMs;
    let deletedProfiles = 0;
    for (const model of models) deletedProfiles += await store.delete({ model, kind: 'serving', to: before });
    return { ...swept, deletedProfiles };
  }

  /** Starts the periodic sweep and profile-window checks (called by `openParquetInferenceLog`). */
  startTimers(): void {
    if (this.intervals.length > 0) return;
    const every = (ms: number, fn: () => void) => {
      const t = setInterval(fn, ms);
      t.unref();
      this.intervals.push(t);
    };
    const retention = this.opts.retention;
    if (retention)
      every(
        retention.intervalMs ?? DEFAULT_SWEEP_MS,
        () => void this.sweep().catch((e) => this.opts.onError?.(e)),
      );
    const window = this.opts.profileWindowMs;
    if (window)
      every(Math.min(window, PROFILE_TICK_MS), () => {
        this.handOff();
        this.post({ kind: 'tick', now: this.clock.now() });
      });
  }

  /** Writes what was taken, closes every profile window, and stops the worker; later records are dropped. */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    for (const t of this.intervals) clearInterval(t);
    clearTimeout(this.flushTimer);
    // The engine's hook hands records over on setImmediate after a response: let that land first.
    await new Promise((r) => setImmediate(r));
    this.accepting = false;
    clearTimeout(this.restartTimer);
    await this.order('close');
    await this.profileSaves;
    await this.worker.terminate();
  }

  /** Sends the gathered rows to the worker. */
  private handOff(): void {
    clearTimeout(this.handoffTimer);
    this.handoffTimer = undefined;
    if (this.pendingRows === 0) return;
    const batches = this.pending;
    this.pending = new Map();
    this.inFlightRows += this.pendingRows;
    this.pendingRows = 0;
    for (const [key, segment] of batches) {
      const rows = segment.finish();
      this.post({ kind: 'rows', date: key.split('\0')[2]!, rows }, buffersOf(rows));
    }
  }

  /** Hands over the gathered rows, then sends an order and waits for the worker to carry it out. */
  private order(kind: 'flush' | 'sweep' | 'close'): Promise<SweepResult | undefined> {
    this.handOff();
    if (this.dead) return Promise.resolve(undefined);
    const id = this.nextId++;
    return new Promise((done) => {
      this.waiting.set(id, done);
      this.post({ kind, id, now: this.clock.now() });
    });
  }

  private post(msg: ToLogWorker, transfer: ArrayBuffer[] = []): void {
    if (this.dead) {
      if (msg.kind === 'rows') this.lose(msg.rows.rowCount);
      return;
    }
    this.worker.postMessage(msg, transfer);
  }

  private lose(rows: number): void {
    this.counters.failedRows += rows;
    this.inFlightRows = Math.max(0, this.inFlightRows - rows);
  }

  private onMessage(msg: FromLogWorker): void {
    switch (msg.kind) {
      case 'written':
        this.counters.segments += msg.segments;
        this.counters.rows += msg.rows;
        this.counters.failedRows += msg.failedRows;
        this.inFlightRows -= msg.rows + msg.failedRows;
        return;
      case 'error':
        this.opts.onError?.(new Error(msg.message));
        return;
      case 'profile': {
        const store = this.opts.profiles;
        if (!store) return;
        const profile = DatasetProfile.fromJSON(msg.profile);
        this.profileSaves = this.profileSaves.then(() =>
          store.merge(profile).then(
            () => undefined,
            (err) => this.opts.onError?.(err),
          ),
        );
        return;
      }
      case 'done': {
        const done = this.waiting.get(msg.id);
        this.waiting.delete(msg.id);
        done?.(msg.sweep);
      }
    }
  }

  /**
   * The worker stopped unexpectedly: what it held is lost (and counted), orders return, and records
   * are dropped (and counted) until a new worker is up — started after a backoff that doubles while
   * workers keep dying within it. Serving never waits on any of it.
   */
  private onDeath(worker: Worker, err: Error): void {
    if (this.dead || worker !== this.worker) return;
    this.dead = err;
    if (this.closing === undefined) this.opts.onError?.(err);
    this.lose(this.inFlightRows);
    for (const done of this.waiting.values()) done(undefined);
    this.waiting.clear();
    if (this.closing === undefined && this.startWorker) this.scheduleRestart();
  }

  private scheduleRestart(): void {
    const delay = this.restartDelayMs;
    this.restartDelayMs = Math.min(2 * delay, RESTART_MAX_MS);
    this.restartTimer = setTimeout(() => void this.restart(), delay);
    this.restartTimer.unref();
  }

  private async restart(): Promise<void> {
    let worker: Worker;
    try {
      worker = await this.startWorker!();
    } catch (err) {
      this.opts.onError?.(err);
      if (this.closing === undefined) this.scheduleRestart();
      return;
    }
    if (this.closing !== undefined) {
      await worker.terminate();
      return;
    }
    this.attach(worker);
    this.dead = undefined;
    this.counters.workerRestarts++;
    // A worker that then stays up a while resets the backoff.
    setTimeout(() => {
      if (this.worker === worker && !this.dead) this.restartDelayMs = RESTART_MS;
    }, RESTART_MAX_MS).unref();
  }
}
