/**
 * Dataset profiles in the metadata database: table `monitoring_profiles` (migration 006), one row
 * per (model, version, kind, source, segment, window), the profile as JSON text.
 *
 * `merge` reads, merges and writes in one transaction, the row locked (PostgreSQL `FOR UPDATE`;
 * SQLite takes its write lock when the transaction writes). Two replicas inserting the first
 * profile of a window at once meet on the primary key: the loser retries and merges into the
 * winner's row, as does a SQLite transaction that lost its snapshot (SQLITE_BUSY).
 */
import type { ExpressionBuilder, Kysely, Selectable } from 'kysely';
import { type Clock, systemClock } from '../../core/clock.js';
import { SlipwayError } from '../../core/errors.js';
import {
  checkProfileFilter,
  DatasetProfile,
  type ProfileFilter,
  type ProfileKey,
  type ProfileKind,
  type ProfileStore,
  type StoredProfileSummary,
} from '../../monitoring/profiles/index.js';
import type { SqlDatabase } from './connect.js';
import { isUniqueViolation } from './errors.js';
import type { Database, MonitoringProfilesTable } from './schema.js';

type Db = Kysely<Database>;
type Row = Selectable<MonitoringProfilesTable>;

const MAX_ATTEMPTS = 20;

function isRetryable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return (
    isUniqueViolation(err) || (typeof code === 'string' && code.startsWith('SQLITE_BUSY')) || code === '40001'
  );
}

function toRow(p: DatasetProfile, now: number): Row {
  return {
    model: p.key.model,
    version: p.key.version,
    kind: p.key.kind,
    source: p.key.source,
    segment: p.key.segment,
    window_start: p.start,
    window_end: p.end,
    rows: p.rows,
    profile: JSON.stringify(p),
    updated_at: now,
  };
}

function toSummary(r: Omit<Row, 'profile'>): StoredProfileSummary {
  return {
    model: r.model,
    version: r.version,
    kind: r.kind as ProfileKind,
    source: r.source,
    segment: r.segment,
    start: Number(r.window_start),
    end: Number(r.window_end),
    rows: Number(r.rows),
    updatedAt: Number(r.updated_at),
  };
}

/** The condition of a filter: the model, and each other field given. */
function matching(eb: ExpressionBuilder<Database, 'monitoring_profiles'>, filter: ProfileFilter) {
  const conditions = [eb('model', '=', filter.model)];
  if (filter.version !== undefined) conditions.push(eb('version', '=', filter.version));
  if (filter.kind !== undefined) conditions.push(eb('kind', '=', filter.kind));
  if (filter.source !== undefined) conditions.push(eb('source', '=', filter.source));
  if (filter.segment !== undefined) conditions.push(eb('segment', '=', filter.segment));
  if (filter.from !== undefined) conditions.push(eb('window_start', '>=', filter.from));
  if (filter.to !== undefined) conditions.push(eb('window_end', '<=', filter.to));
  return eb.and(conditions);
}

/** Dataset profiles over SQLite or PostgreSQL. */
export class SqlProfileStore implements ProfileStore {
  constructor(
    private readonly sql: SqlDatabase,
    private readonly clock: Clock = systemClock,
  ) {}

  private get db(): Db {
    return this.sql.db;
  }

  async save(profile: DatasetProfile): Promise<void> {
    const row = toRow(profile, this.clock.now());
    const { model, version, kind, source, segment, window_start, window_end, ...rest } = row;
    await this.db
      .insertInto('monitoring_profiles')
      .values(row)
      .onConflict((oc) =>
        oc
          .columns(['model', 'version', 'kind', 'source', 'segment', 'window_start', 'window_end'])
          .doUpdateSet(rest),
      )
      .execute();
  }

  async merge(profile: DatasetProfile): Promise<DatasetProfile> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction().execute(async (tx) => {
          let query = this.keyed(tx, profile.key, profile.start, profile.end).select('profile');
          if (this.sql.dialect === 'postgres') query = query.forUpdate();
          const existing = await query.executeTakeFirst();
          if (!existing) {
            await tx.insertInto('monitoring_profiles').values(toRow(profile, this.clock.now())).execute();
            return profile;
          }
          const merged = DatasetProfile.fromJSON(JSON.parse(existing.profile)).merge(profile);
          const { profile: text, rows, updated_at } = toRow(merged, this.clock.now());
          await this.keyedUpdate(tx, profile).set({ profile: text, rows, updated_at }).execute();
          return merged;
        });
      } catch (err) {
        if (!isRetryable(err) || attempt >= MAX_ATTEMPTS) {
          if (isRetryable(err))
            throw new SlipwayError(
              'TEMPORARILY_UNAVAILABLE',
              `Profile merge kept conflicting (${attempt} attempts)`,
            );
          throw err;
        }
        await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
      }
    }
  }

  async get(key: ProfileKey, start: number, end: number): Promise<DatasetProfile | undefined> {
    const row = await this.keyed(this.db, key, start, end).select('profile').executeTakeFirst();
    return row ? DatasetProfile.fromJSON(JSON.parse(row.profile)) : undefined;
  }

  async list(filter: ProfileFilter): Promise<StoredProfileSummary[]> {
    const rows = await this.filtered(filter)
      .select([
        'model',
        'version',
        'kind',
        'source',
        'segment',
        'window_start',
        'window_end',
        'rows',
        'updated_at',
      ])
      .execute();
    return rows.map(toSummary);
  }

  async load(filter: ProfileFilter): Promise<DatasetProfile[]> {
    const rows = await this.filtered(filter).select('profile').execute();
    return rows.map((r) => DatasetProfile.fromJSON(JSON.parse(r.profile)));
  }

  async delete(filter: ProfileFilter): Promise<number> {
    checkProfileFilter(filter);
    const result = await this.db
      .deleteFrom('monitoring_profiles')
      .where((eb) => matching(eb, filter))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  private filtered(filter: ProfileFilter) {
    checkProfileFilter(filter);
    return this.db
      .selectFrom('monitoring_profiles')
      .where((eb) => matching(eb, filter))
      .orderBy('window_start')
      .orderBy('window_end')
      .orderBy('version')
      .orderBy('kind')
      .orderBy('source');
  }

  private keyed(db: Db, key: ProfileKey, start: number, end: number) {
    return db
      .selectFrom('monitoring_profiles')
      .where('model', '=', key.model)
      .where('version', '=', key.version)
      .where('kind', '=', key.kind)
      .where('source', '=', key.source)
      .where('segment', '=', key.segment)
      .where('window_start', '=', start)
      .where('window_end', '=', end);
  }

  private keyedUpdate(db: Db, p: DatasetProfile) {
    return db
      .updateTable('monitoring_profiles')
      .where('model', '=', p.key.model)
      .where('version', '=', p.key.version)
      .where('kind', '=', p.key.kind)
      .where('source', '=', p.key.source)
      .where('segment', '=', p.key.segment)
      .where('window_start', '=', p.start)
      .where('window_end', '=', p.end);
  }
}
