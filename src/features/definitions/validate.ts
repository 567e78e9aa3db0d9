/**
 * Checks a feature repo before it is planned or applied: names are well-formed and unique per kind,
 * every reference resolves, types and settings are valid. All problems are reported at once, each
 * naming the object and field and, for a bad reference, the names that would have been valid.
 */
import { SlipwayError } from '../../core/errors.js';
import type { DataSource, Feature, FeatureRepo } from '../types.js';
import { FEATURE_VALUE_TYPES } from './define.js';

/** What names of projects, objects, features and join keys must look like. */
export const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** One thing wrong with a repo. */
export interface DefinitionProblem {
  /** `feature view 'driver_stats'` */
  object: string;
  field: string;
  message: string;
  /** The names a reference could have used. */
  valid?: string[];
}

const capitalize = (s: string) => s[0].toUpperCase() + s.slice(1);

/** "known entities are driver, customer" or "no entities are defined". */
function known(plural: string, names: readonly string[]): string {
  return names.length === 0 ? `no ${plural} are defined` : `known ${plural} are ${names.join(', ')}`;
}

class Problems {
  readonly list: DefinitionProblem[] = [];
  add(object: string, field: string, message: string, valid?: string[]): void {
    this.list.push({
      object,
      field,
      message: `${capitalize(object)} ${message}`,
      ...(valid ? { valid } : {}),
    });
  }
  name(object: string, field: string, value: unknown): void {
    if (typeof value !== 'string' || !NAME_PATTERN.test(value))
      this.add(
        object,
        field,
        `has invalid ${field} ${JSON.stringify(value)}: use letters, digits and underscores, not starting with a digit`,
      );
  }
  text(object: string, field: string, value: unknown, optional = false): void {
    if (optional && value === undefined) return;
    if (typeof value !== 'string' || value.trim() === '')
      this.add(object, field, `field '${field}' must be a non-empty string, got ${JSON.stringify(value)}`);
  }
  type(object: string, field: string, value: unknown): void {
    if (!FEATURE_VALUE_TYPES.includes(value as never))
      this.add(
        object,
        field,
        `field '${field}' has type ${JSON.stringify(value)}: valid types are ${FEATURE_VALUE_TYPES.join(', ')}`,
      );
  }
}

/** Flags objects of one kind sharing a name; returns the names in declaration order. */
function uniqueNames(p: Problems, label: string, items: readonly { name: string }[]): string[] {
  const seen = new Set<string>();
  for (const item of items) {
    p.name(`${label} '${item.name}'`, 'name', item.name);
    if (seen.has(item.name)) p.add(`${label} '${item.name}'`, 'name', 'is declared twice');
    seen.add(item.name);
  }
  return [...seen];
}

function checkFeatures(
  p: Problems,
  object: string,
  field: string,
  features: unknown,
  taken = new Set<string>(),
) {
  if (!Array.isArray(features)) {
    p.add(object, field, `field '${field}' must be a list of features`);
    return;
  }
  for (const f of features as Feature[]) {
    const at = `${field}.${f?.name}`;
    p.name(object, `${field} feature name`, f?.name);
    if (taken.has(f?.name))
      p.add(object, at, `declares '${f?.name}' twice (features and join keys share one row)`);
    taken.add(f?.name);
    p.type(object, `${at}.type`, f?.type);
    const c = f?.constraints;
    if (c === undefined) continue;
    if (c.min !== undefined && !Number.isFinite(c.min))
      p.add(object, `${at}.constraints.min`, 'needs a finite min');
    if (c.max !== undefined && !Number.isFinite(c.max))
      p.add(object, `${at}.constraints.max`, 'needs a finite max');
    if (c.min !== undefined && c.max !== undefined && c.min > c.max)
      p.add(object, `${at}.constraints`, `has min ${c.min} above max ${c.max}`);
    if (c.maxNullShare !== undefined && !(c.maxNullShare >= 0 && c.maxNullShare <= 1))
      p.add(
        object,
        `${at}.constraints.maxNullShare`,
        `needs a max null share between 0 and 1, got ${c.maxNullShare}`,
      );
    if (c.allowedValues !== undefined && !Array.isArray(c.allowedValues))
      p.add(object, `${at}.constraints.allowedValues`, 'needs allowed values as a list');
  }
  if (features.length === 0 && field === 'schema') p.add(object, field, 'declares no features');
}

