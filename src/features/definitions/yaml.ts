/**
 * The YAML form of a feature repo (snake_case keys), mapped onto the same helpers TypeScript
 * definitions use. Unknown keys are errors, so a misspelt `timestmap_field` is caught rather than
 * silently defaulted. On-demand views name their transform as `module` + `export`; the caller
 * imports it (see load.ts).
 */
import { parse, YAMLParseError } from 'yaml';
import { SlipwayError } from '../../core/errors.js';
import type { DataSource, Feature, FeatureConstraints, FeatureRepo, FeatureValueType } from '../types.js';
import {
  entity,
  FEATURE_VALUE_TYPES,
  featureRepo,
  featureService,
  featureView,
  fileSource,
  postgresSource,
  pushSource,
} from './define.js';
import type { Duration } from './duration.js';

/** An on-demand view declared in YAML, before its transform is imported. */
export interface YamlOnDemandView {
  name: string;
  module: string;
  export: string;
  requestSchema: Feature[];
  sources: string[];
  schema: Feature[];
}

type YamlMap = Record<string, unknown>;

function fail(file: string, where: string, message: string): SlipwayError {
  return new SlipwayError('INVALID_PARAMETER_VALUE', `${file}: ${where} ${message}`, { file, object: where });
}

/** Reads fields of one YAML mapping. */
class Fields {
  constructor(
    private readonly file: string,
    readonly where: string,
    private readonly map: YamlMap,
  ) {}

  static of(file: string, where: string, value: unknown): Fields {
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      throw fail(file, where, `must be a mapping, got ${JSON.stringify(value)}`);
    return new Fields(file, where, value as YamlMap);
  }
  error(message: string): SlipwayError {
    return fail(this.file, this.where, message);
  }
  /** Rejects keys outside `keys` up front, so a misspelt key is named rather than reported missing. */
  allow(keys: string[]): this {
    const unknown = Object.keys(this.map).find((k) => !keys.includes(k));
    if (unknown !== undefined)
      throw this.error(`has unknown field '${unknown}': expected ${[...keys].sort().join(', ')}`);
    return this;
  }
  raw(key: string): unknown {
    return this.map[key] ?? undefined;
  }
  string(key: string): string;
  string(key: string, optional: true): string | undefined;
  string(key: string, optional = false): string | undefined {
    const v = this.raw(key);
    if (v === undefined && optional) return undefined;
    if (typeof v !== 'string' && typeof v !== 'number')
      throw this.error(`needs '${key}' (a string), got ${JSON.stringify(v)}`);
    return String(v);
  }
  boolean(key: string): boolean | undefined {
    const v = this.raw(key);
    if (v !== undefined && typeof v !== 'boolean')
      throw this.error(`needs '${key}' to be true or false, got ${JSON.stringify(v)}`);
    return v;
  }
  number(key: string): number | undefined {
    const v = this.raw(key);
    if (v !== undefined && typeof v !== 'number')
      throw this.error(`needs '${key}' to be a number, got ${JSON.stringify(v)}`);
    return v;
  }
  list(key: string, optional = true): unknown[] {
    const v = this.raw(key);
    if (v === undefined && optional) return [];
    if (!Array.isArray(v)) throw this.error(`needs '${key}' to be a list, got ${JSON.stringify(v)}`);
    return v;
  }
  strings(key: string): string[] {
    return this.list(key).map((v) => {
      if (typeof v !== 'string') throw this.error(`needs '${key}' to list strings, got ${JSON.stringify(v)}`);
      return v;
    });
  }
  tags(): Record<string, string> | undefined {
    const v = this.raw('tags');
    if (v === undefined) return undefined;
    const t = Fields.of(this.file, `${this.where} tags`, v);
    return Object.fromEntries(Object.keys(t.map).map((k) => [k, t.string(k)]));
  }
}

const FEATURE_KEYS = ['name', 'type', 'description', 'constraints'];
const CONSTRAINT_KEYS = ['nullable', 'min', 'max', 'allowed_values', 'max_null_share'];
const SOURCE_KEYS: Record<string, string[]> = {
  file: ['name', 'kind', 'path', 'format', 'timestamp_field', 'created_timestamp_field'],
  postgres: ['name', 'kind', 'connection', 'table', 'query', 'timestamp_field', 'created_timestamp_field'],
  push: ['name', 'kind', 'batch_source'],
};
const KEYS = {
  top: ['project', 'entities', 'sources', 'feature_views', 'on_demand_feature_views', 'feature_services'],
  entity: ['name', 'join_keys', 'join_key', 'value_type', 'description', 'tags'],
  joinKey: ['name', 'type'],
  featureView: [
    'name',
    'entities',
    'schema',
    'source',
    'ttl',
    'online',
    'offline',
    'owner',
    'description',
    'tags',
  ],
  onDemand: ['name', 'module', 'export', 'request_schema', 'sources', 'schema'],
  service: ['name', 'features', 'description', 'tags'],
};

/** Accepts `Float32` / `INT64` as written in Feast, stores the canonical lowercase name. */
function valueType(f: Fields, key: string): FeatureValueType {
  const raw = f.string(key);
  return (FEATURE_VALUE_TYPES.find((t) => t === raw.toLowerCase()) ?? raw) as FeatureValueType;
}

