/**
 * Training sets by project, as the SDK and the native API ask for them: the catalog comes from the
 * feature registry (default: its only project), the result is registered as a dataset version.
 */
import { metadataPostgresUri } from '../core/config.js';
import type { HistoricalOptions } from '../features/offline/index.js';
import type { RegistryCatalogs } from '../features/registry-catalog.js';
import type { FeatureScalar } from '../features/types.js';
import type { ArtifactStore } from '../tracking/artifacts.js';
import type { DatasetRegistry } from './dataset-registry.js';
import { buildTrainingSet, type TrainingSet } from './training-set.js';

/** A training-set request against the registry. */
export interface RegistryTrainingSetRequest {
  /** Feature project; default the only one in the registry. */
  project?: string;
  features?: string[];
  featureService?: string;
  entities:
    | { rows: ReadonlyArray<Record<string, FeatureScalar>> }
    | { path: string; format?: 'parquet' | 'csv' };
  timestampColumn?: string;
  fullFeatureNames?: boolean;
  /** The Parquet file to write. */
  out: string;
  dataset?: string;
  entitySource?: string;
}

/**
 * Builds and registers a training set from the registry's definitions of a project.
 *
 * @example
 * const set = await buildRegistryTrainingSet(platform, { featureService: 'fraud_v1', entities: { rows }, out });
 */
export async function buildRegistryTrainingSet(
  from: {
    featureCatalogs: RegistryCatalogs;
    datasets: DatasetRegistry;
    artifacts: { store: ArtifactStore };
    config: { backendStoreUri: string };
  },
  req: RegistryTrainingSetRequest,
  opts: HistoricalOptions = {},
): Promise<TrainingSet> {
  const catalog = await from.featureCatalogs.get(req.project);
  return buildTrainingSet(
    { datasets: from.datasets, artifacts: from.artifacts.store },
    { ...req, project: catalog.project, catalog: catalog.catalog() },
    // PostgreSQL sources without their own connection read the metadata store, as the CLI does.
    {
      postgresConnection: metadataPostgresUri(from.config),
      ...opts,
    },
  );
}
