/**
 * From what a user asks for (`view:feature` / `view:*` references, or a feature service) to the
 * per-view plan `getHistoricalFeatures` runs: the view, its file source, join keys and features.
 */
import { invalidParameter, notFound, SlipwayError } from '../../core/errors.js';
import type { DataSource, FeatureRepo, FeatureService } from '../types.js';
import type { HistoricalView } from './historical.js';

type FileSource = Extract<DataSource, { kind: 'file' }>;

/**
 * Resolves feature references or a feature service against a repo's definitions, one entry per
 * view in the order the references first name it, features in reference order (repeats dropped).
 * A push source is read through its `batchSource`; other non-file sources are refused.
 *
 * @example
 * const views = resolveHistoricalViews(repo, ['driver_hourly:conv_rate', 'driver_daily:*']);
 * await getHistoricalFeatures({ entities: { path: 'orders.parquet' }, views });
 */
export function resolveHistoricalViews(
  repo: Pick<FeatureRepo, 'entities' | 'sources' | 'featureViews' | 'onDemandFeatureViews'>,
  features: readonly string[] | FeatureService,
): HistoricalView[] {
  const refs = Array.isArray(features) ? features : (features as FeatureService).features;
  const plans = new Map<string, HistoricalView>();
  for (const ref of refs) {
    const colon = typeof ref === 'string' ? ref.indexOf(':') : -1;
    if (colon <= 0 || colon === ref.length - 1)
      throw invalidParameter('features', "'view:feature' or 'view:*'", ref);
    const viewName = ref.slice(0, colon);
    const feature = ref.slice(colon + 1);
    let plan = plans.get(viewName);
    if (!plan) {
      plan = planView(repo, viewName);
      plans.set(viewName, plan);
    }
    const names = feature === '*' ? plan.view.schema.map((f) => f.name) : [feature];
    for (const name of names) {
      if (!plan.view.schema.some((f) => f.name === name)) {
        throw notFound('feature', ref, `Feature view '${viewName}' has no feature '${name}'`);
      }
      if (!plan.features.includes(name)) plan.features.push(name);
    }
  }
  return [...plans.values()];
}

function planView(repo: Parameters<typeof resolveHistoricalViews>[0], name: string): HistoricalView {
  const view = repo.featureViews.find((v) => v.name === name);
  if (!view) {
    if (repo.onDemandFeatureViews.some((v) => v.name === name)) {
      throw new SlipwayError(
        'INVALID_PARAMETER_VALUE',
        `On-demand feature view '${name}' is not supported in training sets yet`,
        { view: name },
      );
    }
    throw notFound('feature view', name);
  }
  const joinKeys: string[] = [];
  for (const entityName of view.entities) {
    const entity = repo.entities.find((e) => e.name === entityName);
    if (!entity)
      throw notFound('entity', entityName, `Entity '${entityName}' of feature view '${name}' does not exist`);
    for (const key of entity.joinKeys) if (!joinKeys.includes(key.name)) joinKeys.push(key.name);
  }
  return { view, source: fileSourceOf(repo, view.source, name), joinKeys, features: [] };
}

function fileSourceOf(
  repo: Parameters<typeof resolveHistoricalViews>[0],
  sourceName: string,
  viewName: string,
): FileSource {
  const source = repo.sources.find((s) => s.name === sourceName);
  if (!source)
    throw notFound(
      'data source',
      sourceName,
      `Data source '${sourceName}' of feature view '${viewName}' does not exist`,
    );
  if (source.kind === 'file') return source;
  if (source.kind === 'push' && source.batchSource) return fileSourceOf(repo, source.batchSource, viewName);
  throw new SlipwayError(
    'INVALID_PARAMETER_VALUE',
    `Data source '${sourceName}' of feature view '${viewName}' is a ${source.kind} source; training sets read file sources (or a push source's batchSource)`,
    { source: sourceName, kind: source.kind },
  );
}
