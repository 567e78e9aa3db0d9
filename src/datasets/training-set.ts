/**
 * Training sets as dataset versions: run the point-in-time join for a feature service (or a feature
 * list) over entity rows, write Parquet, keep a content-addressed copy in the artifact store and
 * register it as the next version of a dataset (the same data gives back the same version). The
 * CLI, the in-process SDK and the HTTP API all go through `buildTrainingSet`.
 */
import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import { invalidParameter } from '../core/errors.js';
import { resolveHistoricalFeatures } from '../features/offline/feature-refs.js';
import { getHistoricalFeatures, type HistoricalOptions } from '../features/offline/index.js';
import type { FeatureCatalog } from '../features/online-features.js';
import type { FeatureScalar } from '../features/types.js';
import type { ArtifactStore } from '../tracking/artifacts.js';
import { checkDatasetName, type DatasetRegistry } from './dataset-registry.js';
import type { DatasetVersion } from './types.js';

/** Where registered training sets are kept in the artifact store (`mlflow-artifacts:/datasets/…`). */
export const DATASETS_ARTIFACT_ROOT = 'datasets';

/** Where clients upload entity files for a server to build training sets from. */
export const ENTITIES_ARTIFACT_ROOT = `${DATASETS_ARTIFACT_ROOT}/_entities`;

/** The name a training set is registered under when none is given for a feature list. */
export const DEFAULT_TRAINING_SET_NAME = 'training-set';

export interface TrainingSetRequest {
  /** The definitions to resolve features against (one project's). */
  catalog: FeatureCatalog;
  /** The project the catalog is of (recorded on the dataset version). */
  project?: string;
  /** `view:feature` references (or `featureService`). */
  features?: string[];
  featureService?: string;
  /** Entity rows in memory, or a Parquet/CSV file on this machine. */
  entities:
    | { rows: ReadonlyArray<Record<string, FeatureScalar>> }
    | { path: string; format?: 'parquet' | 'csv' };
  timestampColumn?: string;
  fullFeatureNames?: boolean;
  /** The Parquet file to write. */
  out: string;
  /** Dataset name; default the feature service's name, or `training-set`. */
  dataset?: string;
  /** What to record as the entity rows' origin (default: their path, or `inline (N rows)`). */
  entitySource?: string;
}

export interface TrainingSet {
  /** The Parquet file written. */
  path: string;
  /** `sha256:<hex>` of that file. */
  digest: string;
  rows: number;
  columns: Array<{ name: string; type: string }>;
  /** The dataset version it is registered as. */
  dataset: DatasetVersion;
  /** False when the latest version already held exactly this data. */
  created: boolean;
  /** Its path in the artifact store. */
  artifactPath: string;
}

/** The store path of a training set's copy: content-addressed, so equal data is stored once. */
export function datasetArtifactPath(name: string, digest: string): string {
  return `${DATASETS_ARTIFACT_ROOT}/${name}/${digest.replace(/^sha256:/, '')}.parquet`;
}

function referencesOf(catalog: FeatureCatalog, req: TrainingSetRequest): string[] {
  if (req.featureService !== undefined && req.features !== undefined)
    throw invalidParameter(
      'featureService',
      'either featureService or features, not both',
      req.featureService,
    );
  if (req.featureService !== undefined) {
    const service = catalog.services.get(req.featureService);
    if (!service) {
      throw invalidParameter(
        'featureService',
        `one of ${[...catalog.services.keys()].sort().join(', ') || '(none)'}`,
        req.featureService,
      );
    }
    return service.features;
  }
  if (!Array.isArray(req.features) || req.features.length === 0)
    throw invalidParameter('features', 'a non-empty list of view:feature, or featureService', req.features);
  return req.features;
}

/**
 * Builds a training set, stores it and registers it as a dataset version.
 *
 * @example
 * const set = await buildTrainingSet({ datasets, artifacts }, {
 *   catalog, featureService: 'fraud_v1', entities: { path: 'labels.parquet' }, out: 'train.parquet',
 * });
 * console.log(`dataset ${set.dataset.name} v${set.dataset.version} ${set.digest}`);
 */
export async function buildTrainingSet(
  deps: { datasets: DatasetRegistry; artifacts: ArtifactStore },
  req: TrainingSetRequest,
  opts: HistoricalOptions = {},
): Promise<TrainingSet> {
  const { catalog } = req;
  const refs = referencesOf(catalog, req);
  const name = checkDatasetName(req.dataset ?? req.featureService ?? DEFAULT_TRAINING_SET_NAME);
  const plan = resolveHistoricalFeatures(
    {
      entities: [...catalog.entities.values()],
      sources: [...catalog.sources.values()],
      featureViews: [...catalog.views.values()],
      onDemandFeatureViews: [...catalog.onDemand.values()],
    },
    refs,
  );
  let entities: TrainingSetRequest['entities'];
  let entitySource: string;
  if ('rows' in req.entities) {
    entities = { rows: req.entities.rows };
    entitySource = `inline (${req.entities.rows.length} rows)`;
  } else {
    entities = { ...req.entities, path: resolve(req.entities.path) };
    entitySource = entities.path;
  }
  const result = await getHistoricalFeatures(
    {
      entities,
      timestampColumn: req.timestampColumn,
      ...plan,
      fullFeatureNames: req.fullFeatureNames === true,
      output: req.out,
    },
    opts,
  );
  const artifactPath = datasetArtifactPath(name, result.contentHash);
  if ((await deps.artifacts.stat(artifactPath)) === undefined)
    await deps.artifacts.put(artifactPath, createReadStream(req.out));
  const { dataset, created } = await deps.datasets.register({
    name,
    digest: result.contentHash,
    source: `mlflow-artifacts:/${artifactPath}`,
    rows: result.rowCount,
    schema: Object.fromEntries(result.columns.map((c) => [c.name, c.type])),
    ...(req.project === undefined ? {} : { project: req.project }),
    features: refs,
    ...(req.featureService === undefined ? {} : { featureService: req.featureService }),
    entitySource: req.entitySource ?? entitySource,
  });
  return {
    path: req.out,
    digest: result.contentHash,
    rows: result.rowCount,
    columns: result.columns,
    dataset,
    created,
    artifactPath,
  };
}