function checkSource(p: Problems, s: DataSource, sources: readonly DataSource[]) {
  const object = `source '${s.name}'`;
  if (s.kind === 'file') {
    p.text(object, 'path', s.path);
    if (s.format !== 'parquet' && s.format !== 'csv')
      p.add(object, 'format', `has format ${JSON.stringify(s.format)}: valid formats are parquet, csv`);
  } else if (s.kind === 'postgres') {
    p.text(object, 'connection', s.connection, true);
    if ((s.table === undefined) === (s.query === undefined))
      p.add(object, 'table', "needs exactly one of 'table' and 'query'");
    p.text(object, 'table', s.table, true);
    p.text(object, 'query', s.query, true);
  } else if (s.kind === 'push') {
    if (s.batchSource === undefined) return;
    const batch = sources.find((b) => b.name === s.batchSource);
    const batchNames = sources.filter((b) => b.kind !== 'push').map((b) => b.name);
    if (!batch || batch.kind === 'push')
      p.add(
        object,
        'batchSource',
        `names unknown batch source '${s.batchSource}': ${known('file or PostgreSQL sources', batchNames)}`,
        batchNames,
      );
    return;
  } else {
    const kind = (s as { kind?: unknown }).kind;
    p.add(object, 'kind', `has kind ${JSON.stringify(kind)}: valid kinds are file, postgres, push`);
    return;
  }
  p.text(object, 'timestampField', s.timestampField);
  p.text(object, 'createdTimestampField', s.createdTimestampField, true);
}

/**
 * Throws SlipwayError INVALID_PARAMETER_VALUE listing every problem of `repo` (details.problems);
 * returns quietly when the repo is consistent.
 *
 * @example validateFeatureRepo(await loadFeatureRepo('features.yaml'))
 * // Feature view 'driver_stats' names unknown entity 'drivr': known entities are driver, customer
 */
