/**
 * The inference log's sink: records from the serving engine's hook are buffered in memory and
 * written as immutable Parquet segments, one per model version and day per flush, when `flushRows`
 * rows are waiting or the oldest has waited `flushIntervalMs`. The buffer is bounded (records
 * beyond `maxBufferedRows` are dropped and counted), and a full buffer hands the hook the flush's
 * promise, so the hook's own bounded queue (and its drop metric) absorbs a writer that falls behind.
 */
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { type Clock, systemClock } from '../../core/clock.js';
import type { InferenceLogSink, InferenceRecord } from '../../serving/types.js';
import { checkLogOptions } from './config.js';
import { rowsOf, SegmentRows } from './record-rows.js';
import { type SweepResult, sweepInferenceLog } from './retention.js';
import { checkPathPart, segmentPath, utcDate } from './segment-path.js';
import { writeSegment } from './segment-writer.js';
import type { InferenceLogStats, ParquetInferenceLogOptions, RetentionPolicy } from './types.js';

const DEFAULT_SWEEP_MS = 600_000;

/**
 * Opens a Parquet inference log under `opts.dir` (sweeping retention once first).
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
  const instance = await DuckDBInstance.create(':memory:', {
    threads: String(opts.threads ?? 1),
    memory_limit: '512MB',
  });
  const conn = await instance.connect();
  const log = new ParquetInferenceLog(opts, replica, instance, conn);
  if (opts.retention) await log.sweep();
  log.startSweeping();
  return log;
}

export class ParquetInferenceLog implements InferenceLogSink {
  readonly dir: string;
  /** Rows gathered per segment to be: model, version and UTC day. */
  private buffer = new Map<string, SegmentRows>();
  private bufferedRows = 0;
  private timer?: NodeJS.Timeout;
  private sweeper?: NodeJS.Timeout;
  private chain: Promise<void> = Promise.resolve();
  private seq = 0;
  private closed = false;
  private readonly flushRows: number;
  private readonly flushIntervalMs: number;
  private readonly maxBufferedRows: number;
  private readonly retention?: RetentionPolicy;
  private readonly clock: Clock;
  private readonly counters: InferenceLogStats = {
    segments: 0,
    rows: 0,
    droppedRecords: 0,
    failedRows: 0,
  };

  /** Use `openParquetInferenceLog`. */
  constructor(
    private readonly opts: ParquetInferenceLogOptions,
    readonly replicaId: string,
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
  ) {
    this.dir = resolve(opts.dir);
    this.flushRows = opts.flushRows ?? 10_000;
    this.flushIntervalMs = opts.flushIntervalMs ?? 10_000;
    this.maxBufferedRows = opts.maxBufferedRows ?? 4 * this.flushRows;
    this.retention = opts.retention;
    this.clock = opts.clock ?? systemClock;
  }

  /** What was written, dropped and lost so far. */
  get stats(): InferenceLogStats {
    return { ...this.counters };
  }

  /** Takes records; returns the pending flush only when the buffer reached `flushRows`. */
  write(records: InferenceRecord[]): Promise<void> | undefined {
    for (const rec of records) {
      const rows = rowsOf(rec);
      if (this.closed || this.bufferedRows + rows > this.maxBufferedRows) {
        this.counters.droppedRecords++;
        continue;
      }
      const key = `${rec.model}\0${rec.version}\0${utcDate(rec.timestamp)}`;
      let segment = this.buffer.get(key);
      if (!segment) {
        segment = new SegmentRows(rec.model, rec.version, this.replicaId, this.opts.featureNames);
        this.buffer.set(key, segment);
      }
      segment.add(rec);
      this.bufferedRows += rows;
    }
    if (this.bufferedRows >= this.flushRows) return this.flush();
    if (this.buffer.size > 0 && !this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.flushIntervalMs);
      this.timer.unref();
    }
    return undefined;
  }

  /** Writes everything buffered now; resolves when its segments are in place. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.buffer;
    this.buffer = new Map();
    this.bufferedRows = 0;
    if (batch.size === 0) return this.chain;
    this.chain = this.chain.then(() => this.writeBatch(batch));
    return this.chain;
  }

  /** Applies the retention policy once (a no-op without one). */
  async sweep(): Promise<SweepResult> {
    if (!this.retention) return { deletedFiles: 0, deletedBytes: 0 };
    return sweepInferenceLog(this.dir, this.retention, this.clock.now());
  }

  /** Starts the periodic sweep (called by `openParquetInferenceLog`). */
  startSweeping(): void {
    if (!this.retention || this.sweeper) return;
    this.sweeper = setInterval(
      () => void this.sweep().catch((err) => this.opts.onError?.(err)),
      this.retention.intervalMs ?? DEFAULT_SWEEP_MS,
    );
    this.sweeper.unref();
  }

  /** Flushes what is buffered and releases DuckDB; later records are dropped. */
  async close(): Promise<void> {
    if (this.closed) return;
    clearInterval(this.sweeper);
    // The engine's hook hands records over on setImmediate after a response: let that land first.
    await new Promise((r) => setImmediate(r));
    await this.flush();
    this.closed = true;
    this.conn.closeSync();
    this.instance.closeSync();
  }

  /** One segment per model version and UTC day of the batch. */
  private async writeBatch(batch: Map<string, SegmentRows>): Promise<void> {
    for (const [key, segment] of batch) {
      try {
        const date = key.split('\0')[2];
        const path = segmentPath(this.dir, {
          model: checkPathPart('model', segment.model),
          version: checkPathPart('version', segment.version),
          date,
          replica: this.replicaId,
          writtenMs: this.clock.now(),
          seq: this.seq++,
        });
        await writeSegment(this.conn, segment.finish(), path);
        this.counters.segments++;
        this.counters.rows += segment.rowCount;
      } catch (err) {
        this.counters.failedRows += segment.rowCount;
        this.opts.onError?.(err);
      }
    }
  }
}
