/**
 * Online feature retrieval, shared by the SDK and the Feast-compatible feature server: resolve the
 * requested features (or a feature service), read each feature view's rows for the entity keys in one
 * store call, check TTL at read time, run on-demand transforms on the same inputs training used, and
 * answer in Feast's column-major shape.
 */
import { invalidParameter, notFound } from '../core/errors.js';
import { entityKeyOf } from './entity-key.js';
import { applyOnDemand, onDemandSources } from './on-demand.js';
import type {
  DataSource,
  Entity,
  FeatureRepo,
  FeatureScalar,
  FeatureService,
  FeatureView,
  OnDemandFeatureView,
  OnlineStore,
} from './types.js';

export type FeatureStatus = 'PRESENT' | 'NOT_FOUND' | 'NULL_VALUE' | 'OUTSIDE_MAX_AGE';

/** Definitions by name, as the registry holds them for one project. */
export interface FeatureCatalog {
  entities: Map<string, Entity>;
  sources: Map<string, DataSource>;
  views: Map<string, FeatureView>;
  onDemand: Map<string, OnDemandFeatureView>;
  services: Map<string, FeatureService>;
}

export interface OnlineFeaturesRequest {
  /** `view:feature` references (or use `featureService`). */
  features?: string[];
  featureService?: string;
  /** Join key → one value per entity row (column-major, as Feast sends them). */
  entities: Record<string, FeatureScalar[]>;
  /** Request-time inputs of on-demand transforms, one value per row. */
  requestData?: Record<string, FeatureScalar[]>;
  /** Name features `view__feature` instead of `feature`. */
  fullFeatureNames?: boolean;
}

export interface OnlineFeaturesResponse {
  metadata: { feature_names: string[] };
  results: Array<{ values: FeatureScalar[]; statuses: FeatureStatus[]; event_timestamps: string[] }>;
}

interface FeatureRef {
  view: string;
  feature: string;
}

const EPOCH = new Date(0).toISOString();

/** Indexes a repo's definitions by name. */
export function catalogOf(repo: FeatureRepo): FeatureCatalog {
  const byName = <T extends { name: string }>(list: T[]) => new Map(list.map((x) => [x.name, x]));
  return {
    entities: byName(repo.entities),
    sources: byName(repo.sources),
    views: byName(repo.featureViews),
    onDemand: byName(repo.onDemandFeatureViews),
    services: byName(repo.featureServices),
  };
}

function names<T>(m: Map<string, T>): string {
  return [...m.keys()].sort().join(', ') || '(none)';
}

/** The `view:feature` list a request names, expanded (`view:*`) and checked against the catalog. */
export function resolveFeatureRefs(
  catalog: FeatureCatalog,
  req: Pick<OnlineFeaturesRequest, 'features' | 'featureService'>,
): FeatureRef[] {
  let refs = req.features;
  if (req.featureService !== undefined) {
    const service = catalog.services.get(req.featureService);
    if (!service) {
      throw notFound(
        'Feature service',
        req.featureService,
        `Unknown feature service '${req.featureService}': known services are ${names(catalog.services)}`,
      );
    }
    refs = service.features;
  }
  if (!refs || refs.length === 0)
    throw invalidParameter('features', 'a non-empty list of view:feature, or feature_service', refs);
  const out: FeatureRef[] = [];
  for (const ref of refs) {
    const at = typeof ref === 'string' ? ref.indexOf(':') : -1;
    if (at <= 0) throw invalidParameter('features', "references like 'view:feature'", ref);
    const view = ref.slice(0, at);
    const feature = ref.slice(at + 1);
    const schema = (catalog.views.get(view) ?? catalog.onDemand.get(view))?.schema;
    if (!schema) {
      throw notFound(
        'Feature view',
        view,
        `Unknown feature view '${view}': known views are ${[...catalog.views.keys(), ...catalog.onDemand.keys()].sort().join(', ')}`,
      );
    }
    if (feature === '*') {
      for (const f of schema) out.push({ view, feature: f.name });
    } else if (schema.some((f) => f.name === feature)) {
      out.push({ view, feature });
    } else {
      throw notFound(
        'Feature',
        ref,
        `Unknown feature '${feature}' in view '${view}': its features are ${schema.map((f) => f.name).join(', ')}`,
      );
    }
  }
  return out;
}

/** The join key names identifying a row of `view` (its entities' keys, in order). */
export function joinKeysOf(catalog: Pick<FeatureCatalog, 'entities'>, view: FeatureView): string[] {
  return view.entities.flatMap((e) => catalog.entities.get(e)?.joinKeys.map((k) => k.name) ?? []);
}

/** The source holding a view's history: its own, or a push source's batch source. */
export function batchSourceOf(sources: Map<string, DataSource>, view: FeatureView): DataSource | undefined {
  const src = sources.get(view.source);
  return src?.kind === 'push' && src.batchSource ? sources.get(src.batchSource) : src;
}

function rowCount(req: OnlineFeaturesRequest): number {
  const columns = Object.entries(req.entities ?? {});
  if (columns.length === 0)
    throw invalidParameter('entities', 'at least one join key with a list of values', req.entities);
  const n = Array.isArray(columns[0][1]) ? columns[0][1].length : -1;
  for (const [key, values] of [...columns, ...Object.entries(req.requestData ?? {})]) {
    if (!Array.isArray(values) || values.length !== n || n === 0) {
      throw invalidParameter(
        `entities.${key}`,
        `a non-empty list of ${n > 0 ? n : 'values'} values like the other keys`,
        values,
      );
    }
  }
  return n;
}

/**
 * Reads the latest feature values for each entity row.
 *
 * @example
 * await getOnlineFeatures(catalog, store, { features: ['driver_stats:conv_rate'], entities: { driver_id: [1001] } })
 */
