import type { Page, Tag } from '../core/types.js';
import type { Filter, OrderClause } from '../tracking/index.js';
import type { ModelLineage, ModelVersion, RegisteredModel, Stage } from './types.js';

export interface RegistryQuery {
  /** Comparisons on `name` (attribute), `tags.*`, and for versions `run_id`, `source`, `version`. */
  filter: Filter;
  orderBy: OrderClause[];
  maxResults: number;
  pageToken?: string;
}

export interface NewModelVersion {
  name: string;
  source: string;
  runId: string;
  runLink: string;
  description: string;
  tags: Tag[];
  lineage: ModelLineage;
  time: number;
}

/**
 * What a metadata backend must provide for the model registry. Names are unique; versions are
 * numbered 1, 2, 3… per model by the store, atomically, so concurrent registrations never collide.
 */
export interface RegistryStore {
  createRegisteredModel(input: {
    name: string;
    description: string;
    tags: Tag[];
    time: number;
  }): Promise<RegisteredModel>;
  getRegisteredModel(name: string): Promise<RegisteredModel | undefined>;
  /** Renames the model and its versions and aliases; RESOURCE_ALREADY_EXISTS if `newName` is taken. */
  renameRegisteredModel(name: string, newName: string, time: number): Promise<void>;
  updateRegisteredModel(name: string, patch: { description: string }, time: number): Promise<void>;
  /** Deletes the model with its versions, tags and aliases. */
  deleteRegisteredModel(name: string): Promise<void>;
  searchRegisteredModels(query: RegistryQuery): Promise<Page<RegisteredModel>>;
  setRegisteredModelTag(name: string, tag: Tag): Promise<void>;
  deleteRegisteredModelTag(name: string, key: string): Promise<void>;

  createModelVersion(input: NewModelVersion): Promise<ModelVersion>;
  getModelVersion(name: string, version: string): Promise<ModelVersion | undefined>;
  updateModelVersion(
    name: string,
    version: string,
    patch: { description: string },
    time: number,
  ): Promise<void>;
  /** Moves a version to `stage`; with `archiveExisting`, other versions in that stage go to Archived. */
  transitionStage(
    name: string,
    version: string,
    stage: Stage,
    archiveExisting: boolean,
    time: number,
  ): Promise<void>;
  /** Deletes the version and any alias pointing at it. */
  deleteModelVersion(name: string, version: string): Promise<void>;
  searchModelVersions(query: RegistryQuery): Promise<Page<ModelVersion>>;
  setModelVersionTag(name: string, version: string, tag: Tag): Promise<void>;
  deleteModelVersionTag(name: string, version: string, key: string): Promise<void>;

  /** Points `alias` at `version`, moving it if it pointed elsewhere. */
  setAlias(name: string, alias: string, version: string): Promise<void>;
  deleteAlias(name: string, alias: string): Promise<void>;
  getVersionByAlias(name: string, alias: string): Promise<ModelVersion | undefined>;
}
