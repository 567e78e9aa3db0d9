/**
 * Feature catalogs built from the registry, not from a file: the stored definitions of a project,
 * with each on-demand view's transform imported from its TransformRef. A catalog is cached and
 * rebuilt when the registry changes: a cheap change-token check every `pollIntervalMs` (applies by
 * other processes) and at once after an apply in this process. `catalog()` is synchronous for the
 * serving hot path: it returns the cached catalog and never touches the database.
 */
import { invalidParameter, notFound, SlipwayError } from '../core/errors.js';
import { importModule, loadFeatureRepo } from './definitions/load.js';
import type { StoredDefinition, TransformRef } from './definitions/spec.js';
import type { FeatureRegistry } from './feature-registry.js';
import type { FeatureCatalog } from './online-features.js';
import type {
  DataSource,
  Entity,
  FeatureScalar,
  FeatureService,
  FeatureView,
  OnDemandFeatureView,
} from './types.js';

type Transform = OnDemandFeatureView['transform'];

export interface RegistryCatalogOptions {
  /** How often to look for applies made by other processes; 0 = never (default 2000 ms). */
  pollIntervalMs?: number;
}

/** The code of an on-demand view, loaded from where the registry says it lives. */
async function loadTransform(view: string, ref: TransformRef): Promise<Transform> {
  if (!ref.module) {
    throw new SlipwayError(
      'INVALID_STATE',
      `On-demand feature view '${view}' has no transform module in the registry (it was applied from memory); apply it from a definitions file`,
      { view },
    );
  }
  const what = `the transform module of on-demand feature view '${view}'`;
  let fn: unknown;
  if (ref.export) {
    fn = (await importModule(ref.module, what))[ref.export];
  } else {
    // A TypeScript definitions file whose transform is not a named export: find the view in its repo.
    const repo = await loadFeatureRepo(ref.module);
    fn = repo.onDemandFeatureViews.find((v) => v.name === view)?.transform;
  }
  if (typeof fn !== 'function') {
    throw new SlipwayError(
      'INVALID_STATE',
      `On-demand feature view '${view}': module '${ref.module}' has no transform ${ref.export ? `export '${ref.export}'` : `for view '${view}'`}`,
      { view, module: ref.module, export: ref.export },
    );
  }
  return fn as (row: Record<string, FeatureScalar>) => Record<string, FeatureScalar>;
}

/**
 * Indexes stored definitions (one project's current versions) by name, importing on-demand transforms.
 *
 * @example
 * const catalog = await catalogFromDefinitions(await platform.features.list('rides'));
 */
export async function catalogFromDefinitions(
  definitions: readonly StoredDefinition[],
): Promise<FeatureCatalog> {
  const catalog: FeatureCatalog = {
    entities: new Map(),
    sources: new Map(),
    views: new Map(),
    onDemand: new Map(),
    services: new Map(),
  };
  for (const d of definitions) {
    if (d.deleted) continue;
    switch (d.kind) {
      case 'entity':
        catalog.entities.set(d.name, d.spec as Entity);
        break;
      case 'data_source':
        catalog.sources.set(d.name, d.spec as DataSource);
        break;
      case 'feature_view':
        catalog.views.set(d.name, d.spec as FeatureView);
        break;
      case 'feature_service':
        catalog.services.set(d.name, d.spec as FeatureService);
        break;
      case 'on_demand_feature_view': {
        const spec = (d as StoredDefinition<'on_demand_feature_view'>).spec;
        catalog.onDemand.set(d.name, { ...spec, transform: await loadTransform(d.name, spec.transform) });
        break;
      }
    }
  }
  return catalog;
}

/**
 * One project's catalog, kept in step with the registry.
 *
 * @example
 * const catalogs = await RegistryCatalog.open(platform.features, 'rides');
 * getOnlineFeatures(catalogs.catalog(), store, request);
 */
