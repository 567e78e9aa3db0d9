/**
 * Profiles built while serving: the logged `in_*` / `out_*` columns of each row batch are added to
 * one DatasetProfile per model version and time window (aligned to the epoch: a 1-minute window
 * starts on the minute), keyed by the row's `ts`. A window is closed once the serving clock has
 * passed its end by a grace period (records reach the log a moment after their time); rows that
 * still arrive for a closed window open a new profile of that window, which merges with the one
 * emitted (profiles are mergeable), so nothing is lost.
 *
 * Column kinds follow the segment layout: numbers → numeric, text and booleans → categorical (as
 * `profileInferenceLog` reads the same columns from Parquet).
 */
import { DatasetProfile } from '../profiles/dataset-profile.js';
import type { LogColumn, LogRows } from './record-rows.js';

/** How long after a window's end it stays open for records still on their way (ms). */
export const PROFILE_GRACE_MS = 2_000;

const PROFILED = /^(in|out)_/;

/** `col`'s rows from…to as numbers, NaN where missing (what NumericColumnProfile counts as null). */
function numbers(col: LogColumn, from: number, to: number): Float64Array {
  const out = new Float64Array(to - from);
  const { valid } = col;
  if (col.store === 'f64') out.set(col.values.subarray(from, to));
  else for (let i = from; i < to; i++) out[i - from] = Number(col.values[i]);
  if (valid) for (let i = from; i < to; i++) if (valid[i] === 0) out[i - from] = Number.NaN;
  return out;
}

/** `col`'s rows from…to as categories ('true'/'false' for booleans), null where missing. */
function categories(col: LogColumn, from: number, to: number): Array<string | null> {
  const out = new Array<string | null>(to - from);
  for (let i = from; i < to; i++) {
    if (col.valid && col.valid[i] === 0) out[i - from] = null;
    else if (col.store === 'bool') out[i - from] = col.values[i] === 1 ? 'true' : 'false';
    else out[i - from] = String(col.values[i]);
  }
  return out;
}

export class WindowProfiler {
  /** Open windows by `model \0 version \0 start`. */
  private readonly open = new Map<string, DatasetProfile>();

  constructor(private readonly windowMs: number) {}

  /** Adds the profiled columns of `rows`, each row to the window of its `ts`. */
  add(rows: LogRows): void {
    const ts = rows.columns.find((c) => c.name === 'ts');
    if (ts?.store !== 'f64') return;
    const cols = rows.columns.filter((c) => PROFILED.test(c.name));
    // Rows arrive in time order, mostly within one window: add them run by run.
    let from = 0;
    while (from < rows.rowCount) {
      const start = this.windowOf(ts.values[from]);
      let to = from + 1;
      while (to < rows.rowCount && this.windowOf(ts.values[to]) === start) to++;
      const profile = this.profileOf(rows.model, rows.version, start);
      for (const col of cols) {
        if (col.store === 'str' || col.store === 'bool')
          profile.categorical(col.name).add(categories(col, from, to));
        else profile.numeric(col.name).add(numbers(col, from, to));
      }
      from = to;
    }
  }

  /** Removes and returns the windows that ended more than the grace before `now` (all when `now` is +∞). */
  closeBefore(now: number): DatasetProfile[] {
    const closed: DatasetProfile[] = [];
    for (const [key, p] of this.open) {
      if (p.end + PROFILE_GRACE_MS <= now) {
        closed.push(p);
        this.open.delete(key);
      }
    }
    return closed;
  }

  /** Window start (epoch ms) of a row time in epoch µs. */
  private windowOf(micros: number): number {
    return Math.floor(micros / 1000 / this.windowMs) * this.windowMs;
  }

  private profileOf(model: string, version: string, start: number): DatasetProfile {
    const key = `${model}\0${version}\0${start}`;
    let p = this.open.get(key);
    if (!p) {
      p = new DatasetProfile(
        { model, version, kind: 'serving', source: 'inference-log', segment: '' },
        start,
        start + this.windowMs,
      );
      this.open.set(key, p);
    }
    return p;
  }
}
