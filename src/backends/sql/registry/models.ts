/** Registered-model persistence: create, read (with tags, aliases, latest versions), rename, delete, search. */
import type { Kysely } from 'kysely';
import { alreadyExists } from '../../../core/errors.js';
import type { Page, Tag } from '../../../core/types.js';
import type { RegistryQuery } from '../../../registry/store.js';
import type { RegisteredModel } from '../../../registry/types.js';
import { chunk } from '../collections.js';
import { isUniqueViolation } from '../errors.js';
import { fetchPage } from '../page.js';
import type { Database, RegisteredModelsTable, SqlDialectName } from '../schema.js';
import { applyRegisteredModelFilter, applyRegisteredModelOrder } from '../search/registry-search.js';
import { assembleVersions, DELETED_STAGE } from './rows.js';

type Db = Kysely<Database>;

export async function createRegisteredModel(
  db: Db,
  input: { name: string; description: string; tags: Tag[]; time: number },
): Promise<RegisteredModel> {
  try {
    await db.transaction().execute(async (tx) => {
      await tx
        .insertInto('registered_models')
        .values({
          name: input.name,
          description: input.description,
          creation_time: input.time,
          last_updated_time: input.time,
        })
        .execute();
      if (input.tags.length > 0) {
        await tx
          .insertInto('registered_model_tags')
          .values(input.tags.map((t) => ({ name: input.name, key: t.key, value: t.value })))
          .onConflict((oc) =>
            oc.columns(['name', 'key']).doUpdateSet({ value: (eb) => eb.ref('excluded.value') }),
          )
          .execute();
      }
    });
  } catch (err) {
    if (isUniqueViolation(err))
      throw alreadyExists(
        'Registered Model',
        input.name,
        `Registered Model (name=${input.name}) already exists.`,
      );
    throw err;
  }
  return (await getRegisteredModel(db, input.name))!;
}

/** Adds tags, aliases and the newest version per stage to model rows. */
async function assembleModels(db: Db, rows: RegisteredModelsTable[]): Promise<RegisteredModel[]> {
  if (rows.length === 0) return [];
  const out = new Map<string, RegisteredModel>();
  for (const r of rows) {
    out.set(r.name, {
      name: r.name,
      creationTimestamp: Number(r.creation_time),
      lastUpdatedTimestamp: Number(r.last_updated_time),
      description: r.description,
      tags: [],
      aliases: [],
      latestVersions: [],
    });
  }
  for (const names of chunk([...out.keys()])) {
    const [tags, aliases, latest] = await Promise.all([
      db.selectFrom('registered_model_tags').selectAll().where('name', 'in', names).orderBy('key').execute(),
      db.selectFrom('model_aliases').selectAll().where('name', 'in', names).orderBy('alias').execute(),
      db
        .selectFrom('model_versions')
        .select(['name', 'current_stage', (eb) => eb.fn.max('version').as('version')])
        .where('name', 'in', names)
        .where('current_stage', '!=', DELETED_STAGE)
        .groupBy(['name', 'current_stage'])
        .execute(),
    ]);
    for (const t of tags) out.get(t.name)?.tags.push({ key: t.key, value: t.value });
    for (const a of aliases) out.get(a.name)?.aliases.push({ alias: a.alias, version: String(a.version) });
    if (latest.length > 0) {
      const versionRows = await db
        .selectFrom('model_versions')
        .selectAll()
        .where((eb) =>
          eb.or(latest.map((l) => eb.and([eb('name', '=', l.name), eb('version', '=', Number(l.version))]))),
        )
        .orderBy('version')
        .execute();
      for (const v of await assembleVersions(db, versionRows)) out.get(v.name)?.latestVersions.push(v);
    }
  }
  return [...out.values()];
}

export async function getRegisteredModel(db: Db, name: string): Promise<RegisteredModel | undefined> {
  const row = await db
    .selectFrom('registered_models')
    .selectAll()
    .where('name', '=', name)
    .executeTakeFirst();
  return row ? (await assembleModels(db, [row]))[0] : undefined;
}

export async function renameRegisteredModel(
  db: Db,
  name: string,
  newName: string,
  time: number,
): Promise<void> {
  try {
    await db.transaction().execute(async (tx) => {
      await tx
        .updateTable('registered_models')
        .set({ name: newName, last_updated_time: time })
        .where('name', '=', name)
        .execute();
      for (const table of [
        'registered_model_tags',
        'model_versions',
        'model_version_tags',
        'model_aliases',
      ] as const) {
        await tx.updateTable(table).set({ name: newName }).where('name', '=', name).execute();
      }
    });
  } catch (err) {
    if (isUniqueViolation(err))
      throw alreadyExists('Registered Model', newName, `Registered Model (name=${newName}) already exists.`);
    throw err;
  }
}

export async function updateRegisteredModel(
  db: Db,
  name: string,
  description: string,
  time: number,
): Promise<void> {
  await db
    .updateTable('registered_models')
    .set({ description, last_updated_time: time })
    .where('name', '=', name)
    .execute();
}

export async function deleteRegisteredModel(db: Db, name: string): Promise<void> {
  await db.transaction().execute(async (tx) => {
    for (const table of [
      'registered_models',
      'registered_model_tags',
      'model_versions',
      'model_version_tags',
      'model_aliases',
    ] as const) {
      await tx.deleteFrom(table).where('name', '=', name).execute();
    }
  });
}

export async function searchRegisteredModels(
  db: Db,
  dialect: SqlDialectName,
  q: RegistryQuery,
): Promise<Page<RegisteredModel>> {
  let qb = db.selectFrom('registered_models').selectAll('registered_models');
  qb = applyRegisteredModelFilter(qb, q.filter, dialect);
  qb = applyRegisteredModelOrder(qb, q.orderBy, dialect);
  return fetchPage(qb, q, (rows) => assembleModels(db, rows));
}

export async function setRegisteredModelTag(db: Db, name: string, tag: Tag): Promise<void> {
  await db
    .insertInto('registered_model_tags')
    .values({ name, key: tag.key, value: tag.value })
    .onConflict((oc) => oc.columns(['name', 'key']).doUpdateSet({ value: tag.value }))
    .execute();
}

export async function deleteRegisteredModelTag(db: Db, name: string, key: string): Promise<void> {
  await db.deleteFrom('registered_model_tags').where('name', '=', name).where('key', '=', key).execute();
}
