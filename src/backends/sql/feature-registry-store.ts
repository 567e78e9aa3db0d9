/**
 * The feature registry over SQLite or PostgreSQL: table `feature_definitions` (migration 003), one
 * row per version. An object's current definition is its highest version, unless that row is
 * marked deleted. Applies of one project take turns (a PostgreSQL advisory lock; SQLite's single
 * writer), and each write checks that it builds on the version the plan saw, so a stale plan fails
 * with a conflict rather than overwriting; the primary key is the backstop against duplicate versions.
 */
import { type Kysely, type Selectable, sql } from 'kysely';
import type { Plan } from '../../features/definitions/plan.js';
import type { DefinitionKind, StoredDefinition } from '../../features/definitions/spec.js';
import {
  type AppliedVersion,
  definitionConflict,
  type FeatureRegistryStore,
} from '../../features/feature-registry.js';
import type { SqlDatabase } from './connect.js';
import { isUniqueViolation } from './errors.js';
import type { Database, FeatureDefinitionsTable } from './schema.js';

type Db = Kysely<Database>;
type Row = Selectable<FeatureDefinitionsTable>;

function toDefinition<K extends DefinitionKind>(row: Row): StoredDefinition<K> {
  return {
    project: row.project,
    kind: row.kind as K,
    name: row.name,
    version: Number(row.version),
    spec: JSON.parse(row.spec),
    createdAt: Number(row.created_at),
    deleted: Number(row.deleted) === 1,
    ...(row.deleted_at === null ? {} : { deletedAt: Number(row.deleted_at) }),
    changes: JSON.parse(row.changes),
    breaking: Number(row.breaking) === 1,
  };
}

/** Rows that are the highest version of their object. */
function latestRows(db: Db, project: string) {
  return db
    .selectFrom('feature_definitions as f')
    .selectAll('f')
    .where('f.project', '=', project)
    .where((eb) =>
      eb(
        'f.version',
        '=',
        eb
          .selectFrom('feature_definitions as g')
          .select((g) => g.fn.max('g.version').as('latest'))
          .whereRef('g.project', '=', 'f.project')
          .whereRef('g.kind', '=', 'f.kind')
          .whereRef('g.name', '=', 'f.name'),
      ),
    );
}

/** Feature definitions in the metadata database. */
export class SqlFeatureRegistryStore implements FeatureRegistryStore {
  constructor(private readonly sql: SqlDatabase) {}

  private get db(): Db {
    return this.sql.db;
  }

  async listDefinitions(project: string, options: { includeDeleted?: boolean } = {}) {
    let query = latestRows(this.db, project);
    if (!options.includeDeleted) query = query.where('f.deleted', '=', 0);
    const rows = await query.orderBy('f.kind').orderBy('f.name').execute();
    return rows.map((r) => toDefinition(r));
  }

  async getDefinition<K extends DefinitionKind>(project: string, kind: K, name: string, version?: number) {
    const row =
      version === undefined
        ? await latestRows(this.db, project)
            .where('f.kind', '=', kind)
            .where('f.name', '=', name)
            .where('f.deleted', '=', 0)
            .executeTakeFirst()
        : await this.db
            .selectFrom('feature_definitions')
            .selectAll()
            .where('project', '=', project)
            .where('kind', '=', kind)
            .where('name', '=', name)
            .where('version', '=', version)
            .executeTakeFirst();
    return row ? toDefinition<K>(row) : undefined;
  }

  async history<K extends DefinitionKind>(project: string, kind: K, name: string) {
    const rows = await this.db
      .selectFrom('feature_definitions')
      .selectAll()
      .where('project', '=', project)
      .where('kind', '=', kind)
      .where('name', '=', name)
      .orderBy('version')
      .execute();
    return rows.map((r) => toDefinition<K>(r));
  }

  async applyPlan(plan: Plan, time: number): Promise<AppliedVersion[]> {
    const { project } = plan;
    let at: { kind: DefinitionKind; name: string } = { kind: 'entity', name: '' };
    try {
      return await this.db.transaction().execute(async (tx) => {
        await this.lockProject(tx, project);
        const applied: AppliedVersion[] = [];
        for (const change of plan.changes) {
          const { kind, name, action } = change;
          if (action === 'unchanged') continue;
          at = { kind, name };
          const latest = await tx
            .selectFrom('feature_definitions')
            .select(['version', 'deleted'])
            .where('project', '=', project)
            .where('kind', '=', kind)
            .where('name', '=', name)
            .orderBy('version', 'desc')
            .executeTakeFirst();
          const live = latest !== undefined && Number(latest.deleted) === 0;
          const latestVersion = Number(latest?.version ?? 0);
          const builtOn = action === 'added' ? (change.toVersion ?? 1) - 1 : change.fromVersion;
          if (live === (action === 'added') || latestVersion !== builtOn)
            throw definitionConflict(project, kind, name);
          if (action === 'removed') {
            await tx
              .updateTable('feature_definitions')
              .set({ deleted: 1, deleted_at: time })
              .where('project', '=', project)
              .where('kind', '=', kind)
              .where('name', '=', name)
              .where('version', '=', latestVersion)
              .execute();
            applied.push({ kind, name, version: latestVersion, action });
            continue;
          }
          const version = latestVersion + 1;
          await tx
            .insertInto('feature_definitions')
            .values({
              project,
              kind,
              name,
              version,
              spec: JSON.stringify(change.spec),
              changes: JSON.stringify(change.diff.map((d) => d.summary)),
              breaking: change.breaking ? 1 : 0,
              created_at: time,
              deleted: 0,
              deleted_at: null,
            })
            .execute();
          applied.push({ kind, name, version, action });
        }
        return applied;
      });
    } catch (err) {
      // Another writer stored this version between our check and our insert.
      if (isUniqueViolation(err)) throw definitionConflict(project, at.kind, at.name);
      throw err;
    }
  }

  async listProjects(): Promise<string[]> {
    const rows = await this.db
      .selectFrom('feature_definitions')
      .select('project')
      .distinct()
      .orderBy('project')
      .execute();
    return rows.map((r) => r.project);
  }

  async changeToken(project: string): Promise<string> {
    // Applies only add versions or mark the latest deleted: the count and the two latest times move.
    const row = await this.db
      .selectFrom('feature_definitions')
      .select((eb) => [
        eb.fn.countAll().as('n'),
        eb.fn.max('created_at').as('created'),
        eb.fn.max('deleted_at').as('deleted'),
      ])
      .where('project', '=', project)
      .executeTakeFirst();
    return `${Number(row?.n ?? 0)}:${Number(row?.created ?? 0)}:${Number(row?.deleted ?? 0)}`;
  }

  /** Makes concurrent applies of one project take turns, so each sees what the previous one stored. */
  private async lockProject(tx: Db, project: string): Promise<void> {
    if (this.sql.dialect === 'postgres') {
      await sql`SELECT pg_advisory_xact_lock(hashtext(${`slipway.feature_definitions:${project}`}))`.execute(
        tx,
      );
      return;
    }
    // SQLite has one writer; writing first takes its lock now (waiting out other connections via
    // busy_timeout) rather than failing later to upgrade a read snapshot that went stale.
    await tx
      .updateTable('feature_definitions')
      .set({ deleted: 0 })
      .where('project', '=', project)
      .where('version', '<', 0)
      .execute();
  }
}
