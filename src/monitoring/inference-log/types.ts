import type { Clock } from '../../core/clock.js';
import type { ProfileStore } from '../profiles/profile-store.js';

/**
 * The inference log's public types: how the Parquet sink buffers and where it writes, the retention
 * policy, and what a query over the segments selects.
 */

/** When old segments are deleted (a sweep on start and every `intervalMs`). */
export interface RetentionPolicy {
  /** Segments written longer ago than this are deleted (milliseconds). */
  maxAgeMs?: number;
  /** Per model: beyond this many bytes of segments, the oldest are deleted first. */
  maxBytes?: number;
  /** How often the sink sweeps while it runs (default 10 minutes). */
  intervalMs?: number;
}

/**
 * Names for the columns of one tensor, one per feature, when the caller knows them (a model fed by a
 * feature service); `undefined` keeps the positional names `in_<tensor>_<j>`.
 */
export type FeatureNameResolver = (
  model: string,
  version: string,
  tensor: string,
  width: number,
) => readonly string[] | undefined;

export interface ParquetInferenceLogOptions {
  /** The log's root folder: segments land under `<dir>/<model>/<version>/date=YYYY-MM-DD/`. */
  dir: string;
  /** This serving process's name in file names and the `replica` column (default `<host>-<pid>`). */
  replicaId?: string;
  /** A segment is written once this many rows are buffered (default 10,000). */
  flushRows?: number;
  /** …or once the oldest buffered record is this old (default 10,000 ms). */
  flushIntervalMs?: number;
  /** Rows held in memory at most; records beyond it are dropped and counted (default 4 × flushRows). */
  maxBufferedRows?: number;
  retention?: RetentionPolicy;
  /** DuckDB threads the writer may use (default 1: serving keeps the cores). */
  threads?: number;
  featureNames?: FeatureNameResolver;
  /** Time of segment names and retention sweeps (default the system clock; tests pin it). */
  clock?: Clock;
  /** Segment write and sweep failures (the log goes on). */
  onError?: (err: unknown) => void;
  /** Records dropped because `maxBufferedRows` were taken and not yet written (e.g. the serving metric). */
  onDrop?: (count: number) => void;
  /**
   * Profiles of the logged `in_*` / `out_*` columns per model version and window of this many ms
   * (aligned to the epoch), built in the log's worker; absent: none.
   */
  profileWindowMs?: number;
  /**
   * Where closed profile windows go: merged into this store (the metadata database); without one,
   * JSON sidecars under `<dir>/<model>/<version>/profiles/` (see profiles/profile-sidecars.ts).
   */
  profiles?: ProfileStore;
}

/** Counters of what the sink has done since it opened. */
export interface InferenceLogStats {
  segments: number;
  rows: number;
  /** Records refused because `maxBufferedRows` rows were waiting to be written. */
  droppedRecords: number;
  /** Rows lost because their segment could not be written (or the worker died holding them). */
  failedRows: number;
  /** Times the worker thread died and was started again. */
  workerRestarts: number;
}

/** Which part of the log a query reads. */
export interface InferenceLogSelection {
  /** The log's root folder (or `uri`, a `file://` URI of it). */
  dir?: string;
  uri?: string;
  model: string;
  /** One version (default: all of the model's versions). */
  version?: string;
  /** Records at or after this time. */
  from?: Date;
  /** Records before this time. */
  to?: Date;
}
