/**
 * The dataset registry: registers content-addressed dataset versions (a new version only when the
 * data changed) and reads them back. Backends implement `DatasetStore` (see types.ts).
 */
import { type Clock, systemClock } from '../core/clock.js';
import { invalidParameter, notFound, SlipwayError } from '../core/errors.js';
import type { DatasetStore, DatasetVersion, NewDatasetVersion } from './types.js';

/** Dataset names are one path segment (they name artifact folders and `NAME/VERSION` refs). */
export const DATASET_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;

/** The error a store throws when another writer stored this version first (the registry retries). */
export function datasetVersionTaken(name: string, version: number): SlipwayError {
  return new SlipwayError('RESOURCE_ALREADY_EXISTS', `Dataset '${name}' version ${version} already exists`, {
    resource: 'dataset version',
    id: `${name}/${version}`,
    conflict: true,
  });
}

function isVersionTaken(err: unknown): boolean {
  return (
    err instanceof SlipwayError && err.code === 'RESOURCE_ALREADY_EXISTS' && err.details.conflict === true
  );
}

/** Checks a dataset name (shared by the HTTP routes, the CLI and the SDK). */
export function checkDatasetName(name: unknown, field = 'dataset'): string {
  if (typeof name !== 'string' || !DATASET_NAME_PATTERN.test(name))
    throw invalidParameter(field, 'a dataset name (letters, digits, _ . -; at most 128)', name);
  return name;
}

/**
 * Registers and reads dataset versions.
 *
 * @example
 * const { dataset, created } = await datasets.register({ name: 'fraud_v1', digest, source, rows, schema });
 * console.log(`${dataset.name} v${dataset.version} ${dataset.digest}`);
 */
export class DatasetRegistry {
  constructor(
    private readonly store: DatasetStore,
    private readonly clock: Clock = systemClock,
    private readonly maxAttempts = 10,
  ) {}

  /**
   * Stores `input` as the next version of its name, unless the latest version has the same digest:
   * then that version is returned (`created: false`), so registering the same data twice is a no-op.
   */
  async register(input: NewDatasetVersion): Promise<{ dataset: DatasetVersion; created: boolean }> {
    checkDatasetName(input.name, 'name');
    if (typeof input.digest !== 'string' || !DIGEST_PATTERN.test(input.digest))
      throw invalidParameter('digest', 'sha256:<64 hex digits>', input.digest);
    if (typeof input.source !== 'string' || input.source === '')
      throw invalidParameter('source', 'a URI', input.source);
    if (!Number.isSafeInteger(input.rows) || input.rows < 0)
      throw invalidParameter('rows', 'a row count ≥ 0', input.rows);
    for (let attempt = 1; ; attempt++) {
      const latest = await this.store.latest(input.name);
      if (latest?.digest === input.digest) return { dataset: latest, created: false };
      const dataset: DatasetVersion = {
        ...input,
        version: (latest?.version ?? 0) + 1,
        createdAt: this.clock.now(),
      };
      try {
        await this.store.insert(dataset);
        return { dataset, created: true };
      } catch (err) {
        // A concurrent register took this version number: look again (it may even be our data).
        if (!isVersionTaken(err) || attempt >= this.maxAttempts) throw err;
      }
    }
  }

  /** One version, or the latest one without `version`; RESOURCE_DOES_NOT_EXIST when missing. */
  async get(name: string, version?: number): Promise<DatasetVersion> {
    checkDatasetName(name, 'name');
    if (version !== undefined && !(Number.isSafeInteger(version) && version > 0))
      throw invalidParameter('version', 'a positive integer', version);
    const found = version === undefined ? await this.store.latest(name) : await this.store.get(name, version);
    if (!found) throw notFound('Dataset', version === undefined ? name : `${name}/${version}`);
    return found;
  }

  /** Every version of `name`, oldest first; RESOURCE_DOES_NOT_EXIST for an unknown name. */
  async versions(name: string): Promise<DatasetVersion[]> {
    checkDatasetName(name, 'name');
    const all = await this.store.versions(name);
    if (all.length === 0) throw notFound('Dataset', name);
    return all;
  }

  /** The latest version of every dataset, by name. */
  list(): Promise<DatasetVersion[]> {
    return this.store.list();
  }
}
