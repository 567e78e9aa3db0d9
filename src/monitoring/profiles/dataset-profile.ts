/**
 * A dataset profile: one column profile per column over the rows of a window [start, end) of one
 * model version (and segment), from serving ('serving') or from a training set or file
 * ('reference'). Profiles of replicas and of adjacent windows merge into one (the window becomes
 * the span of both); merging is associative and commutative.
 */
import { invalidParameter } from '../../core/errors.js';
import {
  CategoricalColumnProfile,
  type CategoricalProfileOptions,
  type ColumnProfile,
  type ColumnProfileJson,
  columnProfileFromJSON,
  mergeColumnProfiles,
  NumericColumnProfile,
  type NumericProfileOptions,
} from './column-profile.js';

/** Version of the serialized dataset profile. */
export const DATASET_PROFILE_VERSION = 1;

export type ProfileKind = 'serving' | 'reference';

/** What a profile describes. */
export interface ProfileKey {
  model: string;
  /** The model version ('' when the profile is of a file, not a model). */
  version: string;
  kind: ProfileKind;
  /** Where the rows came from: `inference-log`, `dataset:NAME/V`, a file path… */
  source: string;
  /** A segment of the traffic (e.g. `country=DE`); '' for all of it. */
  segment: string;
}

export interface DatasetProfileJson extends ProfileKey {
  format: 'slipway.dataset-profile';
  v: number;
  /** Window start, epoch ms (inclusive). */
  start: number;
  /** Window end, epoch ms (exclusive). */
  end: number;
  columns: Record<string, ColumnProfileJson>;
}

export class DatasetProfile {
  readonly columns = new Map<string, ColumnProfile>();

  constructor(
    readonly key: ProfileKey,
    /** Window start, epoch ms. */
    public start: number,
    /** Window end, epoch ms (exclusive). */
    public end: number,
  ) {
    if (!(Number.isFinite(start) && Number.isFinite(end) && start <= end))
      throw invalidParameter('window', 'start ≤ end, as epoch milliseconds', `[${start}, ${end})`);
  }

  /** Rows profiled (the largest row count over columns, 0 when there are none). */
  get rows(): number {
    let n = 0;
    for (const c of this.columns.values()) if (c.rows > n) n = c.rows;
    return n;
  }

  /** The numeric column's profile, created on first use. */
  numeric(column: string, options?: NumericProfileOptions): NumericColumnProfile {
    const p = this.columns.get(column);
    if (p === undefined) {
      const created = new NumericColumnProfile(options);
      this.columns.set(column, created);
      return created;
    }
    if (p.kind !== 'numeric')
      throw invalidParameter(`${column}.kind`, 'categorical (as profiled so far)', 'numeric');
    return p;
  }

  /** The categorical column's profile, created on first use. */
  categorical(column: string, options?: CategoricalProfileOptions): CategoricalColumnProfile {
    const p = this.columns.get(column);
    if (p === undefined) {
      const created = new CategoricalColumnProfile(options);
      this.columns.set(column, created);
      return created;
    }
    if (p.kind !== 'categorical')
      throw invalidParameter(`${column}.kind`, 'numeric (as profiled so far)', 'categorical');
    return p;
  }

  /**
   * Folds `other` in: same model, version, kind, source and segment; columns merged by name (a
   * column only one side has is taken as it is); the window becomes the span of both.
   */
  merge(other: DatasetProfile): this {
    for (const f of ['model', 'version', 'kind', 'segment'] as const) {
      if (other.key[f] !== this.key[f])
        throw invalidParameter(f, `'${this.key[f]}' (as the profile merged into)`, other.key[f]);
    }
    for (const [name, col] of other.columns) {
      const mine = this.columns.get(name);
      // A copy, so that later merges into this profile never change `other`.
      const copy = columnProfileFromJSON(col.toJSON(), name);
      this.columns.set(name, mine ? mergeColumnProfiles(mine, copy, name) : copy);
    }
    this.start = Math.min(this.start, other.start);
    this.end = Math.max(this.end, other.end);
    return this;
  }

  toJSON(): DatasetProfileJson {
    const columns: Record<string, ColumnProfileJson> = {};
    for (const name of [...this.columns.keys()].sort()) columns[name] = this.columns.get(name)!.toJSON();
    return {
      format: 'slipway.dataset-profile',
      v: DATASET_PROFILE_VERSION,
      ...this.key,
      start: this.start,
      end: this.end,
      columns,
    };
  }

  static fromJSON(json: unknown): DatasetProfile {
    const j = json as Partial<DatasetProfileJson> | null;
    if (typeof j !== 'object' || j === null || j.format !== 'slipway.dataset-profile')
      throw invalidParameter('profile', 'a slipway.dataset-profile object', json);
    if (j.v !== DATASET_PROFILE_VERSION)
      throw invalidParameter('profile.v', `version ${DATASET_PROFILE_VERSION}`, j.v);
    if (j.kind !== 'serving' && j.kind !== 'reference')
      throw invalidParameter('profile.kind', "'serving' or 'reference'", j.kind);
    for (const f of ['model', 'version', 'source', 'segment'] as const) {
      if (typeof j[f] !== 'string') throw invalidParameter(`profile.${f}`, 'a string', j[f]);
    }
    const p = new DatasetProfile(
      { model: j.model!, version: j.version!, kind: j.kind, source: j.source!, segment: j.segment! },
      Number(j.start),
      Number(j.end),
    );
    for (const [name, col] of Object.entries(j.columns ?? {}))
      p.columns.set(name, columnProfileFromJSON(col, `columns.${name}`));
    return p;
  }
}

/**
 * Merges profiles in the order given into a new profile (the inputs are left as they were).
 * Sources that differ are joined with '+' (sorted, so the order of the inputs does not matter).
 */
export function mergeDatasetProfiles(profiles: readonly DatasetProfile[]): DatasetProfile {
  if (profiles.length === 0) throw invalidParameter('profiles', 'at least one profile', 0);
  const first = profiles[0]!;
  const sources = [...new Set(profiles.flatMap((p) => p.key.source.split('+')))].sort().join('+');
  const out = new DatasetProfile({ ...first.key, source: sources }, first.start, first.end);
  for (const p of profiles) out.merge(p);
  return out;
}
