/**
 * Retention: deletes segments written longer ago than `maxAgeMs`, then, per model, the oldest
 * segments until the model's segments fit in `maxBytes`. Profile sidecars (profiles/…/*.json) count
 * as files of their window's start and go the same way. Age comes from the time in the file name
 * (when it was written), so copying a log elsewhere keeps its ages. Several replicas may sweep one
 * shared folder at once: a file another sweep deleted first is skipped. `.partial` files left by a
 * writer that died mid-write are deleted once they are an hour old.
 *
 * Inputs: the log's root folder, a policy, the current time. Output: what was deleted.
 */
import type { Dirent } from 'node:fs';
import { readdir, rm, rmdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writtenAt } from './segment-path.js';
import type { RetentionPolicy } from './types.js';

export interface SweepResult {
  deletedFiles: number;
  deletedBytes: number;
  /** Serving profiles deleted from the profile store (by age; with a store only). */
  deletedProfiles?: number;
}

interface SegmentFile {
  path: string;
  writtenMs: number;
  bytes: number;
}

const STALE_PARTIAL_MS = 3_600_000;

async function entries(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch {
    return undefined;
  }
}

/** Every segment under `dir` (recursively), and stale partial files. */
async function collect(dir: string, now: number, out: SegmentFile[], stale: string[]): Promise<void> {
  for (const e of await entries(dir)) {
    const path = join(dir, e.name);
    if (e.isDirectory()) {
      await collect(path, now, out, stale);
    } else if (e.name.endsWith('.partial')) {
      const at = writtenAt(e.name.slice(0, -'.partial'.length));
      if (at !== undefined && now - at > STALE_PARTIAL_MS) stale.push(path);
    } else {
      const writtenMs = writtenAt(e.name);
      const bytes = writtenMs === undefined ? undefined : await sizeOf(path);
      if (writtenMs !== undefined && bytes !== undefined) out.push({ path, writtenMs, bytes });
    }
  }
}

/** Removes `dir` and empty parents up to (not including) `stop`, when empty. */
async function pruneEmpty(dir: string, stop: string): Promise<void> {
  let d = dir;
  while (d.length > stop.length && d.startsWith(stop)) {
    try {
      await rmdir(d);
    } catch {
      return;
    }
    d = join(d, '..');
  }
}

/**
 * Applies `policy` to the log under `root` once.
 *
 * @example await sweepInferenceLog('./inference-log', { maxAgeMs: 7 * 86_400_000, maxBytes: 10 * 2 ** 30 })
 */
export async function sweepInferenceLog(
  dir: string,
  policy: RetentionPolicy,
  now = Date.now(),
): Promise<SweepResult> {
  const root = resolve(dir);
  const result: SweepResult = { deletedFiles: 0, deletedBytes: 0 };
  const remove = async (f: SegmentFile): Promise<void> => {
    try {
      await rm(f.path);
      result.deletedFiles++;
      result.deletedBytes += f.bytes;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    await pruneEmpty(join(f.path, '..'), root);
  };
  for (const model of await entries(root)) {
    if (!model.isDirectory()) continue;
    const files: SegmentFile[] = [];
    const stale: string[] = [];
    await collect(join(root, model.name), now, files, stale);
    for (const p of stale) await rm(p, { force: true });
    files.sort((a, b) => a.writtenMs - b.writtenMs);
    let kept = files;
    if (policy.maxAgeMs !== undefined) {
      const cutoff = now - policy.maxAgeMs;
      for (const f of files) if (f.writtenMs < cutoff) await remove(f);
      kept = files.filter((f) => f.writtenMs >= cutoff);
    }
    if (policy.maxBytes !== undefined) {
      let total = kept.reduce((a, f) => a + f.bytes, 0);
      for (const f of kept) {
        if (total <= policy.maxBytes) break;
        await remove(f);
        total -= f.bytes;
      }
    }
  }
  return result;
}
