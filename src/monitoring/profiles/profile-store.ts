/**
 * Where dataset profiles are kept (the metadata store): one profile per (model, version, kind,
 * source, segment, window). Backends implement `ProfileStore`; merging what is stored lives here once.
 */
import { invalidParameter } from '../../core/errors.js';
import {
  type DatasetProfile,
  mergeDatasetProfiles,
  type ProfileKey,
  type ProfileKind,
} from './dataset-profile.js';

/** A stored profile without its columns. */
export interface StoredProfileSummary extends ProfileKey {
  start: number;
  end: number;
  /** Rows profiled. */
  rows: number;
  updatedAt: number;
}

/** Which stored profiles to read. */
export interface ProfileFilter {
  model: string;
  version?: string;
  kind?: ProfileKind;
  source?: string;
  segment?: string;
  /** Windows starting at or after this time (epoch ms). */
  from?: number;
  /** Windows ending at or before this time (epoch ms). */
  to?: number;
}

export interface ProfileStore {
  /** Stores `profile`, replacing one with the same key and window. */
  save(profile: DatasetProfile): Promise<void>;
  /**
   * Merges `profile` into the stored one with the same key and window (or stores it when there is
   * none), atomically: replicas flushing the same window at once lose nothing. Returns the result.
   */
  merge(profile: DatasetProfile): Promise<DatasetProfile>;
  get(key: ProfileKey, start: number, end: number): Promise<DatasetProfile | undefined>;
  /** Summaries of the matching profiles, oldest window first. */
  list(filter: ProfileFilter): Promise<StoredProfileSummary[]>;
  /** The matching profiles, oldest window first. */
  load(filter: ProfileFilter): Promise<DatasetProfile[]>;
  /** Deletes the matching profiles; returns how many. */
  delete(filter: ProfileFilter): Promise<number>;
}

/** Checks a filter (shared by every backend). */
export function checkProfileFilter(filter: ProfileFilter): ProfileFilter {
  if (typeof filter?.model !== 'string' || filter.model === '')
    throw invalidParameter('model', 'a model name', filter?.model);
  if (filter.kind !== undefined && filter.kind !== 'serving' && filter.kind !== 'reference')
    throw invalidParameter('kind', "'serving' or 'reference'", filter.kind);
  for (const f of ['from', 'to'] as const) {
    const v = filter[f];
    if (v !== undefined && !Number.isFinite(v)) throw invalidParameter(f, 'epoch milliseconds', v);
  }
  return filter;
}

/**
 * One profile over every stored window matching `filter` (e.g. a day of hourly serving profiles of
 * one version); undefined when none matches. Sources of different windows are joined with '+'.
 *
 * @example
 * const day = await mergeStoredProfiles(store, { model: 'fraud', version: '3', kind: 'serving', from, to });
 */
export async function mergeStoredProfiles(
  store: ProfileStore,
  filter: ProfileFilter,
): Promise<DatasetProfile | undefined> {
  const profiles = await store.load(checkProfileFilter(filter));
  if (profiles.length === 0) return undefined;
  const segments = new Set(profiles.map((p) => `${p.key.version}\u0000${p.key.kind}\u0000${p.key.segment}`));
  if (segments.size > 1)
    throw invalidParameter(
      'filter',
      'one version, kind and segment (name them)',
      `${segments.size} combinations`,
    );
  return mergeDatasetProfiles(profiles);
}
