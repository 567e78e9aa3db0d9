/**
 * The reference a drift report compares with: a Parquet/CSV file, a dataset version
 * (`NAME/VERSION`), or by default the training dataset the model version's lineage records. Dataset
 * files are read where the artifact store keeps them (a local store in place; object storage
 * downloaded to a temporary file, removed by `release`).
 */
import { createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { invalidParameter, SlipwayError } from '../../core/errors.js';
import type { DatasetVersion } from '../../datasets/index.js';
import type { ModelVersion } from '../../registry/types.js';
import { type ArtifactStore, PROXIED_SCHEME, storePathOf } from '../../tracking/index.js';
import { trainingDatasetOf } from '../profiles/index.js';

/** The stores a report reads the model and its reference from (a Platform has them all). */
export interface ReportStores {
  registry: { resolve(ref: string): Promise<ModelVersion> };
  datasets: { get(name: string, version?: number): Promise<DatasetVersion> };
  artifacts: ArtifactStore;
}

/** The model a report is about: a registry version (with lineage), or a name and version only. */
export type ReportedModel = ModelVersion | { name: string; version: string };

/** A reference ready to read: a local file, what it is, and how to clean up after. */
export interface ResolvedReference {
  path: string;
  kind: 'file' | 'dataset';
  source: string;
  trainingDataset: boolean;
  release(): Promise<void>;
}

const nothing = async () => {};

async function datasetFile(dataset: DatasetVersion, artifacts: ArtifactStore): Promise<ResolvedReference> {
  const base = { kind: 'dataset' as const, source: `${dataset.name}/${dataset.version}` };
  if (!dataset.source.startsWith(PROXIED_SCHEME)) {
    const path = dataset.source.startsWith('file:') ? fileURLToPath(dataset.source) : dataset.source;
    return { ...base, path, trainingDataset: false, release: nothing };
  }
  const storePath = storePathOf(dataset.source);
  if (artifacts.rootUri.startsWith('file:'))
    return {
      ...base,
      path: join(fileURLToPath(artifacts.rootUri), storePath),
      trainingDataset: false,
      release: nothing,
    };
  const dir = await mkdtemp(join(tmpdir(), 'slipway-report-'));
  const path = join(dir, 'data.parquet');
  await pipeline(await artifacts.get(storePath), createWriteStream(path));
  return { ...base, path, trainingDataset: false, release: () => rm(dir, { recursive: true, force: true }) };
}

/** `NAME/VERSION` of a dataset, or undefined when `ref` is not shaped like one. */
function datasetRef(ref: string): { name: string; version: number } | undefined {
  const m = /^([^/\\]+)\/(\d+)$/.exec(ref);
  return m ? { name: m[1]!, version: Number(m[2]) } : undefined;
}

/**
 * Resolves `reference` (a file path or `NAME/VERSION`; files only with `allowFiles`) or, when
 * absent, the model version's training dataset from its lineage.
 */
export async function resolveReference(
  stores: ReportStores,
  modelVersion: ReportedModel,
  reference: string | undefined,
  allowFiles = true,
): Promise<ResolvedReference> {
  if (reference !== undefined) {
    if (typeof reference !== 'string' || reference.trim() === '')
      throw invalidParameter('reference', 'a Parquet/CSV file path or DATASET/VERSION', reference);
    // Over HTTP a file path would let any caller read (histograms of) any file the server can.
    if (!allowFiles && !datasetRef(reference))
      throw invalidParameter('reference', 'a dataset as NAME/VERSION (files only from the CLI)', reference);
    if (allowFiles && existsSync(reference))
      return { path: reference, kind: 'file', source: reference, trainingDataset: false, release: nothing };
    const ds = datasetRef(reference);
    if (!ds)
      throw invalidParameter(
        'reference',
        'an existing Parquet/CSV file or a dataset as NAME/VERSION',
        reference,
      );
    return datasetFile(await stores.datasets.get(ds.name, ds.version), stores.artifacts);
  }
  const training = 'lineage' in modelVersion ? trainingDatasetOf(modelVersion) : undefined;
  if (!training) {
    throw new SlipwayError(
      'INVALID_PARAMETER_VALUE',
      `Model '${modelVersion.name}' version ${modelVersion.version} records no training dataset in its lineage; pass reference (--reference FILE.parquet or DATASET/VERSION) to compare with`,
      { field: 'reference', expected: 'a Parquet/CSV file path or DATASET/VERSION', got: 'nothing' },
    );
  }
  const dataset = await stores.datasets.get(training.name, training.version);
  return { ...(await datasetFile(dataset, stores.artifacts)), trainingDataset: true };
}