function features(file: string, where: string, items: unknown[]): Feature[] {
  return items.map((item, i) => {
    const f = Fields.of(file, `${where}[${i}]`, item).allow(FEATURE_KEYS);
    const out: Feature = { name: f.string('name'), type: valueType(f, 'type') };
    const description = f.string('description', true);
    if (description !== undefined) out.description = description;
    const raw = f.raw('constraints');
    if (raw !== undefined) {
      const c = Fields.of(file, `${where}[${i}] constraints`, raw).allow(CONSTRAINT_KEYS);
      const constraints: FeatureConstraints = {
        nullable: c.boolean('nullable'),
        min: c.number('min'),
        max: c.number('max'),
        allowedValues: c.raw('allowed_values') as FeatureConstraints['allowedValues'],
        maxNullShare: c.number('max_null_share'),
      };
      out.constraints = Object.fromEntries(
        Object.entries(constraints).filter(([, v]) => v !== undefined),
      ) as FeatureConstraints;
    }
    return out;
  });
}

function source(f: Fields): DataSource {
  const name = f.string('name');
  const kind = f.string('kind');
  if (SOURCE_KEYS[kind]) f.allow(SOURCE_KEYS[kind]);
  const timestamps = () => ({
    timestampField: f.string('timestamp_field'),
    createdTimestampField: f.string('created_timestamp_field', true),
  });
  if (kind === 'file') {
    const format = f.string('format', true);
    return fileSource({
      name,
      path: f.string('path'),
      format: format as 'parquet' | undefined,
      ...timestamps(),
    });
  }
  if (kind === 'postgres') {
    const [connection, table, query] = ['connection', 'table', 'query'].map((k) => f.string(k, true));
    return postgresSource({ name, connection, table, query, ...timestamps() });
  }
  if (kind === 'push') {
    return pushSource({ name, batchSource: f.string('batch_source', true) });
  }
  throw f.error(`has kind '${kind}': valid kinds are file, postgres, push`);
}

/**
 * Parses a YAML feature repo. On-demand views come back separately, with their module reference,
 * for the caller to import; `repo.onDemandFeatureViews` is empty.
 */
export function parseYamlRepo(
  text: string,
  file: string,
): { repo: FeatureRepo; onDemand: YamlOnDemandView[] } {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    const where = err instanceof YAMLParseError && err.linePos ? ` at line ${err.linePos[0].line}` : '';
    throw new SlipwayError(
      'INVALID_PARAMETER_VALUE',
      `${file}: not valid YAML${where}: ${(err as Error).message}`,
      {
        file,
      },
    );
  }
  const top = Fields.of(file, 'the file', doc).allow(KEYS.top);
  const project = top.string('project');
  const items = (key: string, label: string, keys: string[]) =>
    top
      .list(key)
      .map((item, i) => Fields.of(file, `${label} ${nameOf(item) ?? `#${i + 1}`}`, item).allow(keys));

  const entities = items('entities', 'entity', KEYS.entity).map((f) => {
    const name = f.string('name');
    const common = { name, description: f.string('description', true), tags: f.tags() };
    const joinKey = f.string('join_key', true);
    return joinKey !== undefined
      ? entity({ ...common, joinKey, valueType: valueType(f, 'value_type') })
      : entity({
          ...common,
          joinKeys: f.list('join_keys', false).map((k, i) => {
            const jk = Fields.of(file, `${f.where} join_keys[${i}]`, k).allow(KEYS.joinKey);
            return { name: jk.string('name'), type: valueType(jk, 'type') };
          }),
        });
  });

  const sources = items('sources', 'source', [...new Set(Object.values(SOURCE_KEYS).flat())]).map(source);

  const featureViews = items('feature_views', 'feature view', KEYS.featureView).map((f) => {
    const ttl = f.raw('ttl');
    if (ttl !== undefined && typeof ttl !== 'number' && typeof ttl !== 'string')
      throw f.error(`needs 'ttl' to be seconds or a duration like '1d', got ${JSON.stringify(ttl)}`);
    return featureView({
      name: f.string('name'),
      entities: f.strings('entities'),
      schema: features(file, `${f.where} schema`, f.list('schema', false)),
      source: f.string('source'),
      ttl: ttl as Duration | undefined,
      online: f.boolean('online'),
      offline: f.boolean('offline'),
      owner: f.string('owner', true),
      description: f.string('description', true),
      tags: f.tags(),
    });
  });

  const onDemand = items('on_demand_feature_views', 'on-demand feature view', KEYS.onDemand).map((f) => {
    const view: YamlOnDemandView = {
      name: f.string('name'),
      module: f.string('module'),
      export: f.string('export', true) ?? 'default',
      requestSchema: features(file, `${f.where} request_schema`, f.list('request_schema')),
      sources: f.strings('sources'),
      schema: features(file, `${f.where} schema`, f.list('schema', false)),
    };
    return view;
  });

  const featureServices = items('feature_services', 'feature service', KEYS.service).map((f) => {
    return featureService({
      name: f.string('name'),
      features: f.strings('features'),
      description: f.string('description', true),
      tags: f.tags(),
    });
  });
  return { repo: featureRepo({ project, entities, sources, featureViews, featureServices }), onDemand };
}

function nameOf(item: unknown): string | undefined {
  const name = (item as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? `'${name}'` : undefined;
}
