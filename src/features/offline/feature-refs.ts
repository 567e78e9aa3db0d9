/**
 * From what a user asks for (`view:feature` / `view:*` references, or a feature service) to the
 * per-view plan `getHistoricalFeatures` runs: the view, its file or PostgreSQL source, join keys and
 * features, and the on-demand views with the stored views they read.
 */
import { invalidParameter, notFound, SlipwayError } from '../../core/errors.js';
import type { FeatureRepo, FeatureService } from '../types.js';
import type { HistoricalOnDemandView, HistoricalView } from './historical.js';
import type { OfflineSource } from './source-scan.js';

type Repo = Pick<FeatureRepo, 'entities' | 'sources' | 'featureViews' | 'onDemandFeatureViews'>;

/**
 * Resolves feature references or a feature service against a repo's definitions: one entry per
 * stored view in the order the references first name it, features in reference order (repeats
 * dropped), and one entry per on-demand view; the stored views an on-demand view reads are added
 * (with no features of their own when none is asked for). A push source is read through its
 * `batchSource`.
 *
 * @example
 * const plan = resolveHistoricalFeatures(repo, ['driver_hourly:conv_rate', 'trip_ratio:*']);
 * await getHistoricalFeatures({ entities: { path: 'orders.parquet' }, ...plan });
 */
export function resolveHistoricalFeatures(
  repo: Repo,
  features: readonly string[] | FeatureService,
): { views: HistoricalView[]; onDemand: HistoricalOnDemandView[] } {
  const refs = Array.isArray(features) ? features : (features as FeatureService).features;
  const plans = new Map<string, HistoricalView>();
  const onDemand = new Map<string, HistoricalOnDemandView>();
  const stored = (viewName: string) => {
    let plan = plans.get(viewName);
    if (!plan) {
      plan = planView(repo, viewName);
      plans.set(viewName, plan);
    }
    return plan;
  };
  for (const ref of refs) {
    const colon = typeof ref === 'string' ? ref.indexOf(':') : -1;
    if (colon <= 0 || colon === ref.length - 1)
      throw invalidParameter('features', "'view:feature' or 'view:*'", ref);
    const viewName = ref.slice(0, colon);
    const feature = ref.slice(colon + 1);
    const odfv = repo.onDemandFeatureViews.find((v) => v.name === viewName);
    let plan: { view: { schema: Array<{ name: string }> }; features: string[] };
    if (odfv && !repo.featureViews.some((v) => v.name === viewName)) {
      let entry = onDemand.get(viewName);
      if (!entry) {
        entry = { view: odfv, features: [] };
        onDemand.set(viewName, entry);
        for (const src of odfv.sources) stored(src.slice(0, src.indexOf(':')));
      }
      plan = entry;
    } else plan = stored(viewName);
    const names = feature === '*' ? plan.view.schema.map((f) => f.name) : [feature];
    for (const name of names) {
      if (!plan.view.schema.some((f) => f.name === name)) {
        throw notFound('feature', ref, `Feature view '${viewName}' has no feature '${name}'`);
      }
      if (!plan.features.includes(name)) plan.features.push(name);
    }
  }
  return { views: [...plans.values()], onDemand: [...onDemand.values()] };
}

/**
 * The stored views of `resolveHistoricalFeatures`, for requests without on-demand views (one
 * naming an on-demand view is refused: use `resolveHistoricalFeatures` to get its plan too).
 */
export function resolveHistoricalViews(
  repo: Repo,
  features: readonly string[] | FeatureService,
): HistoricalView[] {
  const { views, onDemand } = resolveHistoricalFeatures(repo, features);
  if (onDemand.length > 0) {
    throw new SlipwayError(
      'INVALID_PARAMETER_VALUE',
      `On-demand feature view '${onDemand[0].view.name}' needs resolveHistoricalFeatures (it plans the on-demand views too)`,
      { view: onDemand[0].view.name },
    );
  }
  return views;
}

function planView(repo: Repo, name: string): HistoricalView {
  const view = repo.featureViews.find((v) => v.name === name);
  if (!view) throw notFound('feature view', name);
  const joinKeys: string[] = [];
  for (const entityName of view.entities) {
    const entity = repo.entities.find((e) => e.name === entityName);
    if (!entity)
      throw notFound('entity', entityName, `Entity '${entityName}' of feature view '${name}' does not exist`);
    for (const key of entity.joinKeys) if (!joinKeys.includes(key.name)) joinKeys.push(key.name);
  }
  return { view, source: offlineSourceOf(repo, view.source, name), joinKeys, features: [] };
}

function offlineSourceOf(repo: Repo, sourceName: string, viewName: string): OfflineSource {
  const source = repo.sources.find((s) => s.name === sourceName);
  if (!source)
    throw notFound(
      'data source',
      sourceName,
      `Data source '${sourceName}' of feature view '${viewName}' does not exist`,
    );
  if (source.kind === 'file' || source.kind === 'postgres') return source;
  if (source.batchSource) return offlineSourceOf(repo, source.batchSource, viewName);
  throw new SlipwayError(
    'INVALID_PARAMETER_VALUE',
    `Data source '${sourceName}' of feature view '${viewName}' is a push source without a batchSource; training sets read its history from one`,
    { source: sourceName, kind: source.kind },
  );
}