export class RegistryCatalog {
  private current: FeatureCatalog;
  private token: string;
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<boolean> | undefined;
  private readonly unsubscribe: () => void;
  /** The last refresh failure (the previous catalog stays in use), cleared by a good refresh. */
  lastError: Error | undefined;

  private constructor(
    private readonly features: FeatureRegistry,
    readonly project: string,
    catalog: FeatureCatalog,
    token: string,
    opts: RegistryCatalogOptions,
  ) {
    this.current = catalog;
    this.token = token;
    this.unsubscribe = features.onApplied(async (p) => {
      if (p === project) await this.refresh().catch(() => false);
    });
    const every = opts.pollIntervalMs ?? 2000;
    if (every > 0) {
      this.timer = setInterval(() => void this.refresh().catch(() => false), every);
      this.timer.unref();
    }
  }

  /** Loads `project`'s current definitions; RESOURCE_DOES_NOT_EXIST when it has none. */
  static async open(
    features: FeatureRegistry,
    project: string,
    opts: RegistryCatalogOptions = {},
  ): Promise<RegistryCatalog> {
    const token = await features.changeToken(project);
    const definitions = await features.list(project);
    if (definitions.length === 0) {
      const known = await features.listProjects();
      throw notFound(
        'Feature project',
        project,
        `Feature project '${project}' has no applied definitions; known projects: ${known.join(', ') || '(none: run slipway features apply)'}`,
      );
    }
    return new RegistryCatalog(features, project, await catalogFromDefinitions(definitions), token, opts);
  }

  /** The cached catalog (synchronous: safe on the serving hot path). */
  catalog(): FeatureCatalog {
    return this.current;
  }

  /**
   * Rebuilds the catalog when the registry changed since the last build; resolves to whether it did.
   * Concurrent calls share one check. A failed rebuild keeps the previous catalog and rejects.
   */
  refresh(): Promise<boolean> {
    this.refreshing ??= this.rebuildIfChanged().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async rebuildIfChanged(): Promise<boolean> {
    const token = await this.features.changeToken(this.project);
    if (token === this.token) return false;
    try {
      this.current = await catalogFromDefinitions(await this.features.list(this.project));
      this.token = token;
      this.lastError = undefined;
      return true;
    } catch (err) {
      this.lastError = err as Error;
      throw err;
    }
  }

  /** Stops polling and listening for applies. */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.unsubscribe();
  }
}

/**
 * The registry catalogs of every project asked for, opened on first use. Without a project, the
 * only project in the registry is meant; with several, the error lists them.
 */
export class RegistryCatalogs {
  private readonly open = new Map<string, Promise<RegistryCatalog>>();

  constructor(
    private readonly features: FeatureRegistry,
    private readonly opts: RegistryCatalogOptions = {},
  ) {}

  /** `project`, or the only project there is. */
  async resolveProject(project?: string): Promise<string> {
    if (project !== undefined) {
      if (typeof project !== 'string' || project === '')
        throw invalidParameter('project', 'a feature project name', project);
      return project;
    }
    const projects = await this.features.listProjects();
    if (projects.length === 1) return projects[0];
    if (projects.length === 0)
      throw new SlipwayError(
        'INVALID_STATE',
        'No feature definitions applied yet: run slipway features apply first',
      );
    throw invalidParameter('project', `one of the feature projects ${projects.join(', ')}`, undefined);
  }

  /** The catalog of `project` (default: the only one), opened once and kept fresh. */
  async get(project?: string): Promise<RegistryCatalog> {
    const name = await this.resolveProject(project);
    let opening = this.open.get(name);
    if (!opening) {
      opening = RegistryCatalog.open(this.features, name, this.opts);
      this.open.set(name, opening);
      // A failed open is not cached: the next call tries again (after an apply, say).
      opening.catch(() => this.open.delete(name));
    }
    return opening;
  }

  /** Closes every catalog opened. */
  async close(): Promise<void> {
    for (const opening of this.open.values()) (await opening.catch(() => undefined))?.close();
    this.open.clear();
  }
}
