/**
 * Where segments live: `<dir>/<model>/<version>/date=YYYY-MM-DD/<replica>-<written>-<seq>.parquet`.
 * The date folder is a Hive partition (DuckDB prunes files by it); the file name says which replica
 * wrote it and when (epoch ms), which retention reads without opening the file. A segment is written
 * as `<name>.partial` and renamed, so a reader's glob never matches a half-written file.
 */
import { join } from 'node:path';
import { invalidParameter } from '../../core/errors.js';

/** Model names, versions and replica ids become path parts: letters, digits, `.`, `_`, `-`. */
const PART = /^[A-Za-z0-9_.-]+$/;
const SEGMENT = /^(.+)-(\d{13,})-(\d+)\.parquet$/;
const SIDECAR = /^(.+)-(\d{13,})\.json$/;

/** Throws INVALID_PARAMETER_VALUE unless `value` is safe as one path part. */
export function checkPathPart(field: string, value: string): string {
  if (
    typeof value !== 'string' ||
    !PART.test(value) ||
    value === '.' ||
    value === '..' ||
    value.length > 255
  ) {
    throw invalidParameter(field, 'a name of letters, digits, ., _ and - (not . or ..)', value);
  }
  return value;
}

/** `2024-05-01` for a time in epoch ms (UTC). */
export function utcDate(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

/** The final path of a segment. */
export function segmentPath(
  dir: string,
  seg: { model: string; version: string; date: string; replica: string; writtenMs: number; seq: number },
): string {
  return join(
    dir,
    seg.model,
    seg.version,
    `date=${seg.date}`,
    `${seg.replica}-${seg.writtenMs}-${seg.seq}.parquet`,
  );
}

/**
 * When a segment file was written (epoch ms), from its name — or, for a profile sidecar
 * (`<replica>-<windowStart>.json`), when its window started; undefined for other files.
 */
export function writtenAt(fileName: string): number | undefined {
  const m = SEGMENT.exec(fileName) ?? SIDECAR.exec(fileName);
  return m ? Number(m[2]) : undefined;
}
