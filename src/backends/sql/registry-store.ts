import type { Tag } from '../../core/types.js';
import type { NewModelVersion, RegistryQuery, RegistryStore } from '../../registry/store.js';
import type { Stage } from '../../registry/types.js';
import type { SqlDatabase } from './connect.js';
import * as models from './registry/models.js';
import * as versions from './registry/versions.js';

/** The model registry over SQLite or PostgreSQL. */
export class SqlRegistryStore implements RegistryStore {
  constructor(private readonly sql: SqlDatabase) {}

  private get db() {
    return this.sql.db;
  }

  createRegisteredModel(input: { name: string; description: string; tags: Tag[]; time: number }) {
    return models.createRegisteredModel(this.db, input);
  }
  getRegisteredModel(name: string) {
    return models.getRegisteredModel(this.db, name);
  }
  renameRegisteredModel(name: string, newName: string, time: number) {
    return models.renameRegisteredModel(this.db, name, newName, time);
  }
  updateRegisteredModel(name: string, patch: { description: string }, time: number) {
    return models.updateRegisteredModel(this.db, name, patch.description, time);
  }
  deleteRegisteredModel(name: string) {
    return models.deleteRegisteredModel(this.db, name);
  }
  searchRegisteredModels(query: RegistryQuery) {
    return models.searchRegisteredModels(this.db, this.sql.dialect, query);
  }
  setRegisteredModelTag(name: string, tag: Tag) {
    return models.setRegisteredModelTag(this.db, name, tag);
  }
  deleteRegisteredModelTag(name: string, key: string) {
    return models.deleteRegisteredModelTag(this.db, name, key);
  }

  createModelVersion(input: NewModelVersion) {
    return versions.createModelVersion(this.db, input);
  }
  getModelVersion(name: string, version: string) {
    return versions.getModelVersion(this.db, name, version);
  }
  updateModelVersion(name: string, version: string, patch: { description: string }, time: number) {
    return versions.updateModelVersion(this.db, name, version, patch, time);
  }
  transitionStage(name: string, version: string, stage: Stage, archiveExisting: boolean, time: number) {
    return versions.transitionStage(this.db, name, version, stage, archiveExisting, time);
  }
  deleteModelVersion(name: string, version: string) {
    return versions.deleteModelVersion(this.db, name, version);
  }
  searchModelVersions(query: RegistryQuery) {
    return versions.searchModelVersions(this.db, this.sql.dialect, query);
  }
  setModelVersionTag(name: string, version: string, tag: Tag) {
    return versions.setModelVersionTag(this.db, name, version, tag);
  }
  deleteModelVersionTag(name: string, version: string, key: string) {
    return versions.deleteModelVersionTag(this.db, name, version, key);
  }
  setAlias(name: string, alias: string, version: string) {
    return versions.setAlias(this.db, name, alias, version);
  }
  deleteAlias(name: string, alias: string) {
    return versions.deleteAlias(this.db, name, alias);
  }
  getVersionByAlias(name: string, alias: string) {
    return versions.getVersionByAlias(this.db, name, alias);
  }
}
