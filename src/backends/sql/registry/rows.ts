/** Row ↔ domain mapping for the registry tables. */
import type { Kysely } from 'kysely';
import type { Tag } from '../../../core/types.js';
import type { ModelVersion, ModelVersionStatus, Stage } from '../../../registry/types.js';
import { chunk, groupBy } from '../collections.js';
import type { Database, ModelAliasesTable, ModelVersionsTable, ModelVersionTagsTable } from '../schema.js';

/** Deleted versions keep their row under this stage so their number is never reused. */
export const DELETED_STAGE = 'Deleted_Internal';

export function toModelVersion(row: ModelVersionsTable, tags: Tag[], aliases: string[]): ModelVersion {
  return {
    name: row.name,
    version: String(row.version),
    creationTimestamp: Number(row.creation_time),
    lastUpdatedTimestamp: Number(row.last_updated_time),
    currentStage: row.current_stage as Stage,
    description: row.description,
    source: row.source,
    runId: row.run_id,
    status: row.status as ModelVersionStatus,
    runLink: row.run_link,
    tags,
    aliases,
    lineage: {
      artifactUri: row.storage_location,
      contentHash: row.content_hash,
      signature: row.signature ? JSON.parse(row.signature) : null,
      codeVersion: row.code_version ? JSON.parse(row.code_version) : null,
      datasets: JSON.parse(row.datasets),
    },
  };
}

const versionKey = (name: string, version: number | string) => `${name}\u0000${version}`;

/** Attaches tags and aliases to many version rows in two queries per chunk of model names. */
export async function assembleVersions(
  db: Kysely<Database>,
  rows: ModelVersionsTable[],
): Promise<ModelVersion[]> {
  if (rows.length === 0) return [];
  const names = [...new Set(rows.map((r) => r.name))];
  const tagRows: ModelVersionTagsTable[] = [];
  const aliasRows: ModelAliasesTable[] = [];
  for (const ns of chunk(names)) {
    const [t, a] = await Promise.all([
      db.selectFrom('model_version_tags').selectAll().where('name', 'in', ns).orderBy('key').execute(),
      db.selectFrom('model_aliases').selectAll().where('name', 'in', ns).orderBy('alias').execute(),
    ]);
    tagRows.push(...t);
    aliasRows.push(...a);
  }
  const keyOf = (r: { name: string; version: number }) => versionKey(r.name, r.version);
  const tags = groupBy(tagRows, keyOf, (t): Tag => ({ key: t.key, value: t.value }));
  const aliases = groupBy(aliasRows, keyOf, (a) => a.alias);
  return rows.map((r) =>
    toModelVersion(
      r,
      tags.get(versionKey(r.name, r.version)) ?? [],
      aliases.get(versionKey(r.name, r.version)) ?? [],
    ),
  );
}
