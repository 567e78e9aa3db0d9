/**
 * Feature definitions as the registry stores them: one JSON spec per object (kind + name), in a
 * canonical form (sorted keys, no undefined) so that equal definitions compare equal whatever
 * file or language declared them. On-demand transforms are stored as a reference to the code
 * (module and export), never the code itself.
 */
import type {
  DataSource,
  Entity,
  FeatureRepo,
  FeatureService,
  FeatureView,
  OnDemandFeatureView,
} from '../types.js';

/** The kinds of object a feature repo declares, in the order plans list them. */
export const DEFINITION_KINDS = [
  'entity',
  'data_source',
  'feature_view',
  'on_demand_feature_view',
  'feature_service',
] as const;

export type DefinitionKind = (typeof DEFINITION_KINDS)[number];

/**
 * Where an on-demand transform's code lives. From YAML: the module file and its export. From a
 * TypeScript definitions file: that file, and the export when the function is a named export of it
 * (otherwise the on-demand view is found by name in the file's repo).
 */
export interface TransformRef {
  module?: string;
  export?: string;
}

/** An on-demand feature view as stored: its declared inputs and outputs, and where its code lives. */
export type OnDemandFeatureViewSpec = Omit<OnDemandFeatureView, 'transform'> & { transform: TransformRef };

/** The stored spec of each kind. */
export interface DefinitionSpecs {
  entity: Entity;
  data_source: DataSource;
  feature_view: FeatureView;
  on_demand_feature_view: OnDemandFeatureViewSpec;
  feature_service: FeatureService;
}

/** One version of one object in the registry. */
export interface StoredDefinition<K extends DefinitionKind = DefinitionKind> {
  project: string;
  kind: K;
  name: string;
  /** 1, 2, 3… per (project, kind, name); a re-added object continues after its deleted versions. */
  version: number;
  spec: DefinitionSpecs[K];
  /** Epoch ms when this version was applied. */
  createdAt: number;
  /** True when this was the object's last version and a later apply removed it. */
  deleted: boolean;
  deletedAt?: number;
  /** Field-level summary of what this version changed from the previous one (empty for a first version). */
  changes: string[];
  breaking: boolean;
}

/**
 * What a plan starts from: the latest version of each object of one project, including objects
 * whose latest version is deleted (treated as absent, but their version numbers continue).
 */
export type StoredDefinitions = readonly StoredDefinition[];

/** One object of a repo in its stored form. */
export interface DefinitionObject<K extends DefinitionKind = DefinitionKind> {
  kind: K;
  name: string;
  spec: DefinitionSpecs[K];
}

// Keyed by the view object, not its function: one function may serve views loaded from several files.
const transformRefs = new WeakMap<OnDemandFeatureView, TransformRef>();

/** Records where an on-demand view's transform was loaded from (called by the loader). */
export function registerTransformRef(view: OnDemandFeatureView, ref: TransformRef): void {
  transformRefs.set(view, ref);
}

/** Where an on-demand view's transform was loaded from; `{}` for one built in memory. */
export function transformRefOf(view: OnDemandFeatureView): TransformRef {
  return transformRefs.get(view) ?? {};
}

/** Sorted keys, undefined fields dropped, recursively: the one JSON shape specs are compared and stored in. */
export function canonical<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => canonical(v)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined && typeof v !== 'function') out[key] = canonical(v);
    }
    return out as T;
  }
  return value;
}

/** True when two specs are the same definition. */
export function sameSpec(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/** Every object of `repo` with its canonical spec, in plan order (kind, then as declared). */
export function definitionsOf(repo: FeatureRepo): DefinitionObject[] {
  const out: DefinitionObject[] = [];
  const add = <K extends DefinitionKind>(kind: K, name: string, spec: DefinitionSpecs[K]) =>
    out.push({ kind, name, spec: canonical(spec) } as DefinitionObject);
  for (const e of repo.entities) add('entity', e.name, e);
  for (const s of repo.sources) add('data_source', s.name, s);
  for (const v of repo.featureViews) add('feature_view', v.name, v);
  for (const v of repo.onDemandFeatureViews) {
    const { transform: _code, ...declared } = v;
    add('on_demand_feature_view', v.name, { ...declared, transform: transformRefOf(v) });
  }
  for (const s of repo.featureServices) add('feature_service', s.name, s);
  return out;
}
