/** Experiment persistence: create, read, search, rename, delete/restore (with their runs). */
import type { Kysely } from 'kysely';
import { alreadyExists } from '../../../core/errors.js';
import type { Page, Tag } from '../../../core/types.js';
import type { ExperimentPatch, ExperimentQuery, NewExperiment } from '../../../tracking/store.js';
import type { Experiment } from '../../../tracking/types.js';
import { groupBy } from '../collections.js';
import { isUniqueViolation } from '../errors.js';
import { fetchPage } from '../page.js';
import type { Database, SqlDialectName } from '../schema.js';
import { applyExperimentFilter, applyExperimentOrder } from '../search/experiment-search.js';
import { type ExperimentRow, toExperiment } from './rows.js';

type Db = Kysely<Database>;

export async function createExperiment(db: Db, input: NewExperiment): Promise<Experiment> {
  try {
    return await db.transaction().execute(async (tx) => {
      const values = {
        name: input.name,
        artifact_location: input.artifactLocation ?? '',
        lifecycle_stage: 'active',
        creation_time: input.time,
        last_update_time: input.time,
        ...(input.experimentId !== undefined ? { experiment_id: Number(input.experimentId) } : {}),
      };
      const { experiment_id } = await tx
        .insertInto('experiments')
        .values(values)
        .returning('experiment_id')
        .executeTakeFirstOrThrow();
      if (!input.artifactLocation) {
        await tx
          .updateTable('experiments')
          .set({ artifact_location: `${input.defaultArtifactRoot}/${experiment_id}` })
          .where('experiment_id', '=', experiment_id)
          .execute();
      }
      if (input.tags.length > 0) {
        await tx
          .insertInto('experiment_tags')
          .values(input.tags.map((t) => ({ experiment_id, key: t.key, value: t.value })))
          .execute();
      }
      const row = await tx
        .selectFrom('experiments')
        .selectAll()
        .where('experiment_id', '=', experiment_id)
        .executeTakeFirstOrThrow();
      return toExperiment(row, input.tags);
    });
  } catch (err) {
    if (isUniqueViolation(err))
      throw alreadyExists('Experiment', input.name, `Experiment(name=${input.name}) already exists.`);
    throw err;
  }
}

async function withTags(db: Db, rows: ExperimentRow[]): Promise<Experiment[]> {
  if (rows.length === 0) return [];
  const tagRows = await db
    .selectFrom('experiment_tags')
    .select(['experiment_id', 'key', 'value'])
    .where(
      'experiment_id',
      'in',
      rows.map((r) => r.experiment_id),
    )
    .orderBy('key')
    .execute();
  const tags = groupBy(
    tagRows,
    (r) => String(r.experiment_id),
    (r): Tag => ({ key: r.key, value: r.value }),
  );
  return rows.map((r) => toExperiment(r, tags.get(String(r.experiment_id)) ?? []));
}

export async function getExperiment(db: Db, id: string): Promise<Experiment | undefined> {
  const n = Number(id);
  if (!Number.isSafeInteger(n)) return undefined;
  const row = await db
    .selectFrom('experiments')
    .selectAll()
    .where('experiment_id', '=', n)
    .executeTakeFirst();
  return row ? (await withTags(db, [row]))[0] : undefined;
}

export async function getExperimentByName(db: Db, name: string): Promise<Experiment | undefined> {
  const row = await db.selectFrom('experiments').selectAll().where('name', '=', name).executeTakeFirst();
  return row ? (await withTags(db, [row]))[0] : undefined;
}

export async function searchExperiments(
  db: Db,
  dialect: SqlDialectName,
  q: ExperimentQuery,
): Promise<Page<Experiment>> {
  let qb = db.selectFrom('experiments').selectAll('experiments');
  if (q.view === 'ACTIVE_ONLY') qb = qb.where('experiments.lifecycle_stage', '=', 'active');
  if (q.view === 'DELETED_ONLY') qb = qb.where('experiments.lifecycle_stage', '=', 'deleted');
  qb = applyExperimentFilter(qb, q.filter, dialect);
  qb = applyExperimentOrder(qb, q.orderBy, dialect);
  return fetchPage(qb, q, (rows) => withTags(db, rows));
}

export async function updateExperiment(db: Db, id: string, patch: ExperimentPatch): Promise<void> {
  const n = Number(id);
  try {
    await db.transaction().execute(async (tx) => {
      await tx
        .updateTable('experiments')
        .set({
          last_update_time: patch.time,
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.lifecycleStage !== undefined ? { lifecycle_stage: patch.lifecycleStage } : {}),
        })
        .where('experiment_id', '=', n)
        .execute();
      if (patch.lifecycleStage !== undefined) {
        // Deleting an experiment deletes its runs; restoring brings them back (as MLflow does).
        await tx
          .updateTable('runs')
          .set({
            lifecycle_stage: patch.lifecycleStage,
            deleted_time: patch.lifecycleStage === 'deleted' ? patch.time : null,
          })
          .where('experiment_id', '=', n)
          .execute();
      }
    });
  } catch (err) {
    if (isUniqueViolation(err))
      throw alreadyExists('Experiment', patch.name ?? id, `Experiment(name=${patch.name}) already exists.`);
    throw err;
  }
}

export async function setExperimentTag(db: Db, id: string, tag: Tag): Promise<void> {
  await db
    .insertInto('experiment_tags')
    .values({ experiment_id: Number(id), key: tag.key, value: tag.value })
    .onConflict((oc) => oc.columns(['experiment_id', 'key']).doUpdateSet({ value: tag.value }))
    .execute();
}
