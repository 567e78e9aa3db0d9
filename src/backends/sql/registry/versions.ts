/** Model-version persistence: numbering, stages, tags, aliases, search. */
import type { Kysely } from 'kysely';
import type { Page, Tag } from '../../../core/types.js';
import type { NewModelVersion, RegistryQuery } from '../../../registry/store.js';
import type { ModelVersion, Stage } from '../../../registry/types.js';
import { isUniqueViolation } from '../errors.js';
import { fetchPage } from '../page.js';
import type { Database, ModelVersionsTable, SqlDialectName } from '../schema.js';
import { applyModelVersionFilter, applyModelVersionOrder } from '../search/registry-search.js';
import { assembleVersions, DELETED_STAGE } from './rows.js';

type Db = Kysely<Database>;

/** Creates the next version; creators of one model are serialised by the model-row lock (retry is a backstop). */
export async function createModelVersion(db: Db, input: NewModelVersion): Promise<ModelVersion> {
  for (let attempt = 0; ; attempt++) {
    try {
      const version = await db.transaction().execute(async (tx) => {
        // Touching the model row first locks it (PostgreSQL row lock; SQLite has one writer), so
        // concurrent creators take turns and each reads the max after the previous one committed.
        await tx
          .updateTable('registered_models')
          .set({ last_updated_time: input.time })
          .where('name', '=', input.name)
          .execute();
        const { max } = await tx
          .selectFrom('model_versions')
          .select((eb) => eb.fn.max('version').as('max'))
          .where('name', '=', input.name)
          .executeTakeFirstOrThrow();
        const version = Number(max ?? 0) + 1;
        await tx
          .insertInto('model_versions')
          .values({
            name: input.name,
            version,
            creation_time: input.time,
            last_updated_time: input.time,
            description: input.description,
            current_stage: 'None',
            source: input.source,
            run_id: input.runId,
            run_link: input.runLink,
            status: 'READY',
            storage_location: input.lineage.artifactUri,
            content_hash: input.lineage.contentHash,
            signature: input.lineage.signature ? JSON.stringify(input.lineage.signature) : null,
            code_version: input.lineage.codeVersion ? JSON.stringify(input.lineage.codeVersion) : null,
            datasets: JSON.stringify(input.lineage.datasets),
          })
          .execute();
        if (input.tags.length > 0) {
          await tx
            .insertInto('model_version_tags')
            .values(input.tags.map((t) => ({ name: input.name, version, key: t.key, value: t.value })))
            .execute();
        }
        return version;
      });
      return (await getModelVersion(db, input.name, String(version)))!;
    } catch (err) {
      if (!isUniqueViolation(err) || attempt >= 10) throw err;
    }
  }
}

function versionNumber(version: string): number {
  const n = Number(version);
  return Number.isSafeInteger(n) ? n : -1;
}

export async function getModelVersion(
  db: Db,
  name: string,
  version: string,
): Promise<ModelVersion | undefined> {
  const row = await db
    .selectFrom('model_versions')
    .selectAll()
    .where('name', '=', name)
    .where('version', '=', versionNumber(version))
    .where('current_stage', '!=', DELETED_STAGE)
    .executeTakeFirst();
  return row ? (await assembleVersions(db, [row]))[0] : undefined;
}

export async function updateModelVersion(
  db: Db,
  name: string,
  version: string,
  patch: Partial<Pick<ModelVersionsTable, 'description' | 'current_stage'>>,
  time: number,
): Promise<void> {
  await db
    .updateTable('model_versions')
    .set({ ...patch, last_updated_time: time })
    .where('name', '=', name)
    .where('version', '=', versionNumber(version))
    .execute();
}

export async function transitionStage(
  db: Db,
  name: string,
  version: string,
  stage: Stage,
  archiveExisting: boolean,
  time: number,
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    if (archiveExisting && (stage === 'Staging' || stage === 'Production')) {
      await tx
        .updateTable('model_versions')
        .set({ current_stage: 'Archived', last_updated_time: time })
        .where('name', '=', name)
        .where('current_stage', '=', stage)
        .where('version', '!=', versionNumber(version))
        .execute();
    }
    await tx
      .updateTable('model_versions')
      .set({ current_stage: stage, last_updated_time: time })
      .where('name', '=', name)
      .where('version', '=', versionNumber(version))
      .execute();
  });
}

export async function deleteModelVersion(db: Db, name: string, version: string): Promise<void> {
  const v = versionNumber(version);
  await db.transaction().execute(async (tx) => {
    await tx
      .updateTable('model_versions')
      .set({ current_stage: DELETED_STAGE })
      .where('name', '=', name)
      .where('version', '=', v)
      .execute();
    await tx.deleteFrom('model_version_tags').where('name', '=', name).where('version', '=', v).execute();
    await tx.deleteFrom('model_aliases').where('name', '=', name).where('version', '=', v).execute();
  });
}

export async function searchModelVersions(
  db: Db,
  dialect: SqlDialectName,
  q: RegistryQuery,
): Promise<Page<ModelVersion>> {
  let qb = db
    .selectFrom('model_versions')
    .selectAll('model_versions')
    .where('model_versions.current_stage', '!=', DELETED_STAGE);
  qb = applyModelVersionFilter(qb, q.filter, dialect);
  qb = applyModelVersionOrder(qb, q.orderBy, dialect);
  return fetchPage(qb, q, (rows) => assembleVersions(db, rows));
}

export async function setModelVersionTag(db: Db, name: string, version: string, tag: Tag): Promise<void> {
  await db
    .insertInto('model_version_tags')
    .values({ name, version: versionNumber(version), key: tag.key, value: tag.value })
    .onConflict((oc) => oc.columns(['name', 'version', 'key']).doUpdateSet({ value: tag.value }))
    .execute();
}

export async function deleteModelVersionTag(
  db: Db,
  name: string,
  version: string,
  key: string,
): Promise<void> {
  await db
    .deleteFrom('model_version_tags')
    .where('name', '=', name)
    .where('version', '=', versionNumber(version))
    .where('key', '=', key)
    .execute();
}

export async function setAlias(db: Db, name: string, alias: string, version: string): Promise<void> {
  const v = versionNumber(version);
  await db
    .insertInto('model_aliases')
    .values({ name, alias, version: v })
    .onConflict((oc) => oc.columns(['name', 'alias']).doUpdateSet({ version: v }))
    .execute();
}

export async function deleteAlias(db: Db, name: string, alias: string): Promise<void> {
  await db.deleteFrom('model_aliases').where('name', '=', name).where('alias', '=', alias).execute();
}

export async function getVersionByAlias(
  db: Db,
  name: string,
  alias: string,
): Promise<ModelVersion | undefined> {
  const row = await db
    .selectFrom('model_aliases')
    .innerJoin('model_versions', (j) =>
      j
        .onRef('model_versions.name', '=', 'model_aliases.name')
        .onRef('model_versions.version', '=', 'model_aliases.version'),
    )
    .selectAll('model_versions')
    .where('model_aliases.name', '=', name)
    .where('model_aliases.alias', '=', alias)
    .executeTakeFirst();
  return row ? (await assembleVersions(db, [row]))[0] : undefined;
}
