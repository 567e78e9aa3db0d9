/**
 * Serving profiles kept as JSON files beside the inference log, for serving processes without the
 * metadata store (`slipway serve`, data-plane replicas): one file per replica, model version and
 * window, `<dir>/<model>/<version>/profiles/date=YYYY-MM-DD/<replica>-<windowStart>.json`. Files are
 * written under a temporary name and renamed; a replica writing a window again (rows that arrived
 * late) merges into its own file. Readers merge every replica's files of a time range into one
 * profile — the same as profiling the union of their rows.
 */
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { invalidParameter } from '../../core/errors.js';
import { checkPathPart, utcDate, writtenAt } from '../inference-log/segment-path.js';
import { DatasetProfile, mergeDatasetProfiles } from './dataset-profile.js';

/** Which sidecars to read: one model version, windows within [from, to). */
export interface SidecarSelection {
  /** The inference log's root folder. */
  dir: string;
  model: string;
  version: string;
  /** Windows starting at or after this time. */
  from?: Date;
  /** Windows ending at or before this time. */
  to?: Date;
}

/** Where a replica's profile of one window lives. */
export function profileSidecarPath(dir: string, replica: string, profile: DatasetProfile): string {
  return join(
    resolve(dir),
    checkPathPart('model', profile.key.model),
    checkPathPart('version', profile.key.version),
    'profiles',
    `date=${utcDate(profile.start)}`,
    `${checkPathPart('replica', replica)}-${profile.start}.json`,
  );
}

/** The profile in the sidecar at `path`; undefined when there is no such file. */
async function readProfile(path: string): Promise<DatasetProfile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    return DatasetProfile.fromJSON(JSON.parse(text));
  } catch (err) {
    throw invalidParameter('path', 'a JSON dataset profile', `${path} (${(err as Error).message})`);
  }
}

/**
 * Writes `profile` as this replica's sidecar of its window, merged with what the file already holds.
 *
 * @example await writeProfileSidecar('./inference-log', 'serve-a', windowProfile);
 */
export async function writeProfileSidecar(
  dir: string,
  replica: string,
  profile: DatasetProfile,
): Promise<string> {
  const path = profileSidecarPath(dir, replica, profile);
  await mkdir(dirname(path), { recursive: true });
  const merged = (await readProfile(path))?.merge(profile) ?? profile;
  const partial = `${path}.${process.pid}.partial`;
  await writeFile(partial, JSON.stringify(merged.toJSON()));
  await rename(partial, path);
  return path;
}

async function names(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** Every sidecar profile of the selection (all replicas), oldest window first. */
export async function readProfileSidecars(selection: SidecarSelection): Promise<DatasetProfile[]> {
  const { from, to } = selection;
  for (const [f, d] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (d !== undefined && (!(d instanceof Date) || Number.isNaN(d.getTime())))
      throw invalidParameter(f, 'a valid Date', d);
  }
  const root = join(
    resolve(selection.dir),
    checkPathPart('model', selection.model),
    checkPathPart('version', selection.version),
    'profiles',
  );
  const lo = from ? utcDate(from.getTime()) : '';
  const hi = to ? utcDate(to.getTime()) : '\uffff';
  const out: DatasetProfile[] = [];
  for (const day of (await names(root)).sort()) {
    const date = day.startsWith('date=') ? day.slice(5) : undefined;
    if (!date || date < lo || date > hi) continue;
    for (const file of await names(join(root, day))) {
      // `<replica>-<windowStart>.json`: the window's start read from the name.
      const start = file.endsWith('.json') ? writtenAt(file) : undefined;
      if (start === undefined || (from && start < from.getTime()) || (to && start >= to.getTime())) continue;
      const profile = await readProfile(join(root, day, file));
      if (!profile || (to && profile.end > to.getTime())) continue;
      out.push(profile);
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

/**
 * One profile of a model version over a time range, merged from every replica's sidecars;
 * undefined when there are none.
 *
 * @example
 * const hour = await mergeProfileSidecars({ dir: './inference-log', model: 'fraud', version: '3', from, to });
 */
export async function mergeProfileSidecars(selection: SidecarSelection): Promise<DatasetProfile | undefined> {
  const profiles = await readProfileSidecars(selection);
  return profiles.length === 0 ? undefined : mergeDatasetProfiles(profiles);
}