export async function getOnlineFeatures(
  catalog: FeatureCatalog,
  store: OnlineStore,
  req: OnlineFeaturesRequest,
  now = Date.now(),
): Promise<OnlineFeaturesResponse> {
  const refs = resolveFeatureRefs(catalog, req);
  const n = rowCount(req);
  // Stored features needed: the requested ones plus every on-demand transform's inputs.
  const needed = new Map<string, Set<string>>();
  const need = (view: string, feature: string) =>
    needed.set(view, (needed.get(view) ?? new Set()).add(feature));
  for (const r of refs) {
    const odfv = catalog.onDemand.get(r.view);
    if (!odfv) need(r.view, r.feature);
    else
      for (const src of odfv.sources) need(src.slice(0, src.indexOf(':')), src.slice(src.indexOf(':') + 1));
  }
  const known = new Set(Object.keys(req.entities));
  const columns = new Map<string, { values: FeatureScalar[]; statuses: FeatureStatus[]; ts: string[] }>();
  await Promise.all(
    [...needed].map(async ([viewName, features]) => {
      const view = catalog.views.get(viewName) as FeatureView;
      const joinKeys = joinKeysOf(catalog, view);
      for (const k of joinKeys) {
        if (!known.has(k)) {
          throw invalidParameter(
            `entities.${k}`,
            `values for join key '${k}' (view '${viewName}' is keyed by ${joinKeys.join(', ')})`,
            undefined,
          );
        }
      }
      const keys = new Array<string>(n);
      for (let i = 0; i < n; i++) {
        const row: Record<string, FeatureScalar> = {};
        for (const k of joinKeys) row[k] = req.entities[k][i];
        keys[i] = entityKeyOf(joinKeys, row);
      }
      const list = [...features];
      const rows = await store.read(viewName, keys, list);
      const maxAgeMs = view.ttlSeconds * 1000;
      // One timestamp per row, shared by every feature column of the view (formatting it per
      // value cost more than the store read for 100 entities × 50 features).
      const rowTs = rows.map((r) => (r ? new Date(r.eventTimestamp).toISOString() : EPOCH));
      for (const f of list) {
        const col = {
          values: new Array<FeatureScalar>(n),
          statuses: new Array<FeatureStatus>(n),
          ts: rowTs,
        };
        for (let i = 0; i < n; i++) {
          const r = rows[i];
          if (!r) {
            col.values[i] = null;
            col.statuses[i] = 'NOT_FOUND';
            continue;
          }
          const v = r.values[f] ?? null;
          const stale = maxAgeMs > 0 && now - r.eventTimestamp > maxAgeMs;
          col.values[i] = stale ? null : v;
          col.statuses[i] = stale ? 'OUTSIDE_MAX_AGE' : v === null ? 'NULL_VALUE' : 'PRESENT';
        }
        columns.set(`${viewName}:${f}`, col);
      }
    }),
  );
  runOnDemand(catalog, refs, req, n, columns);
  return render(refs, req, n, columns);
}

/** Runs each requested on-demand view's transform per row, on exactly the inputs training passes. */
function runOnDemand(
  catalog: FeatureCatalog,
  refs: FeatureRef[],
  req: OnlineFeaturesRequest,
  n: number,
  columns: Map<string, { values: FeatureScalar[]; statuses: FeatureStatus[]; ts: string[] }>,
): void {
  for (const name of new Set(refs.filter((r) => catalog.onDemand.has(r.view)).map((r) => r.view))) {
    const odfv = catalog.onDemand.get(name) as OnDemandFeatureView;
    for (const f of odfv.requestSchema) {
      if (!req.requestData || !(f.name in req.requestData)) {
        throw invalidParameter(
          `request_data.${f.name}`,
          `values for '${f.name}' (needed by on-demand view '${name}')`,
          undefined,
        );
      }
    }
    const outs = odfv.schema.map(() => ({
      values: new Array<FeatureScalar>(n),
      statuses: new Array<FeatureStatus>(n),
      ts: new Array<string>(n).fill(EPOCH),
    }));
    const sources = onDemandSources(odfv);
    for (let i = 0; i < n; i++) {
      const out = applyOnDemand(
        odfv,
        i,
        (field) => req.requestData?.[field][i],
        (ref) => columns.get(ref)?.values[i],
        sources,
      );
      for (let k = 0; k < out.length; k++) {
        outs[k].values[i] = out[k];
        outs[k].statuses[i] = out[k] === null ? 'NULL_VALUE' : 'PRESENT';
      }
    }
    for (const [k, f] of odfv.schema.entries()) columns.set(`${name}:${f.name}`, outs[k]);
  }
}

function render(
  refs: FeatureRef[],
  req: OnlineFeaturesRequest,
  n: number,
  columns: Map<string, { values: FeatureScalar[]; statuses: FeatureStatus[]; ts: string[] }>,
): OnlineFeaturesResponse {
  const featureNames: string[] = [];
  const results: OnlineFeaturesResponse['results'] = [];
  // Join keys first, as Feast returns them.
  for (const [key, values] of Object.entries(req.entities)) {
    featureNames.push(key);
    results.push({
      values,
      statuses: new Array(n).fill('PRESENT'),
      event_timestamps: new Array(n).fill(EPOCH),
    });
  }
  for (const r of refs) {
    const col = columns.get(`${r.view}:${r.feature}`);
    if (!col) continue;
    featureNames.push(req.fullFeatureNames ? `${r.view}__${r.feature}` : r.feature);
    results.push({ values: col.values, statuses: col.statuses, event_timestamps: col.ts });
  }
  return { metadata: { feature_names: featureNames }, results };
}