export function validateFeatureRepo(repo: FeatureRepo): void {
  const p = new Problems();
  p.name(`project '${repo.project}'`, 'project name', repo.project);
  for (const list of [
    'entities',
    'sources',
    'featureViews',
    'onDemandFeatureViews',
    'featureServices',
  ] as const)
    if (!Array.isArray(repo[list]))
      p.add(`project '${repo.project}'`, list, `field '${list}' must be a list`);
  if (p.list.length > 0) throw toError(p.list);

  const entityNames = uniqueNames(p, 'entity', repo.entities);
  const sourceNames = uniqueNames(p, 'source', repo.sources);
  const viewNames = uniqueNames(p, 'feature view', repo.featureViews);
  const onDemandNames = uniqueNames(p, 'on-demand feature view', repo.onDemandFeatureViews);
  uniqueNames(p, 'feature service', repo.featureServices);
  for (const name of onDemandNames)
    if (viewNames.includes(name))
      p.add(`on-demand feature view '${name}'`, 'name', 'has the name of a feature view');

  for (const e of repo.entities) {
    const object = `entity '${e.name}'`;
    if (!Array.isArray(e.joinKeys) || e.joinKeys.length === 0) {
      p.add(object, 'joinKeys', 'declares no join keys');
      continue;
    }
    const names = new Set<string>();
    for (const k of e.joinKeys) {
      p.name(object, 'join key name', k?.name);
      if (names.has(k?.name)) p.add(object, 'joinKeys', `declares join key '${k?.name}' twice`);
      names.add(k?.name);
      p.type(object, `joinKeys.${k?.name}.type`, k?.type);
    }
  }
  for (const s of repo.sources) checkSource(p, s, repo.sources);

  const featuresOf = new Map<string, string[]>();
  for (const v of repo.featureViews) {
    const object = `feature view '${v.name}'`;
    const joinKeys = new Set<string>();
    for (const e of Array.isArray(v.entities) ? v.entities : []) {
      const found = repo.entities.find((x) => x.name === e);
      if (!found)
        p.add(
          object,
          'entities',
          `names unknown entity '${e}': ${known('entities', entityNames)}`,
          entityNames,
        );
      for (const k of found?.joinKeys ?? []) joinKeys.add(k.name);
    }
    if (!Array.isArray(v.entities))
      p.add(object, 'entities', "field 'entities' must be a list of entity names");
    if (!sourceNames.includes(v.source))
      p.add(
        object,
        'source',
        `names unknown source '${v.source}': ${known('sources', sourceNames)}`,
        sourceNames,
      );
    checkFeatures(p, object, 'schema', v.schema, joinKeys);
    if (!Number.isSafeInteger(v.ttlSeconds) || v.ttlSeconds < 0)
      p.add(
        object,
        'ttlSeconds',
        `needs a TTL of 0 or more whole seconds, got ${JSON.stringify(v.ttlSeconds)}`,
      );
    for (const flag of ['online', 'offline'] as const)
      if (typeof v[flag] !== 'boolean') p.add(object, flag, `field '${flag}' must be true or false`);
    p.text(object, 'owner', v.owner, true);
    featuresOf.set(v.name, Array.isArray(v.schema) ? v.schema.map((f) => f.name) : []);
  }

  const storedOnly = new Map(featuresOf);
  for (const v of repo.onDemandFeatureViews) {
    const object = `on-demand feature view '${v.name}'`;
    const taken = new Set<string>();
    checkFeatures(p, object, 'requestSchema', v.requestSchema, taken);
    checkFeatures(p, object, 'schema', v.schema, taken);
    for (const ref of Array.isArray(v.sources) ? v.sources : [])
      checkReference(p, object, 'sources', ref, storedOnly, 'feature views', false);
    if (typeof v.transform !== 'function') p.add(object, 'transform', 'needs a transform function');
    featuresOf.set(v.name, Array.isArray(v.schema) ? v.schema.map((f) => f.name) : []);
  }

  for (const s of repo.featureServices) {
    const object = `feature service '${s.name}'`;
    if (!Array.isArray(s.features) || s.features.length === 0) p.add(object, 'features', 'names no features');
    for (const ref of Array.isArray(s.features) ? s.features : [])
      checkReference(p, object, 'features', ref, featuresOf, 'feature views', true);
  }
  if (p.list.length > 0) throw toError(p.list);
}

/** Checks one `view:feature` (or, where allowed, `view:*`) reference against the views' features. */
function checkReference(
  p: Problems,
  object: string,
  field: string,
  ref: unknown,
  featuresOf: Map<string, string[]>,
  plural: string,
  allowStar: boolean,
): void {
  const parts = typeof ref === 'string' ? ref.split(':') : [];
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '' || (parts[1] === '*' && !allowStar)) {
    const expected = allowStar ? "'view:feature' or 'view:*'" : "'view:feature'";
    p.add(object, field, `has invalid feature reference ${JSON.stringify(ref)}: expected ${expected}`);
    return;
  }
  const [view, feature] = parts;
  const features = featuresOf.get(view);
  const views = [...featuresOf.keys()];
  if (!features) {
    p.add(object, field, `names unknown feature view '${view}' in '${ref}': ${known(plural, views)}`, views);
    return;
  }
  if (feature === '*') return;
  if (!features.includes(feature))
    p.add(
      object,
      field,
      `names unknown feature '${feature}' of feature view '${view}': its features are ${features.join(', ')}`,
      features,
    );
}

function toError(problems: DefinitionProblem[]): SlipwayError {
  const message =
    problems.length === 1
      ? problems[0].message
      : `${problems.length} problems in the feature definitions:\n${problems.map((x) => `- ${x.message}`).join('\n')}`;
  return new SlipwayError('INVALID_PARAMETER_VALUE', message, {
    object: problems[0].object,
    field: problems[0].field,
    problems,
  });
}
