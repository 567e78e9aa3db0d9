/** Run persistence: create, read (with params, tags, latest metrics and inputs), update, search. */
import type { Kysely } from 'kysely';
import type { Page, Tag } from '../../../core/types.js';
import type { NewRun, RunPatch, RunQuery } from '../../../tracking/store.js';
import type { Dataset, DatasetInput, Run, RunInfo } from '../../../tracking/types.js';
import { chunk, groupBy } from '../collections.js';
import { fetchPage } from '../page.js';
import type { Database, RunsTable, SqlDialectName } from '../schema.js';
import { applyRunFilter, applyRunOrder } from '../search/run-search.js';
import { assembleRun, type RunParts, toMetric, toRunInfo } from './rows.js';

type Db = Kysely<Database>;

export async function createRun(db: Db, input: NewRun): Promise<Run> {
  const row: RunsTable = {
    run_id: input.runId,
    experiment_id: Number(input.experimentId),
    run_name: input.runName,
    user_id: input.userId,
    status: 'RUNNING',
    start_time: input.startTime,
    end_time: null,
    deleted_time: null,
    artifact_uri: input.artifactUri,
    lifecycle_stage: 'active',
  };
  await db.transaction().execute(async (tx) => {
    await tx.insertInto('runs').values(row).execute();
    if (input.tags.length > 0) {
      await tx
        .insertInto('tags')
        .values(input.tags.map((t) => ({ run_id: input.runId, key: t.key, value: t.value })))
        .onConflict((oc) => oc.columns(['run_id', 'key']).doNothing())
        .execute();
    }
  });
  return assembleRun(row, {
    params: new Map(),
    metrics: new Map(),
    inputs: new Map(),
    tags: new Map([[input.runId, [...input.tags].sort(byKey)]]),
  });
}

function byKey(a: { key: string }, b: { key: string }): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** Loads params, tags, latest metrics and dataset inputs of many runs in a few queries. */
async function loadParts(db: Db, runIds: string[]): Promise<RunParts> {
  const parts: RunParts = { params: new Map(), tags: new Map(), metrics: new Map(), inputs: new Map() };
  for (const ids of chunk(runIds, 500)) {
    const [params, tags, metrics, inputs] = await Promise.all([
      db
        .selectFrom('params')
        .select(['run_id', 'key', 'value'])
        .where('run_id', 'in', ids)
        .orderBy('key')
        .execute(),
      db
        .selectFrom('tags')
        .select(['run_id', 'key', 'value'])
        .where('run_id', 'in', ids)
        .orderBy('key')
        .execute(),
      db.selectFrom('latest_metrics').selectAll().where('run_id', 'in', ids).orderBy('key').execute(),
      db
        .selectFrom('run_inputs')
        .innerJoin('datasets', 'datasets.dataset_id', 'run_inputs.dataset_id')
        .select([
          'run_inputs.run_id',
          'run_inputs.tags',
          'datasets.name',
          'datasets.digest',
          'datasets.source_type',
          'datasets.source',
          'datasets.schema',
          'datasets.profile',
        ])
        .where('run_inputs.run_id', 'in', ids)
        .orderBy('datasets.name')
        .execute(),
    ]);
    const kv = (r: { key: string; value: string }): Tag => ({ key: r.key, value: r.value });
    for (const [k, v] of groupBy(params, (r) => r.run_id, kv)) parts.params.set(k, v);
    for (const [k, v] of groupBy(tags, (r) => r.run_id, kv)) parts.tags.set(k, v);
    for (const [k, v] of groupBy(metrics, (r) => r.run_id, toMetric)) parts.metrics.set(k, v);
    const toInput = (r: (typeof inputs)[number]): DatasetInput => {
      const dataset: Dataset = {
        name: r.name,
        digest: r.digest,
        sourceType: r.source_type,
        source: r.source,
      };
      if (r.schema !== null) dataset.schema = r.schema;
      if (r.profile !== null) dataset.profile = r.profile;
      return { dataset, tags: JSON.parse(r.tags) as Tag[] };
    };
    for (const [k, v] of groupBy(inputs, (r) => r.run_id, toInput)) parts.inputs.set(k, v);
  }
  return parts;
}

export async function getRun(db: Db, runId: string): Promise<Run | undefined> {
  const row = await db.selectFrom('runs').selectAll().where('run_id', '=', runId).executeTakeFirst();
  if (!row) return undefined;
  return assembleRun(row, await loadParts(db, [runId]));
}

export async function getRunInfo(db: Db, runId: string): Promise<RunInfo | undefined> {
  const row = await db.selectFrom('runs').selectAll().where('run_id', '=', runId).executeTakeFirst();
  return row ? toRunInfo(row) : undefined;
}

export async function updateRun(db: Db, runId: string, patch: RunPatch): Promise<void> {
  const set: Partial<RunsTable> = {};
  if (patch.status !== undefined) set.status = patch.status;
  if (patch.endTime !== undefined) set.end_time = patch.endTime;
  if (patch.lifecycleStage !== undefined) set.lifecycle_stage = patch.lifecycleStage;
  if (patch.deletedTime !== undefined) set.deleted_time = patch.deletedTime;
  await db.transaction().execute(async (tx) => {
    if (patch.runName !== undefined) {
      set.run_name = patch.runName;
      // The run name is mirrored in the `mlflow.runName` tag, which clients read.
      await tx
        .insertInto('tags')
        .values({ run_id: runId, key: 'mlflow.runName', value: patch.runName })
        .onConflict((oc) => oc.columns(['run_id', 'key']).doUpdateSet({ value: patch.runName }))
        .execute();
    }
    if (Object.keys(set).length > 0)
      await tx.updateTable('runs').set(set).where('run_id', '=', runId).execute();
  });
}

export async function searchRuns(db: Db, dialect: SqlDialectName, q: RunQuery): Promise<Page<Run>> {
  const experimentIds = q.experimentIds.filter((id) => /^\d+$/.test(id)).map(Number);
  if (experimentIds.length === 0) return { items: [] };
  let qb = db.selectFrom('runs').selectAll('runs').where('runs.experiment_id', 'in', experimentIds);
  if (q.view === 'ACTIVE_ONLY') qb = qb.where('runs.lifecycle_stage', '=', 'active');
  if (q.view === 'DELETED_ONLY') qb = qb.where('runs.lifecycle_stage', '=', 'deleted');
  qb = applyRunFilter(qb, q.filter, dialect);
  qb = applyRunOrder(qb, q.orderBy, dialect);
  return fetchPage(qb, q, async (rows) => {
    const parts = await loadParts(
      db,
      rows.map((r) => r.run_id),
    );
    return rows.map((r) => assembleRun(r, parts));
  });
}
