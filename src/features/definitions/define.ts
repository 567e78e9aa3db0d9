/**
 * Helpers for writing feature definitions in TypeScript. Each fills the defaults the YAML loader
 * fills too (the YAML loader calls these very helpers), so the same repo written either way loads
 * to equal objects.
 *
 * @example
 * const driver = entity({ name: 'driver', joinKey: 'driver_id', valueType: 'int64' });
 * const stats = fileSource({ name: 'driver_stats_source', path: './data/driver_stats.parquet', timestampField: 'event_timestamp' });
 * export default featureRepo({
 *   project: 'rides',
 *   entities: [driver],
 *   sources: [stats],
 *   featureViews: [featureView({ name: 'driver_stats', entities: [driver], source: stats, ttl: '1d',
 *     schema: [{ name: 'conv_rate', type: 'float32' }] })],
 * });
 */
import type {
  DataSource,
  Entity,
  Feature,
  FeatureRepo,
  FeatureScalar,
  FeatureService,
  FeatureValueType,
  FeatureView,
  JoinKey,
  OnDemandFeatureView,
} from '../types.js';
import { type Duration, parseDuration } from './duration.js';

/** Every value type a feature or join key may have (the runtime list of `FeatureValueType`). */
export const FEATURE_VALUE_TYPES: readonly FeatureValueType[] = [
  'int64',
  'int32',
  'float64',
  'float32',
  'string',
  'bool',
  'timestamp',
];

type Described = { description?: string; tags?: Record<string, string> };

/** An entity with several join keys, or (Feast's shorthand) one `joinKey` of `valueType`. */
export type EntityInput =
  | ({ name: string; joinKeys: JoinKey[] } & Described)
  | ({ name: string; joinKey: string; valueType: FeatureValueType } & Described);

/** Drops undefined fields, so optional settings that were left out stay absent (not `undefined`). */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** Declares an entity: what a feature row is about, identified by its join keys. */
export function entity(input: EntityInput): Entity {
  const joinKeys = 'joinKeys' in input ? input.joinKeys : [{ name: input.joinKey, type: input.valueType }];
  return compact({ name: input.name, joinKeys, description: input.description, tags: input.tags });
}

/**
 * Declares Parquet or CSV files: one file, a folder of them, or a glob. `format` defaults to `csv`
 * for a `.csv` path and `parquet` otherwise; relative paths are resolved by the loader against the
 * definitions file's folder.
 */
export function fileSource(input: {
  name: string;
  path: string;
  format?: 'parquet' | 'csv';
  timestampField: string;
  createdTimestampField?: string;
}): DataSource {
  const format = input.format ?? (/\.csv$/i.test(input.path) ? 'csv' : 'parquet');
  return compact({
    kind: 'file' as const,
    name: input.name,
    path: input.path,
    format,
    timestampField: input.timestampField,
    createdTimestampField: input.createdTimestampField,
  });
}

/** Declares a PostgreSQL `table` or `query` (exactly one); `connection` defaults to the metadata store. */
export function postgresSource(input: {
  name: string;
  connection?: string;
  table?: string;
  query?: string;
  timestampField: string;
  createdTimestampField?: string;
}): DataSource {
  return compact({ kind: 'postgres' as const, ...input });
}

/** Declares a push source: rows arrive through `/push`; `batchSource` names the file source of their history. */
export function pushSource(input: { name: string; batchSource?: string | DataSource }): DataSource {
  const batchSource = typeof input.batchSource === 'object' ? input.batchSource.name : input.batchSource;
  return compact({ kind: 'push' as const, name: input.name, batchSource });
}

/** What `featureView()` takes: entities and source by name or by object, TTL as seconds or a duration. */
export interface FeatureViewInput extends Described {
  name: string;
  entities?: Array<string | Entity>;
  schema: Feature[];
  source: string | DataSource;
  /** `0` (the default) = unbounded; seconds or a duration such as `'1d'`. */
  ttl?: Duration;
  /** Accepted so a plain `FeatureView` object can be passed; `ttl` wins when both are given. */
  ttlSeconds?: number;
  /** Default true. */
  online?: boolean;
  /** Default true. */
  offline?: boolean;
  owner?: string;
}

/** Declares a feature view: typed features of some entities, read from one source. */
export function featureView(input: FeatureViewInput): FeatureView {
  return compact({
    name: input.name,
    entities: (input.entities ?? []).map((e) => (typeof e === 'string' ? e : e.name)),
    schema: input.schema.map((f) => compact({ ...f })),
    source: typeof input.source === 'string' ? input.source : input.source.name,
    ttlSeconds: parseDuration(input.ttl ?? input.ttlSeconds ?? 0, `Feature view '${input.name}' field 'ttl'`),
    online: input.online ?? true,
    offline: input.offline ?? true,
    owner: input.owner,
    description: input.description,
    tags: input.tags,
  });
}

/**
 * Declares an on-demand feature view: a pure function of request fields and stored features
 * (`sources`, as `view:feature`), computed the same way for training sets and online reads.
 */
export function onDemandFeatureView(input: {
  name: string;
  requestSchema?: Feature[];
  sources?: string[];
  schema: Feature[];
  transform: (row: Record<string, FeatureScalar>) => Record<string, FeatureScalar>;
}): OnDemandFeatureView {
  return {
    name: input.name,
    requestSchema: (input.requestSchema ?? []).map((f) => compact({ ...f })),
    sources: input.sources ?? [],
    schema: input.schema.map((f) => compact({ ...f })),
    transform: input.transform,
  };
}

/**
 * Declares a feature service: the features one model consumes, as `view:feature` or `view:*`
 * (a view object stands for all of its features).
 */
export function featureService(
  input: { name: string; features: Array<string | FeatureView | OnDemandFeatureView> } & Described,
): FeatureService {
  return compact({
    name: input.name,
    features: input.features.map((f) => (typeof f === 'string' ? f : `${f.name}:*`)),
    description: input.description,
    tags: input.tags,
  });
}

/** Gathers a project's definitions; lists left out are empty. Make it the module's default export. */
export function featureRepo(input: { project: string } & Partial<Omit<FeatureRepo, 'project'>>): FeatureRepo {
  return {
    project: input.project,
    entities: input.entities ?? [],
    sources: input.sources ?? [],
    featureViews: input.featureViews ?? [],
    onDemandFeatureViews: input.onDemandFeatureViews ?? [],
    featureServices: input.featureServices ?? [],
  };
}
