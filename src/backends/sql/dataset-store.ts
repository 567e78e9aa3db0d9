/**
 * Dataset versions over SQLite or PostgreSQL: table `dataset_versions` (migration 004), one row per
 * (name, version). The primary key is what makes a concurrent registration of the same version
 * number fail (as `datasetVersionTaken`), so the registry can look again and retry.
 */
import type { Kysely, Selectable } from 'kysely';
import { datasetVersionTaken } from '../../datasets/dataset-registry.js';
import type { DatasetStore, DatasetVersion } from '../../datasets/types.js';
import type { SqlDatabase } from './connect.js';
import { isUniqueViolation } from './errors.js';
import type { Database, DatasetVersionsTable } from './schema.js';

type Row = Selectable<DatasetVersionsTable>;

function toVersion(row: Row): DatasetVersion {
  return {
    name: row.name,
    version: Number(row.version),
    digest: row.digest,
    source: row.source,
    rows: Number(row.row_count),
    schema: JSON.parse(row.schema) as Record<string, string>,
    ...(row.project === null ? {} : { project: row.project }),
    ...(row.features === null ? {} : { features: JSON.parse(row.features) as string[] }),
    ...(row.feature_service === null ? {} : { featureService: row.feature_service }),
    ...(row.entity_source === null ? {} : { entitySource: row.entity_source }),
    createdAt: Number(row.created_at),
  };
}

/** Dataset versions in the metadata database. */
export class SqlDatasetStore implements DatasetStore {
  constructor(private readonly sql: SqlDatabase) {}

  private get db(): Kysely<Database> {
    return this.sql.db;
  }

  async latest(name: string): Promise<DatasetVersion | undefined> {
    const row = await this.db
      .selectFrom('dataset_versions')
      .selectAll()
      .where('name', '=', name)
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && toVersion(row);
  }

  async get(name: string, version: number): Promise<DatasetVersion | undefined> {
    const row = await this.db
      .selectFrom('dataset_versions')
      .selectAll()
      .where('name', '=', name)
      .where('version', '=', version)
      .executeTakeFirst();
    return row && toVersion(row);
  }

  async versions(name: string): Promise<DatasetVersion[]> {
    const rows = await this.db
      .selectFrom('dataset_versions')
      .selectAll()
      .where('name', '=', name)
      .orderBy('version')
      .execute();
    return rows.map(toVersion);
  }

  async list(): Promise<DatasetVersion[]> {
    const rows = await this.db
      .selectFrom('dataset_versions as d')
      .selectAll('d')
      .where((eb) =>
        eb(
          'd.version',
          '=',
          eb
            .selectFrom('dataset_versions as e')
            .select((e) => e.fn.max('e.version').as('latest'))
            .whereRef('e.name', '=', 'd.name'),
        ),
      )
      .orderBy('d.name')
      .execute();
    return rows.map(toVersion);
  }

  async insert(v: DatasetVersion): Promise<void> {
    try {
      await this.db
        .insertInto('dataset_versions')
        .values({
          name: v.name,
          version: v.version,
          digest: v.digest,
          source: v.source,
          row_count: v.rows,
          schema: JSON.stringify(v.schema),
          project: v.project ?? null,
          features: v.features ? JSON.stringify(v.features) : null,
          feature_service: v.featureService ?? null,
          entity_source: v.entitySource ?? null,
          created_at: v.createdAt,
        })
        .execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw datasetVersionTaken(v.name, v.version);
      throw err;
    }
  }
}
